"""Addresses of the public site: Latin, stable, keyed by number where Russian sites do."""

from django.urls import path, register_converter

from articles.conditional import conditional_article
from articles.media_views import agreement_document
from articles.views import agreements, archives, lowvision, news, preview, search


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class MonthConverter:
    regex = "0[1-9]|1[0-2]"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(YearConverter, "yyyy")
register_converter(MonthConverter, "mm")

app_name = "articles"

urlpatterns = [
    path("", news.HomeView.as_view(), name="home"),
    path("news/<yyyy:year>/", archives.YearArchiveView.as_view(), name="archive_year"),
    path("news/<yyyy:year>/<mm:month>/", archives.MonthArchiveView.as_view(), name="archive_month"),
    path(
        "news/<int:pk>-<str:slug>/",
        conditional_article(news.ArticleView.as_view()),
        name="article",
    ),
    path("rubrics/<slug:slug>/", news.RubricView.as_view(), name="rubric"),
    path("tags/<slug:slug>/", news.TagView.as_view(), name="tag"),
    path("agreements/", agreements.AgreementListView.as_view(), name="agreements"),
    path(
        "agreements/export.csv",
        agreements.AgreementExportView.as_view(format="csv"),
        name="agreements_csv",
    ),
    path(
        "agreements/export.json",
        agreements.AgreementExportView.as_view(format="json"),
        name="agreements_json",
    ),
    path("agreements/<int:pk>-<str:slug>/", agreements.AgreementView.as_view(), name="agreement"),
    path("agreements/<int:pk>/document/", agreement_document, name="agreement_document"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("accessibility/", lowvision.LowVisionSettingsView.as_view(), name="low_vision"),
    path("accessibility/set/", lowvision.low_vision_set, name="low_vision_set"),
    path("preview/<int:pk>/", preview.EditorPreviewView.as_view(), name="preview"),
    path("preview/share/<str:signed>/", preview.SharedPreviewView.as_view(), name="share"),
]
