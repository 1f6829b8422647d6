"""Model rules: database constraints, the public-visibility rule, agreement status."""

import ast
import datetime
import itertools
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from articles.models import (
    Agreement,
    Article,
    ArticleUpdate,
    Organization,
    Photo,
    Rubric,
    Signatory,
    Tag,
    TaggedArticle,
)
from tests.factories import AgreementFactory, ArticleFactory, RubricFactory, SignatoryFactory

NOW = datetime.datetime(2025, 11, 13, 4, 10, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)
ROOT = Path(__file__).resolve().parent.parent


def _article(**fields):
    return Article.objects.create(**{"title": "Т", "slug": "t", "body": "Б", **fields})


def _agreement(**fields):
    values = {"title": "С", "slug": "s", "signed_on": datetime.date(2025, 11, 12), **fields}
    return Agreement.objects.create(**values)


def _link_to_itself(field):
    agreement = _agreement()
    Agreement.objects.filter(pk=agreement.pk).update(**{field: agreement})


def _two_children(model, **fields):
    model.objects.bulk_create([model(**fields), model(**fields)])


def _same_tag_twice():
    article, tag = _article(), Tag.objects.create(name="Т")
    TaggedArticle.objects.bulk_create(
        [TaggedArticle(content_object=article, tag=tag) for _copy in range(2)]
    )


VIOLATIONS = {
    "article title blank": lambda: _article(title="   "),
    "article slug empty": lambda: _article(slug=""),
    "article published without time": lambda: _article(status="published", published_at=None),
    "rubric name blank": lambda: Rubric.objects.create(name=" ", slug="r"),
    "rubric slug empty": lambda: Rubric.objects.create(name="Р", slug=""),
    "rubric name unique": lambda: Rubric.objects.bulk_create(
        [Rubric(name="Р", slug="a"), Rubric(name="Р", slug="b")]
    ),
    "rubric slug unique": lambda: Rubric.objects.bulk_create(
        [Rubric(name="А", slug="r"), Rubric(name="Б", slug="r")]
    ),
    "organization name blank": lambda: Organization.objects.create(name="  "),
    "agreement title blank": lambda: _agreement(title=" "),
    "agreement slug empty": lambda: _agreement(slug=""),
    "agreement ends before it starts": lambda: _agreement(
        valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2025, 12, 31)
    ),
    "agreement continues itself": lambda: _link_to_itself("continues"),
    "agreement implements itself": lambda: _link_to_itself("implements"),
    "signatory name blank": lambda: SignatoryFactory(name="  "),
    "signatory order unique": lambda: _two_children(
        Signatory, agreement=_agreement(), order=1, name="Подписант"
    ),
    "photo position unique": lambda: _two_children(
        Photo, article=_article(), position=1, original="x.jpg", alt="Фото"
    ),
    "update note blank": lambda: ArticleUpdate.objects.create(article=_article(), at=NOW, note=" "),
    "tag name unique": lambda: Tag.objects.bulk_create(
        [Tag(name="Т", slug="a", folded_name="a"), Tag(name="Т", slug="b", folded_name="b")]
    ),
    "tag slug unique": lambda: Tag.objects.bulk_create(
        [Tag(name="А", slug="t", folded_name="а"), Tag(name="Б", slug="t", folded_name="б")]
    ),
    "tag folded name unique": lambda: Tag.objects.bulk_create(
        [Tag(name="Ёж", slug="a", folded_name="еж"), Tag(name="ёж", slug="b", folded_name="еж")]
    ),
    "tag linked twice to one article": _same_tag_twice,
}


