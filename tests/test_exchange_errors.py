"""manage.py import_content on bad input: clear reports, nothing half-written, no traceback."""

import pytest

from articles.models import Agreement, Article, Photo, Rubric
from tests.factories import image_bytes
from tests.test_exchange_support import (
    agreement,
    article,
    line_error,
    organization,
    run_import,
    stored_files,
    use_fresh_storage,
    write_folder,
)

pytestmark = pytest.mark.django_db

ONE_FAILED = "Не удалось импортировать 1 строку."


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    return use_fresh_storage(settings, tmp_path)


def photo(name):
    return {"photos": [{"file": name}]}


BAD_LINES = [
    pytest.param(
        article("bad", title=5), {}, "title: должно быть строкой (получено: число)",
        id="wrong-type",
    ),
    pytest.param(
        article("bad", tags="губернатор"), {}, "tags: должно быть списком (получено: строка)",
        id="string-instead-of-list",
    ),
    pytest.param(
        {"type": "rubric", "key": "bad", "name": "Политика", "position": True}, {},
        "position: должно быть целым числом (получено: логическое значение)", id="bool-as-integer",
    ),
    pytest.param(
        {"type": "rubric", "key": "bad", "name": "Политика", "position": 10**30}, {},
        "position: должно быть в пределах от 0 до 32767", id="integer-out-of-range",
    ),
    pytest.param(
        article("bad", agreements=["nope"]), {},
        "agreements, элемент 1: неизвестное соглашение «nope»", id="unknown-reference",
    ),
    pytest.param(
        agreement("bad", parties=["nobody"]), {},
        "parties, элемент 1: неизвестная организация «nobody»", id="unknown-party",
    ),
    pytest.param(
        article("bad", **photo("media/none.jpg")), {},
        "photos, элемент 1, file: файл «media/none.jpg» не найден", id="missing-file",
    ),
    pytest.param(
        article("bad", **photo("media/empty.jpg")), {"media/empty.jpg": b""},
        "photos, элемент 1, file: «media/empty.jpg»: ", id="empty-file",
    ),
    pytest.param(
        article("bad", **photo("media/cut.jpg")), {"media/cut.jpg": image_bytes()[:400]},
        "photos, элемент 1, file: «media/cut.jpg»: ", id="corrupt-image",
    ),
    pytest.param(
        article("bad", **photo("media/page.jpg")),
        {"media/page.jpg": b"<html><script>alert(1)</script></html>"},
        "photos, элемент 1, file: «media/page.jpg»: Это не изображение", id="not-an-image",
    ),
    pytest.param(
        article("bad", **photo("../outside.jpg")), {},
        "photos, элемент 1, file: путь ведёт за пределы папки с content.jsonl", id="dot-dot-path",
    ),
    pytest.param(
        article("bad", **photo("/etc/passwd")), {},
        "photos, элемент 1, file: путь указывается относительно папки с content.jsonl",
        id="absolute-path",
    ),
    pytest.param(
        agreement("bad", document="media/fake.pdf"), {"media/fake.pdf": b"GIF89a not a pdf"},
        "document: Это не документ PDF.", id="not-a-pdf",
    ),
    pytest.param(
        article("bad", title="Т" * 10_000), {},
        "title: Убедитесь, что это значение содержит не более 300 символов (сейчас 10000).",
        id="10000-character-title",
    ),
    pytest.param(
        agreement("bad", signed_on="2025-02-30"), {},
        "signed_on: даты «2025-02-30» не существует", id="impossible-date",
    ),
    pytest.param(
        agreement("bad", signed_on="12.11.2025"), {},
        "signed_on: должно быть датой в формате ГГГГ-ММ-ДД", id="russian-date-format",
    ),
    pytest.param(
        article("bad", published_at="0001-01-01T00:00:00+05:00"), {},
        "published_at: год должен быть в пределах от 1900 до 2100", id="year-out-of-range",
    ),
    pytest.param(
        article("bad", published_at="2014-10-26T01:30:00"), {},
        "published_at: время «2014-10-26T01:30:00» в часовом поясе Asia/Yekaterinburg "
        "наступало дважды", id="ambiguous-local-time",
    ),
    pytest.param(
        article("bad", title="Визит\u0000"), {},
        "title: содержит нулевой символ (NUL), недопустимый в тексте", id="nul-character",
    ),
    pytest.param(
        agreement("bad", valid_from="2026-01-01", valid_until="2025-12-31"), {},
        "valid_until: окончание срока действия не может быть раньше valid_from",
        id="valid-until-before-valid-from",
    ),
    pytest.param(
        article("bad", published_at=None), {},
        "published_at: для опубликованного материала нужно указать время публикации",
        id="published-without-time",
    ),
    pytest.param(
        article("bad", tags=["губернатор", "а" * 101]), {},
        "tags, элемент 2: Убедитесь, что это значение содержит не более 100 символов",
        id="tag-over-100-characters",
    ),
    pytest.param(
        article("bad", status="archived"), {},
        "status: значение «archived» недопустимо; возможные значения: draft, submitted, "
        "published, withdrawn", id="status-not-in-list",
    ),
    pytest.param(
        article("bad", author="Пресс-служба"), {}, "неизвестное поле: «author»", id="unknown-field",
    ),
    pytest.param(
        article("bad", slug="forum-в-уральске"), {},
        "slug: Значение должно состоять только из латинских букв", id="non-latin-slug",
    ),
    pytest.param(
        article("bad", title="«…»"), {}, "title: из него нельзя составить адрес",
        id="title-without-letters",
    ),
    pytest.param(
        organization("bad", country="ru"), {}, "country: должно быть двухбуквенным кодом страны",
        id="lower-case-country",
    ),
    pytest.param(
        article("bad", body="<script>alert(1)</script>"), {},
        "body: после очистки от текста ничего не осталось", id="body-only-script",
    ),
    pytest.param(
        agreement("bad", continues="bad"), {},
        "continues: документ не может продолжать или исполнять сам себя", id="continues-itself",
    ),
    pytest.param(
        article(" bad"), {}, "key: не может начинаться или заканчиваться пробелом",
        id="key-with-space",
    ),
    pytest.param(
        article("bad\ud800"), {}, "key: не может содержать управляющие символы",
        id="key-with-lone-surrogate",
    ),
    pytest.param(
        article("bad", **photo("media/" + "я" * 300 + ".jpg")), {},
        "photos, элемент 1, file: файл «media/яяя", id="path-name-too-long",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("line", "files", "reason"), BAD_LINES)
def test_a_bad_line_is_reported_and_the_others_imported(tmp_path, line, files, reason):
    """The report names the line, the key and the reason; valid lines are still imported."""
    folder = write_folder(tmp_path / "in", [organization(), line, article("good")], files=files)

    outcome = run_import(folder)

    assert not outcome.ok
    assert line_error(3, line["key"]) + reason in outcome.err
    assert outcome.error == ONE_FAILED
    assert list(Article.objects.values_list("key", flat=True)) == ["good"]
    assert not Agreement.objects.exists()
    assert "Traceback" not in outcome.text


UNREADABLE_LINES = [
    pytest.param(
        b'{"type": "article", "key": "bad", "title": "\xff\xfe"}', None,
        "строка не в кодировке UTF-8 (байт 45)", id="invalid-utf8",
    ),
    pytest.param(
        b'{"type": "article", "key": "bad", "title": "a\x00b"}', None,
        "строка содержит нулевой байт (NUL)", id="nul-byte",
    ),
    pytest.param(
        b'{"type": "article", "key": ', None,
        "строка не является корректным JSON (позиция 28", id="bad-json",
    ),
    pytest.param(b'["article", "bad"]', None, "строка не является объектом JSON", id="list"),
    pytest.param(b'"article"', None, "строка не является объектом JSON", id="a-string"),
    pytest.param(b"[" * 100_000, None, "строка не является корректным JSON", id="deep-nesting"),
    pytest.param(b'{"key": "bad"}', "bad", "type: обязательное поле", id="no-type"),
    pytest.param(
        b'{"type": "article", "title": "x", "title": "y"}', None,
        "title: поле указано дважды", id="field-twice",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("line", "key", "reason"), UNREADABLE_LINES)
def test_an_unreadable_line_is_reported_with_its_number(tmp_path, line, key, reason):
    """A line that is not a JSON object with a type is reported by number and skipped."""
    folder = write_folder(tmp_path / "in", [article("good"), line, article("good-2")])

    outcome = run_import(folder)

    assert not outcome.ok
    assert line_error(3, key) + reason in outcome.err
    assert "Нераспознанных строк: 1." in outcome.out
    assert Article.objects.filter(key__in=["good", "good-2"]).count() == 2


def test_an_unknown_type_is_reported_with_the_key(tmp_path):
    """A line of an unknown type is reported with its key and the types that exist."""
    folder = write_folder(tmp_path / "in", [{"type": "video", "key": "clip-1"}, article("good")])

    outcome = run_import(folder)

    assert line_error(2, "clip-1") + "type: неизвестный тип «video»; допустимые типы:" in (
        outcome.err
    )
    assert Article.objects.filter(key="good").exists()


def test_a_repeated_key_fails_on_its_second_line(tmp_path):
    """The first line with a key is imported; a later one with the same key is an error."""
    folder = write_folder(
        tmp_path / "in", [article("n-1", title="Первый вариант"), article("n-1", title="Второй")]
    )

    outcome = run_import(folder)

    assert line_error(3, "n-1") + "key: ключ «n-1» уже встречался в строке 2" in outcome.err
    assert Article.objects.get(key="n-1").title == "Первый вариант"


def test_an_article_naming_a_failed_agreement_says_why(tmp_path):
    """A reference to an object whose own line failed points at that line."""
    folder = write_folder(
        tmp_path / "in",
        [organization(), agreement(signed_on="2025-13-01"), article(agreements=["roadmap-2026"])],
    )

    outcome = run_import(folder)

    assert line_error(3, "roadmap-2026") + "signed_on:" in outcome.err
    assert (
        line_error(4, "n-1") + "agreements, элемент 1: неизвестное соглашение «roadmap-2026»: "
        "в его строке 3 есть ошибка" in outcome.err
    )


def test_a_rubric_name_taken_by_another_key_is_an_error(tmp_path):
    """Two rubric keys cannot share a name: the second is reported, not merged silently."""
    Rubric.objects.create(key="politics", name="Политика", slug="politika")
    folder = write_folder(tmp_path / "in", [{"type": "rubric", "key": "pol", "name": "Политика"}])

    outcome = run_import(folder)

    assert (
        line_error(2, "pol") + "name: такое название уже есть у другой рубрики (ключ «politics»)"
        in outcome.err
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        pytest.param(None, "Строка 1 не является заголовком", id="no-header"),
        pytest.param({"format": "pressroom", "version": 2}, "Версия формата файла — 2;", id="v2"),
        pytest.param(
            {"format": "pressroom", "version": "1"}, 'Версия формата файла — "1";', id="v-str"
        ),
        pytest.param({"format": "wordpress", "version": 1}, "не является заголовком", id="other"),
    ],
)  # fmt: skip
def test_a_file_without_the_right_header_is_refused_as_a_whole(tmp_path, header, message):
    """Without the header, or with an unknown version, nothing at all is imported."""
    folder = write_folder(tmp_path / "in", [article("good")], header=header)

    outcome = run_import(folder)

    assert not outcome.ok
    assert message in outcome.error
    assert not Article.objects.exists()


def test_a_file_with_a_byte_order_mark_is_refused(tmp_path):
    """A BOM, which the format forbids, is named as the reason for the refusal."""
    folder = write_folder(tmp_path / "in", [article("good")])
    content = folder / "content.jsonl"
    content.write_bytes(b"\xef\xbb\xbf" + content.read_bytes())

    outcome = run_import(folder)

    assert "метки порядка байтов (BOM)" in outcome.error
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda folder: folder.mkdir(), "нет файла content.jsonl", id="no-content"),
        pytest.param(lambda folder: None, "не существует", id="no-folder"),
        pytest.param(
            lambda folder: (folder.mkdir(), (folder / "content.jsonl").write_bytes(b"\n\n")),
            "Файл пуст: нет строки заголовка.",
            id="empty-file",
        ),
    ],
)
def test_a_missing_or_empty_file_is_refused_clearly(tmp_path, make, message):
    """A path without content to import gives a clear message, not a traceback."""
    make(tmp_path / "in")

    outcome = run_import(tmp_path / "in")

    assert not outcome.ok
    assert message in outcome.error


