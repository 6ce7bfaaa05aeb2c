"""The API's schema and its documentation pages, mounted at /api/ (scs_portal/urls.py); the
versioned routes are each context's (`sanctions.agency.api_urls`,
`sanctions.publication.api_urls`, `citizens.api_urls`)."""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

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
]
