"""The news pages: latest news, one article, and the lists by rubric and by tag."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from articles.metadata import article_json_ld, share_image
from articles.models import Rubric, Tag
from articles.views.mixins import ArticleListView, published_articles

RELATED_COUNT = 5
RELATED_MINIMUM = 3
# Edits within this time of publication are corrections, not updates worth announcing.
_NEIGHBOUR_FIELDS = ("id", "slug", "title", "published_at")


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

    def get_queryset(self):
        return super().get_queryset().filter(rubrics=self.rubric)

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

    def get_queryset(self):
        return super().get_queryset().filter(tagged_items__tag=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, breadcrumbs=[(None, self.tag.name)], **kwargs)


class ArticleView(TemplateView):
    """One published article; an outdated or wrong slug redirects to the canonical address."""

    template_name = "articles/article.html"

    def get(self, request, *args, pk, slug, **kwargs):
        articles = published_articles(request).for_page()
        article = get_object_or_404(articles, pk=pk)
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
        return super().get_context_data(
            article=article,
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
            related=self.related(article),
            previous_article=self.neighbour(article, newer=False),
            next_article=self.neighbour(article, newer=True),
            **kwargs,
        )

    def related(self, article):
        """Return up to five other articles, those sharing most tags first.

        When fewer than three share a tag, the newest of the same rubrics fill the block.
        """
        others = published_articles(self.request).exclude(pk=article.pk).only(*_NEIGHBOUR_FIELDS)
        tag_ids = [tag.pk for tag in article.tags.all()]
        related = []
        if tag_ids:
            related = list(
                others.filter(tagged_items__tag__in=tag_ids)
                .annotate(shared=Count("tagged_items"))
                .order_by("-shared", "-published_at", "-id")[:RELATED_COUNT]
            )
        rubric_ids = [rubric.pk for rubric in article.rubrics.all()]
        if len(related) < RELATED_MINIMUM and rubric_ids:
            chosen = [item.pk for item in related]
            related += list(
                others.filter(rubrics__in=rubric_ids)
                .exclude(pk__in=chosen)
                .distinct()
                .order_by("-published_at", "-id")[: RELATED_COUNT - len(related)]
            )
        return related

    def neighbour(self, article, *, newer):
        """Return the next newer or older published article, or None."""
        if newer:
            after = Q(published_at__gt=article.published_at) | Q(
                published_at=article.published_at, pk__gt=article.pk
            )
            order = ("published_at", "id")
        else:
            after = Q(published_at__lt=article.published_at) | Q(
                published_at=article.published_at, pk__lt=article.pk
            )
            order = ("-published_at", "-id")
        articles = published_articles(self.request).only(*_NEIGHBOUR_FIELDS)
        return articles.filter(after).order_by(*order).first()


def modified_at(article):
    """Return the time of the latest public update note, or None.

    Only edits that the editors mark as significant (with a note) show an "updated"
    time: typo fixes stay silent, and so does re-importing an article, which touches
    updated_at without changing what readers were told.
    """
    updates = list(article.updates.all())
    return max(update.at for update in updates) if updates else None