def test_a_corrupt_second_photo_leaves_no_article_rows_or_files(tmp_path, settings):
    """A line whose second photo is corrupt stores nothing: no article, photo or file."""
    folder = write_folder(
        tmp_path / "in",
        [article("bad", photos=[{"file": "media/good.jpg"}, {"file": "media/cut.jpg"}])],
        files={"media/good.jpg": image_bytes(), "media/cut.jpg": image_bytes()[:500]},
    )

    outcome = run_import(folder)

    assert line_error(2, "bad") + "photos, элемент 2, file: «media/cut.jpg»:" in outcome.err
    assert not Article.objects.exists()
    assert not Photo.objects.exists()
    assert stored_files(settings) == []


def test_a_failed_update_leaves_the_article_as_it_was(tmp_path, settings):
    """When an update fails half-way, the stored article keeps all its old values and files."""
    good = article(photos=[{"file": "media/good.jpg", "caption": "Форум"}])
    files = {"media/good.jpg": image_bytes(), "media/cut.jpg": image_bytes()[:500]}
    run_import(write_folder(tmp_path / "in", [good], files=files))
    before = stored_files(settings)
    changed = good | {
        "title": "Новый заголовок",
        "photos": [{"file": "media/good.jpg", "caption": "Изменено"}, {"file": "media/cut.jpg"}],
    }

    outcome = run_import(write_folder(tmp_path / "in", [changed]))

    assert not outcome.ok
    news = Article.objects.get(key="n-1")
    assert news.title == article()["title"]
    assert [photo.caption for photo in news.photos.all()] == ["Форум"]
    assert stored_files(settings) == before


