"""The public pages, mounted at / (scs_portal/urls.py)."""

from __future__ import annotations

from django.urls import path, re_path

from sanctions.models.core import PUBLIC_ID_PATTERN
from sanctions.publication import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_view, name="search"),
    # the random public id, never the pk (sequential ids would let anyone walk the list)
    re_path(
        rf"^entries/(?P<public_id>{PUBLIC_ID_PATTERN})/$", views.entry_detail, name="entry_detail"
    ),
    path("how-to-object/", views.how_to_object, name="how_to_object"),
    path("open-data/enterprises.<str:fmt>", views.open_data, name="open_data"),
]
