"""Latin slugs for Russian and Kazakh titles.

Russian letters follow ICAO Doc 9303 (the scheme of Russian passports since 2014);
the Kazakh letters that Russian lacks are folded to their nearest ASCII letter.
Unidecode is not used: it is GPL-licensed and mangles the Kazakh letters.
"""

import re
import unicodedata

ICAO_RUSSIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia",
}  # fmt: skip
KAZAKH_FOLD = {
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}  # fmt: skip
# Letters of neighbouring Cyrillic alphabets that turn up in names of places and people.
OTHER_CYRILLIC = {"є": "ie", "ї": "i", "ґ": "g", "ў": "u", "ј": "j"}

TRANSLITERATION = {**ICAO_RUSSIAN, **KAZAKH_FOLD, **OTHER_CYRILLIC}

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def transliterate(text):
    """Return text with Cyrillic letters replaced by Latin ones and accents removed."""
    text = unicodedata.normalize("NFC", text).lower()
    latin = "".join(TRANSLITERATION.get(char, char) for char in text)
    # Compatibility characters may decompose to capitals (№ gives "No"): lower again.
    decomposed = unicodedata.normalize("NFKD", latin).lower()
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def translit_slug(text, max_length=100):
    """Return a lowercase ASCII slug of text: words joined by hyphens, possibly empty.

    The slug is cut at a word boundary so that it fits max_length.
    """
    slug = _NOT_SLUG.sub("-", transliterate(text or "")).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug[: max_length + 1]
    if "-" in cut:
        cut = cut[: cut.rindex("-")]
    return cut[:max_length].strip("-")


class SlugError(ValueError):
    """The text has no letters or digits that a slug could be made of."""


def slug_from_title(title, max_length):
    """Return translit_slug(title), or raise SlugError when nothing is left of it."""
    slug = translit_slug(title, max_length=max_length)
    if not slug:
        raise SlugError(title)
    return slug
