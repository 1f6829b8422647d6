"""The news pages: latest news, one article, and the lists by rubric and by tag."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import TemplateView

from articles.metadata import article_json_ld, share_image
from articles.models import Article, Rubric, RubricLink, Tag, TaggedArticle
from articles.models.article import public_page_article
from articles.models.listing import listed_ids
from articles.reversing import cached_reverse
from articles.views.around import around
from articles.views.mixins import ArticleListView, request_now


class HomeView(ArticleListView):
    """The latest news, newest first."""

    template_name = "articles/home.html"
    allow_empty = True


class RubricView(ArticleListView):
    """The published articles of one rubric."""

    template_name = "articles/rubric.html"

    def get(self, request, *args, slug, **kwargs):
        self.rubric = get_object_or_404(Rubric, slug=slug)
        return super().get(request, *args, slug=slug, **kwargs)

    def listed_ids(self):
        links = RubricLink.objects.filter(rubric=self.rubric)
        return listed_ids(links, now=request_now(self.request))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rubric=self.rubric, breadcrumbs=[(None, self.rubric.name)], **kwargs
        )


class TagView(ArticleListView):
    """The published articles that carry one tag."""

    template_name = "articles/tag.html"

    def get(self, request, *args, slug, **kwargs):
        self.tag = get_object_or_404(Tag, slug=slug)
        return super().get(request, *args, slug=slug, **kwargs)

    def listed_ids(self):
        links = TaggedArticle.objects.filter(tag=self.tag)
        return listed_ids(links, now=request_now(self.request))

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, breadcrumbs=[(None, self.tag.name)], **kwargs)


class ArticleView(TemplateView):
    """One published article; an outdated or wrong slug redirects to the canonical address.

    Four queries: the validators' one (which also lists the latest news, see
    articles.conditional), the article with its small relations, its photos, and the
    related and neighbouring articles in one UNION; three once that UNION is memoized
    (articles.views.around), until content changes or a scheduled article comes out.
    """

    template_name = "articles/article.html"

    def get(self, request, *args, pk, slug, **kwargs):
        try:
            article = public_page_article(pk, now=request_now(request))
        except Article.DoesNotExist as error:
            raise Http404("No such article.") from error
        if slug != article.slug:
            return redirect(article, permanent=True)
        self.article = article
        return super().get(request, *args, pk=pk, slug=slug, **kwargs)

    def get_context_data(self, **kwargs):
        article = self.article
        photos = list(article.photos.all())
        rubric = next(iter(article.rubrics.all()), None)
        breadcrumbs = [(rubric.get_absolute_url(), rubric.name)] if rubric else []
        lead_photo = photos[0] if photos else None
        canonical_url = self.request.build_absolute_uri(article.get_absolute_url())
        latest_update = modified_at(article)
        related, previous_article, next_article = around(article, now=request_now(self.request))
        published = timezone.localtime(article.published_at)
        return super().get_context_data(
            article=article,
            # Made here: {% url %} with two |date filters cost the template ~70 µs.
            archive_url=cached_reverse(
                "articles:archive_month", year=published.year, month=published.month
            ),
            lead_photo=lead_photo,
            gallery=photos[1:],
            breadcrumbs=[*breadcrumbs, (None, article.title)],
            canonical_url=canonical_url,
            modified_at=latest_update,
            og_type="article",
            share_image=share_image(self.request, lead_photo),
            json_ld=article_json_ld(
                self.request,
                article,
                photos=photos,
                canonical_url=canonical_url,
                modified_at=latest_update,
            ),
            related=related,
            previous_article=previous_article,
            next_article=next_article,
            **kwargs,
        )


def modified_at(article):
    """Return the time of the latest public update note, or None.

    Only edits that the editors mark as significant (with a note) show an "updated"
    time: typo fixes stay silent, and so does re-importing an article, which touches
    updated_at without changing what readers were told.
    """
    updates = list(article.updates.all())
    return max(update.at for update in updates) if updates else None