@pytest.mark.django_db
@pytest.mark.parametrize("make", VIOLATIONS.values(), ids=VIOLATIONS.keys())
def test_constraint_holds_in_the_database(make):
    """Each constraint is enforced by the database itself, whatever wrote the row."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.django_db
def test_model_validation_reports_end_before_start_in_russian():
    """Model validation surfaces the validity constraint as a Russian message."""
    agreement = AgreementFactory.build(
        valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2025, 12, 31)
    )
    with translation.override("ru"), pytest.raises(ValidationError) as caught:
        agreement.validate_constraints()
    assert caught.value.messages == [
        "Дата окончания действия не может быть раньше даты начала действия."
    ]


def visible_titles(now=None):
    return set(Article.objects.published(now=now).values_list("title", flat=True))


@pytest.fixture
def articles_around_now():
    """Articles of every status, published a second before, at and a second after NOW."""
    made = []
    for status, (label, moment) in itertools.product(
        Article.Status.values,
        [("before", NOW - SECOND), ("at", NOW), ("after", NOW + SECOND), ("none", None)],
    ):
        if status == Article.Status.PUBLISHED and moment is None:
            continue
        made.append(ArticleFactory(title=f"{status}-{label}", status=status, published_at=moment))
    return made


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_published_shows_published_articles_whose_time_has_come(articles_around_now):
    """Only published articles at or before now are public; later ones are scheduled."""
    assert visible_titles() == {"published-before", "published-at"}
    assert set(Article.objects.scheduled().values_list("title", flat=True)) == {"published-after"}


@pytest.mark.django_db
def test_published_takes_an_explicit_moment(articles_around_now):
    """published(now=…) answers for the given moment, not the clock."""
    assert visible_titles(NOW - SECOND) == {"published-before"}
    assert visible_titles(NOW + SECOND) == {"published-before", "published-at", "published-after"}


@pytest.mark.django_db
@pytest.mark.parametrize("moment", [NOW - SECOND, NOW, NOW + SECOND], ids=["before", "at", "after"])
def test_is_published_mirrors_published(articles_around_now, moment):
    """An article's is_published(now) agrees with published(now) for every status and time."""
    public = set(Article.objects.published(now=moment).values_list("pk", flat=True))
    for article in articles_around_now:
        assert article.is_published(now=moment) == (article.pk in public), article.title
        assert article.is_scheduled(now=moment) == (
            article.status == Article.Status.PUBLISHED and article.published_at > moment
        )


DAY = datetime.date(2025, 11, 12)


def _days(*offsets):
    return [DAY + datetime.timedelta(days=offset) for offset in offsets]


@pytest.mark.django_db
def test_status_condition_agrees_with_status_on():
    """The Q of status_condition() selects exactly the agreements whose status_on() matches."""
    agreements = []
    for valid_from, valid_until in itertools.product(
        [None, *_days(-5, 0, 5)], [None, *_days(-1, 0, 5, 10)]
    ):
        if valid_from and valid_until and valid_until < valid_from:
            continue
        agreements.append(
            AgreementFactory(signed_on=DAY, valid_from=valid_from, valid_until=valid_until)
        )
    for day in _days(-6, -5, -1, 0, 1, 4, 5, 6, 10, 11):
        for status in Agreement.Status:
            selected = set(
                Agreement.objects.filter(Agreement.status_condition(status, day)).values_list(
                    "pk", flat=True
                )
            )
            expected = {a.pk for a in agreements if a.status_on(day) == status}
            assert selected == expected, (day, status)


def test_status_on_counts_from_signing_without_a_start_date():
    """Without valid_from an agreement is in force from the day it was signed."""
    agreement = AgreementFactory.build(signed_on=DAY, valid_until=DAY)
    assert [agreement.status_on(day) for day in _days(-1, 0, 1)] == [
        Agreement.Status.PENDING,
        Agreement.Status.IN_FORCE,
        Agreement.Status.EXPIRED,
    ]


def _model_msgids():
    """Return every string that the models, images and slugs modules mark for translation."""
    paths = [*ROOT.glob("articles/models/*.py"), ROOT / "articles/images.py"]
    paths += [ROOT / "articles/slugs.py", ROOT / "articles/apps.py"]
    msgids = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "gettext", "gettext_lazy"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                msgids.add(node.args[0].value)
    return msgids


def test_every_model_string_has_a_russian_translation():
    """Verbose names, help texts, choices and messages all read in Russian."""
    msgids = _model_msgids()
    assert len(msgids) > 100
    with translation.override("ru"):
        untranslated = sorted(m for m in msgids if translation.gettext(m) == m)
    assert untranslated == []


@pytest.mark.django_db
def test_rubrics_are_listed_in_menu_order():
    """Rubrics come in menu order: by position, then by name."""
    RubricFactory(name="Б", position=2)
    RubricFactory(name="В", position=1)
    RubricFactory(name="А", position=2)
    assert list(Rubric.objects.values_list("name", flat=True)) == ["В", "А", "Б"]
