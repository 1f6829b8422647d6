"""Generate the demo photos and the roadmap PDF in demo/media/, deterministically.

The photos are abstract compositions (gradients and shapes standing in for landscapes,
meetings, stages, roads) drawn with Pillow from fixed seeds, so running this script again
gives the same files. Run it from anywhere:

    .venv/bin/python demo/build_media.py
"""

import random
import sys
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

MEDIA = Path(__file__).resolve().parent / "media"
LANDSCAPE = (1600, 1067)
PORTRAIT = (1067, 1600)
JPEG_QUALITY = 80
MAX_BYTES = 150_000

# Every photo that demo/content.jsonl names: the part before the last "-" picks the scene.
PHOTOS = {
    "field-1": LANDSCAPE,
    "field-2": LANDSCAPE,
    "field-3": LANDSCAPE,
    "field-4": LANDSCAPE,
    "road-1": LANDSCAPE,
    "road-2": LANDSCAPE,
    "road-3": LANDSCAPE,
    "school-1": LANDSCAPE,
    "school-2": LANDSCAPE,
    "school-3": LANDSCAPE,
    "hospital-1": LANDSCAPE,
    "hospital-2": LANDSCAPE,
    "hospital-3": LANDSCAPE,
    "hospital-4": LANDSCAPE,
    "fair-1": LANDSCAPE,
    "stage-1": LANDSCAPE,
    "stage-2": PORTRAIT,
    "stage-3": LANDSCAPE,
    "stage-4": LANDSCAPE,
    "flag-1": PORTRAIT,
    "flag-2": LANDSCAPE,
    "meeting-1": LANDSCAPE,
    "meeting-2": LANDSCAPE,
    "meeting-3": LANDSCAPE,
    "meeting-4": LANDSCAPE,
    "meeting-5": LANDSCAPE,
    "meeting-6": LANDSCAPE,
    "meeting-7": LANDSCAPE,
    "portrait-1": PORTRAIT,
    "portrait-2": PORTRAIT,
    "helicopter-1": LANDSCAPE,
    "factory-1": LANDSCAPE,
    "sport-1": LANDSCAPE,
    "bridge-1": LANDSCAPE,
    "park-1": LANDSCAPE,
    "river-1": PORTRAIT,
    "university-1": LANDSCAPE,
    "gallery-1": LANDSCAPE,
    "pool-1": LANDSCAPE,
    "expo-1": LANDSCAPE,
    "expo-2": LANDSCAPE,
    "forum-1": LANDSCAPE,
    "forum-2": LANDSCAPE,
    "forum-3": LANDSCAPE,
    "forum-4": LANDSCAPE,
    "signing-1": LANDSCAPE,
    "signing-2": LANDSCAPE,
    "city-1": LANDSCAPE,
    "city-2": LANDSCAPE,
    "logistics-1": LANDSCAPE,
    "winter-1": LANDSCAPE,
    "press-1": LANDSCAPE,
}

# What a picture must show because its alt text in demo/build_content.py says so.
SCENE_OPTIONS = {
    "meeting-1": {"kazakh_flag": True},
    "meeting-2": {"kazakh_flag": True},
    "meeting-6": {"kazakh_flag": True},
    "meeting-7": {"kazakh_flag": True},
    "signing-1": {"people": 2},
    "city-1": {"kazakh_flag": True},
}

RUSSIAN_FLAG = [(255, 255, 255), (0, 57, 166), (213, 43, 30)]
KAZAKH_BLUE = (0, 175, 202)
KAZAKH_GOLD = (254, 197, 0)


