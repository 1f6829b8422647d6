"""What every public page shares: one moment per request, safe page numbers, list views."""

from dataclasses import dataclass, field
from functools import partial

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Subquery
from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from articles import pagecache
from articles.models import Article
from articles.models.listing import from_start, group_links, group_listed_ids, listed_starts
from articles.prepared import PreparedQuery

ARTICLES_PER_PAGE = 20
NEWEST_FIRST = ("-published_at", "-id")
# The deepest page a list answers: 20 million articles at 20 a page. Deeper numbers
# (up to 5,000 digits in a URL) are a 404 before they reach an OFFSET.
MAX_PAGE = 1_000_000
# From this page on, a list starts its page where a memo says (page_start()) instead of
# skipping (page - 1) × 20 rows on every view: 1 000 rows cost the database ~0.2 ms.
FIRST_PAGE_BY_START = 50


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
    """A page found by reading one row past its end, so that no COUNT(*) is needed.

    It answers as Django's Page does (has_next() and the like), without a paginator.
    """

    object_list: list
    number: int
    more: bool  # whether a row was found past its end
    count: int | None = field(default=None)

    def has_next(self):
        return self.more

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

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
    rows = page_rows(queryset, offset, per_page + 1, listed_ids=listed_ids)
    return _page(list(rows), number, per_page)


def page_rows(queryset, offset, limit, *, listed_ids=None):
    """Return the queryset of newest_page(): limit articles of queryset from offset on."""
    if listed_ids is not None:
        ids = listed_ids[offset : offset + limit]
        return queryset.filter(pk__in=Subquery(ids)).for_listing()
    if offset == 0:
        return queryset.for_listing()[:limit]
    ids = queryset.order_by(*NEWEST_FIRST).values("pk")[offset : offset + limit]
    return Article.objects.filter(pk__in=Subquery(ids)).for_listing()


def _first_page_query(*, now, limit, links=None, group_id=None):
    ids = None if links is None else group_listed_ids(links, group_id, now=now)
    # Ids only: the cards are kept (articles.cards), which reads the articles whose
    # cards it has to make.
    return page_rows(Article.objects.published(now), 0, limit, listed_ids=ids).values_list("pk")


# The first page of the latest news and of each rubric and tag, the pages visited most,
# built and compiled once per process (articles.prepared).
_FIRST_PAGE = PreparedQuery(_first_page_query)


def first_page(*, now, per_page, links=None, group_id=None):
    """Return newest_page() 1 of the published articles, or of a group's through links.

    Its ids are memoized per content version until the next publication, as its cards
    are: a write or a scheduled article coming out makes the list anew.
    """
    values = {} if links is None else {"group_id": group_id}
    constants = {"limit": per_page + 1, "links": links}

    def read(moment):
        return _ids(_FIRST_PAGE.rows(constants=constants, now=moment, **values))

    name = f"first-page:{_listed_name(links, group_id)}:{per_page}"
    return _page(pagecache.memo_until_publication(name, read, now), 1, per_page)


def _listed_name(links, group_id):
    """Return a memo's name for the list of all articles or of a group's through links."""
    return "all" if links is None else f"{links[0]._meta.db_table}:{group_id}"


def page_by_start(*, now, number, per_page, links=None, group_id=None):
    """Return newest_page() `number` of all published articles, or of a group's through
    links, read from where the page starts (page_start()) rather than after an OFFSET.
    """
    start = page_start(now=now, number=number, per_page=per_page, links=links, group_id=group_id)
    if start is None:
        raise Http404("No such page.")
    moment, pk = start
    values = {"now": now, "moment": moment, "pk": pk}
    if links is not None:
        values["group_id"] = group_id
    constants = {"limit": per_page + 1, "links": links}
    return _page(_ids(_PAGE_FROM_START.rows(constants=constants, **values)), number, per_page)


