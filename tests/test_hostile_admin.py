"""Hostile list filters and autocomplete terms in the editors' workspace: never a 500.

NUL bytes only fail on PostgreSQL, so run this module there too.
"""

import json

import pytest
from django.urls import reverse

from tests.factories import AgreementFactory, ArticleFactory, OrganizationFactory
from tests.test_admin_support import client_for, make_editor

pytestmark = pytest.mark.django_db

LISTS = {
    "article": ["status=%00", "kind=%00", "state=%00", "tag=%00", "rubrics__id__exact=%00"],
    "agreement": ["kind=%00", "validity=%00", "signed_on__gte=%00"],
    "organization": ["country=%00"],
    "tag": ["kind=%00"],
    "rubric": ["o=%00"],
}
IMPOSSIBLE_DATES = {
    "article": [
        "published_at__year=99999999999",
        "published_at__year=9999&published_at__month=12",
        "published_at__year=9999",
        "published_at__year=0",
        "published_at__year=2025&published_at__month=2&published_at__day=30",
    ],
    "agreement": [
        "signed_on__year=99999999999",
        "signed_on__year=9999",
        "signed_on__year=9999&signed_on__month=12&signed_on__day=31",
    ],
}
AUTOCOMPLETES = [("article", "agreements"), ("agreement", "parties"), ("agreement", "continues")]


@pytest.fixture
def client():
    ArticleFactory(tags=["Казахстан"])
    AgreementFactory(parties=[OrganizationFactory(country="KZ")])
    return client_for(make_editor())


def changelist(model):
    return reverse(f"admin:articles_{model}_changelist")


@pytest.mark.parametrize(
    ("model", "query"), [(model, query) for model, queries in LISTS.items() for query in queries]
)
def test_nul_byte_in_a_list_filter_is_an_invalid_filter(client, model, query):
    """A NUL byte in a filter sends the editor to the list with ?e=1, not to a 500 page."""
    response = client.get(f"{changelist(model)}?{query}")
    assert response.status_code == 302
    assert response["Location"] == f"{changelist(model)}?e=1"


@pytest.mark.parametrize(
    ("model", "query"),
    [(model, query) for model, queries in IMPOSSIBLE_DATES.items() for query in queries],
)
def test_impossible_date_hierarchy_is_an_invalid_filter(client, model, query):
    """Years past 9999 or before 1 in the date drill-down answer ?e=1, not an overflow."""
    response = client.get(f"{changelist(model)}?{query}")
    assert response.status_code == 302
    assert response["Location"] == f"{changelist(model)}?e=1"


def test_list_without_hostile_parameters_still_filters(client):
    """The guard leaves ordinary filters alone."""
    response = client.get(f"{changelist('article')}?kind=news&published_at__year=2025")
    assert response.status_code == 200


@pytest.mark.parametrize(("model", "field"), AUTOCOMPLETES)
@pytest.mark.parametrize("term", ["\x00", "Дорожная\x00карта"])
def test_nul_byte_in_an_autocomplete_term_finds_nothing(client, model, field, term):
    """An autocomplete term with a NUL byte answers an empty list instead of a 500."""
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "articles", "model_name": model, "field_name": field},
    )
    assert response.status_code == 200
    assert json.loads(response.content)["results"] == []
