"""Photo validation, privacy and renditions, on Pillow.

An upload is accepted only after Pillow has fully decoded it as JPEG, PNG or WebP, with
its size and pixel count checked before decoding. The original is kept in private
storage (it may carry GPS data); every public file is re-encoded from pixels only, so no
EXIF, XMP, IPTC, comment or trailing data survives. Renditions are made here, once, and
their dimensions and byte sizes are stored on the Photo so that pages never touch files.
"""

import contextlib
import io
import re
import uuid
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, UnidentifiedImageError

from articles.storage import storage_error

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
# Well below Pillow's own decompression-bomb threshold (about 89 MP): a 50 MP photo
# decodes into at most 200 MB of RGBA pixels.
MAX_PIXELS = 50_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Pillow reports a JPEG carrying a second picture (many phone cameras write these) as MPO.
FORMAT_ALIASES = {"MPO": "JPEG"}
# How to turn an image upright for each EXIF orientation value other than 1.
ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
SHARE_SIZE = (1200, 630)
FEED_WIDTH = 1280
JPEG_QUALITY = 82
WEBP_QUALITY = 80
# LANCZOS from at least twice the target size looks the same as from the full original
# (about 0.2 of 255 levels apart on average, far below JPEG/WebP noise) at a fraction of
# the cost, which grows with the source's pixel count: renditions are resampled from a
# wider rendition or a box-reduced original that is still at least this many times larger.
RESAMPLE_GAP = 2


@dataclass
class DecodedImage:
    """A fully decoded, upright image with its detected format."""

    image: Image.Image
    format: str

    @property
    def extension(self):
        return EXTENSIONS[self.format]


def _size_of(fileobj):
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    return size


def _rejected(message, code):
    return ValidationError(message, code=code)


