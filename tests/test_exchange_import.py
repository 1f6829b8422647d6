"""manage.py import_content: creating, updating in place, references, photos, documents."""

import datetime
import json

import pytest
from django.core.management import load_command_class
from django.db import IntegrityError, connection

from articles.exchange.importer import Importer
from articles.models import Agreement, Article, Organization, Photo, Rubric, Signatory, Tag
from articles.search import search_articles
from tests.factories import image_bytes
from tests.test_exchange_support import (
    agreement,
    article,
    organization,
    pdf_bytes,
    run_import,
    stored_files,
    use_fresh_storage,
    write_folder,
)

pytestmark = pytest.mark.django_db

SPEC_EXAMPLE = """\
{"format": "pressroom", "version": 1}
{"type": "organization", "key": "orb-gov", "name": "Правительство Оренбургской области", "country": "RU"}
{"type": "agreement", "key": "roadmap-2026", "title": "План мероприятий (дорожная карта) на 2026–2028 годы", "kind": "roadmap", "signed_on": "2025-11-12", "parties": ["orb-gov"]}
{"type": "article", "key": "n-1", "title": "Подписана дорожная карта", "body": "<p>Текст.</p>", "status": "published", "published_at": "2025-11-13T09:10:00+05:00", "tags": ["губернатор"], "agreements": ["roadmap-2026"]}
"""  # noqa: E501


# SAVEPOINT and RELEASE SAVEPOINT: what each line costs beyond the queries per batch.
SAVEPOINT_QUERIES = 2


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    return use_fresh_storage(settings, tmp_path)


def full_content(tmp_path, **article_fields):
    """Write a folder with every kind of object, two photos and a signed document."""
    return write_folder(
        tmp_path / "in",
        [
            {"type": "rubric", "key": "politics", "name": "Политика", "slug": "politika"},
            organization(),
            organization("zko-akimat", name="Акимат Западно-Казахстанской области", country="KZ"),
            agreement(
                parties=["orb-gov", "zko-akimat"],
                place="Уральск",
                event="XXI Форум межрегионального сотрудничества России и Казахстана",
                valid_from="2026-01-01",
                valid_until="2028-12-31",
                signatories=[
                    {"name": "Евгений Солнцев", "position": "губернатор", "party": "orb-gov"},
                    {"name": "Нариман Турегалиев", "position": "аким", "party": "zko-akimat"},
                ],
                document="media/roadmap.pdf",
            ),
            article(
                rubrics=["politics"],
                tags=["Евгений Солнцев", "Казахстан"],
                agreements=["roadmap-2026"],
                photos=[
                    {
                        "file": "media/forum.jpg",
                        "caption": "Подписание дорожной карты",
                        "credit": "telegram-канал губернатора Оренбургской области",
                        "credit_url": "https://t.me/solntsev_official",
                        "alt": "Губернатор и аким за столом",
                    },
                    {"file": "media/hall.png", "caption": "Пленарное заседание форума"},
                ],
                updates=[{"at": "2025-11-13T12:00:00+05:00", "note": "Уточнён состав делегации"}],
                **article_fields,
            ),
        ],
        files={
            "media/forum.jpg": image_bytes(800, 500),
            "media/hall.png": image_bytes(700, 400, fmt="PNG", color=(200, 40, 40)),
            "media/roadmap.pdf": pdf_bytes(),
        },
    )


