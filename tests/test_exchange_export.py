"""manage.py export_content: a deterministic file that imports back to the same content."""

import datetime
import json

import pytest
from django.core.files.base import ContentFile

from articles.exchange.schema import FIELDS
from articles.models import (
    Agreement,
    Article,
    ArticleUpdate,
    Organization,
    Photo,
    Rubric,
    Tag,
)
from tests.factories import (
    AgreementFactory,
    ArticleFactory,
    OrganizationFactory,
    PhotoFactory,
    RubricFactory,
    SignatoryFactory,
)
from tests.test_exchange_support import (
    media_hashes,
    pdf_bytes,
    run_export,
    run_import,
    use_fresh_storage,
)

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    return use_fresh_storage(settings, tmp_path)


def make_content():
    """Create a little of everything the format carries, as editors would."""
    politics = RubricFactory(key="politics", name="Политика", slug="politika", position=1)
    abroad = RubricFactory(key="abroad", name="За рубежом", slug="za-rubezhom", position=2)
    orenburg = OrganizationFactory(
        key="orb-gov", name="Правительство Оренбургской области", short_name="", country="RU"
    )
    akimat = OrganizationFactory(
        key="zko-akimat",
        name="Акимат Западно-Казахстанской области",
        short_name="Акимат ЗКО",
        country="KZ",
    )
    base = AgreementFactory(
        key="agreement-2019",
        title="Соглашение о торгово-экономическом сотрудничестве",
        parties=[orenburg, akimat],
        signed_on=datetime.date(2019, 11, 7),
    )
    previous = AgreementFactory(
        key="roadmap-2023",
        title="Дорожная карта на 2023–2025 годы",
        kind=Agreement.Kind.ROADMAP,
        place="Костанай",
        event="XIX Форум межрегионального сотрудничества России и Казахстана",
        signed_on=datetime.date(2023, 11, 9),
        implements=base,
        parties=[akimat, orenburg],
    )
    roadmap = AgreementFactory(
        key="roadmap-2026",
        title="План мероприятий (дорожная карта) на 2026–2028 годы",
        kind=Agreement.Kind.ROADMAP,
        number="12-к",
        event="XXI Форум межрегионального сотрудничества России и Казахстана",
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2028, 12, 31),
        continues=previous,
        implements=base,
        summary="Образование, культура, туризм и технологии.",
        parties=[orenburg, akimat],
    )
    roadmap.document.save("roadmap.pdf", ContentFile(pdf_bytes()), save=False)
    roadmap.document_size = len(pdf_bytes())
    roadmap.save()
    SignatoryFactory(agreement=roadmap, order=0, name="Евгений Солнцев", party=orenburg)
    SignatoryFactory(
        agreement=roadmap, order=1, name="Нариман Турегалиев", position="аким", party=akimat
    )
    news = ArticleFactory(
        key="n-1",
        title="Главы регионов подписали дорожную карту",
        slug="glavy-regionov-podpisali-dorozhnuiu-kartu",
        kind=Article.Kind.VISIT,
        published_at=datetime.datetime(2025, 11, 13, 4, 10, 0, 123456, tzinfo=UTC),
        source_url="https://orenburg-gov.ru/news/",
        tags=["Евгений Солнцев", "Казахстан", "дорожная карта"],
        rubrics=[politics, abroad],
    )
    news.agreements.set([roadmap, previous])
    PhotoFactory(
        article=news,
        position=0,
        credit="telegram-канал губернатора Оренбургской области",
        credit_url="https://t.me/solntsev_official",
    )
    PhotoFactory(article=news, position=1, width=640, height=480, caption="", credit="")
    ArticleUpdate.objects.create(
        article=news, at=datetime.datetime(2025, 11, 13, 7, 0, tzinfo=UTC), note="Уточнены сроки"
    )
    ArticleFactory(
        key="n-0", status=Article.Status.DRAFT, published_at=None, lead="", tags=["черновик"]
    )


def empty_database():
    Article.objects.all().delete()
    Agreement.objects.all().delete()
    for model in (Organization, Rubric, Tag, Photo):
        model.objects.all().delete()


def exported_lines(folder):
    return [json.loads(line) for line in (folder / "content.jsonl").read_text().splitlines()]


def test_export_import_export_gives_the_same_bytes(tmp_path, settings):
    """Export, import into an empty database, export again: the same file and media."""
    make_content()
    assert run_export(tmp_path / "first").ok
    empty_database()
    use_fresh_storage(settings, tmp_path / "second-storage")

    imported = run_import(tmp_path / "first")
    second = run_export(tmp_path / "second")

    assert imported.ok, imported.text
    assert second.ok, second.text
    first_bytes = (tmp_path / "first" / "content.jsonl").read_bytes()
    assert (tmp_path / "second" / "content.jsonl").read_bytes() == first_bytes
    assert media_hashes(tmp_path / "second") == media_hashes(tmp_path / "first")
    assert len(media_hashes(tmp_path / "first")) == 3


def test_two_exports_of_the_same_content_are_equal(tmp_path):
    """Exporting twice gives byte-identical files."""
    make_content()

    run_export(tmp_path / "a")
    run_export(tmp_path / "b")

    content_a = (tmp_path / "a" / "content.jsonl").read_bytes()
    assert content_a == (tmp_path / "b" / "content.jsonl").read_bytes()


