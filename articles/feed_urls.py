"""Feeds, sitemaps and robots.txt: the addresses machines read."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from articles import sitemaps
from articles.feeds.aggregators import DzenFeed, YandexNewsFeed
from articles.feeds.news import (
    LatestNewsAtomFeed,
    LatestNewsFeed,
    RubricNewsAtomFeed,
    RubricNewsFeed,
    TagNewsAtomFeed,
    TagNewsFeed,
)

app_name = "feeds"

urlpatterns = [
    path("feeds/news.rss", LatestNewsFeed.as_view(), name="news-rss"),
    path("feeds/news.atom", LatestNewsAtomFeed.as_view(), name="news-atom"),
    path("feeds/rubrics/<slug:slug>.rss", RubricNewsFeed.as_view(), name="rubric-rss"),
    path("feeds/rubrics/<slug:slug>.atom", RubricNewsAtomFeed.as_view(), name="rubric-atom"),
    path("feeds/tags/<slug:slug>.rss", TagNewsFeed.as_view(), name="tag-rss"),
    path("feeds/tags/<slug:slug>.atom", TagNewsAtomFeed.as_view(), name="tag-atom"),
    path("feeds/yandex.xml", YandexNewsFeed.as_view(), name="yandex"),
    path("feeds/dzen.rss", DzenFeed.as_view(), name="dzen"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "feeds:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-news.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.NEWS_SITEMAPS, "template_name": "feeds/sitemap_news.xml"},
        name="sitemap-news",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.SITEMAPS, "template_name": "feeds/sitemap.xml"},
        name="sitemap-section",
    ),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
]
