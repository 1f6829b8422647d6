"""manage.py generate_content --articles N --output PATH [--seed S] [--photos-per-article K]

Synthetic content in the exchange format, for benchmarks: the same arguments always
give the same file, byte for byte, so a benchmark data set is described by its size.
"""

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from PIL import Image, ImageDraw

# The newest article's time; older ones go back from it, so every article is published.
NEWEST = datetime(2026, 1, 15, 18, 0, tzinfo=ZoneInfo("Asia/Yekaterinburg"))
PHOTO_POOL = 8
PHOTO_SIZE = (1280, 854)

RUBRICS = (
    ("politika", "Политика"),
    ("ekonomika", "Экономика"),
    ("obshchestvo", "Общество"),
    ("za-rubezhom", "За рубежом"),
    ("kultura", "Культура"),
    ("zdravookhranenie", "Здравоохранение"),
    ("obrazovanie", "Образование"),
    ("sport", "Спорт"),
    ("selskoe-khoziaistvo", "Сельское хозяйство"),
    ("stroitelstvo", "Строительство"),
    ("transport", "Транспорт"),
    ("ekologiia", "Экология"),
)
FIRST_NAMES = ("Евгений", "Сергей", "Ирина", "Марат", "Анна", "Айгуль", "Олег", "Наталья")
LAST_NAMES = ("Солнцев", "Петров", "Смирнова", "Ахметов", "Кузнецова", "Жумабаев", "Лебедев")
REGIONS = (
    "Оренбургская область",
    "Западно-Казахстанская область",
    "Актюбинская область",
    "Костанайская область",
    "Самарская область",
    "Башкортостан",
    "Челябинская область",
    "Саратовская область",
    "Татарстан",
    "Свердловская область",
    "Орск",
    "Бузулук",
    "Новотроицк",
    "Бугуруслан",
)
COUNTRIES = (
    ("RU", "Россия"),
    ("KZ", "Казахстан"),
    ("BY", "Беларусь"),
    ("UZ", "Узбекистан"),
    ("KG", "Киргизия"),
    ("CN", "Китай"),
    ("TR", "Турция"),
    ("IN", "Индия"),
)
KINDS = ("news",) * 6 + ("press_release", "visit", "statement", "interview")
AGREEMENT_KINDS = ("agreement", "roadmap", "memorandum", "protocol", "other")
SUBJECTS = (
    "губернатор",
    "правительство области",
    "министерство экономического развития",
    "делегация",
    "глава города",
    "рабочая группа",
    "областной штаб",
    "совет директоров",
    "комиссия по инвестициям",
    "профильное министерство",
)
VERBS = (
    "обсудил",
    "рассмотрел",
    "утвердил",
    "представил",
    "поддержал",
    "проверил",
    "открыл",
    "подписал",
    "посетил",
    "оценил",
)
OBJECTS = (
    "план развития промышленных площадок",
    "программу ремонта дорог",
    "строительство новой школы",
    "проект модернизации больницы",
    "вопросы приграничного сотрудничества",
    "ход посевной кампании",
    "подготовку к отопительному сезону",
    "меры поддержки малого бизнеса",
    "развитие туристических маршрутов",
    "итоги работы за полугодие",
    "создание индустриального парка",
    "благоустройство общественных пространств",
)
DETAILS = (
    "в присутствии представителей муниципалитетов",
    "с участием деловых кругов соседних регионов",
    "на расширенном заседании",
    "в ходе рабочей поездки",
    "по итогам встречи с жителями",
    "в рамках межрегионального форума",
    "после обращения граждан",
    "на совещании в областном правительстве",
)
CLOSINGS = (
    "Сроки выполнения работ будут взяты на особый контроль.",
    "Финансирование предусмотрено в областном бюджете на следующий год.",
    "Жители смогут оценить результаты уже в ближайшие месяцы.",
    "Ответственным поручено доложить о ходе работ к концу квартала.",
    "Стороны договорились продолжить диалог на следующей встрече.",
    "Проект реализуется при поддержке федерального центра.",
)


class Command(BaseCommand):
    help = "Write deterministic synthetic content in the exchange format (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True, help="Number of articles.")
        parser.add_argument(
            "--output",
            required=True,
            help="A folder (content.jsonl and photos/ are written in it) or a .jsonl file.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the generator.")
        parser.add_argument(
            "--photos-per-article", type=int, default=1, help="Photos of each article."
        )
        parser.add_argument(
            "--photo-articles",
            type=int,
            default=None,
            help="Give photos only to the newest N articles (default: all).",
        )

    def handle(self, *args, articles, output, seed, photos_per_article, photo_articles, **opts):
        if articles < 1:
            raise CommandError("--articles must be at least 1")
        if photos_per_article < 0 or (photo_articles is not None and photo_articles < 0):
            raise CommandError("photo counts cannot be negative")
        target = Path(output)
        jsonl = target if target.suffix == ".jsonl" else target / "content.jsonl"
        jsonl.parent.mkdir(parents=True, exist_ok=True)
        generator = ContentGenerator(seed=seed)
        photos = []
        if photos_per_article and photo_articles != 0:
            photos = write_photo_pool(jsonl.parent / "photos", seed=seed)
        with jsonl.open("w", encoding="utf-8", newline="\n") as handle:
            for line in generator.lines(
                articles,
                photos=photos,
                per_article=photos_per_article,
                photo_articles=articles if photo_articles is None else photo_articles,
            ):
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.stdout.write(f"{articles} articles written to {jsonl}")


