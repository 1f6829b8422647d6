"""Every admin page loads and every registered model saves through a real POST."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Agreement, Article, Organization, Rubric, Tag
from audit.models import AuditEvent
from tests.factories import (
    AgreementFactory,
    ArticleFactory,
    OrganizationFactory,
    PhotoFactory,
    RubricFactory,
    SignatoryFactory,
)
from tests.test_admin_support import client_for, form_data, make_editor

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
OURS = [model for model in REGISTERED if model._meta.app_label == "articles"]


def url_name(model, view):
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def an_instance(model):
    """Return a saved object of the model, with its children where it has them."""
    if model is Article:
        article = ArticleFactory(tags=["Губернатор", "Казахстан"], rubrics=[RubricFactory()])
        PhotoFactory(article=article, position=1)
        article.agreements.add(AgreementFactory())
        return article
    if model is Agreement:
        earlier = AgreementFactory()
        agreement = AgreementFactory(continues=earlier, implements=earlier)
        SignatoryFactory(agreement=agreement, order=1)
        return agreement
    if model is Tag:
        ArticleFactory(tags=["Евгений Солнцев"])
        return Tag.objects.get(name="Евгений Солнцев")
    if model is get_user_model():
        return get_user_model().objects.create_user("reporter")
    if model is Group:
        return Group.objects.create(name="Редакторы")
    if model is AuditEvent:
        return AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN_FAILED, username="reporter")
    if model is TOTPDevice:
        owner = get_user_model().objects.create_user("phone-owner")
        return TOTPDevice.objects.create(user=owner, name="телефон")
    if model in (AccessAttempt, AccessLog, AccessFailureLog):
        extra = {"failures_since_start": 1} if model is AccessAttempt else {}
        return model.objects.create(username="reporter", ip_address="203.0.113.9", **extra)
    return {Organization: OrganizationFactory, Rubric: RubricFactory}[model]()


def admin_allows(model, action, user):
    """Return whether the model's admin offers action ("add", "change") to user at all."""
    request = RequestFactory().get("/admin/")
    request.user = user
    return getattr(admin.site._registry[model], f"has_{action}_permission")(request)


ADD_VALUES = {
    Article: {"title": "Форум в Уральске", "body": "<p>Итоги форума.</p>", "status": "draft"},
    Agreement: {"title": "Соглашение о сотрудничестве", "signed_on": "12.11.2025"},
    Organization: {"name": "Акимат Западно-Казахстанской области", "country": "KZ"},
    Rubric: {"name": "Политика", "position": "1"},
    Tag: {"name": "Приграничное сотрудничество"},
    Group: {"name": "Выпускающие редакторы"},
}


@pytest.fixture(params=["superuser", "editor"])
def user(request, admin_user):
    return admin_user if request.param == "superuser" else make_editor()


def models_for(user):
    return REGISTERED if user.is_superuser else OURS


def test_taggit_stock_tags_are_not_in_the_admin():
    """Only our Tag model is in the admin; taggit's unused stock table is not."""
    assert [model._meta.label for model in REGISTERED if model.__name__ == "Tag"] == [
        "articles.Tag"
    ]


def test_every_list_add_and_change_page_loads(user):
    """Lists, add pages and change pages answer 200 for superusers and editors."""
    client = client_for(user)
    for model in models_for(user):
        instance = an_instance(model)
        urls = [
            reverse(url_name(model, "changelist")),
            reverse(url_name(model, "change"), args=[instance.pk]),
        ]
        if admin_allows(model, "add", user):  # logs (the audit trail, axes) have no add page
            urls.append(reverse(url_name(model, "add")))
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_every_change_form_saves_unchanged(user):
    """Posting a change page back as the browser sent it saves and redirects."""
    client = client_for(user)
    for model in models_for(user):
        instance = an_instance(model)
        if not admin_allows(model, "change", user):  # the read-only audit trail
            continue
        url = reverse(url_name(model, "change"), args=[instance.pk])
        response = client.post(url, form_data(client.get(url)))
        assert response.status_code == 302, (
            model,
            response.context and response.context.get("errors"),
        )


def test_every_add_form_saves(user):
    """Each model can be created through its add page."""
    client = client_for(user)
    for model, values in ADD_VALUES.items():
        if model not in models_for(user):
            continue
        if model is Agreement:
            values = {**values, "parties": [OrganizationFactory().pk]}
        url = reverse(url_name(model, "add"))
        data = form_data(client.get(url))
        data.update(values)
        response = client.post(url, data)
        assert response.status_code == 302, (
            model,
            response.context and response.context.get("errors"),
        )
        assert model.objects.filter(**{next(iter(values)): values[next(iter(values))]}).exists()


def test_editor_without_permissions_is_refused():
    """A staff user without model permissions cannot open the article list."""
    user = get_user_model().objects.create_user("intern", is_staff=True)
    response = client_for(user).get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 403