def test_header_comes_first_then_objects_by_type_and_key(tmp_path):
    """The header, then rubrics, organizations, agreements and articles, each sorted by key."""
    make_content()

    run_export(tmp_path / "out")

    lines = exported_lines(tmp_path / "out")
    assert lines[0] == {"format": "pressroom", "version": 1}
    assert [(line["type"], line["key"]) for line in lines[1:]] == [
        ("rubric", "abroad"),
        ("rubric", "politics"),
        ("organization", "orb-gov"),
        ("organization", "zko-akimat"),
        ("agreement", "agreement-2019"),
        ("agreement", "roadmap-2023"),
        ("agreement", "roadmap-2026"),
        ("article", "n-0"),
        ("article", "n-1"),
    ]


def test_fields_follow_the_format_order_and_empty_ones_are_left_out(tmp_path):
    """Every field with a value is written, in the order of the format's tables."""
    make_content()

    run_export(tmp_path / "out")

    for line in exported_lines(tmp_path / "out")[1:]:
        names = list(line)
        assert names == ["type"] + [name for name in FIELDS[line["type"]] if name in line]
    news = next(line for line in exported_lines(tmp_path / "out") if line.get("key") == "n-1")
    assert news["rubrics"] == ["abroad", "politics"]
    assert news["agreements"] == ["roadmap-2023", "roadmap-2026"]
    assert news["tags"] == ["Евгений Солнцев", "Казахстан", "дорожная карта"]
    assert news["updates"] == [{"at": "2025-11-13T12:00:00+05:00", "note": "Уточнены сроки"}]
    assert list(news["photos"][1]) == ["file", "alt"]
    organization = next(
        line for line in exported_lines(tmp_path / "out") if line.get("key") == "orb-gov"
    )
    assert "short_name" not in organization


def test_agreement_lines_carry_parties_signatories_and_links(tmp_path):
    """Agreements name their parties, signatories in order, and the documents they follow."""
    make_content()

    run_export(tmp_path / "out")

    roadmap = next(
        line for line in exported_lines(tmp_path / "out") if line.get("key") == "roadmap-2026"
    )
    assert roadmap["parties"] == ["orb-gov", "zko-akimat"]
    assert roadmap["signatories"] == [
        {"name": "Евгений Солнцев", "position": "губернатор", "party": "orb-gov"},
        {"name": "Нариман Турегалиев", "position": "аким", "party": "zko-akimat"},
    ]
    assert (roadmap["continues"], roadmap["implements"]) == ("roadmap-2023", "agreement-2019")
    assert (roadmap["valid_from"], roadmap["valid_until"]) == ("2026-01-01", "2028-12-31")


def test_date_times_carry_the_site_offset(tmp_path):
    """Date-times are written in the site's time zone with its offset, dates as YYYY-MM-DD."""
    make_content()

    run_export(tmp_path / "out")

    news = next(line for line in exported_lines(tmp_path / "out") if line.get("key") == "n-1")
    assert news["published_at"] == "2025-11-13T09:10:00.123456+05:00"


def test_text_is_written_as_utf8_not_escaped(tmp_path):
    """Cyrillic is written as it is (ensure_ascii=False), one object per line."""
    make_content()

    run_export(tmp_path / "out")

    content = (tmp_path / "out" / "content.jsonl").read_text(encoding="utf-8")
    assert '"name": "Политика"' in content
    assert "\\u04" not in content
    assert len(content.splitlines()) == 10


def test_media_files_are_named_by_their_content(tmp_path):
    """Photo originals and documents are written as media/<sha256>.<ext>."""
    make_content()

    run_export(tmp_path / "out")

    news = next(line for line in exported_lines(tmp_path / "out") if line.get("key") == "n-1")
    lead_file = tmp_path / "out" / news["photos"][0]["file"]
    original = Photo.objects.get(article__key="n-1", position=0).original.read()
    assert lead_file.read_bytes() == original
    for path, digest in media_hashes(tmp_path / "out").items():
        assert path.startswith("media/")
        assert path.split("/")[1].split(".")[0] == digest
    roadmap = next(
        line for line in exported_lines(tmp_path / "out") if line.get("key") == "roadmap-2026"
    )
    assert roadmap["document"].endswith(".pdf")
    assert (tmp_path / "out" / roadmap["document"]).read_bytes() == pdf_bytes()


def test_a_missing_original_is_reported_and_the_rest_exported(tmp_path):
    """A photo whose file is gone is left out with a message; the export still finishes."""
    make_content()
    photo = Photo.objects.get(article__key="n-1", position=1)
    photo.original.storage.delete(photo.original.name)

    outcome = run_export(tmp_path / "out")

    assert not outcome.ok
    assert "Ключ «n-1»" in outcome.err
    news = next(line for line in exported_lines(tmp_path / "out") if line.get("key") == "n-1")
    assert len(news["photos"]) == 1


def test_export_runs_the_same_queries_for_3_and_30_articles(
    tmp_path, django_assert_max_num_queries
):
    """Export prefetches relations: the number of queries does not grow with the articles."""
    rubric = RubricFactory()
    counts = {}
    for total in (3, 30):
        for _ in range(total - Article.objects.count()):
            ArticleFactory(tags=["губернатор"], rubrics=[rubric])
        with django_assert_max_num_queries(100) as captured:
            run_export(tmp_path / f"out-{total}")
        counts[total] = len(captured.captured_queries)

    assert counts[3] == counts[30]


def test_the_export_summary_is_in_russian(tmp_path):
    """The command says where it wrote and how much, in Russian."""
    make_content()

    outcome = run_export(tmp_path / "out")

    assert f"Выгружено в {tmp_path / 'out' / 'content.jsonl'}: рубрик — 2" in outcome.out
    assert "медиафайлов — 3" in outcome.out