def write_photo_pool(folder, *, seed):
    """Draw the small pool of JPEG photos the articles share; return their relative paths."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for number in range(PHOTO_POOL):
        rng = random.Random(f"{seed}-photo-{number}")
        image = Image.new("RGB", PHOTO_SIZE)
        draw = ImageDraw.Draw(image)
        top, bottom = _colour(rng), _colour(rng)
        height = PHOTO_SIZE[1]
        for y in range(height):  # a sky-like vertical gradient
            mix = y / height
            draw.line(
                [(0, y), (PHOTO_SIZE[0], y)],
                fill=tuple(
                    round(a * (1 - mix) + b * mix) for a, b in zip(top, bottom, strict=True)
                ),
            )
        for _shape in range(12):  # buildings and people, roughly
            x, y = rng.randrange(PHOTO_SIZE[0]), rng.randrange(height // 3, height)
            w, h = rng.randrange(40, 300), rng.randrange(40, 400)
            draw.rectangle([x, y - h, x + w, y], fill=_colour(rng))
        name = f"photos/pool-{number + 1}.jpg"
        image.save(folder.parent / name, "JPEG", quality=85)
        names.append(name)
    return names


def _colour(rng):
    return tuple(rng.randrange(256) for _ in range(3))


class ContentGenerator:
    """Compose rubrics, organizations, agreements and articles from a seeded generator."""

    def __init__(self, *, seed):
        self.rng = random.Random(seed)
        self.persons = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES[:4]]
        self.sentences = [self._sentence() for _ in range(600)]

    def lines(self, count, *, photos, per_article, photo_articles):
        yield {"format": "pressroom", "version": 1}
        for position, (slug, name) in enumerate(RUBRICS, 1):
            yield {
                "type": "rubric",
                "key": f"rubric-{slug}",
                "name": name,
                "slug": slug,
                "position": position,
            }
        organizations = list(self._organizations())
        yield from organizations
        agreements = list(self._agreements([o["key"] for o in organizations]))
        yield from agreements
        agreement_keys = [agreement["key"] for agreement in agreements]
        for number in range(count):
            with_photos = photos and number < photo_articles
            yield self._article(
                number,
                agreement_keys,
                [photos[(number + i) % len(photos)] for i in range(per_article)]
                if with_photos
                else [],
            )

    def _organizations(self):
        for number, region in enumerate(REGIONS, 1):
            country = (
                "KZ"
                if "Казахстанская" in region
                or region
                in {
                    "Актюбинская область",
                    "Костанайская область",
                }
                else "RU"
            )
            yield {
                "type": "organization",
                "key": f"org-{number}",
                "name": f"Правительство региона «{region}»",
                "short_name": region,
                "country": country,
            }

    def _agreements(self, organization_keys):
        rng = self.rng
        for number in range(1, 61):
            signed = NEWEST.date() - timedelta(days=rng.randrange(30, 3650))
            agreement = {
                "type": "agreement",
                "key": f"agreement-{number}",
                "title": f"Соглашение о сотрудничестве № {number}: {rng.choice(OBJECTS)}",
                "kind": rng.choice(AGREEMENT_KINDS),
                "number": f"{number}-С/{signed.year}",
                "signed_on": signed.isoformat(),
                "place": rng.choice(("Оренбург", "Уральск", "Актобе", "Москва")),
                "valid_from": signed.isoformat(),
                "valid_until": (signed + timedelta(days=rng.choice((365, 1095, 1825)))).isoformat(),
                "parties": rng.sample(organization_keys, 2),
                "summary": " ".join(rng.sample(self.sentences, 3)),
            }
            if number > 10 and rng.random() < 0.2:
                agreement["continues"] = f"agreement-{rng.randrange(1, number)}"
            yield agreement

    def _sentence(self):
        rng = self.rng
        text = (
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"{rng.choice(DETAILS)}, {rng.choice(REGIONS)}."
        )
        if rng.random() < 0.4:
            text += " " + rng.choice(CLOSINGS)
        return text[0].upper() + text[1:]

    def _article(self, number, agreement_keys, photos):
        rng = self.rng
        person = rng.choice(self.persons)
        region = rng.choice(REGIONS)
        country = rng.choice(COUNTRIES)[1]
        title = f"{person} {rng.choice(VERBS)} {rng.choice(OBJECTS)}: {region}"
        paragraphs = [
            "<p>" + " ".join(rng.choices(self.sentences, k=rng.randrange(3, 6))) + "</p>"
            for _ in range(rng.randrange(8, 12))
        ]
        # A steady pace back in time: about 2 500 articles a month, minutes apart.
        published = NEWEST - timedelta(minutes=17 * number + rng.randrange(0, 10))
        article = {
            "type": "article",
            "key": f"bench-{number + 1}",
            "title": title[0].upper() + title[1:],
            "kind": rng.choice(KINDS),
            "lead": " ".join(rng.choices(self.sentences, k=2)),
            "body": "".join(paragraphs),
            "status": "published",
            "published_at": published.isoformat(),
            "rubrics": [f"rubric-{slug}" for slug, _ in rng.sample(RUBRICS, rng.randrange(1, 3))],
            "tags": sorted({person, region, country}),
        }
        if photos:
            article["photos"] = [
                {
                    "file": name,
                    "caption": f"{person}, {region}",
                    "credit": "Пресс-служба губернатора",
                    "alt": f"{person} на встрече, {region}",
                }
                for name in photos
            ]
        if rng.random() < 0.05:
            article["agreements"] = [rng.choice(agreement_keys)]
        return article
