"""The article gallery without JavaScript, and nosniff on media served by Django."""

import lxml.html
import pytest
from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

from tests.factories import ArticleFactory, PhotoFactory
from tests.test_exchange_support import use_fresh_storage

pytestmark = pytest.mark.django_db


def serve_media(request, path):
    """Serve MEDIA_ROOT as pressroom/urls.py does in DEBUG (static() reads it at import)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# The site's URLs plus media serving, as with DJANGO_DEBUG=1.
urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve_media),
    path("", include("pressroom.urls")),
]


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    return use_fresh_storage(settings, tmp_path)


@pytest.fixture
def article():
    article = ArticleFactory()
    PhotoFactory(article=article, position=1, caption="Лид", width=1200, height=800)
    PhotoFactory(
        article=article,
        position=2,
        caption="Подписание дорожной карты",
        credit="telegram-канал губернатора Оренбургской области",
        credit_url="https://t.me/solntsev_official",
        width=900,
        height=600,
    )
    PhotoFactory(article=article, position=3, caption="Пленарное заседание", credit="пресс-служба")
    PhotoFactory(article=article, position=4, caption="Делегации", width=600, height=900)
    return article


def gallery_of(client, article):
    page = lxml.html.fromstring(client.get(article.get_absolute_url()).content.decode())
    (gallery,) = page.xpath('//section[@id="gallery"]')
    return gallery


def test_thumbnails_follow_the_order_and_link_to_their_viewer(client, article):
    """Gallery thumbnails come in order after the lead photo, each linking to #photo-N."""
    gallery = gallery_of(client, article)
    figures = gallery.xpath('.//div[@class="gallery__grid"]/figure')
    captions = [f.xpath('string(.//*[@class="photo__caption"])') for f in figures]
    assert captions == ["Подписание дорожной карты", "Пленарное заседание", "Делегации"]
    links = [f.xpath(".//a[@class='picture-link']/@href")[0] for f in figures]
    assert links == ["#photo-1", "#photo-2", "#photo-3"]


def test_each_viewer_has_previous_next_and_close_links(client, article):
    """Viewer N links to N-1 and N+1 where they exist, and "Закрыть" back to its thumbnail."""
    gallery = gallery_of(client, article)
    viewers = gallery.xpath('.//div[@class="lightbox"]')
    assert [v.get("id") for v in viewers] == ["photo-1", "photo-2", "photo-3"]
    navigation = [
        (
            v.xpath(".//a[@rel='prev']/@href"),
            v.xpath(".//a[@rel='next']/@href"),
            v.xpath(".//a[text()='Закрыть']/@href"),
        )
        for v in viewers
    ]
    assert navigation == [
        ([], ["#photo-2"], ["#gallery-item-1"]),
        (["#photo-1"], ["#photo-3"], ["#gallery-item-2"]),
        (["#photo-2"], [], ["#gallery-item-3"]),
    ]
    assert gallery.xpath('.//figure[@id="gallery-item-2"]')


def test_viewer_shows_a_large_sized_picture_with_caption_and_linked_credit(client, article):
    """The viewer has a picture with width, height and srcset, its caption and credit link."""
    (viewer,) = gallery_of(client, article).xpath('.//div[@id="photo-1"]')
    (image,) = viewer.xpath(".//img")
    assert image.get("width") and image.get("height") and "900w" in image.get("srcset")
    assert image.get("alt") == "Участники совещания за столом"
    (credit,) = viewer.xpath('.//*[@class="photo__credit"]')
    assert credit.text_content().strip().startswith("Фото:")
    assert credit.xpath(".//a/@href") == ["https://t.me/solntsev_official"]
    assert viewer.get("aria-label") == "Фотография 1 из 3"


def test_gallery_needs_no_javascript(client, article):
    """The gallery has no script and uses only links, so it works by keyboard without JS."""
    gallery = gallery_of(client, article)
    assert gallery.xpath(".//script | .//button | .//*[@onclick]") == []
    assert all(link.get("href") for link in gallery.xpath(".//a"))


def test_viewer_stylesheet_shows_only_the_targeted_viewer(client, article):
    """The gallery's stylesheet hides viewers unless targeted and styles keyboard focus."""
    page = lxml.html.fromstring(client.get(article.get_absolute_url()).content.decode())
    assert page.xpath('//link[@rel="stylesheet" and @href="/static/css/gallery.css"]')
    css = (settings.BASE_DIR / "static" / "css" / "gallery.css").read_text()
    assert ".lightbox {\n  display: none;" in css
    assert ".lightbox:target {" in css
    assert ":focus-visible" in css


def test_lead_photo_opens_its_largest_rendition(client, article):
    """The lead photo, outside the gallery, links to its largest JPEG rendition."""
    page = lxml.html.fromstring(client.get(article.get_absolute_url()).content.decode())
    (link,) = page.xpath('//figure[contains(@class, "photo--lead")]//a[@class="picture-link"]')
    lead = article.photos.order_by("position").first()
    assert link.get("href") == lead.url_of(lead.best_width(1200))


@pytest.mark.urls("tests.test_photos_gallery")
def test_media_served_by_django_carry_nosniff(client, article):
    """A rendition fetched from its real media URL is an image with nosniff set."""
    photo = article.photos.first()
    rendition = photo.thumbnail
    response = client.get(photo.url_of(rendition))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
