"""Content-Security-Policy and Permissions-Policy on every page: public, citizen and staff.

The public and citizen pages are found by following the links of the pages themselves (from
the home page, the URL conf's pages without arguments, and /my/ as a logged-in citizen); the
staff pages are the admin index and, for every registered model, its changelist, add page and
the change page of one of its rows, as an OTP-verified superuser (tests/conftest.py)."""

import re
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.citizens.conftest import world  # noqa: F401 - the seeded world of citizen pages

pytestmark = pytest.mark.django_db

# the one documented exception (sanctions/api_urls.py, docs/security.md)
RELAXED_PATHS = ("/api/docs/", "/api/redoc/")
HREF = re.compile(r'href="([^"]+)"')
INLINE = re.compile(
    r"""<style|\sstyle=|\son[a-z]+=|javascript:|<script(?![^>]*\ssrc=)(?![^>]*application/json)"""
)
NOT_CRAWLED = ("/account/logout/", "/i18n/", "/static/", "/admin/", "/bench/")


def assert_policies(response, path):
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"no Content-Security-Policy on {path} ({response.status_code})"
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["default-src"] == "'self'", (path, policy)
    assert "'unsafe-eval'" not in policy, (path, policy)
    if path in RELAXED_PATHS:
        assert "'unsafe-inline'" in directives["script-src"], policy  # the documented exception
    else:
        assert "'unsafe-inline'" not in policy, (path, policy)
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), path
    if "html" in response.headers.get("Content-Type", "") and path not in RELAXED_PATHS:
        # what the policy would block (silently, in the browser): none of it is in the page
        html = response.content.decode()
        assert not INLINE.search(html), (path, INLINE.search(html).group(0))


def urls_without_arguments(resolver=None, prefix=""):
    """Every route of the URL conf that takes no argument, e.g. /, /search/, /how-to-object/."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if "<" not in route and "(?P" not in route and not route.startswith("admin"):
                yield from urls_without_arguments(pattern, prefix + route.lstrip("^"))
        elif isinstance(pattern, URLPattern) and "<" not in route and "(" not in route:
            yield "/" + (prefix + route).lstrip("^").rstrip("$").replace("\\", "")


def crawl(client, start, limit=150):
    """GET every same-site page reachable from `start` (links in the pages), checking each."""
    seen, queue, statuses = set(), list(start), {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or url.startswith(NOT_CRAWLED) or not url.startswith("/"):
            continue
        seen.add(url)
        response = client.get(url)
        assert_policies(response, urlsplit(url).path)
        statuses[url] = response.status_code
        if "html" in response.headers.get("Content-Type", "") and not response.streaming:
            for href in HREF.findall(response.content.decode()):
                href = urldefrag(unescape(href))[0]
                if href.startswith("/") and not href.startswith("//"):
                    queue.append(href)
    return statuses


def test_every_public_and_citizen_page_has_the_policies(client, world):  # noqa: F811
    public = crawl(client, ["/", *urls_without_arguments(), "/api/docs/", "/api/redoc/"])
    # the crawl reached the pages a visitor uses, with a public entry among them
    for path in ("/", "/search/", "/how-to-object/", reverse("citizens:login"),
                 reverse("citizens:activate"), reverse("citizens:password_reset"),
                 "/api/docs/", "/api/redoc/"):  # fmt: skip
        assert public.get(path) == 200, (path, public.get(path))
    assert any(url.startswith("/entries/") and code == 200 for url, code in public.items())
    assert any(url.startswith("/open-data/") and code == 200 for url, code in public.items())

    client.force_login(world["a_user"])
    mine = crawl(client, ["/my/"])
    assert sum(url.startswith("/my/") and code == 200 for url, code in mine.items()) >= 4, mine


def test_every_staff_page_has_the_policies(client, superuser, world):  # noqa: F811
    client.force_login(superuser)
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(type("R", (), {"user": superuser})()):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[row.pk]))
    ok = 0
    for url in urls:
        response = client.get(url)
        assert_policies(response, url)
        ok += response.status_code == 200
    assert ok >= len(admin.site._registry), "the staff crawl did not reach the admin pages"


def test_the_400_answered_before_any_view_has_the_policies(client):
    response = client.get("/search/", {f"p{i}": "1" for i in range(2000)})
    assert response.status_code == 400
    assert_policies(response, "/search/")