def test_a_dry_run_reports_the_same_errors(tmp_path, settings):
    """--dry-run finds the errors an import would, and exits with failure, saving nothing."""
    folder = write_folder(
        tmp_path / "in",
        [article("good"), article("bad", **photo("media/cut.jpg"))],
        files={"media/cut.jpg": image_bytes()[:400]},
    )

    outcome = run_import(folder, "--dry-run")

    assert not outcome.ok
    assert line_error(3, "bad") + "photos, элемент 1, file: «media/cut.jpg»:" in outcome.err
    assert "Пробный запуск: ничего не сохранено." in outcome.out
    assert not Article.objects.exists()
    assert stored_files(settings) == []


def test_errors_are_counted_per_type_in_the_summary(tmp_path):
    """The summary says how many objects of each type failed."""
    folder = write_folder(
        tmp_path / "in",
        [organization(), agreement("bad", parties=[]), article("a", status="?"), article("b")],
    )

    outcome = run_import(folder)

    assert "Соглашения: создано — 0, обновлено — 0, без изменений — 0, с ошибками — 1." in (
        outcome.out
    )
    assert "Материалы: создано — 1, обновлено — 0, без изменений — 0, с ошибками — 1." in (
        outcome.out
    )
    assert outcome.error == "Не удалось импортировать 2 строки."


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path):
    """A media path that is a symbolic link to a file elsewhere is treated as escaping."""
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(image_bytes())
    folder = write_folder(tmp_path / "in", [article("bad", **photo("media/link.jpg"))])
    (folder / "media").mkdir()
    (folder / "media" / "link.jpg").symlink_to(secret)

    outcome = run_import(folder)

    assert line_error(2, "bad") + "photos, элемент 1, file: путь ведёт за пределы" in outcome.err
    assert not Article.objects.exists()


def test_a_null_optional_field_counts_as_absent(tmp_path):
    """null in an optional field is read as no value, not as a type error."""
    folder = write_folder(tmp_path / "in", [article(lead=None, slug=None, source_url=None)])

    outcome = run_import(folder)

    assert outcome.ok, outcome.text
    news = Article.objects.get()
    assert (news.lead, news.source_url) == ("", "")
    assert news.slug == "gubernator-provel-rabochuiu-vstrechu-v-uralske"


def test_agreements_in_a_cycle_are_imported_all_or_none(tmp_path):
    """When one of two agreements that name each other fails, neither is imported."""
    folder = write_folder(
        tmp_path / "in",
        [
            organization(),
            agreement("a", continues="b"),
            agreement("b", continues="a", signed_on="2025-02-30"),
        ],
    )

    outcome = run_import(folder)

    assert line_error(4, "b") + "signed_on:" in outcome.err
    assert (
        line_error(3, "a") + "не импортировано: оно связано по кругу с соглашением «b», "
        "в строке 4 которого есть ошибка" in outcome.err
    )
    assert "Соглашения: создано — 0, обновлено — 0, без изменений — 0, с ошибками — 2." in (
        outcome.out
    )
    assert not Agreement.objects.exists()
