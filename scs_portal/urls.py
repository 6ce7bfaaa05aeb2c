from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from scs_portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("sanctions.kernel.api_urls")),
    path("api/v1/", include("sanctions.agency.api_urls")),
    path("api/v1/", include("sanctions.publication.api_urls")),
    path("api/v1/me/", include("citizens.api_urls")),
    # the public pages first: they take most of the traffic, and each pattern tried before
    # them costs every request a regex match
    path("", include("sanctions.publication.urls")),
    path("", include("citizens.urls")),
]

if settings.SCS_BENCH_BARE_VIEW:
    # bench/search.py compares the search page with this bare view on the same server
    urlpatterns.insert(0, path("bench/bare", views.bare, name="bench_bare"))

# MEDIA_ROOT (case evidence, subjects' attachments) is never served by URL, in DEBUG neither:
# files are read only through views that check scope and log the read
# (sanctions/kernel/uploads.py).
