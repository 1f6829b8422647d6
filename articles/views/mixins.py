"""What every public page shares: one moment per request, safe page numbers, list views."""

from dataclasses import dataclass, field

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Subquery
from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from articles.models import Article

ARTICLES_PER_PAGE = 20
NEWEST_FIRST = ("-published_at", "-id")
# The deepest page a list answers: 20 million articles at 20 a page. Deeper numbers
# (up to 5,000 digits in a URL) are a 404 before they reach an OFFSET.
MAX_PAGE = 1_000_000


def request_now(request):
    """Return the moment this request sees the site: the same for every query it runs."""
    if not hasattr(request, "pressroom_now"):
        request.pressroom_now = timezone.now()
    return request.pressroom_now


def published_articles(request):
    """Return the articles the public may see during this request."""
    return Article.objects.published(now=request_now(request))


def page_number(request):
    """Return the page asked for in ?page= (1 when absent), or raise Http404 when invalid."""
    raw = request.GET.get("page", "")
    if raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_PAGE)):
        raise Http404("Invalid page number.")
    number = int(raw)
    if not 1 <= number <= MAX_PAGE:
        raise Http404("Invalid page number.")
    return number


@dataclass
class LookaheadPage:
    """A page found by reading one row past its end, so that no COUNT(*) is needed."""

    object_list: list
    number: int
    has_next: bool
    count: int | None = field(default=None)

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_other_pages(self):
        return self.has_next or self.has_previous

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def lookahead_page(queryset, number, per_page=ARTICLES_PER_PAGE):
    """Return page `number` of queryset; raise Http404 for a page past the end."""
    offset = (number - 1) * per_page
    return _page(list(queryset[offset : offset + per_page + 1]), number, per_page)


def newest_page(queryset, number, per_page=ARTICLES_PER_PAGE, *, listed_ids=None):
    """Return page `number` of articles newest first, for a list; 404 past the end.

    A deep page skips its OFFSET rows in a subquery that selects ids only, which the
    database answers from the index of published rows without reading the articles
    (page 2000 of a million skips 40 000 index entries, not 40 000 rows); only the
    page's own rows are then read. What cards show besides the articles (rubrics,
    photos) is fetched by the cards that have to be rendered (articles.cards).

    listed_ids, when given, narrow queryset to a rubric's or tag's articles: their ids
    newest first from its links (articles.models.listing), from which every page is
    cut; queryset still decides what is visible.
    """
    offset = (number - 1) * per_page
    if listed_ids is not None:
        ids = listed_ids[offset : offset + per_page + 1]
        rows = queryset.filter(pk__in=Subquery(ids)).for_listing()
    elif offset == 0:
        rows = queryset.for_listing()[: per_page + 1]
    else:
        ids = queryset.order_by(*NEWEST_FIRST).values("pk")[offset : offset + per_page + 1]
        rows = Article.objects.filter(pk__in=Subquery(ids)).for_listing()
    return _page(list(rows), number, per_page)


def _page(rows, number, per_page):
    if number > 1 and not rows:
        raise Http404("No such page.")
    return LookaheadPage(object_list=rows[:per_page], number=number, has_next=len(rows) > per_page)


def counted_page(queryset, number, per_page):
    """Return page `number` of a small queryset through Django's counting paginator."""
    try:
        return Paginator(queryset, per_page).page(number)
    except InvalidPage as error:
        raise Http404("No such page.") from error


class ArticleListView(TemplateView):
    """A paginated list of published articles, newest first.

    Subclasses narrow get_queryset(), or name the articles of a rubric or tag through
    listed_ids(); allow_empty=False turns a list with nothing
    published into a 404, as archives, rubrics and tags must.
    """

    allow_empty = False
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        """Return the articles listed (newest_page() orders them and fetches what cards show)."""
        return published_articles(self.request)

    def listed_ids(self):
        """Return the listed articles' ids newest first from links, or None (see newest_page).

        They narrow get_queryset(), which still decides what is visible.
        """
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = newest_page(
            self.get_queryset(),
            page_number(self.request),
            self.paginate_by,
            listed_ids=self.listed_ids(),
        )
        if not page.object_list and not self.allow_empty:
            raise Http404("Nothing published here.")
        path = self.request.path + (f"?page={page.number}" if page.number > 1 else "")
        context.update(
            page_obj=page,
            articles=page.object_list,
            canonical_url=self.request.build_absolute_uri(path),
        )
        return context