def decode_image(fileobj):
    """Decode an uploaded image, or raise ValidationError with a message for the editor.

    The file is read as JPEG, PNG or WebP only, whatever its name says.
    """
    size = _size_of(fileobj)
    if size == 0:
        raise _rejected(_("The file is empty."), "empty")
    if size > MAX_UPLOAD_BYTES:
        raise _rejected(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES // 2**20},
            "too_large",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(fileobj, formats=ACCEPTED_FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise _rejected(
                    _("The image is too large: %(width)d × %(height)d pixels.")
                    % {"width": image.width, "height": image.height},
                    "too_many_pixels",
                )
            image_format = FORMAT_ALIASES.get(image.format, image.format)
            image.load()
        except ValidationError:
            raise
        except UnidentifiedImageError as error:
            raise _rejected(_("This is not a JPEG, PNG or WebP image."), "not_an_image") from error
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _rejected(_("The image is too large."), "too_many_pixels") from error
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise _rejected(
                _("The image is damaged or incomplete and cannot be read."), "damaged"
            ) from error
    return DecodedImage(image=_to_display_mode(_upright(image)), format=image_format)


def _upright(image):
    """Return the image turned as its EXIF orientation says.

    Only the orientation tag is read: ImageOps.exif_transpose() also rewrites the whole
    EXIF block and crashes on corrupt tags, and every public file drops EXIF anyway.
    """
    orientation = image.getexif().get(ExifTags.Base.Orientation)
    if isinstance(orientation, int) and orientation in ORIENTATION_TRANSPOSE:
        return image.transpose(ORIENTATION_TRANSPOSE[orientation])
    return image


def _to_display_mode(image):
    """Return the image in RGB or RGBA, converting CMYK, 16-bit, palette and grey modes."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    elif image.mode == "F":
        image = image.convert("L")
    converted = image.convert("RGBA" if image.has_transparency_data else "RGB")
    converted.info = {}  # drops EXIF, XMP, ICC, comments: nothing but pixels goes public
    return converted


def _flatten(image):
    """Return an RGB image, with transparent areas laid on white (JPEG has no alpha)."""
    if image.mode == "RGB":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _encode(image, fmt):
    buffer = io.BytesIO()
    if fmt == "jpeg":
        _flatten(image).save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()


def _scaled_size(width, height, new_width):
    """Return the size of an image scaled to new_width (never upscaled)."""
    if new_width >= width:
        return width, height
    return new_width, max(1, round(height * new_width / width))


def _resample(image, size, box=None):
    """Return the image, or its box, resampled to size with LANCZOS.

    A source at least 2 × RESAMPLE_GAP times larger is first shrunk by averaging whole
    blocks of pixels (Image.reduce, very fast) to no less than RESAMPLE_GAP times the size.
    """
    return image.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=RESAMPLE_GAP)


def _resize_to_widths(image, widths):
    """Return {width: the image scaled to that width} for each width, never upscaled.

    Widest first: each is resampled from the narrowest image already made that is at
    least RESAMPLE_GAP times as wide (960 from 1920, 320 from 640), else from the
    original. Sizes are always computed from the original's, so they match planned_size().
    """
    resized = {}
    for width in sorted(widths, reverse=True):
        size = _scaled_size(image.width, image.height, width)
        if size == image.size:
            resized[width] = image
            continue
        source = min(
            (made for made in resized.values() if made.width >= RESAMPLE_GAP * size[0]),
            key=lambda made: made.width,
            default=image,
        )
        resized[width] = _resample(source, size)
    return resized


def _rendition_width(name, image_width):
    """Return the width the rendition called `name` (a width or "feed") is resampled to."""
    return min(image_width, FEED_WIDTH if name == "feed" else int(name))


def rendition_plan(width, height):
    """Return (name, format, target size or None) for every rendition of an image."""
    widths = [w for w in RENDITION_WIDTHS if w < width]
    if width <= RENDITION_WIDTHS[-1]:
        widths.append(width)  # the full width, never upscaled
    plan = [(str(w), fmt, None) for w in widths for fmt in ("webp", "jpeg")]
    plan.append(("share", "jpeg", SHARE_SIZE))
    plan.append(("feed", "jpeg", None))
    return plan


def _share_size(width, height):
    """Return the size of the sharing crop: 1200 × 630 proportions, never upscaled."""
    target_w, target_h = SHARE_SIZE
    scale = min(1.0, width / target_w, height / target_h)
    return max(1, round(target_w * scale)), max(1, round(target_h * scale))


def planned_size(name, width, height):
    """Return the (width, height) of the rendition called `name` of a width × height image."""
    if name == "share":
        return _share_size(width, height)
    return _scaled_size(width, height, FEED_WIDTH if name == "feed" else int(name))


def _share_crop(image):
    """Return a crop with the 1200 × 630 proportions, at most 1200 wide, never upscaled.

    The crop is ImageOps.fit()'s with centering (0.5, 0.4), the full width or height kept
    and the rest cut 50 % left / 50 % right or 40 % above / 60 % below; done here so
    that a large original is box-reduced first, as for the other renditions.
    """
    size = _share_size(image.width, image.height)
    ratio = size[0] / size[1]
    crop_width = min(image.width, image.height * ratio)
    crop_height = min(image.height, image.width / ratio)
    left = (image.width - crop_width) * 0.5
    top = (image.height - crop_height) * 0.4
    return _resample(image, size, box=(left, top, left + crop_width, top + crop_height))


def make_renditions(image, *, storage=None, prefix=None):
    """Write every rendition of a decoded image and return their descriptions."""
    storage = storage or default_storage
    prefix = prefix or f"photos/{uuid.uuid4().hex}"
    plan = rendition_plan(image.width, image.height)
    # Each width is resampled once for both formats, all up front so that wider ones can
    # serve as sources for narrower ones.
    widths = {_rendition_width(name, image.width) for name, *_ in plan if name != "share"}
    resized = _resize_to_widths(image, widths)
    encoded = {}  # (width, format) -> bytes: the feed JPEG reuses a width rendition's
    renditions = []
    for name, fmt, _target in plan:
        if name == "share":
            derived = _share_crop(image)
            data = _encode(derived, fmt)
        else:
            width = _rendition_width(name, image.width)
            derived = resized[width]
            if (width, fmt) not in encoded:
                encoded[width, fmt] = _encode(derived, fmt)
            data = encoded[width, fmt]
        extension = "jpg" if fmt == "jpeg" else "webp"
        path = storage.save(f"{prefix}/{name}.{extension}", ContentFile(data))
        renditions.append(
            {
                "name": name,
                "format": fmt,
                "path": path,
                "width": derived.width,
                "height": derived.height,
                "size": len(data),
            }
        )
    return renditions


def delete_renditions(renditions, *, storage=None):
    storage = storage or default_storage
    for rendition in renditions:
        storage.delete(rendition["path"])


def attach_image(photo, fileobj, *, original_name=""):
    """Validate an image file and fill a (not yet saved) Photo with it.

    Stores the original privately under a random name, writes the renditions and sets
    width, height and renditions. Raises ValidationError when the file is not accepted
    or cannot be stored (nothing is left behind then).
    """
    decoded = decode_image(fileobj)
    fileobj.seek(0)
    prefix = f"photos/{uuid.uuid4().hex}"
    try:
        photo.original.save(f"{uuid.uuid4().hex}.{decoded.extension}", fileobj, save=False)
        photo.renditions = make_renditions(decoded.image, prefix=prefix)
    except OSError as error:
        # A read-only or full storage: leave no partial set of files behind.
        _discard_partial(photo, prefix)
        raise storage_error(error) from error
    photo.original_name = (original_name or "")[:255]
    photo.width, photo.height = decoded.image.size
    return photo


def _discard_partial(photo, prefix):
    """Delete the original and any renditions written before a storage write failed."""
    if photo.original:
        with contextlib.suppress(OSError):
            photo.original.storage.delete(photo.original.name)
        photo.original = None
    with contextlib.suppress(OSError):
        _dirs, files = default_storage.listdir(prefix)
        for name in files:
            default_storage.delete(f"{prefix}/{name}")


def renditions_are_current(photo):
    """Return whether a photo has exactly the renditions the current plan asks for.

    Names, formats and dimensions are compared, so a change of widths, of the sharing
    size or of the feed width all make existing renditions out of date.
    """
    if not photo.width or not photo.height:
        return False
    expected = {
        (name, fmt, planned_size(name, photo.width, photo.height))
        for name, fmt, _target in rendition_plan(photo.width, photo.height)
    }
    present = {
        (r.get("name"), r.get("format"), (r.get("width"), r.get("height")))
        for r in photo.renditions or []
    }
    return expected == present and len(present) == len(photo.renditions)


def renew_renditions(photo):
    """Make a photo's renditions anew from its original and return the replaced ones.

    The caller saves the photo, then deletes the returned renditions' files: until the
    row is saved the old files are the ones the pages point at.
    """
    with photo.original.open("rb") as original:
        decoded = decode_image(original)
    old = list(photo.renditions or [])
    photo.width, photo.height = decoded.image.size
    photo.renditions = make_renditions(decoded.image)
    return old


def regenerate_renditions(photo):
    """Make a photo's renditions anew and delete the old files; the caller saves the photo.

    Prefer renew_renditions() where the photo row is saved: it keeps the old files until then.
    """
    delete_renditions(renew_renditions(photo))
    return photo


MAX_DOCUMENT_BYTES = 30 * 1024 * 1024
# PDF names may spell any byte as #xx (/J#61vaScript is /JavaScript): undo it before looking.
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def validate_pdf(fileobj):
    """Check that a file is a real, unencrypted PDF without scripts, within the size limit."""
    size = _size_of(fileobj)
    if size == 0:
        raise _rejected(_("The file is empty."), "empty")
    if size > MAX_DOCUMENT_BYTES:
        raise _rejected(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_DOCUMENT_BYTES // 2**20},
            "too_large",
        )
    head = fileobj.read(1024)
    fileobj.seek(max(0, size - 2048))
    tail = fileobj.read()
    fileobj.seek(0)
    if not head.startswith(b"%PDF-") or b"%%EOF" not in tail:
        raise _rejected(_("This is not a PDF document."), "not_a_pdf")
    content = _PDF_NAME_ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), fileobj.read())
    fileobj.seek(0)
    if b"/Encrypt" in content:
        raise _rejected(_("Encrypted PDF documents are not accepted."), "encrypted")
    if b"/JavaScript" in content or b"/JS" in content:
        raise _rejected(_("PDF documents with scripts are not accepted."), "scripted")
    return size