def test_the_format_example_imports(tmp_path):
    """The example from the format description imports as it is."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "content.jsonl").write_text(SPEC_EXAMPLE, encoding="utf-8")

    outcome = run_import(tmp_path / "in")

    assert outcome.ok, outcome.text
    news = Article.objects.published().get(key="n-1")
    assert news.published_at == datetime.datetime(2025, 11, 13, 4, 10, tzinfo=datetime.UTC)
    assert [tag.name for tag in news.tags.all()] == ["губернатор"]
    assert list(news.agreements.values_list("key", flat=True)) == ["roadmap-2026"]
    roadmap = Agreement.objects.get(key="roadmap-2026")
    assert roadmap.kind == "roadmap"
    assert list(roadmap.parties.values_list("key", flat=True)) == ["orb-gov"]


def test_import_reports_what_it_created(tmp_path):
    """The summary counts created objects per type, in Russian."""
    outcome = run_import(full_content(tmp_path))

    assert outcome.ok, outcome.text
    assert "Рубрики: создано — 1" in outcome.out
    assert "Организации: создано — 2" in outcome.out
    assert "Соглашения: создано — 1" in outcome.out
    assert "Материалы: создано — 1" in outcome.out


def test_photos_are_stored_in_order_with_their_texts(tmp_path):
    """Photos keep the order of the line; the first is the lead photo, with its credit."""
    run_import(full_content(tmp_path))

    news = Article.objects.get(key="n-1")
    lead, second = news.photos.order_by("position")
    assert news.lead_photo == lead
    assert lead.credit == "telegram-канал губернатора Оренбургской области"
    assert lead.credit_url == "https://t.me/solntsev_official"
    assert (lead.width, lead.height) == (800, 500)
    assert lead.renditions and lead.original.name.startswith("originals/")
    assert second.caption == "Пленарное заседание форума"
    assert lead.original.read() == (tmp_path / "in" / "media" / "forum.jpg").read_bytes()


def test_document_is_stored_under_a_random_name_with_its_size(tmp_path):
    """The signed text is checked as a PDF and stored with its size, never under its own name."""
    run_import(full_content(tmp_path))

    roadmap = Agreement.objects.get(key="roadmap-2026")
    assert roadmap.document.name.startswith("agreements/")
    assert "roadmap" not in roadmap.document.name
    assert roadmap.document_size == len(pdf_bytes())
    assert roadmap.document.read() == pdf_bytes()


def test_signatories_keep_their_order_and_party(tmp_path):
    """Signatories are stored in the order of the line, each with the party they signed for."""
    run_import(full_content(tmp_path))

    signatories = Signatory.objects.filter(agreement__key="roadmap-2026").order_by("order")
    assert [(s.name, s.party.key) for s in signatories] == [
        ("Евгений Солнцев", "orb-gov"),
        ("Нариман Турегалиев", "zko-akimat"),
    ]


def test_second_import_changes_nothing(tmp_path, settings):
    """Importing the same file twice adds no row and no file, and leaves updated_at alone."""
    folder = full_content(tmp_path)
    run_import(folder)
    files = stored_files(settings)
    updated_at = Article.objects.get(key="n-1").updated_at
    agreement_updated_at = Agreement.objects.get(key="roadmap-2026").updated_at

    outcome = run_import(folder)

    assert outcome.ok, outcome.text
    assert "Материалы: создано — 0, обновлено — 0, без изменений — 1" in outcome.out
    assert "Соглашения: создано — 0, обновлено — 0, без изменений — 1" in outcome.out
    assert stored_files(settings) == files
    assert Photo.objects.count() == 2
    assert Tag.objects.count() == 2
    assert Article.objects.get(key="n-1").updated_at == updated_at
    assert Agreement.objects.get(key="roadmap-2026").updated_at == agreement_updated_at


def test_a_changed_line_updates_the_object_in_place(tmp_path):
    """A line whose key exists updates that object; it never creates a second one."""
    run_import(full_content(tmp_path))
    pk = Article.objects.get(key="n-1").pk

    outcome = run_import(full_content(tmp_path / "again", title="Дорожная карта подписана"))

    assert outcome.ok, outcome.text
    assert "Материалы: создано — 0, обновлено — 1" in outcome.out
    news = Article.objects.get(key="n-1")
    assert (news.pk, news.title) == (pk, "Дорожная карта подписана")
    assert news.slug == "dorozhnaia-karta-podpisana"
    assert Article.objects.count() == 1


def test_reordered_photos_are_renumbered_without_new_files(tmp_path, settings):
    """Photos matched by content are reordered in place; no file is stored again."""
    run_import(full_content(tmp_path))
    files = stored_files(settings)
    line = json.loads((tmp_path / "in" / "content.jsonl").read_text().splitlines()[-1])
    line["photos"].reverse()
    write_folder(tmp_path / "in", [line])

    outcome = run_import(tmp_path / "in")

    assert outcome.ok, outcome.text
    photos = Article.objects.get(key="n-1").photos.order_by("position")
    assert [photo.caption for photo in photos] == [
        "Пленарное заседание форума",
        "Подписание дорожной карты",
    ]
    assert stored_files(settings) == files


def test_a_removed_photo_is_deleted(tmp_path, django_capture_on_commit_callbacks, settings):
    """A photo left out of the line is deleted, with its files once the import commits."""
    run_import(full_content(tmp_path))
    line = json.loads((tmp_path / "in" / "content.jsonl").read_text().splitlines()[-1])
    line["photos"] = line["photos"][:1]
    write_folder(tmp_path / "in", [line])

    with django_capture_on_commit_callbacks(execute=True):
        run_import(tmp_path / "in")

    assert Article.objects.get(key="n-1").photos.count() == 1
    assert not any(path.endswith(".png") for path in stored_files(settings))


def test_lines_may_come_in_any_order(tmp_path):
    """An article may come before the agreement it names, and that before its parties."""
    folder = write_folder(
        tmp_path / "in",
        [
            article(agreements=["roadmap-2026"], rubrics=["politics"]),
            agreement(parties=["orb-gov"]),
            {"type": "rubric", "key": "politics", "name": "Политика"},
            organization(),
        ],
    )

    outcome = run_import(folder)

    assert outcome.ok, outcome.text
    news = Article.objects.get(key="n-1")
    assert list(news.agreements.values_list("key", flat=True)) == ["roadmap-2026"]
    assert list(news.rubrics.values_list("key", flat=True)) == ["politics"]


def test_a_rubric_may_be_named_by_key_or_by_name(tmp_path):
    """Articles naming a rubric by its key or by its name land in the same rubric."""
    folder = write_folder(
        tmp_path / "in",
        [
            {"type": "rubric", "key": "politics", "name": "Политика"},
            article("n-1", rubrics=["politics"]),
            article("n-2", rubrics=["Политика"]),
        ],
    )

    run_import(folder)

    assert Rubric.objects.count() == 1
    assert Rubric.objects.get().articles.count() == 2


def test_an_unknown_rubric_name_creates_the_rubric_once(tmp_path):
    """A rubric named only in articles is created once, with a transliterated slug."""
    folder = write_folder(
        tmp_path / "in",
        [
            article("n-1", rubrics=["За рубежом"]),
            article("n-2", rubrics=["За рубежом", "Оренбургская область"]),
        ],
    )

    outcome = run_import(folder)
    run_import(folder)

    assert "Рубрики: создано — 2" in outcome.out
    abroad = Rubric.objects.get(name="За рубежом")
    assert abroad.slug == "za-rubezhom"
    assert abroad.articles.count() == 2
    assert Rubric.objects.count() == 2


def test_continues_and_implements_form_a_chain(tmp_path):
    """Agreements linked by continues and implements are linked whatever their order."""
    folder = write_folder(
        tmp_path / "in",
        [
            agreement("roadmap-2026", continues="roadmap-2023", implements="agreement-2019"),
            agreement("roadmap-2023", signed_on="2023-11-09", implements="agreement-2019"),
            agreement("agreement-2019", kind="agreement", signed_on="2019-11-07"),
            organization(),
        ],
    )

    outcome = run_import(folder)

    assert outcome.ok, outcome.text
    latest = Agreement.objects.get(key="roadmap-2026")
    assert latest.continues.key == "roadmap-2023"
    assert latest.implements.key == "agreement-2019"
    assert latest.continues.implements.key == "agreement-2019"


def test_agreements_continuing_each_other_are_both_linked(tmp_path):
    """Two agreements that name each other (a cycle) are both imported and linked."""
    folder = write_folder(
        tmp_path / "in",
        [organization(), agreement("a", continues="b"), agreement("b", continues="a")],
    )

    outcome = run_import(folder)

    assert outcome.ok, outcome.text
    assert Agreement.objects.get(key="a").continues.key == "b"
    assert Agreement.objects.get(key="b").continues.key == "a"


def test_a_date_time_without_offset_is_read_in_the_site_time_zone(tmp_path, settings):
    """published_at without an offset is local time of TIME_ZONE (Orenburg is UTC+5)."""
    settings.TIME_ZONE = "Asia/Yekaterinburg"
    folder = write_folder(tmp_path / "in", [article(published_at="2025-11-13T09:10:00")])

    run_import(folder)

    published_at = Article.objects.get(key="n-1").published_at
    assert published_at == datetime.datetime(2025, 11, 13, 4, 10, tzinfo=datetime.UTC)


def test_a_future_published_article_is_scheduled(tmp_path):
    """A published article with a future time is imported but stays hidden until then."""
    folder = write_folder(tmp_path / "in", [article(published_at="2099-01-01T09:00:00+05:00")])

    run_import(folder)

    assert Article.objects.scheduled().filter(key="n-1").exists()
    assert not Article.objects.published().filter(key="n-1").exists()


def test_dry_run_changes_neither_database_nor_storage(tmp_path, settings):
    """--dry-run checks everything and reports what it would do, but saves nothing."""
    outcome = run_import(full_content(tmp_path), "--dry-run")

    assert outcome.ok, outcome.text
    assert "Материалы: создано — 1" in outcome.out
    assert "Пробный запуск: ничего не сохранено." in outcome.out
    assert Article.objects.count() == Agreement.objects.count() == 0
    assert Organization.objects.count() == Rubric.objects.count() == Tag.objects.count() == 0
    assert stored_files(settings) == []


def test_a_jsonl_file_may_be_given_directly(tmp_path):
    """Given the .jsonl file itself, media paths start from its folder."""
    folder = full_content(tmp_path)
    (folder / "content.jsonl").rename(folder / "news-2025.jsonl")

    outcome = run_import(folder / "news-2025.jsonl")

    assert outcome.ok, outcome.text
    assert Photo.objects.count() == 2


def test_body_is_sanitised_and_text_fields_cleaned(tmp_path):
    """HTML goes through the site's sanitiser; plain text loses control characters."""
    folder = write_folder(
        tmp_path / "in",
        [
            article(
                title="  Визит\x0b в Уральск ",
                lead="Делегация\x07 работала в Казахстане.",
                body='<p onclick="x()">Текст<script>alert(1)</script></p><b>итог</b>',
            )
        ],
    )

    run_import(folder)

    news = Article.objects.get(key="n-1")
    assert news.title == "Визит в Уральск"
    assert news.lead == "Делегация работала в Казахстане."
    assert news.body == "<p>Текст</p><strong>итог</strong>"


