"""Upload limits: size and pixel caps checked before decoding, with bounded memory."""

import subprocess
import sys
import textwrap

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles import images
from articles.models import Photo
from tests.factories import ArticleFactory, image_bytes
from tests.test_admin_support import client_for, make_editor
from tests.test_exchange_support import use_fresh_storage
from tests.test_images import _blank_png

# Peak memory a refused bomb may add to a fresh process. Decoding the 20 000 × 20 000
# PNG would take 400 MB (one byte per pixel even for a 1-bit image).
MEMORY_BUDGET_KB = 40 * 1024

MEASURE = textwrap.dedent(
    """
    import io, resource, sys
    import django
    django.setup()
    from django.core.exceptions import ValidationError
    from articles import images
    data = sys.stdin.buffer.read()

    def status_kb(field):
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith(field + ":"))
        return int(line.split()[1])

    # Reset the peak (VmHWM) first: imports and .pyc compilation in a fresh clone can
    # leave a high-water mark that would hide the decode's own growth.
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        before, peak = status_kb("VmRSS"), lambda: status_kb("VmHWM")
    except OSError:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        images.decode_image(io.BytesIO(data))
        code = "accepted"
    except ValidationError as error:
        code = error.code
    print(code, peak() - before)
    """
)


def peak_memory_of_decoding(data):
    """Decode data in a fresh Python process; return (result code, peak growth in KB)."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
        env={"DJANGO_SETTINGS_MODULE": "pressroom.settings", "PATH": "/usr/bin:/bin"},
    )
    code, growth = result.stdout.decode().split()
    return code, int(growth)


def test_pixel_bomb_is_refused_with_bounded_memory():
    """A 20 000 × 20 000 PNG is refused without its 400 MB of pixels ever being allocated."""
    code, growth = peak_memory_of_decoding(_blank_png(20_000, 20_000))
    assert code == "too_many_pixels"
    assert growth < MEMORY_BUDGET_KB, f"peak memory grew by {growth} KB"


def test_memory_measurement_sees_a_real_decode():
    """The same measurement does see a 7 000 × 7 000 image being decoded (it is not blind)."""
    code, growth = peak_memory_of_decoding(_blank_png(7_000, 7_000))
    assert code == "accepted"
    assert growth > MEMORY_BUDGET_KB


@pytest.mark.django_db
class TestAdminUploadLimits:
    @pytest.fixture(autouse=True)
    def storage(self, settings, tmp_path):
        return use_fresh_storage(settings, tmp_path)

    def post_bulk(self, content, name="big.png"):
        client = client_for(make_editor())
        article = ArticleFactory()
        return client.post(
            reverse("admin:articles_article_bulk_photos", args=[article.pk]),
            {"files": [SimpleUploadedFile(name, content)], "alt": "Панорама Оренбурга"},
        )

    @pytest.mark.parametrize(
        ("side", "message"),
        [
            # Pillow itself refuses this one at open(), before the size can be quoted.
            (20_000, "big.png</bdi>: Изображение слишком большое."),
            (8_000, "big.png</bdi>: Изображение слишком большое: 8000 × 8000 пикселей."),
        ],
    )
    def test_pixel_bomb_is_a_russian_error_in_the_admin(self, side, message):
        """A huge image uploaded in the admin is listed with a Russian reason."""
        response = self.post_bulk(_blank_png(side, side))
        assert message in response.content.decode()
        assert not Photo.objects.exists()

    def test_file_over_the_size_limit_is_a_russian_error(self, monkeypatch):
        """A file over the byte limit is refused, before decoding, with the limit in MB."""
        monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 3 * 2**20)
        data = image_bytes(64, 64) + b"\0" * (3 * 2**20)
        response = self.post_bulk(data, name="huge.jpg")
        assert "Файл больше 3 МБ." in response.content.decode()
        assert not Photo.objects.exists()
