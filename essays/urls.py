from django.urls import path

from essays import views

app_name = "essays"

urlpatterns = [
    path("", views.home, name="home"),
    path("essays/", views.EssayList.as_view(), name="essay_list"),
    path("essays/<str:key>/", views.essay_detail, name="essay"),
    path("collections/<str:key>/", views.collection_detail, name="collection"),
    path("sections/<str:slug>/", views.section_detail, name="section"),
    path("tags/", views.tag_list, name="tag_list"),
    path("tags/<path:name>/", views.tag_detail, name="tag"),
]