def test_a_given_slug_is_kept_and_a_missing_one_derived(tmp_path):
    """A valid slug is used as given; without one the title is transliterated."""
    folder = write_folder(
        tmp_path / "in",
        [
            article("n-1", slug="forum-v-uralske"),
            article("n-2", title="Солнцев и Турегалиев подписали дорожную карту"),
        ],
    )

    run_import(folder)

    assert Article.objects.get(key="n-1").slug == "forum-v-uralske"
    assert Article.objects.get(key="n-2").slug == "solntsev-i-turegaliev-podpisali-dorozhnuiu-kartu"


def test_tags_differing_in_case_or_yo_are_one_tag(tmp_path):
    """Tag names are matched case- and ё-insensitively, as in the editor."""
    folder = write_folder(
        tmp_path / "in",
        [article("n-1", tags=["Губернатор", "Солнцев"]), article("n-2", tags=["губернатор"])],
    )

    run_import(folder)

    assert Tag.objects.count() == 2
    assert Tag.objects.get(name="Губернатор").tagged_articles.count() == 2


def test_update_notes_are_imported_in_order(tmp_path):
    """Public update notes keep their times and text."""
    folder = write_folder(
        tmp_path / "in",
        [
            article(
                updates=[
                    {"at": "2025-11-13T10:00:00+05:00", "note": "Добавлены фотографии"},
                    {"at": "2025-11-13T12:30:00+05:00", "note": "Уточнены сроки"},
                ]
            )
        ],
    )

    run_import(folder)

    notes = Article.objects.get(key="n-1").updates.all()
    assert [note.note for note in notes] == ["Добавлены фотографии", "Уточнены сроки"]
    assert notes[1].at == datetime.datetime(2025, 11, 13, 7, 30, tzinfo=datetime.UTC)


