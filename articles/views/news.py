"""The news pages: latest news, one article, and the lists by rubric and by tag."""

import sys

from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.generic import TemplateView

from articles import cards, pagecache
from articles.metadata import article_json_ld, share_image
from articles.models import Article, Rubric, RubricLink, Tag, TaggedArticle
from articles.models.article import public_page_article
from articles.models.rubric import rubric_by_slug
from articles.models.tag import tag_by_slug
from articles.reversing import cached_reverse
from articles.views.around import around
from articles.views.mixins import ArticleListView, request_now

# One memo an article page, as around()'s (a crawler leaves one behind for each page).
PARTS_MEMO_SECONDS = 600
# The page's description (<meta name="description">, og:description).
DESCRIPTION_CHARS = 300


class HomeView(ArticleListView):
    """The latest news, newest first."""

    template_name = "articles/home.html"
    allow_empty = True
    plain_list = True


class RubricView(ArticleListView):
    """The published articles of one rubric."""

    template_name = "articles/rubric.html"
    plain_list = True
    links = (RubricLink, "rubric_id")

    def get(self, request, *args, slug, **kwargs):
        try:
            self.group = self.rubric = rubric_by_slug(slug)
        except Rubric.DoesNotExist as error:
            raise Http404("No such rubric.") from error
        return super().get(request, *args, slug=slug, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rubric=self.rubric, breadcrumbs=[(None, self.rubric.name)], **kwargs
        )


class TagView(ArticleListView):
    """The published articles that carry one tag."""

    template_name = "articles/tag.html"
    plain_list = True
    links = (TaggedArticle, "tag_id")

    def get(self, request, *args, slug, **kwargs):
        try:
            self.group = self.tag = tag_by_slug(slug)
        except Tag.DoesNotExist as error:
            raise Http404("No such tag.") from error
        return super().get(request, *args, slug=slug, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, breadcrumbs=[(None, self.tag.name)], **kwargs)


class ArticleView(TemplateView):
    """One published article; an outdated or wrong slug redirects to the canonical address.

    The validators' query (articles.conditional) reads the article's id, slug, title and
    times with the latest news; everything else the page shows of the article comes
    from its parts (render_parts), kept per content version until the next publication
    (pagecache.memo_until_publication): a repeated request runs that one query. Making
    the parts reads the article with its small relations, its photos, and the related
    and neighbouring articles in one UNION (articles.views.around).
    """

    template_name = "articles/article.html"
    # The whole article with what its page shows, once read (previews set it).
    article = None
    # What the validators read of it (id, slug, title, times), or the whole article.
    listed = None
    # Only the public page keeps its parts; a preview makes them on every request.
    keeps_parts = False

    def get(self, request, *args, pk, slug, **kwargs):
        listed = getattr(request, "pressroom_page_article", None)
        if listed is None or listed.pk != pk:
            try:
                listed = self.article = public_page_article(pk, now=request_now(request))
            except Article.DoesNotExist as error:
                raise Http404("No such article.") from error
        if slug != listed.slug:
            return redirect(listed, permanent=True)
        self.listed = listed
        self.keeps_parts = getattr(request, "pressroom_version", None) is not None
        return super().get(request, *args, pk=pk, slug=slug, **kwargs)

    def get_context_data(self, **kwargs):
        canonical_url = self.request.build_absolute_uri(self.listed.get_absolute_url())
        return super().get_context_data(
            article=self.article or self.listed,
            canonical_url=canonical_url,
            og_type="article",
            parts=self.parts(self.listed.pk, canonical_url),
            **kwargs,
        )

    def parts(self, pk, canonical_url):
        """Return the page's parts of the article (render_parts), kept when public."""
        now = request_now(self.request)
        if not self.keeps_parts:
            return self.render_parts(now, canonical_url)
        return pagecache.memo_until_publication(
            f"article-page:{pk}:{cards.variant(canonical_url)}",
            lambda moment: self.render_parts(moment, canonical_url),
            now,
            timeout=PARTS_MEMO_SECONDS,
            size_of=lambda parts: sum(map(sys.getsizeof, parts.values())),
        )

    def render_parts(self, now, canonical_url):
        """Return {name: HTML} of what the page shows of the article, as of now.

        Everything here depends on the article, the articles around it at now, the
        language, time zone and URL prefix, and the site's address (canonical_url):
        the memo's name holds the last three and the content version the rest.
        """
        if self.article is None:
            self.article = public_page_article(self.listed.pk, now=now)
        article = self.article
        photos = list(article.photos.all())
        rubric = next(iter(article.rubrics.all()), None)
        breadcrumbs = [(rubric.get_absolute_url(), rubric.name)] if rubric else []
        lead_photo = photos[0] if photos else None
        latest_update = modified_at(article)
        related, previous_article, next_article = around(article, now=now)
        published = timezone.localtime(article.published_at)
        description = Truncator(article.lead or article.title).chars(DESCRIPTION_CHARS)
        context = {
            "article": article,
            # Made here: {% url %} with two |date filters cost the template ~70 µs.
            "archive_url": cached_reverse(
                "articles:archive_month", year=published.year, month=published.month
            ),
            "lead_photo": lead_photo,
            "gallery": photos[1:],
            "breadcrumbs": [*breadcrumbs, (None, article.title)],
            "canonical_url": canonical_url,
            "modified_at": latest_update,
            "og_type": "article",
            "page_title": article.title,
            "page_description": description,
            "share_image": share_image(self.request, lead_photo),
            "json_ld": article_json_ld(
                self.request,
                article,
                photos=photos,
                canonical_url=canonical_url,
                modified_at=latest_update,
            ),
            "related": related,
            "previous_article": previous_article,
            "next_article": next_article,
        }
        return {
            "description": description,
            "sharing": self.render_part("articles/partials/sharing.html", context),
            "meta": self.render_part("articles/partials/article_meta.html", context),
            "breadcrumbs": self.render_part("articles/partials/breadcrumbs.html", context),
            "main": self.render_part("articles/partials/article_main.html", context),
        }

    def render_part(self, template_name, context):
        return mark_safe(render_to_string(template_name, context, self.request))


def modified_at(article):
    """Return the time of the latest public update note, or None.

    Only edits that the editors mark as significant (with a note) show an "updated"
    time: typo fixes stay silent, and so does re-importing an article, which touches
    updated_at without changing what readers were told.
    """
    updates = list(article.updates.all())
    return max(update.at for update in updates) if updates else None
