"""Previews of unpublished articles: for editors, and through share links for outsiders.

Both use the public article template (so the page looks exactly as it will), add a
banner, and are never indexed or cached.
"""

from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.generic import TemplateView

from articles.models import Article, ShareLink
from articles.views.news import ArticleView

SHARE_SALT = "articles.share-link"
ROBOTS = "noindex, nofollow, noarchive"


def share_url(link):
    """Return the path of a share link: its token, signed so that a typo never hits the database."""
    signed = signing.Signer(salt=SHARE_SALT).sign(link.token)
    return reverse("articles:share", kwargs={"signed": signed})


def can_preview(user):
    """Return whether user is an editor who may preview unpublished articles."""
    return user.is_active and user.is_staff and user.has_perm("articles.view_article")


class PreviewView(ArticleView):
    """Any article, as the public page shows it, with a preview banner."""

    template_name = "articles/preview/article.html"
    share_link = None

    def get(self, request, *args, **kwargs):
        self.article = self.listed = self.get_article(**kwargs)
        if self.article.published_at is None:
            # A draft is shown as if it were published now; nothing is saved.
            self.article.published_at = timezone.now()
        response = TemplateView.get(self, request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = ROBOTS
        return response

    def get_article(self, **kwargs):
        raise NotImplementedError

    def article_for_page(self, pk):
        """Return any article with what its page shows attached, or raise Http404."""
        try:
            return Article.objects.get_for_page(pk=pk)
        except Article.DoesNotExist as error:
            raise Http404("No such page.") from error

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            preview=True, share_link=self.share_link, robots=ROBOTS, **kwargs
        )


class EditorPreviewView(PreviewView):
    """The preview an editor opens from the admin; anyone else gets a 404."""

    def get_article(self, *, pk, **kwargs):
        if not can_preview(self.request.user):
            raise Http404("No such page.")
        return self.article_for_page(pk)


class SharedPreviewView(PreviewView):
    """The preview behind a share link: only its article, only while the link is valid."""

    def get_article(self, *, signed, **kwargs):
        try:
            token = signing.Signer(salt=SHARE_SALT).unsign(signed)
        except signing.BadSignature as error:
            raise Http404("No such page.") from error
        link = ShareLink.objects.filter(token=token).first()
        if link is None or not link.is_active():
            raise Http404("No such page.")
        self.share_link = link
        return self.article_for_page(link.article_id)