def _page_from_start_query(*, now, moment, pk, limit, links=None, group_id=None):
    articles = Article.objects.published(now)
    if links is None:
        articles = from_start(articles, (moment, pk), moment_field="published_at", id_field="pk")
        rows = articles.order_by(*NEWEST_FIRST)[:limit]
    else:
        ids = group_listed_ids(links, group_id, now=now, starting_at=(moment, pk))[:limit]
        rows = articles.filter(pk__in=Subquery(ids)).order_by(*NEWEST_FIRST)
    return rows.values_list("pk")  # ids, as first_page()


_PAGE_FROM_START = PreparedQuery(_page_from_start_query)


def page_start(*, now, number, per_page, links=None, group_id=None):
    """Return (publication time, id) of the first article on page `number`, None past the end.

    A deep page's OFFSET walks an index entry for each article before it (40 000 for
    page 2 000, ~10 ms at a million articles), and a crawler or a link asks for the same
    deep pages again and again. Where a page starts changes only when what is published
    does: an edit (a new content version) or a scheduled article coming out, which shifts
    every page by one. So the start is found by OFFSET once and memoized until then.
    """
    offset = (number - 1) * per_page

    def find(now):
        if links is None:
            starts = Article.objects.published(now).order_by(*NEWEST_FIRST)
            starts = starts.values_list("published_at", "pk")
        else:
            starts = listed_starts(group_links(links, group_id), now=now)
        return next(iter(starts[offset : offset + 1]), None)

    name = f"page-start:{_listed_name(links, group_id)}:{per_page}:{offset}"
    return pagecache.memo_until_publication(name, find, now)


def _ids(rows):
    """Return the ids of rows of (id,): the cards of a page are made from ids (render_cards)."""
    return [pk for (pk,) in rows]


def _page(rows, number, per_page):
    if number > 1 and not rows:
        raise Http404("No such page.")
    return LookaheadPage(object_list=rows[:per_page], number=number, more=len(rows) > per_page)


def counted_page(queryset, number, per_page):
    """Return page `number` of a small queryset through Django's counting paginator."""
    try:
        return Paginator(queryset, per_page).page(number)
    except InvalidPage as error:
        raise Http404("No such page.") from error


class ArticleListView(TemplateView):
    """A paginated list of published articles, newest first.

    Subclasses narrow get_queryset(), or list a rubric's or tag's articles through
    `links` and `group`; allow_empty=False turns a list with nothing published into a
    404, as archives, rubrics and tags must.
    """

    allow_empty = False
    paginate_by = ARTICLES_PER_PAGE
    # True in views that list all published articles, or a group's through `links`, and
    # narrow get_queryset() no further: their first page, the one visited most, comes
    # from a prepared query (first_page()), their deep pages from where they start
    # (page_by_start()).
    plain_list = False
    # (link model, its group's field) in views of a rubric's or tag's articles, whose
    # object is `group`: see articles.models.listing.
    links = None
    group = None

    def get_queryset(self):
        """Return the articles listed (newest_page() orders them and fetches what cards show)."""
        return published_articles(self.request)

    def listed_ids(self):
        """Return the listed articles' ids newest first from links, or None (see newest_page).

        They narrow get_queryset(), which still decides what is visible.
        """
        if self.links is None:
            return None
        return group_listed_ids(self.links, self.group.pk, now=request_now(self.request))

    def newest_page(self, number):
        if self.plain_list and (number == 1 or number >= FIRST_PAGE_BY_START):
            read = first_page if number == 1 else partial(page_by_start, number=number)
            return read(
                now=request_now(self.request),
                per_page=self.paginate_by,
                links=self.links,
                group_id=None if self.group is None else self.group.pk,
            )
        return newest_page(
            self.get_queryset(), number, self.paginate_by, listed_ids=self.listed_ids()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.newest_page(page_number(self.request))
        if not page.object_list and not self.allow_empty:
            raise Http404("Nothing published here.")
        path = self.request.path + (f"?page={page.number}" if page.number > 1 else "")
        context.update(
            page_obj=page,
            articles=page.object_list,
            canonical_url=self.request.build_absolute_uri(path),
        )
        return context
