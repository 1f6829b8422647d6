"""Photo and document uploads: validation, privacy of public files, renditions."""

import io
import struct
import time
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat, PngImagePlugin
from PIL.ExifTags import GPS, IFD, Base

from articles import images
from articles.models import Photo
from tests.factories import image_bytes

SERIAL = "SN-4815162342"
COMMENT = b"hidden comment: call +7 900 000-00-00"
XMP_MARKER = b"secret-xmp-marker"
TRAILER = b"PK\x03\x04<?php system($_GET['c']); ?>"


def _attached(data, name="photo.jpg"):
    """Return an unsaved Photo filled from image bytes."""
    return images.attach_image(Photo(), ContentFile(data), original_name=name)


def _rendition_bytes(rendition):
    with default_storage.open(rendition["path"], "rb") as handle:
        return handle.read()


def _rendition_image(rendition):
    image = Image.open(io.BytesIO(_rendition_bytes(rendition)))
    image.load()
    return image


def _jpeg_with_metadata():
    """Return a JPEG with GPS and a serial number in EXIF, XMP, a comment and trailing data."""
    exif = Image.Exif()
    exif[Base.Make] = "PhoneMaker"
    exif.get_ifd(IFD.Exif)[Base.BodySerialNumber] = SERIAL
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "N"
    gps[GPS.GPSLatitude] = (51.0, 46.0, 12.0)
    gps[GPS.GPSLongitudeRef] = "E"
    gps[GPS.GPSLongitude] = (55.0, 6.0, 3.0)
    xmp = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' + XMP_MARKER + b"</rdf:RDF>"
        b'</x:xmpmeta><?xpacket end="w"?>'
    )
    image = Image.open(io.BytesIO(image_bytes(1000, 700)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=COMMENT, xmp=xmp)
    return buffer.getvalue() + TRAILER


@pytest.fixture(scope="module")
def photo_with_metadata():
    data = _jpeg_with_metadata()
    return data, _attached(data)


@pytest.mark.parametrize(
    "marker",
    [b"Exif\x00\x00", SERIAL.encode(), COMMENT, XMP_MARKER, b"<?php"],
    ids=["exif-gps", "serial-number", "comment", "xmp", "trailing-data"],
)
def test_public_renditions_drop_private_metadata(photo_with_metadata, marker):
    """No public rendition carries the uploaded file's EXIF, GPS, XMP, comment or trailer."""
    original, photo = photo_with_metadata
    assert marker in original
    assert photo.renditions
    for rendition in photo.renditions:
        assert marker not in _rendition_bytes(rendition), rendition["path"]


def test_public_renditions_have_no_gps_block(photo_with_metadata):
    """Pillow finds neither EXIF nor GPS data in any public rendition."""
    _original, photo = photo_with_metadata
    for rendition in photo.renditions:
        image = _rendition_image(rendition)
        assert "exif" not in image.info
        assert not image.getexif().get_ifd(IFD.GPSInfo)


def test_jpeg_renditions_end_at_the_end_of_image_marker(photo_with_metadata):
    """Nothing follows the picture in a JPEG rendition (no appended archive or script)."""
    _original, photo = photo_with_metadata
    for rendition in photo.renditions:
        if rendition["format"] == "jpeg":
            assert _rendition_bytes(rendition).endswith(b"\xff\xd9")


def test_png_html_polyglot_gives_clean_renditions():
    """A PNG with HTML in a text chunk and after its end gives renditions without markup."""
    image = Image.open(io.BytesIO(image_bytes(600, 400, fmt="PNG")))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(document.cookie)</script>")
    data = _saved(image, "PNG", pnginfo=info) + b"<html><script>alert(1)</script></html>"
    assert data.count(b"<script>") == 2
    photo = _attached(data, name="polyglot.png")
    for rendition in photo.renditions:
        assert b"<script" not in _rendition_bytes(rendition), rendition["path"]


def test_original_is_kept_where_no_public_url_reaches(photo_with_metadata):
    """The untouched original goes to private storage, which refuses to make a URL."""
    _original, photo = photo_with_metadata
    with pytest.raises(ValueError):
        photo.original.url  # noqa: B018


def _landscape_marked(exif):
    """Return a 800 × 600 JPEG: red left half, blue right half, with the given EXIF."""
    image = Image.new("RGB", (800, 600), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 400, 600))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def _assert_portrait_red_on_top(photo):
    assert (photo.width, photo.height) == (600, 800)
    for rendition in photo.renditions:
        if rendition["name"].isdigit():
            image = _rendition_image(rendition).convert("RGB")
            assert rendition["height"] > rendition["width"]
            assert image.size == (rendition["width"], rendition["height"])
            red, _green, blue = image.getpixel((image.width // 2, image.height // 8))
            assert red > 200 and blue < 60
            red, _green, blue = image.getpixel((image.width // 2, image.height * 7 // 8))
            assert blue > 200 and red < 60


def test_exif_orientation_6_portrait_is_turned_upright():
    """A phone photo stored sideways with orientation 6 ends upright, 600 wide and 800 high."""
    exif = Image.Exif()
    exif[Base.Orientation] = 6
    _assert_portrait_red_on_top(_attached(_landscape_marked(exif)))


def test_corrupt_exif_does_not_break_the_upload():
    """EXIF with a text value where a number belongs is ignored except for the orientation."""
    entries = [
        struct.pack(">HHI4s", Base.ImageWidth, 2, 4, b"Cam\x00"),  # ASCII instead of SHORT
        struct.pack(">HHIH2x", Base.Orientation, 3, 1, 6),
    ]
    exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + struct.pack(">H", len(entries))
    exif += b"".join(entries) + b"\x00\x00\x00\x00"
    _assert_portrait_red_on_top(_attached(_landscape_marked(exif)))


def _blank_png(width, height):
    """Return a valid 1-bit PNG of the given size: tiny on disk, huge once decoded."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    rows_per_chunk = 1000
    data = b""
    for start in range(0, height, rows_per_chunk):
        data += compressor.compress(row * min(rows_per_chunk, height - start))
    data += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [20_000, 10_000, 8_000])
def test_huge_image_in_a_small_file_is_rejected_quickly(side):
    """A small PNG that would decode to tens or hundreds of megapixels is refused in < 1 s."""
    data = _blank_png(side, side)
    assert len(data) < 200_000
    started = time.monotonic()
    with pytest.raises(ValidationError) as error:
        images.decode_image(io.BytesIO(data))
    assert error.value.code == "too_many_pixels"
    assert time.monotonic() - started < 1


def _truncated_jpeg():
    data = image_bytes(800, 600)
    return data[: len(data) * 6 // 10]


def _animated_gif():
    frames = [Image.new("P", (64, 64), index) for index in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>"""


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (_truncated_jpeg(), "damaged"),
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "not_an_image"),
        (SVG, "not_an_image"),
        (_animated_gif(), "not_an_image"),
        (image_bytes(64, 64, fmt="BMP"), "not_an_image"),
        (b"%PDF-1.4\n%%EOF\n", "not_an_image"),
    ],
    ids=["zero-bytes", "truncated-jpeg", "html-named-jpg", "svg", "animated-gif", "bmp", "pdf"],
)
def test_unacceptable_files_are_rejected_with_a_reason(data, code):
    """Each kind of bad file is refused with its own message code, never an exception."""
    with pytest.raises(ValidationError) as error:
        _attached(data)
    assert error.value.code == code


def _saved(image, fmt, **kwargs):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _cmyk_red():
    return _saved(Image.new("CMYK", (500, 400), (0, 255, 255, 0)), "JPEG")


def _png16_grey():
    return _saved(Image.new("I;16", (500, 400), 32768), "PNG")


def _palette_half_transparent():
    image = Image.new("P", (500, 400), 1)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0, 0, 0] * 254)
    image.paste(0, (0, 0, 250, 400))
    return _saved(image, "PNG", transparency=0)


