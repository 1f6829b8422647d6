"""Helpers for the photo tests: images full of private metadata, and a check of public files.

Plain functions, not fixtures, so that each photo test module states its own fixtures.
"""

import io
import struct
from pathlib import Path

from PIL import Image
from PIL.ExifTags import GPS, IFD, Base

SERIAL = b"SN-4815162342"
COMMENT = b"shot by editor, call +7 900 000-00-00"
XMP_MARKER = b"secret-xmp-marker"
IPTC_MARKER = b"secret-iptc-byline"
TRAILER = b"PK\x03\x04<?php system($_GET['c']); ?>"
# Strings that must never reach a public file.
PRIVATE_MARKERS = (SERIAL, COMMENT, XMP_MARKER, IPTC_MARKER, b"<?php", b"PhoneMaker", b"Exif\0")


def _iptc_segment():
    """Return a JPEG APP13 (Photoshop/IPTC) segment carrying a by-line."""
    dataset = b"\x1c\x02\x50" + struct.pack(">H", len(IPTC_MARKER)) + IPTC_MARKER
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(dataset)) + dataset
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def private_jpeg(width=800, height=600, orientation=6):
    """Return a JPEG full of private data: GPS, serial, XMP, IPTC, comment and a trailer.

    The picture is a landscape, red on the left and blue on the right, with the given EXIF
    orientation: with 6 it is meant to be shown as a portrait with red on top.
    """
    exif = Image.Exif()
    exif[Base.Make] = "PhoneMaker"
    exif[Base.Orientation] = orientation
    exif.get_ifd(IFD.Exif)[Base.BodySerialNumber] = SERIAL.decode()
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "N"
    gps[GPS.GPSLatitude] = (51.0, 46.0, 12.0)
    gps[GPS.GPSLongitudeRef] = "E"
    gps[GPS.GPSLongitude] = (55.0, 6.0, 3.0)
    xmp = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        + XMP_MARKER
        + b'</x:xmpmeta><?xpacket end="w"?>'
    )
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=COMMENT, xmp=xmp, quality=95)
    data = buffer.getvalue()
    data = data[:2] + _iptc_segment() + data[2:]
    return data + TRAILER


def _jpeg_problems(data):
    problems = []
    position = 2
    while position < len(data):
        if data[position] != 0xFF:
            return [*problems, "broken segment structure"]
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: entropy-coded data follows up to EOI
            break
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        if marker == 0xE1:
            problems.append("APP1 (EXIF or XMP) segment")
        elif marker == 0xED:
            problems.append("APP13 (IPTC) segment")
        elif marker == 0xFE:
            problems.append("COM segment")
        position += 2 + length
    if not data.endswith(b"\xff\xd9"):
        problems.append("data after the end of the image")
    return problems


def _png_problems(data):
    problems = []
    position = 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        if kind in {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}:
            problems.append(f"{kind.decode()} chunk")
        position += 12 + length
        if kind == b"IEND":
            break
    if position != len(data):
        problems.append("data after IEND")
    return problems


def _webp_problems(data):
    problems = []
    riff_size = struct.unpack("<I", data[4:8])[0]
    if riff_size + 8 != len(data):
        problems.append("data after the RIFF container")
    position = 12
    while position + 8 <= min(len(data), riff_size + 8):
        kind, length = struct.unpack("<4sI", data[position : position + 8])
        if kind in {b"EXIF", b"XMP "}:
            problems.append(f"{kind.decode().strip()} chunk")
        position += 8 + length + (length & 1)
    return problems


def metadata_problems(data):
    """Return what, in a public image file, could carry private data (empty when clean)."""
    if data.startswith(b"\xff\xd8"):
        problems = _jpeg_problems(data)
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        problems = _png_problems(data)
    elif data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        problems = _webp_problems(data)
    else:
        return ["not an image we publish"]
    problems += [f"contains {marker!r}" for marker in PRIVATE_MARKERS if marker in data]
    image = Image.open(io.BytesIO(data))
    if image.getexif():
        problems.append("EXIF readable by Pillow")
    return problems


def files_under(root):
    """Return every file below a folder, as paths."""
    root = Path(root)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
