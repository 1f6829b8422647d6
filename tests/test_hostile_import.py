"""The exchange importer on hostile lines: huge numbers, NaN, over-long lines; no traceback."""

import pytest

from articles.models import Article, Rubric
from tests.test_exchange_support import article, run_import, write_folder

pytestmark = pytest.mark.django_db


def rubric_line(position):
    return b'{"type": "rubric", "key": "r", "name": "Politika", "position": ' + position + b"}"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        pytest.param(
            rubric_line(b"9" * 5000), "строка не является корректным JSON", id="5000-digits"
        ),
        pytest.param(rubric_line(b"NaN"), "position: должно быть целым числом", id="nan"),
        pytest.param(rubric_line(b"Infinity"), "position: должно быть целым числом", id="infinity"),
        pytest.param(rubric_line(b"1e400"), "position: должно быть целым числом", id="1e400"),
        pytest.param(rubric_line(b"-1"), "position: должно быть в пределах", id="negative"),
        pytest.param(
            b'{"type": "article", "key": "' + b"k" * 17 * 2**20 + b'"}',
            "строка длиннее 16 МБ",
            id="17-mb-line",
        ),
    ],
)
def test_hostile_line_is_reported_and_the_next_imported(tmp_path, line, reason):
    """A line with an impossible number or over the size limit is reported; the rest imports."""
    folder = write_folder(tmp_path / "in", [line, article("good")])

    outcome = run_import(folder)

    assert outcome.err.startswith("Строка 2")
    assert reason in outcome.err
    assert "Traceback" not in outcome.text
    assert not Rubric.objects.exists()
    assert list(Article.objects.values_list("key", flat=True)) == ["good"]


def test_ten_megabyte_body_is_imported_sanitised(tmp_path):
    """A body of about 10 MB within the line limit is imported, sanitised, in one piece."""
    body = "<p>" + "sotrudnichestvo " * 640_000 + "<script>alert(1)</script></p>"
    folder = write_folder(tmp_path / "in", [article("big", body=body)])

    outcome = run_import(folder)

    assert outcome.ok, outcome.err
    stored = Article.objects.get(key="big").body
    assert len(stored) > 10_000_000
    assert "<script" not in stored
