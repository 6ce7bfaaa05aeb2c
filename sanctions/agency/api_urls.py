"""The agencies' API routes, mounted at /api/v1/ (scs_portal/urls.py)."""

from django.urls import path, re_path

from sanctions.agency import apis

urlpatterns = [
    path("records/", apis.RecordSubmitApi.as_view(), name="api_records"),
    re_path(
        r"^records/(?P<record_id>-?[0-9]{1,18})/events/$",
        apis.RecordEventApi.as_view(),
        name="api_record_events",
    ),
    path("imports/", apis.ImportUploadApi.as_view(), name="api_imports"),
    # any integer reaches the view (a JSON 404), not Django's HTML 404 (found by schemathesis)
    re_path(
        r"^imports/(?P<pk>-?[0-9]{1,18})/$",
        apis.ImportDetailApi.as_view(),
        name="api_import_detail",
    ),
    path("restrictions/check", apis.RestrictionCheckApi.as_view(), name="api_restrictions_check"),
]
