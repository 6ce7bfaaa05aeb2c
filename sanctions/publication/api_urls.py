"""The public list's API routes, mounted at /api/v1/ (scs_portal/urls.py)."""

from django.urls import path, re_path

from sanctions.models.core import PUBLIC_ID_PATTERN
from sanctions.publication import apis

urlpatterns = [
    path("public/entries/", apis.PublicEntryListApi.as_view(), name="api_public_entries"),
    path(
        "public/entries/lookup/",
        apis.PublicEntryLookupApi.as_view(),
        name="api_public_entries_lookup",
    ),
    re_path(
        rf"^public/entries/(?P<public_id>{PUBLIC_ID_PATTERN})/$",
        apis.PublicEntryDetailApi.as_view(),
        name="api_public_entry_detail",
    ),
]
