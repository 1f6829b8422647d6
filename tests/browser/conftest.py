"""Playwright fixtures: one Debian Chromium per session, a fresh context per test.

No browser is ever downloaded: the tests drive /usr/bin/chromium (`apt-get install
chromium`). Without it they are skipped with the reason, except in CI, where
PRESSROOM_REQUIRE_BROWSER=1 turns a missing browser into a failure.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PRESSROOM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def missing(reason):
    """Skip the test with reason, or fail it when CI demands the browser."""
    if os.environ.get("PRESSROOM_REQUIRE_BROWSER"):
        pytest.fail(f"PRESSROOM_REQUIRE_BROWSER is set but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Launch Debian's Chromium once for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Python package playwright is not installed: run `make test` to set it up")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing(
            f"Chromium is not installed at {CHROMIUM}: run `apt-get install chromium` as root "
            "(`make test` does it when it can)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser, live_server):
    """Return a factory of pages in fresh contexts (own cookies) on the live server."""
    contexts = []

    def make(viewport=DESKTOP, **options):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="ru-RU", **options
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """Return a desktop-sized page of an anonymous visitor."""
    return new_page()


@pytest.fixture
def axe_path():
    """Return the path of axe-core's script, installed by `npm ci`."""
    if not AXE_JS.is_file():
        missing("axe-core is not installed: run `npm ci --no-audit --no-fund` (`make test` does)")
    return str(AXE_JS)


def save_screenshot(page, name):
    """Save a viewport screenshot to docs/screenshots/ when PRESSROOM_SCREENSHOTS is set."""
    if not os.environ.get("PRESSROOM_SCREENSHOTS"):
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled")


def log_in(page, username, password):
    """Sign in to the admin as username, with the current code when the user has a device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.otp_support import code_for

    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:
        page.fill("#id_otp_token", code_for(device))
    page.press("#id_password", "Enter")
    page.wait_for_url("**/admin/")


@pytest.fixture
def site():
    """Return every public page type of a site with an article, gallery, tag and agreement."""
    from django.urls import reverse
    from django.utils import timezone

    from articles.models import Tag
    from tests.browser.support import published_article
    from tests.factories import AgreementFactory, SignatoryFactory

    agreement = AgreementFactory(title="Дорожная карта сотрудничества на 2026–2028 годы")
    SignatoryFactory(agreement=agreement, name="Евгений Солнцев")
    article = published_article()
    article.agreements.add(agreement)
    local = timezone.localtime(article.published_at)
    return {
        "home": reverse("articles:home"),
        "article": article.get_absolute_url(),
        "rubric": reverse("articles:rubric", args=[article.rubrics.get().slug]),
        "tag": reverse("articles:tag", args=[Tag.objects.get().slug]),
        "year": reverse("articles:archive_year", args=[local.year]),
        "month": reverse("articles:archive_month", args=[local.year, local.month]),
        "agreements": reverse("articles:agreements"),
        "agreement": agreement.get_absolute_url(),
        "search": reverse("articles:search") + "?q=Казахстана",
        "404": "/no-such-page/",
        "low vision settings": reverse("articles:low_vision"),
    }
