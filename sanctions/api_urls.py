"""API routes, mounted at /api/ (citizens' own endpoints: citizens/api_urls.py)."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from sanctions import apis
from sanctions.models.core import PUBLIC_ID_PATTERN

v1 = [
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

# The one exception to the portal's Content-Security-Policy (settings): drf-spectacular's
# Swagger UI and Redoc pages start their (locally served) bundles with an inline script, set
# inline styles, and Redoc runs a blob: worker. These two pages show only the public API
# schema, no personal data and no form that acts for a logged-in person; nonces would mean
# overriding the package's templates, so they get 'unsafe-inline' here (docs/security.md).
API_DOCS_POLICY = csp_update(
    {
        "script-src": ["'unsafe-inline'"],
        "style-src": ["'unsafe-inline'"],
        "worker-src": ["'self'", "blob:"],
    }
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "docs/",
        API_DOCS_POLICY(SpectacularSwaggerView.as_view(url_name="api_schema")),
        name="api_docs",
    ),
    path(
        "redoc/",
        API_DOCS_POLICY(SpectacularRedocView.as_view(url_name="api_schema")),
        name="api_redoc",
    ),
    path("v1/", include(v1)),
]
