"""Form fields and checks shared by the editors' forms."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from taggit.forms import TagField

from articles.html import clean_text, strip_control_characters
from articles.models.tag import TAG_NAME_MAX_LENGTH, parse_tag_string

MAX_TAGS_PER_ARTICLE = 50
_WORDS = re.compile(r"\w+")

validate_lowercase_slug = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z",
    _("Use Latin letters, digits and single hyphens between words, e.g. forum-v-uralske."),
    code="invalid_slug",
)


class PlainTextField(forms.CharField):
    """A text field stored as plain text: NUL bytes refused, control characters removed."""

    def to_python(self, value):
        if isinstance(value, str):
            ProhibitNullCharactersValidator()(value)
        value = super().to_python(value)
        return clean_text(value) if value else value


class SlugInputField(forms.CharField):
    """A slug typed by an editor: lowercased, then held to Latin words and hyphens.

    Optional: the forms make the slug from the title or name when it is left empty.
    """

    default_validators = [validate_lowercase_slug]

    def __init__(self, **kwargs):
        kwargs["required"] = False
        kwargs.pop("allow_unicode", None)  # passed by models.SlugField; slugs here are ASCII
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(value).lower()


def _script_of(char):
    name = unicodedata.name(char, "")
    if name.startswith("LATIN"):
        return "latin"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    return None


def mixed_script_words(text):
    """Return the words of text that mix Latin and Cyrillic letters, like "Cочи"."""
    mixed = []
    for word in _WORDS.findall(text):
        scripts = {_script_of(char) for char in word if char.isalpha()}
        if {"latin", "cyrillic"} <= scripts:
            mixed.append(word)
    return mixed


def check_tag_name(name):
    """Raise ValidationError when a tag name is too long or mixes alphabets in a word."""
    if len(name) > TAG_NAME_MAX_LENGTH:
        raise ValidationError(
            _("A tag can have at most %(limit)d characters; this one has %(length)d: «%(name)s».")
            % {
                "limit": TAG_NAME_MAX_LENGTH,
                "length": len(name),
                "name": Truncator(name).chars(40),
            },
            code="tag_too_long",
        )
    if "," in name:
        raise ValidationError(
            _("A tag name cannot contain a comma: commas separate tags."), code="tag_comma"
        )
    mixed = mixed_script_words(name)
    if mixed:
        raise ValidationError(
            _(
                "In «%(word)s» Latin and Cyrillic letters are mixed; "
                "retype the word in one alphabet."
            )
            % {"word": mixed[0]},
            code="mixed_script",
        )


class ArticleTagField(TagField):
    """Tag input: names separated by commas only, each checked before any tag is written."""

    def clean(self, value):
        value = forms.CharField.clean(self, value)
        names = parse_tag_string(strip_control_characters(value or ""))
        errors = []
        for name in names:
            try:
                check_tag_name(name)
            except ValidationError as error:
                errors.append(error)
        if len(names) > MAX_TAGS_PER_ARTICLE:
            errors.append(
                ValidationError(
                    _("An article can have at most %(limit)d tags; you entered %(count)d.")
                    % {"limit": MAX_TAGS_PER_ARTICLE, "count": len(names)},
                    code="too_many_tags",
                )
            )
        if errors:
            raise ValidationError(errors)
        return names

    def has_changed(self, initial_value, data_value):
        if self.disabled:
            return False
        try:
            names = self.clean(data_value)
        except ValidationError:
            return True
        return sorted(names) != sorted(tag.name for tag in initial_value or [])
