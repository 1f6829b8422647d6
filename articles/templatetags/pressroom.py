"""Template tags of the public site: widgets, responsive pictures and Russian dates."""

from django import template
from django.db import connections
from django.db.models import Exists, OuterRef, Subquery
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.template.loader_tags import BlockNode
from django.utils import timezone
from django.utils.dates import MONTHS_ALT
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from articles import cards, pagecache
from articles.conditional import LATEST_NEWS_SIZE
from articles.local_copies import LocalCopies
from articles.models import Article, Rubric, RubricLink
from articles.models.listing import group_listed_ids
from articles.reversing import cached_reverse
from articles.views.mixins import published_articles, request_now

register = template.Library()

# "13 ноября 2025, 09:10" in Russian: E is the month's name in the genitive.
DATETIME_FORMAT = "j E Y, H:i"
LATEST_COUNT = 5
# A rendition at least this wide is the picture's fallback src for old browsers.
FALLBACK_WIDTH = 640


@register.filter(expects_localtime=True)
def ru_datetime(value):
    """Format a date-time the Russian way, in the site's time zone."""
    return date_filter(value, DATETIME_FORMAT)


@register.simple_tag
def time_tag(value, fmt=DATETIME_FORMAT):
    """Render a <time> element with the machine-readable instant and the Russian text."""
    if not value:
        return ""
    local = timezone.localtime(value)
    text = _usual_datetime(local) if fmt == DATETIME_FORMAT else date_filter(local, fmt)
    # isoformat() is what the "c" format gives.
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), text)


def _usual_datetime(local):
    """Return DATETIME_FORMAT's text without the template formatter (cards have twenty)."""
    return f"{local.day} {MONTHS_ALT[local.month]} {local.year}, {local:%H:%M}"


@register.simple_tag(takes_context=True)
def latest_news(context, count=LATEST_COUNT):
    """Render the "Последние новости" block: the newest published articles.

    The article page's validators query already read them (articles.conditional). The
    block shows nothing else of them than its key holds: made once per process for it.
    """
    request = context["request"]
    fetched = getattr(request, "pressroom_latest_news", None)
    if fetched is None or count != LATEST_NEWS_SIZE:
        articles = published_articles(request).order_by("-published_at", "-id")
        fetched = articles.only("id", "slug", "title", "published_at")[:count]
    shown = tuple((item.pk, item.slug, item.title, item.published_at) for item in fetched)
    return shell_fragment(context, _latest_news_html, shown)


def _latest_news_html(shown):
    latest = [
        {"url": cached_reverse("articles:article", pk=pk, slug=slug), "title": title, "at": at}
        for pk, slug, title, at in shown
    ]
    return render_to_string("articles/partials/latest_news.html", {"latest": latest})


@register.simple_tag(takes_context=True)
def archive_years(context):
    """Render links to the year archives that have something published, newest first.

    Made once per process for each list of years (shell_fragment): a site with decades
    of news lists dozens of years on every page.
    """
    years = public_years(request_now(context["request"]))
    return shell_fragment(context, _archive_years_html, tuple(years))


def _archive_years_html(years):
    label = gettext("News of %(year)s")
    links = [
        (cached_reverse("articles:archive_year", year=year), label % {"year": year})
        for year in years
    ]
    return render_to_string("articles/partials/archive_years.html", {"links": links})


def public_years(now):
    """Return the years with something published at `now`, newest first (memoized)."""
    return pagecache.memo_until_publication("archive-years", _years_at, now)


def _rubrics_with_news(now):
    """Return the rubrics with an article published at now.

    A rubric's newest listed link (articles.models.listing) is found on its listing
    index, and its article must be public: joining the articles to the links of every
    rubric took 0.2-0.3 s at a million articles, and the list is made again after every
    edit. A stale link could only hide a rubric, never show one without news.
    """
    newest = group_listed_ids((RubricLink, "rubric_id"), OuterRef("pk"), now=now)[:1]
    public = Article.objects.published(now).filter(pk=OuterRef("newest"))
    return list(Rubric.objects.alias(newest=Subquery(newest)).filter(Exists(public)))