def mix(a, b, t):
    """Return the colour t of the way from a to b."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def vary(rnd, color, spread=18):
    """Return a colour close to the given one."""
    return tuple(max(0, min(255, c + rnd.randint(-spread, spread))) for c in color)


def gradient(image, box, top, bottom):
    """Fill box with a vertical gradient from top to bottom colour."""
    draw = ImageDraw.Draw(image)
    x0, y0, x1, y1 = (round(v) for v in box)
    height = max(1, y1 - y0)
    for y in range(y0, y1):
        draw.line([(x0, y), (x1, y)], fill=mix(top, bottom, (y - y0) / height))


def overlay(image, paint):
    """Draw translucent shapes: paint(draw) on a transparent layer merged onto image."""
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    paint(ImageDraw.Draw(layer))
    image.alpha_composite(layer)


def sky_and_ground(image, rnd, horizon, sky=((96, 150, 214), (200, 222, 240)), ground=None):
    width, height = image.size
    gradient(image, (0, 0, width, horizon), vary(rnd, sky[0]), vary(rnd, sky[1]))
    if ground:
        gradient(image, (0, horizon, width, height), vary(rnd, ground[0]), vary(rnd, ground[1]))


def clouds(image, rnd, horizon):
    width, _height = image.size

    def paint(draw):
        for _ in range(rnd.randint(3, 7)):
            x, y = rnd.randrange(width), rnd.randrange(max(1, horizon // 2))
            w, h = rnd.randint(160, 420), rnd.randint(40, 90)
            draw.ellipse([x, y, x + w, y + h], fill=(255, 255, 255, rnd.randint(70, 140)))

    overlay(image, paint)


def person(draw, x, y, scale, color, head=(226, 190, 160)):
    """Draw a simple figure whose shoulders are centred on (x, y)."""
    w = 46 * scale
    draw.rounded_rectangle([x - w, y, x + w, y + 130 * scale], radius=int(26 * scale), fill=color)
    r = 24 * scale
    draw.ellipse([x - r, y - 2.2 * r, x + r, y - 0.2 * r], fill=head)


def flag(draw, x, y, w, h, kind):
    draw.rectangle([x - 6, y, x, y + h * 3.2], fill=(120, 120, 125))
    if kind == "ru":
        for i, color in enumerate(RUSSIAN_FLAG):
            draw.rectangle([x, y + i * h / 3, x + w, y + (i + 1) * h / 3], fill=color)
    else:
        draw.rectangle([x, y, x + w, y + h], fill=KAZAKH_BLUE)
        r = h / 4
        cx, cy = x + w / 2, y + h / 2.4
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=KAZAKH_GOLD)


def scene_field(image, rnd):
    width, height = image.size
    horizon = int(height * rnd.uniform(0.35, 0.45))
    sky_and_ground(image, rnd, horizon, ground=((214, 178, 84), (170, 128, 44)))
    clouds(image, rnd, horizon)
    draw = ImageDraw.Draw(image)
    for i in range(-20, 40):
        x = width / 2 + i * 70
        draw.line(
            [(width / 2 + i * 8, horizon), (x * 1.6 - width * 0.3, height)],
            fill=vary(rnd, (190, 150, 60), 10),
            width=3,
        )
    for _ in range(rnd.randint(1, 3)):
        cx = rnd.randint(200, width - 300)
        cy = rnd.randint(horizon + 40, horizon + 200)
        s = rnd.uniform(0.6, 1.2)
        draw.rectangle([cx, cy - 90 * s, cx + 220 * s, cy], fill=(200, 40, 40))
        draw.rectangle([cx + 150 * s, cy - 150 * s, cx + 230 * s, cy - 90 * s], fill=(90, 140, 180))
        for wx in (cx + 40 * s, cx + 180 * s):
            draw.ellipse([wx - 34 * s, cy - 30 * s, wx + 34 * s, cy + 38 * s], fill=(35, 35, 35))


def scene_road(image, rnd):
    width, height = image.size
    horizon = int(height * 0.42)
    sky_and_ground(image, rnd, horizon, ground=((120, 150, 80), (80, 110, 50)))
    clouds(image, rnd, horizon)
    draw = ImageDraw.Draw(image)
    vx = width * rnd.uniform(0.4, 0.6)
    draw.polygon(
        [(vx - 8, horizon), (vx + 8, horizon), (width * 0.95, height), (width * 0.05, height)],
        fill=(70, 72, 78),
    )
    for i in range(12):
        t0, t1 = (i / 12) ** 2, ((i + 0.5) / 12) ** 2
        y0, y1 = horizon + (height - horizon) * t0, horizon + (height - horizon) * t1
        x0, x1 = vx + (width * 0.5 - vx) * t0, vx + (width * 0.5 - vx) * t1
        draw.line([(x0, y0), (x1, y1)], fill=(240, 240, 230), width=max(2, int(14 * t1)))
    for _ in range(rnd.randint(1, 3)):
        x = rnd.randint(100, width - 400)
        y = rnd.randint(int(height * 0.62), int(height * 0.8))
        draw.rectangle([x, y - 110, x + 300, y], fill=(240, 170, 30))
        draw.rectangle([x + 200, y - 170, x + 290, y - 110], fill=(60, 60, 65))
        draw.ellipse([x + 20, y - 40, x + 100, y + 40], fill=(30, 30, 30))
        draw.ellipse([x + 200, y - 40, x + 280, y + 40], fill=(30, 30, 30))


def building(draw, rnd, box, wall, window=(170, 205, 235), rows=None):
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=wall)
    rows = rows or max(2, int((y1 - y0) / 90))
    cols = max(2, int((x1 - x0) / 80))
    cw, rh = (x1 - x0) / cols, (y1 - y0) / (rows + 0.5)
    for r in range(rows):
        for c in range(cols):
            wx, wy = x0 + c * cw + cw * 0.25, y0 + r * rh + rh * 0.3
            draw.rectangle([wx, wy, wx + cw * 0.5, wy + rh * 0.5], fill=vary(rnd, window, 12))


def scene_school(image, rnd):
    width, height = image.size
    horizon = int(height * 0.72)
    sky_and_ground(image, rnd, horizon, ground=((110, 150, 90), (90, 120, 70)))
    clouds(image, rnd, horizon)
    draw = ImageDraw.Draw(image)
    top = int(height * rnd.uniform(0.28, 0.36))
    wall = vary(rnd, (222, 200, 160))
    building(draw, rnd, (int(width * 0.08), top, int(width * 0.92), horizon), wall)
    draw.rectangle([width * 0.44, horizon - 150, width * 0.56, horizon], fill=(120, 80, 50))
    for i in range(rnd.randint(6, 12)):
        x = rnd.randint(80, width - 80)
        person(draw, x, horizon + 60 + (i % 3) * 60, 0.7, vary(rnd, (60, 90, 160), 60))


def scene_hospital(image, rnd):
    width, height = image.size
    horizon = int(height * 0.75)
    sky_and_ground(image, rnd, horizon, ground=((160, 160, 160), (130, 130, 130)))
    draw = ImageDraw.Draw(image)
    top = int(height * rnd.uniform(0.2, 0.4))
    left = rnd.uniform(0.05, 0.25)
    building(
        draw,
        rnd,
        (int(width * left), top, int(width * (1 - left)), horizon),
        (238, 240, 244),
        window=(110, 170, 210),
    )
    cx, cy = width // 2, top - 70
    draw.rectangle([cx - 70, cy - 20, cx + 70, cy + 20], fill=(0, 140, 90))
    draw.rectangle([cx - 20, cy - 70, cx + 20, cy + 70], fill=(0, 140, 90))
    draw.rectangle([width * 0.4, horizon - 170, width * 0.6, horizon - 40], fill=(200, 225, 240))


def scene_meeting(image, rnd, kazakh_flag=False, people=None):
    width, height = image.size
    gradient(image, (0, 0, width, height), vary(rnd, (230, 226, 215)), vary(rnd, (175, 165, 150)))
    draw = ImageDraw.Draw(image)
    for i in range(3):
        x = width * (0.15 + 0.3 * i)
        draw.rectangle([x, height * 0.08, x + width * 0.2, height * 0.42], fill=(205, 222, 236))
    flag(draw, width * 0.06, height * 0.12, 120, 80, "ru")
    flag(draw, width * 0.86, height * 0.12, 120, 80, "kz" if kazakh_flag else "ru")
    people = people or rnd.randint(5, 9)
    for i in range(people):
        x = width * (0.12 + 0.76 * (i + 0.5) / people)
        person(draw, x, height * 0.5, 1.1, vary(rnd, (45, 50, 65), 20))
    draw.polygon(
        [(0, height * 0.64), (width, height * 0.64), (width, height), (0, height)],
        fill=vary(rnd, (120, 80, 55)),
    )
    for i in range(people):
        x = width * (0.12 + 0.76 * (i + 0.5) / people)
        draw.rectangle([x - 50, height * 0.7, x + 50, height * 0.72], fill=(250, 250, 245))


def scene_signing(image, rnd, people=None):
    scene_meeting(image, rnd, kazakh_flag=True, people=people)
    width, height = image.size
    draw = ImageDraw.Draw(image)
    for x in (0.3, 0.7):
        draw.rectangle(
            [width * x - 140, height * 0.68, width * x + 140, height * 0.76], fill=(110, 30, 40)
        )


def scene_forum(image, rnd):
    width, height = image.size
    gradient(image, (0, 0, width, height), vary(rnd, (20, 40, 80)), vary(rnd, (10, 15, 30)))
    draw = ImageDraw.Draw(image)
    left = rnd.uniform(0.12, 0.3)
    screen = [width * left, height * 0.08, width * (1 - left), height * 0.45]
    gradient(image, screen, vary(rnd, KAZAKH_BLUE, 40), vary(rnd, (30, 90, 170), 40))
    draw.rectangle([width * 0.15, height * 0.48, width * 0.85, height * 0.55], fill=(90, 60, 50))
    for row in range(5):
        y = height * (0.62 + row * 0.08)
        for i in range(18 + row * 2):
            x = width * (i + 0.5) / (18 + row * 2)
            r = 18 + row * 5
            draw.ellipse([x - r, y - r, x + r, y + r], fill=vary(rnd, (30, 30, 40), 14))

    def spots(layer):
        for x in rnd.sample([0.15, 0.3, 0.45, 0.6, 0.75, 0.9], rnd.randint(2, 4)):
            layer.polygon(
                [
                    (width * x, 0),
                    (width * x - 220, height * 0.55),
                    (width * x + 220, height * 0.55),
                ],
                fill=(255, 255, 220, 40),
            )

    overlay(image, spots)


def scene_stage(image, rnd):
    width, height = image.size
    gradient(image, (0, 0, width, height), vary(rnd, (60, 10, 40)), vary(rnd, (10, 5, 15)))
    draw = ImageDraw.Draw(image)
    stage_top = height * 0.66
    draw.rectangle([0, stage_top, width, height], fill=(70, 40, 30))
    performers = rnd.randint(2, 6)
    for i in range(performers):
        x = width * (0.15 + 0.7 * (i + 0.5) / performers)
        person(draw, x, stage_top - 190, 1.3, vary(rnd, (200, 60, 60), 60))

    def lights(layer):
        for _ in range(4):
            x = rnd.randint(0, width)
            color = (*vary(rnd, (255, 220, 140), 40), 55)
            layer.polygon([(x, 0), (x - 300, stage_top), (x + 300, stage_top)], fill=color)

    overlay(image, lights)


def scene_fair(image, rnd):
    width, height = image.size
    horizon = int(height * 0.55)
    sky_and_ground(image, rnd, horizon, ground=((170, 160, 140), (140, 130, 110)))
    draw = ImageDraw.Draw(image)
    for i in range(5):
        x = width * (0.03 + i * 0.2)
        color = vary(rnd, [(200, 60, 50), (230, 190, 60), (60, 130, 190)][i % 3], 20)
        draw.polygon([(x, horizon), (x + 150, horizon - 140), (x + 300, horizon)], fill=color)
        draw.rectangle([x + 10, horizon, x + 290, horizon + 180], fill=(245, 240, 230))
    for _ in range(12):
        person(
            draw,
            rnd.randint(40, width - 40),
            rnd.randint(horizon + 200, height - 150),
            0.9,
            vary(rnd, (120, 90, 120), 70),
        )


def scene_flag(image, rnd):
    width, height = image.size
    gradient(image, (0, 0, width, height), vary(rnd, (60, 120, 210)), vary(rnd, (180, 210, 240)))
    clouds(image, rnd, height)
    draw = ImageDraw.Draw(image)
    flags = ["ru"] if width < height else ["ru", "kz"]
    for i, kind in enumerate(flags):
        x = width * (0.3 + 0.35 * i) if len(flags) > 1 else width * 0.35
        flag(draw, x, height * 0.12, width * 0.45 / len(flags), height * 0.18, kind)


def scene_portrait(image, rnd):
    width, height = image.size
    gradient(image, (0, 0, width, height), vary(rnd, (120, 150, 170), 30), vary(rnd, (40, 60, 70)))

    def bokeh(layer):
        for _ in range(18):
            x, y, r = rnd.randrange(width), rnd.randrange(height // 2), rnd.randint(30, 110)
            layer.ellipse([x - r, y - r, x + r, y + r], fill=(255, 250, 220, rnd.randint(25, 70)))

    overlay(image, bokeh)
    draw = ImageDraw.Draw(image)
    person(draw, width / 2, height * 0.52, 5.2, vary(rnd, (40, 60, 90), 30))


def scene_helicopter(image, rnd):
    width, height = image.size
    horizon = int(height * 0.8)
    sky_and_ground(image, rnd, horizon, ground=((150, 140, 90), (120, 110, 70)))
    clouds(image, rnd, horizon)
    draw = ImageDraw.Draw(image)
    cx, cy = width * 0.5, height * 0.45
    draw.ellipse([cx - 260, cy - 110, cx + 160, cy + 110], fill=(240, 240, 240))
    draw.rectangle([cx + 100, cy - 30, cx + 480, cy + 10], fill=(230, 230, 230))
    draw.rectangle([cx - 200, cy - 20, cx + 60, cy + 20], fill=(210, 30, 40))
    draw.rectangle([cx - 420, cy - 140, cx + 380, cy - 128], fill=(60, 60, 60))
    draw.ellipse([cx - 240, cy - 80, cx - 120, cy + 10], fill=(120, 180, 220))


def scene_factory(image, rnd):
    width, height = image.size
    gradient(image, (0, 0, width, height), vary(rnd, (110, 120, 130)), vary(rnd, (50, 55, 60)))
    draw = ImageDraw.Draw(image)
    for i in range(8):
        x = width * i / 8
        draw.line([(x, 0), (width / 2, height * 0.25)], fill=(80, 85, 95), width=8)
    draw.rectangle([0, height * 0.78, width, height], fill=(90, 90, 95))
    for _ in range(rnd.randint(3, 5)):
        x = rnd.randint(100, width - 400)
        y = height * rnd.uniform(0.5, 0.75)
        draw.rectangle([x, y, x + 360, y + 40], fill=vary(rnd, (40, 90, 150), 30))
    person(draw, width * 0.7, height * 0.55, 1.2, (240, 140, 30))

    def sparks(layer):
        for _ in range(40):
            x = width * 0.6 + rnd.randint(-80, 80)
            y = height * 0.7 + rnd.randint(-60, 60)
            layer.ellipse([x - 5, y - 5, x + 5, y + 5], fill=(255, 220, 120, 200))

    overlay(image, sparks)


def scene_sport(image, rnd):
    width, height = image.size
    gradient(image, (0, 0, width, height * 0.3), vary(rnd, (100, 160, 220)), (210, 230, 245))
    gradient(image, (0, int(height * 0.3), width, height), (60, 140, 70), (40, 110, 50))
    draw = ImageDraw.Draw(image)
    for lane in range(6):
        inset = lane * 26
        draw.ellipse(
            [-300 + inset, height * 0.35 + inset, width + 300 - inset, height * 1.6 - inset],
            outline=(190, 90, 60),
            width=24,
        )
    for i in range(rnd.randint(4, 8)):
        person(
            draw,
            width * (0.15 + 0.1 * i),
            height * 0.55 + (i % 2) * 40,
            0.9,
            vary(rnd, (220, 60, 50), 60),
        )


def scene_bridge(image, rnd):
    width, height = image.size
    horizon = int(height * 0.5)
    sky_and_ground(image, rnd, horizon, ground=((70, 110, 140), (40, 70, 100)))
    draw = ImageDraw.Draw(image)
    deck = height * 0.45
    draw.rectangle([0, deck, width, deck + 40], fill=(150, 150, 150))
    for i in range(5):
        x = width * (i + 0.5) / 5
        draw.rectangle([x - 30, deck + 40, x + 30, height * 0.78], fill=(130, 130, 130))
        draw.arc(
            [x - width / 10, deck - 10, x + width / 10, deck + 180],
            180,
            360,
            fill=(110, 110, 110),
            width=14,
        )
    draw.rectangle([width * 0.55, deck - 60, width * 0.85, deck], fill=(240, 180, 30))


def scene_park(image, rnd):
    width, height = image.size
    horizon = int(height * 0.6)
    sky_and_ground(image, rnd, horizon, ground=((150, 130, 70), (110, 90, 50)))
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x = rnd.randint(0, width)
        h = rnd.randint(250, 450)
        draw.rectangle([x - 10, horizon - h // 3, x + 10, horizon + 30], fill=(80, 60, 40))
        color = vary(rnd, (220, 140, 40), 45)
        draw.ellipse([x - 110, horizon - h, x + 110, horizon - h // 3 + 30], fill=color)
    draw.polygon(
        [
            (width * 0.45, height),
            (width * 0.55, height),
            (width * 0.52, horizon),
            (width * 0.5, horizon),
        ],
        fill=(190, 175, 150),
    )
    for i in range(3):
        person(draw, width * (0.3 + 0.2 * i), height * 0.72, 0.8, vary(rnd, (90, 90, 120), 40))


def scene_river(image, rnd):
    width, height = image.size
    horizon = int(height * 0.45)
    sky_and_ground(image, rnd, horizon, ground=((80, 120, 150), (50, 80, 110)))
    clouds(image, rnd, horizon)
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [(0, horizon), (width * 0.35, horizon), (width * 0.1, height), (0, height)],
        fill=(110, 140, 80),
    )
    draw.rectangle([width * 0.6, horizon - 5, width, height], fill=(185, 175, 160))
    for i in range(6):
        y = horizon + (height - horizon) * (i + 1) / 7
        draw.rectangle([width * 0.62, y - 6, width * 0.98, y], fill=(150, 140, 130))
    for i in range(4):
        x = width * (0.66 + 0.08 * i)
        draw.line([(x, horizon + 40), (x, horizon - 120)], fill=(60, 60, 60), width=6)
        draw.ellipse([x - 16, horizon - 140, x + 16, horizon - 108], fill=(255, 240, 200))


def scene_university(image, rnd):
    width, height = image.size
    horizon = int(height * 0.78)
    sky_and_ground(image, rnd, horizon, ground=((150, 150, 150), (120, 120, 120)))
    draw = ImageDraw.Draw(image)
    top = int(height * 0.3)
    building(draw, rnd, (int(width * 0.05), top, int(width * 0.95), horizon), (205, 190, 170))
    draw.polygon(
        [(width * 0.3, top), (width * 0.5, top - 130), (width * 0.7, top)], fill=(185, 170, 150)
    )
    for i in range(6):
        x = width * (0.33 + 0.068 * i)
        draw.rectangle([x - 16, top, x + 16, horizon], fill=(235, 230, 220))


def scene_gallery(image, rnd):
    width, height = image.size
    gradient(image, (0, 0, width, height * 0.8), vary(rnd, (235, 232, 225)), (210, 205, 195))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 0.8, width, height], fill=(150, 110, 80))
    for i in range(4):
        x = width * (0.06 + 0.235 * i)
        frame = [x, height * 0.2, x + width * 0.19, height * 0.55]
        draw.rectangle(frame, fill=(120, 90, 50))
        inner = (frame[0] + 14, frame[1] + 14, frame[2] - 14, frame[3] - 14)
        gradient(image, inner, vary(rnd, (200, 160, 80), 60), vary(rnd, (60, 90, 140), 60))
    for i in range(3):
        person(draw, width * (0.2 + 0.3 * i), height * 0.6, 1.2, vary(rnd, (70, 70, 90), 40))


def scene_pool(image, rnd):
    width, height = image.size
    gradient(image, (0, 0, width, height), (70, 170, 210), (20, 110, 170))
    draw = ImageDraw.Draw(image)
    for lane in range(1, 4):
        y = height * lane / 4
        for x in range(0, width, 40):
            color = (230, 40, 40) if (x // 40) % 2 else (250, 250, 250)
            draw.ellipse([x, y - 10, x + 30, y + 10], fill=color)

    def ripples(layer):
        for _ in range(30):
            x, y = rnd.randrange(width), rnd.randrange(height)
            layer.arc([x - 80, y - 20, x + 80, y + 20], 0, 180, fill=(255, 255, 255, 90), width=4)

    overlay(image, ripples)


def scene_expo(image, rnd):
    width, height = image.size
    gradient(image, (0, 0, width, height), vary(rnd, (235, 238, 242)), vary(rnd, (190, 195, 205)))
    draw = ImageDraw.Draw(image)
    for i in range(3):
        x = width * (0.04 + 0.33 * i)
        color = vary(rnd, [(0, 90, 170), (0, 150, 180), (200, 50, 50)][i], 20)
        draw.rectangle([x, height * 0.15, x + width * 0.28, height * 0.3], fill=color)
        draw.rectangle([x, height * 0.3, x + width * 0.28, height * 0.62], fill=(250, 250, 250))
        draw.rectangle(
            [x + 30, height * 0.35, x + width * 0.28 - 30, height * 0.55],
            fill=vary(rnd, (160, 190, 210), 30),
        )
    for _ in range(9):
        person(
            draw,
            rnd.randint(60, width - 60),
            rnd.randint(int(height * 0.62), int(height * 0.8)),
            1.0,
            vary(rnd, (50, 55, 70), 30),
        )


def scene_city(image, rnd, kazakh_flag=False):
    width, height = image.size
    horizon = int(height * 0.7)
    sky_and_ground(image, rnd, horizon, ground=((90, 95, 100), (60, 65, 70)))
    clouds(image, rnd, horizon)
    draw = ImageDraw.Draw(image)
    x = 0
    while x < width:
        w = rnd.randint(120, 260)
        top = rnd.randint(int(height * 0.25), int(height * 0.55))
        building(draw, rnd, (x, top, x + w - 10, horizon), vary(rnd, (200, 190, 175), 30))
        x += w
    if kazakh_flag:
        flag(draw, width * 0.8, height * 0.06, 150, 100, "kz")


def scene_logistics(image, rnd):
    _width, height = image.size
    horizon = int(height * 0.5)
    sky_and_ground(image, rnd, horizon, ground=((140, 135, 120), (110, 105, 95)))
    draw = ImageDraw.Draw(image)
    colors = [(200, 60, 40), (40, 100, 170), (60, 140, 80), (230, 150, 30)]
    for row in range(3):
        for col in range(6):
            x = 40 + col * 250 + row * 30
            y = horizon - 60 - row * 110
            draw.rectangle([x, y, x + 240, y + 100], fill=vary(rnd, rnd.choice(colors), 15))
    for i in range(3):
        x = 150 + i * 480
        y = height * 0.82
        draw.rectangle([x, y - 150, x + 330, y], fill=(235, 235, 235))
        draw.rectangle([x + 330, y - 120, x + 420, y], fill=(40, 80, 150))
        for wx in (x + 60, x + 260, x + 380):
            draw.ellipse([wx - 35, y - 30, wx + 35, y + 40], fill=(30, 30, 30))


def scene_winter(image, rnd):
    width, height = image.size
    horizon = int(height * 0.5)
    sky_and_ground(
        image,
        rnd,
        horizon,
        sky=((150, 160, 175), (205, 210, 220)),
        ground=((240, 243, 248), (215, 222, 232)),
    )
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [
            (width * 0.48, horizon),
            (width * 0.52, horizon),
            (width * 0.8, height),
            (width * 0.2, height),
        ],
        fill=(150, 150, 158),
    )
    x, y = width * 0.4, height * 0.8
    draw.rectangle([x, y - 150, x + 300, y], fill=(240, 130, 20))
    draw.polygon(
        [(x - 120, y - 10), (x, y - 80), (x, y + 10), (x - 140, y + 20)], fill=(90, 90, 90)
    )

    def snow(layer):
        for _ in range(500):
            sx, sy, r = rnd.randrange(width), rnd.randrange(height), rnd.randint(2, 6)
            layer.ellipse([sx - r, sy - r, sx + r, sy + r], fill=(255, 255, 255, 180))

    overlay(image, snow)


def scene_press(image, rnd):
    width, height = image.size
    gradient(image, (0, 0, width, height), vary(rnd, (40, 60, 90)), vary(rnd, (15, 20, 30)))
    draw = ImageDraw.Draw(image)
    for i in range(7):
        x = width * (0.2 + 0.1 * i)
        top = height * rnd.uniform(0.35, 0.5)
        draw.line([(x, height), (x + rnd.randint(-60, 60), top)], fill=(30, 30, 30), width=12)
        color = vary(rnd, [(200, 40, 40), (40, 90, 200), (240, 240, 240)][i % 3], 20)
        draw.rounded_rectangle([x - 40, top - 110, x + 40, top], radius=30, fill=color)


SCENES = {
    "field": scene_field,
    "road": scene_road,
    "school": scene_school,
    "hospital": scene_hospital,
    "meeting": scene_meeting,
    "signing": scene_signing,
    "forum": scene_forum,
    "stage": scene_stage,
    "fair": scene_fair,
    "flag": scene_flag,
    "portrait": scene_portrait,
    "helicopter": scene_helicopter,
    "factory": scene_factory,
    "sport": scene_sport,
    "bridge": scene_bridge,
    "park": scene_park,
    "river": scene_river,
    "university": scene_university,
    "gallery": scene_gallery,
    "pool": scene_pool,
    "expo": scene_expo,
    "city": scene_city,
    "logistics": scene_logistics,
    "winter": scene_winter,
    "press": scene_press,
}


def render(name, size):
    """Write one demo photo and return its path; the same name always gives the same file."""
    rnd = random.Random(zlib.crc32(name.encode()))
    image = Image.new("RGBA", size, (0, 0, 0, 255))
    SCENES[name.rsplit("-", 1)[0]](image, rnd, **SCENE_OPTIONS.get(name, {}))
    # A soft blur makes the shapes read as an out-of-focus photo and keeps the file small.
    photo = image.convert("RGB").filter(ImageFilter.GaussianBlur(2.2))
    path = MEDIA / f"{name}.jpg"
    photo.save(path, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return path


PDF_LINES = [
    ("F2", 16, "ROADMAP 2026-2028"),
    ("F1", 12, "Plan of measures for the implementation of the Agreement on trade, economic,"),
    ("F1", 12, "scientific, technical, cultural and humanitarian cooperation between"),
    ("F1", 12, "the Government of the Orenburg Region (Russian Federation) and"),
    ("F1", 12, "the Akimat of the West Kazakhstan Region (Republic of Kazakhstan)"),
    ("F1", 12, ""),
    ("F1", 12, "Signed in Uralsk on 12 November 2025 at the XXI Forum of Interregional"),
    ("F1", 12, "Cooperation of Russia and Kazakhstan. Valid from 1 January 2026"),
    ("F1", 12, "to 31 December 2028. Continues the roadmap for 2023-2025."),
    ("F1", 12, ""),
    ("F2", 12, "Sections"),
    ("F1", 12, "1. Trade, industry and joint ventures"),
    ("F1", 12, "2. Transport, logistics and border crossings"),
    ("F1", 12, "3. Agriculture and food processing"),
    ("F1", 12, "4. Education, science and technology exchange"),
    ("F1", 12, "5. Health care and medical tourism"),
    ("F1", 12, "6. Culture, tourism, youth and sport"),
    ("F1", 12, ""),
    ("F1", 12, "For the Government of the Orenburg Region: Evgeny Solntsev, Governor"),
    ("F1", 12, "For the Akimat of the West Kazakhstan Region: Nariman Turegaliyev, Akim"),
    ("F1", 12, ""),
    ("F1", 9, "Demo document generated by Pressroom (demo/build_media.py); not the signed text."),
]


def pdf_text(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def build_pdf(path):
    """Write a one-page PDF with a correct cross-reference table, by hand."""
    lines = [b"BT", b"72 770 Td"]
    for font, size, text in PDF_LINES:
        lines.append(b"/%s %d Tf" % (font.encode(), size))
        lines.append(b"(%s) Tj" % pdf_text(text).encode("ascii"))
        lines.append(b"0 -%d Td" % (size + 8))
    lines.append(b"ET")
    stream = b"\n".join(lines)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
        b"<< /Title (Roadmap 2026-2028, Orenburg Region and West Kazakhstan Region) "
        b"/Producer (Pressroom demo) >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, len(objects))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(out)
    return path


def main():
    MEDIA.mkdir(exist_ok=True)
    total = 0
    too_big = []
    for name, size in PHOTOS.items():
        path = render(name, size)
        total += path.stat().st_size
        if path.stat().st_size > MAX_BYTES:
            too_big.append(f"{path.name}: {path.stat().st_size} bytes")
    total += build_pdf(MEDIA / "roadmap-2026-2028.pdf").stat().st_size
    print(f"{len(PHOTOS)} photos and 1 PDF in {MEDIA}, {total / 2**20:.1f} MB in all")
    if too_big:
        print("Over the size budget:\n  " + "\n  ".join(too_big), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
