from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from essays import views
from essays.feeds import LatestEssaysFeed, SectionFeed
from essays.search import views as search_views
from essays.sitemaps import SITEMAPS

app_name = "essays"

urlpatterns = [
    path("", views.home, name="home"),
    path("essays/", views.EssayList.as_view(), name="essay_list"),
    path("essays/<str:key>/", views.essay_detail, name="essay"),
    path("collections/", views.collection_list, name="collection_list"),
    path("collections/<str:key>/", views.collection_detail, name="collection"),
    path("sections/<str:slug>/", views.section_detail, name="section"),
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggest, name="search_suggest"),
    path("tags/", views.tag_list, name="tag_list"),
    path("tags/<path:name>/", views.tag_detail, name="tag"),
    path("feed/", LatestEssaysFeed(), name="feed"),
    path("sections/<str:slug>/feed/", SectionFeed(), name="section_feed"),
    # An index of one sitemap per kind (essays in pages of 5,000): no
    # response grows with the archive.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "essays:sitemap_section"},
        name="sitemap",
    ),
    path("sitemap-<str:section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots"),
]