# The years of Article.objects.published(now), newest first, in one statement: from the
# newest public article, each step reads the newest one before the local New Year of
# the last (one index lookup a year, on article_public_order_idx).
_YEARS_SQL = f"""
WITH RECURSIVE newest(moment) AS (
    (SELECT published_at FROM {Article._meta.db_table}
     WHERE status = %(published)s AND published_at <= %(now)s
     ORDER BY published_at DESC LIMIT 1)
    UNION ALL
    SELECT (
        SELECT a.published_at FROM {Article._meta.db_table} AS a
        WHERE a.status = %(published)s
          AND a.published_at
              < date_trunc('year', n.moment AT TIME ZONE %(zone)s) AT TIME ZONE %(zone)s
        ORDER BY a.published_at DESC LIMIT 1
    )
    FROM newest AS n WHERE n.moment IS NOT NULL
)
SELECT extract(year FROM moment AT TIME ZONE %(zone)s)::int FROM newest
WHERE moment IS NOT NULL
"""


def _years_at(now):
    """Return the years with an article published at now, newest first.

    On PostgreSQL one index lookup per year (_YEARS_SQL): DISTINCT over the publication
    times read every published article, 0.43 s at a million, and the list is made again
    after every edit. Elsewhere (SQLite, small sites) the DISTINCT.
    """
    published = Article.objects.published(now)
    if connections[published.db].vendor != "postgresql":
        days = published.dates("published_at", "year", order="DESC")
        return [day.year for day in days]
    parameters = {
        "published": Article.Status.PUBLISHED,
        "now": now,
        "zone": timezone.get_current_timezone_name(),
    }
    with connections[published.db].cursor() as cursor:
        cursor.execute(_YEARS_SQL, parameters)
        return [year for (year,) in cursor.fetchall()]


@register.simple_tag(takes_context=True)
def article_cards(context, articles):
    """Return the cards of a list page's articles (articles.cards: shared per version)."""
    request = context.get("request")
    return cards.render_cards(articles, version=getattr(request, "pressroom_version", None))


@register.simple_tag(takes_context=True)
def rubric_nav(context):
    """Render the header's rubric navigation: rubrics that have something published.

    Every page shows it, so its HTML is made once per set of rubrics, current page and
    language (shell_fragment), from the memoized rubrics.
    """
    request = context.get("request")
    if request is None:
        return ""
    now = request_now(request)
    rubrics = pagecache.memo_until_publication("rubric-nav", _rubrics_with_news, now)
    current = context.get("rubric")
    match = request.resolver_match
    return shell_fragment(
        context,
        _rubric_nav_html,
        tuple((rubric.slug, rubric.name) for rubric in rubrics),
        current.slug if current else None,
        match.url_name if match else None,
    )


def _rubric_nav_html(rubrics, current_slug, url_name):
    links = [
        (cached_reverse("articles:home"), gettext("All news"), url_name == "home"),
        *(
            (cached_reverse("articles:rubric", slug=slug), name, slug == current_slug)
            for slug, name in rubrics
        ),
        (cached_reverse("articles:agreements"), gettext("Agreements"), url_name == "agreements"),
    ]
    return render_to_string("articles/partials/rubric_nav.html", {"links": links})


@register.simple_tag(takes_context=True)
def feed_links(context, template_name, rubric=None, tag=None):
    """Render a list of the feeds of a page (its rubric's or tag's, and the site's).

    The <head> links and the footer's list are on every page, and depend on nothing
    but the rubric or tag: shell_fragment() makes each once per process.
    """
    return shell_fragment(
        context,
        _feed_links_html,
        template_name,
        (rubric.slug, rubric.name) if rubric else None,
        (tag.slug, tag.name) if tag else None,
    )


def _feed_links_html(template_name, rubric, tag):
    group = {"slug": rubric[0], "name": rubric[1]} if rubric else None
    named = {"slug": tag[0], "name": tag[1]} if tag else None
    return render_to_string(template_name, {"rubric": group, "tag": named})


# Longer addresses (a long search) are rendered each time rather than kept.
PAGINATION_KEPT_CHARS = 300


@register.simple_tag(takes_context=True)
def pagination(context, page):
    """Render the links to a list's previous and next pages, and the page's number.

    The links keep the address's other parameters (a search's query). Made once per
    process for each address and page (shell_fragment), but for long addresses.
    """
    request = context["request"]
    others = request.GET.copy()
    others.pop("page", None)
    paginator = getattr(page, "paginator", None)
    args = (
        request.path,
        others.urlencode(),
        page.number,
        page.has_next(),
        paginator.num_pages if paginator else None,
    )
    if len(args[0]) + len(args[1]) > PAGINATION_KEPT_CHARS:
        return mark_safe(_pagination_html(*args))
    return shell_fragment(context, _pagination_html, *args)