def _query_counts(tmp_path, django_assert_max_num_queries, repeat):
    """Return {n: queries} for importing n articles naming a rubric, a tag and an agreement."""

    def line(key):
        return article(key, rubrics=["Политика"], tags=["губернатор"], agreements=["roadmap-2026"])

    run_import(write_folder(tmp_path / "warm", [organization(), agreement(), line("w")]))
    counts = {}
    for count in (3, 30):
        folder = write_folder(tmp_path / f"n{count}", [line(f"n{count}-{n}") for n in range(count)])
        if repeat:
            run_import(folder)
        with django_assert_max_num_queries(1000) as captured:
            assert run_import(folder).ok
        counts[count] = len(captured.captured_queries)
    return counts


def test_new_articles_import_with_the_same_queries_for_3_and_30(
    tmp_path, django_assert_max_num_queries
):
    """New articles are inserted together, with lookups cached: 30 cost what 3 do."""
    counts = _query_counts(tmp_path, django_assert_max_num_queries, repeat=False)

    assert counts[3] == counts[30]


def test_an_unchanged_article_line_costs_only_its_savepoint(
    tmp_path, django_assert_max_num_queries
):
    """Re-importing unchanged articles fetches them per batch; a line adds only a savepoint."""
    counts = _query_counts(tmp_path, django_assert_max_num_queries, repeat=True)

    assert (counts[30] - counts[3]) / 27 <= SAVEPOINT_QUERIES


