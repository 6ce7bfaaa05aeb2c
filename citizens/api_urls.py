"""Citizens' API, mounted at /api/v1/me/."""

from django.urls import path

from citizens import apis

urlpatterns = [
    path("record/", apis.MyRecordApi.as_view(), name="api_me_record"),
    path("score/", apis.MyScoreApi.as_view(), name="api_me_score"),
]
