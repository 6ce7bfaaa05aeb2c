from django.urls import path

from sanctions import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_view, name="search"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("how-to-object/", views.how_to_object, name="how_to_object"),
    path("open-data/enterprises.<str:fmt>", views.open_data, name="open_data"),
]