def test_imported_and_updated_articles_are_found_by_search(tmp_path):
    """Search finds imported articles by their words and tags, and sees updates."""
    folder = write_folder(
        tmp_path / "in",
        [
            article("n-1", title="Форум в Уральске", tags=["Казахстан"]),
            article("n-2", title="Совещание по посевной"),
        ],
    )
    run_import(folder)
    write_folder(tmp_path / "in", [article("n-2", title="Совещание по уборочной")])
    run_import(tmp_path / "in")

    published = Article.objects.published()
    assert [a.key for a in search_articles(published, "Уральске")] == ["n-1"]
    assert [a.key for a in search_articles(published, "Казахстан")] == ["n-1"]
    assert [a.key for a in search_articles(published, "уборочной")] == ["n-2"]


def test_a_database_error_in_a_batch_falls_back_to_line_by_line(tmp_path, monkeypatch):
    """If writing new articles together fails, each line is written alone, counted once."""
    original = Importer._link_new_articles

    def fail_for_batches(self, pairs):
        if len(pairs) > 1:
            raise IntegrityError("simulated")
        return original(self, pairs)

    monkeypatch.setattr(Importer, "_link_new_articles", fail_for_batches)
    folder = write_folder(
        tmp_path / "in",
        [article("n-1", rubrics=["Экономика"]), article("n-2", rubrics=["Экономика"])],
    )

    outcome = run_import(folder)

    assert outcome.ok, outcome.text
    assert "Рубрики: создано — 1," in outcome.out
    assert "Материалы: создано — 2," in outcome.out
    assert Rubric.objects.get(name="Экономика").articles.count() == 2


@pytest.mark.parametrize("name", ["import_content", "export_content"])
def test_command_help_is_in_russian(name):
    """manage.py <command> --help explains the command in Russian."""
    command = load_command_class("articles", name)

    text = command.create_parser("manage.py", name).format_help()

    assert "формате обмена Pressroom" in text


def test_a_new_document_replaces_the_old_one(tmp_path, django_capture_on_commit_callbacks):
    """A changed document is stored anew and the old file removed after the commit."""
    run_import(full_content(tmp_path))
    old = Agreement.objects.get(key="roadmap-2026").document
    old_name, storage = old.name, old.storage
    (tmp_path / "in" / "media" / "roadmap.pdf").write_bytes(pdf_bytes("Novaia redaktsiia"))

    with django_capture_on_commit_callbacks(execute=True):
        outcome = run_import(tmp_path / "in")

    assert "Соглашения: создано — 0, обновлено — 1" in outcome.out
    roadmap = Agreement.objects.get(key="roadmap-2026")
    assert roadmap.document.read() == pdf_bytes("Novaia redaktsiia")
    assert roadmap.document_size == len(pdf_bytes("Novaia redaktsiia"))
    assert not storage.exists(old_name)


def estimated_articles():
    """Return the planner's row estimate of the article table (set by ANALYZE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'articles_article'")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.parametrize("count, threshold, refreshed", [(3, 3, True), (5, 6, False)])
def test_a_large_import_refreshes_the_planner_statistics(
    tmp_path, monkeypatch, count, threshold, refreshed
):
    """Plans chosen for an empty table would walk thousands of new rows on every page."""
    from articles.exchange import importer

    monkeypatch.setattr(importer, "ANALYZE_AFTER_ROWS", threshold)
    before = estimated_articles()
    lines = [article(f"n-{number}", title=f"Новость {number}") for number in range(count)]
    run_import(write_folder(tmp_path / "in", lines))
    assert Article.objects.count() == count
    # ANALYZE writes its estimate in place: it stays even after the test's rollback.
    assert estimated_articles() == (count if refreshed else before)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_large_import_leaves_its_rows_visible_to_index_only_scans(tmp_path, monkeypatch):
    """Deep pages count on index-only scans, which need the rows marked all-visible."""
    from articles.exchange import importer

    monkeypatch.setattr(importer, "ANALYZE_AFTER_ROWS", 3)
    lines = [article(f"v-{number}", title=f"Новость {number}") for number in range(5)]
    run_import(write_folder(tmp_path / "in", lines))
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = 'articles_article'")
        assert cursor.fetchone()[0] > 0