def _la_half_transparent():
    image = Image.new("LA", (500, 400), (0, 255))
    image.paste((0, 0), (0, 0, 250, 400))
    return _saved(image, "PNG")


@pytest.mark.parametrize(
    ("data", "left", "right"),
    [
        (_cmyk_red(), (255, 0, 0), (255, 0, 0)),
        (_png16_grey(), (128, 128, 128), (128, 128, 128)),
        (_palette_half_transparent(), (255, 255, 255), (0, 0, 255)),
        (_la_half_transparent(), (255, 255, 255), (0, 0, 0)),
    ],
    ids=["cmyk-jpeg", "16-bit-png", "palette-with-transparency", "grey-with-alpha"],
)
def test_unusual_colour_modes_give_correct_jpeg_renditions(data, left, right):
    """CMYK, 16-bit, palette and LA images become RGB JPEGs; transparency turns white."""
    photo = _attached(data, name="photo.png")
    jpegs = [r for r in photo.renditions if r["format"] == "jpeg"]
    assert jpegs
    for rendition in jpegs:
        image = _rendition_image(rendition)
        assert image.mode == "RGB"
        for x, expected in ((image.width // 8, left), (image.width * 7 // 8, right)):
            actual = image.getpixel((x, image.height // 2))
            assert all(abs(a - e) <= 24 for a, e in zip(actual, expected, strict=True)), (
                rendition["name"],
                actual,
            )


def test_transparency_is_kept_in_webp_renditions():
    """A palette PNG with a transparent area keeps its alpha channel in WebP renditions."""
    photo = _attached(_palette_half_transparent(), name="logo.png")
    for rendition in photo.renditions:
        if rendition["format"] == "webp":
            image = _rendition_image(rendition)
            assert image.mode == "RGBA"
            assert image.getpixel((image.width // 8, image.height // 2))[3] == 0


def test_animated_webp_becomes_a_still_of_its_first_frame():
    """An animated WebP is accepted; every rendition is a single frame of the first picture."""
    frames = [Image.new("RGB", (400, 300), color) for color in ((0, 160, 0), (200, 0, 0))]
    data = _saved(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=200)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    photo = _attached(data, name="anim.webp")
    for rendition in photo.renditions:
        image = _rendition_image(rendition)
        assert getattr(image, "n_frames", 1) == 1
        red, green, _blue = image.convert("RGB").getpixel((10, 10))
        assert green > 120 and red < 60


def test_jpeg_with_a_second_picture_is_accepted_as_jpeg():
    """A phone's multi-picture JPEG (Pillow calls it MPO) is stored and rendered as a JPEG."""
    first, second = Image.new("RGB", (400, 300), "navy"), Image.new("RGB", (400, 300), "red")
    data = _saved(first, "MPO", save_all=True, append_images=[second])
    photo = _attached(data)
    assert photo.original.name.endswith(".jpg")
    assert (photo.width, photo.height) == (400, 300)


@pytest.mark.parametrize(
    ("width", "height", "widths"),
    [
        (300, 200, [300]),
        (1000, 700, [320, 640, 960, 1000]),
        (2400, 1600, [320, 640, 960, 1280, 1920]),
    ],
)
def test_renditions_are_never_upscaled(width, height, widths):
    """No rendition is wider or taller than the uploaded picture."""
    photo = _attached(image_bytes(width, height))
    for rendition in photo.renditions:
        assert rendition["width"] <= width and rendition["height"] <= height
        image = _rendition_image(rendition)
        assert image.size == (rendition["width"], rendition["height"])
    for fmt in ("jpeg", "webp"):
        assert [r["width"] for r in photo._renditions(fmt)] == widths


def _detailed(width, height):
    """Return an RGB image of smooth gradients and strong fine grain, as a camera records it."""
    channels = (
        Image.linear_gradient("L").resize((width, height)),
        Image.radial_gradient("L").resize((width, height)),
        Image.effect_noise((width, height), 60).filter(ImageFilter.GaussianBlur(1)),
    )
    return Image.merge("RGB", channels)


def _mean_difference(first, second):
    """Return how far apart two RGB images are, in levels of 255 per channel on average."""
    return sum(ImageStat.Stat(ImageChops.difference(first, second)).mean) / 3


@pytest.mark.parametrize(
    ("width", "height"), [(2400, 1600), (5001, 3001), (1500, 2250), (5000, 900), (900, 500)]
)
def test_cascaded_renditions_look_like_a_direct_resample(width, height):
    """Narrow renditions are made from wider ones, large originals box-reduced first.

    Each still has its planned size and differs from LANCZOS straight from the original by
    under half a level of 255 on average; the share crop is the one ImageOps.fit() cuts.
    """
    original = _detailed(width, height)
    widths = {min(width, w) for w in images.RENDITION_WIDTHS}
    resized = images._resize_to_widths(original, widths)
    for name, image in resized.items():
        assert image.size == images.planned_size(str(name), width, height)
        direct = original.resize(image.size, Image.Resampling.LANCZOS)
        assert _mean_difference(image, direct) < 0.5, name
    share = images._share_crop(original)
    assert share.size == images.planned_size("share", width, height)
    fitted = ImageOps.fit(original, share.size, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    assert _mean_difference(share, fitted) < 0.5


def test_rendition_sizes_are_the_stored_byte_counts():
    """Each rendition's stored size is the length of its file, as feed enclosures need."""
    photo = _attached(image_bytes(700, 500))
    for rendition in photo.renditions:
        assert rendition["size"] == default_storage.size(rendition["path"])


def test_regenerating_renditions_is_idempotent():
    """Making renditions again gives the same set and leaves no old files behind."""
    photo = _attached(image_bytes(1000, 700))
    described = [(r["name"], r["format"], r["width"], r["height"]) for r in photo.renditions]
    old_paths = [r["path"] for r in photo.renditions]
    for _round in range(2):
        images.regenerate_renditions(photo)
        again = [(r["name"], r["format"], r["width"], r["height"]) for r in photo.renditions]
        assert again == described
    assert images.renditions_are_current(photo)
    assert not any(default_storage.exists(path) for path in old_paths)
    assert all(default_storage.exists(r["path"]) for r in photo.renditions)


@pytest.mark.parametrize(
    ("name", "data", "extension"),
    [
        ("../../../etc/passwd.jpg.php", image_bytes(100, 80), "jpg"),
        ("‮gpj.exe", image_bytes(100, 80, fmt="PNG"), "png"),
        ("снимок.jpg", image_bytes(100, 80, fmt="PNG"), "png"),
    ],
    ids=["path-traversal", "rtl-override", "png-named-jpg"],
)
def test_original_is_stored_under_a_generated_name(name, data, extension):
    """The stored name is random with the real format's extension; the given name is kept."""
    photo = _attached(data, name=name)
    stem, _dot, suffix = photo.original.name.removeprefix("originals/").rpartition(".")
    assert len(stem) == 32 and all(c in "0123456789abcdef" for c in stem)
    assert suffix == extension
    assert photo.original_name == name


def _pdf(*, catalog_extra=b"", trailer_extra=b""):
    """Return a small, well-formed one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return out


def test_validate_pdf_accepts_a_real_pdf_and_returns_its_size():
    """A minimal valid PDF passes and its size in bytes is returned."""
    data = _pdf()
    assert images.validate_pdf(io.BytesIO(data)) == len(data)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><body>Not a PDF</body></html>", "not_a_pdf"),
        (b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n", "not_a_pdf"),
        (_pdf(trailer_extra=b"/Encrypt 4 0 R "), "encrypted"),
        (_pdf(trailer_extra=b"/Encr#79pt 4 0 R "), "encrypted"),
        (
            _pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "),
            "scripted",
        ),
        (_pdf(catalog_extra=b"/OpenAction << /S /J#61vaScript /J#53 (x) >> "), "scripted"),
    ],
    ids=[
        "empty",
        "html-named-pdf",
        "no-end-marker",
        "encrypted",
        "encrypted-escaped-name",
        "javascript",
        "javascript-escaped-name",
    ],
)
def test_validate_pdf_rejects_unsafe_or_fake_documents(data, code):
    """Empty, fake, encrypted and scripted PDFs are refused with their own message code."""
    with pytest.raises(ValidationError) as error:
        images.validate_pdf(io.BytesIO(data))
    assert error.value.code == code