def _pagination_html(path, query, number, has_next, total):
    def page_url(to):
        parameters = f"{query}&page={to}" if query else f"page={to}"
        return f"{path}?{parameters}" if to > 1 else (f"{path}?{query}" if query else path)

    return render_to_string(
        "articles/partials/pagination.html",
        {
            "previous_url": page_url(number - 1) if number > 1 else "",
            "next_url": page_url(number + 1) if has_next else "",
            "number": number,
            "total": total,
        },
    )


def shell_fragment(context, make, *args):
    """Return make(*args) as safe HTML, made once per process for these args.

    For the parts of every page that depend on nothing but args (hashable) and where
    they are made (cards.made_in(), which the key adds): a pure function's result.
    context is the template's, or None.
    """
    return _kept((make, cards.made_in(context), args), lambda: make(*args))


def _kept(key, make):
    """Return make() as safe HTML, made once per process for key (shell_fragment, keep)."""
    return _kept_fragments.get_or_make(key, lambda: mark_safe(make()), size_of=len)


# The shell's fragments: the {% keep %} blocks, and three for each rubric and tag page
# (feed links, pagination: ~300 characters each). Weighed, not counted: 200 tag pages
# visited in turn made 600 fragments, which 512 places cycled through, and every page
# made its own again (1 000 000-article benchmark, 6 December). Cycle-resistant for the
# same reason (articles.local_copies.LocalCopies).
KEPT_FRAGMENTS_CHARS = 256 * 1024
_kept_fragments = LocalCopies(KEPT_FRAGMENTS_CHARS, busy_seconds=1.0)


@register.simple_tag
def picture(photo, sizes, *, link=False, eager=False):
    """Render a photo as a <picture> of WebP and JPEG renditions with its dimensions set.

    Built in Python rather than from a template: a list page has twenty of them, and a
    template of its own costs several times as much to render.
    """
    fallback = photo.best_width(FALLBACK_WIDTH, "jpeg") if photo else None
    if fallback is None:
        return ""
    webp_srcset = photo.srcset("webp")
    source = (
        format_html('<source type="image/webp" srcset="{}" sizes="{}">', webp_srcset, sizes)
        if webp_srcset
        else ""
    )
    loading = ' fetchpriority="high"' if eager else ' loading="lazy"'
    html = format_html(
        '<picture data-alt="{alt}">\n  {source}\n  <img src="{src}" srcset="{srcset}" '
        'sizes="{sizes}" width="{width}" height="{height}" alt="{alt}"{loading} '
        'decoding="async">\n</picture>',
        alt=photo.alt,
        source=source,
        src=photo.url_of(fallback),
        srcset=photo.srcset("jpeg"),
        sizes=sizes,
        width=fallback["width"],
        height=fallback["height"],
        loading=mark_safe(loading),
    )
    if not link:
        return html
    largest = photo.best_width(photo.width or 10**6, "jpeg")
    return format_html('<a class="picture-link" href="{}">{}</a>', photo.url_of(largest), html)


class KeptNode(template.Node):
    """What {% keep %} encloses, rendered once per process for each of its keys."""

    # Holds no block (keep() refuses one), so the search for blocks that {% extends %}
    # makes through the parent template on every render need not look inside.
    child_nodelists = ()

    def __init__(self, nodelist, vary):
        self.nodelist = nodelist
        self.vary = vary

    def render(self, context):
        values = tuple(str(expression.resolve(context)) for expression in self.vary)
        return _kept((self, cards.made_in(context), values), lambda: self.nodelist.render(context))


@register.tag
def keep(parser, token):
    """Render the enclosed template once per process: {% keep [value …] %}…{% endkeep %}.

    For the parts of the shell that every page repeats (the header's links and search
    form, the stylesheets, the footer): they are made again only for another language,
    time zone, URLconf or URL prefix (cards.made_in()) or another of the values listed.
    What is inside may depend on nothing else: no page's variables, no blocks.
    """
    vary = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError("{% keep %} can't enclose a {% block %}.")
    return KeptNode(nodelist, vary)
