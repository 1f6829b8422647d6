"""Latin slugs: ICAO Doc 9303 for Russian letters, an ASCII fold for Kazakh ones."""

import unicodedata

import pytest

from articles.slugs import SlugError, slug_from_title, translit_slug

ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia",
}  # fmt: skip
KAZAKH = {"ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i"}


def test_the_table_covers_all_33_russian_letters():
    """The expected table itself has the 33 letters of the Russian alphabet."""
    assert len(ICAO) == 33
    assert "".join(ICAO) == "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


@pytest.mark.parametrize(("letter", "latin"), ICAO.items())
def test_russian_letter_follows_icao(letter, latin):
    """Each Russian letter, lower and upper case, becomes its ICAO Latin spelling."""
    assert translit_slug(f"x{letter}x") == f"x{latin}x"
    assert translit_slug(f"x{letter.upper()}x") == f"x{latin}x"


@pytest.mark.parametrize(("letter", "latin"), KAZAKH.items())
def test_kazakh_letter_folds_to_ascii(letter, latin):
    """Each Kazakh letter that Russian lacks, lower and upper case, folds to ASCII."""
    assert translit_slug(f"x{letter}x") == f"x{latin}x"
    assert translit_slug(f"x{letter.upper()}x") == f"x{latin}x"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        (
            "Губернатор Оренбургской области Евгений Солнцев",
            "gubernator-orenburgskoi-oblasti-evgenii-solntsev",
        ),
        (
            "XXI Форум межрегионального сотрудничества — 2025!",
            "xxi-forum-mezhregionalnogo-sotrudnichestva-2025",
        ),
        ("Дорожная карта на 2026–2028 годы", "dorozhnaia-karta-na-2026-2028-gody"),
        ("Соглашение 15/2: «Уральск» & Оренбург", "soglashenie-15-2-uralsk-orenburg"),
        ("Ақжайық ауданы, Қазақстан", "akzhaiyk-audany-kazakstan"),
        ("  --Café «Ёлка»--  ", "cafe-elka"),
    ],
)
def test_mixed_text_becomes_words_joined_by_hyphens(text, slug):
    """Digits stay, punctuation and spaces become single hyphens, ends are trimmed."""
    assert translit_slug(text) == slug


def test_number_sign_reads_as_no():
    """The number sign № reads as «no», not as a stray «o»."""
    assert translit_slug("Соглашение № 15") == "soglashenie-no-15"


def test_decomposed_letters_are_read_as_composed():
    """NFD input (и + combining breve) transliterates like the composed й."""
    decomposed = unicodedata.normalize("NFD", "Йошкар-Ола")
    assert decomposed != "Йошкар-Ола"
    assert translit_slug(decomposed) == "ioshkar-ola"


def test_long_text_is_cut_at_a_word_boundary():
    """A slug longer than max_length ends at the last whole word that fits."""
    slug = translit_slug("Губернатор Оренбургской области провёл совещание", max_length=30)
    assert slug == "gubernator-orenburgskoi"
    assert len(slug) <= 30


def test_word_ending_exactly_at_the_limit_is_kept():
    """A word that ends exactly at max_length is not dropped."""
    assert translit_slug("Форум в Уральске", max_length=len("forum-v-uralske")) == "forum-v-uralske"


def test_single_overlong_word_is_cut_hard():
    """A single word longer than max_length is cut at max_length."""
    assert translit_slug("Достопримечательность", max_length=10) == "dostoprime"


@pytest.mark.parametrize("text", ["", "   ", "!!! ???", "ьЬ", "«—»", "🎉", "中文", None])
def test_text_without_letters_or_digits_gives_an_empty_slug(text):
    """Text with nothing transliterable gives an empty slug, and slug_from_title refuses it."""
    assert translit_slug(text) == ""
    with pytest.raises(SlugError):
        slug_from_title(text, max_length=120)


def test_slug_from_title_returns_the_slug_when_there_is_one():
    """slug_from_title returns the transliteration within max_length."""
    assert slug_from_title("Пресс-релиз", max_length=120) == "press-reliz"
