"""The audit trail: each publication, role change, sign-in and device change, recorded once."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles import workflow
from articles.models import Article
from audit.models import AuditEvent
from tests.factories import ArticleFactory
from tests.otp_support import code_for, enrol_totp, force_login_verified
from tests.test_admin_support import PASSWORD, form_data
from tests.workflow_support import APPROVER_ROLE, EDITOR_ROLE, make_user

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
ADDRESS = "198.51.100.7"
LOGIN = reverse("admin:login")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hash test passwords cheaply: these tests sign in many times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def approver():
    return make_user("approver", APPROVER_ROLE)


@pytest.fixture
def chief():
    """A superuser in the admin, from ADDRESS, with a verified session."""
    user = get_user_model().objects.create_superuser("chief", password=PASSWORD)
    return user, force_login_verified(Client(REMOTE_ADDR=ADDRESS), user)


def events(kind, after=0):
    return list(AuditEvent.objects.filter(kind=kind, pk__gt=after))


def only(kind, after=0):
    """Return the one event of kind (after the event numbered after), failing otherwise."""
    (event,) = events(kind, after)
    return event


def last_event_id():
    """Return the newest event id, so that a test can look only at the events after it."""
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def change_article(client, article, **values):
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client.get(url))
    data.update(values)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


# --- Publishing -----------------------------------------------------------------------


def test_publishing_in_the_admin_is_recorded_once_with_user_address_and_article(approver):
    """An approval through the article form gives one «published» event."""
    writer = make_user("writer", EDITOR_ROLE)
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None, author=writer)
    workflow.submit(article, by=writer)
    client = force_login_verified(Client(REMOTE_ADDR=ADDRESS), approver)
    change_article(
        client,
        article,
        status=Article.Status.PUBLISHED,
        published_at_0="01.11.2025",
        published_at_1="10:00",
    )
    event = only(Kind.PUBLISHED)
    assert (event.actor, event.username, event.ip_address) == (approver, "approver", ADDRESS)
    assert (event.object_type, event.object_id) == ("articles.Article", str(article.pk))
    assert event.object_repr == article.title
    assert not events(Kind.SCHEDULED) and not events(Kind.UNPUBLISHED)


def test_unpublishing_is_recorded_with_the_reason(approver):
    """Taking an article off the site records who, from where and why."""
    article = ArticleFactory()
    client = force_login_verified(Client(REMOTE_ADDR=ADDRESS), approver)
    change_article(client, article, status=Article.Status.WITHDRAWN, workflow_note="ошибка в дате")
    event = only(Kind.UNPUBLISHED)
    assert (event.actor, event.ip_address, event.details) == (approver, ADDRESS, "ошибка в дате")
    assert not events(Kind.PUBLISHED)


def test_workflow_steps_outside_a_request_are_recorded_without_an_address(approver):
    """A script's schedule and unpublish are recorded with the user and no address."""
    writer = make_user("writer", EDITOR_ROLE)
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None, author=writer)
    workflow.submit(article, by=writer)
    later = timezone.now() + datetime.timedelta(days=2)
    workflow.publish(article, by=approver, at=later)
    event = only(Kind.SCHEDULED)
    assert (event.actor, event.ip_address) == (approver, None)
    assert later.isoformat() in event.details
    workflow.unpublish(article, by=approver, reason="перенос")
    assert only(Kind.UNPUBLISHED).actor == approver
    assert AuditEvent.objects.filter(kind__in=[Kind.PUBLISHED]).count() == 0


def test_a_refused_step_leaves_no_event():
    """A four-eyes refusal rolls back with the step: nothing is recorded."""
    approver = make_user("approver", APPROVER_ROLE)
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None, author=approver)
    workflow.submit(article, by=approver)
    with pytest.raises(workflow.WorkflowError):
        workflow.publish(article, by=approver)
    assert not events(Kind.PUBLISHED)


# --- Roles ----------------------------------------------------------------------------


def test_adding_and_removing_a_role_in_the_admin_is_recorded(chief):
    """Giving a user a role and taking it away are two events by the administrator."""
    admin, client = chief
    user = make_user("writer", EDITOR_ROLE)
    mark = last_event_id()  # only what follows counts
    approvers = Group.objects.get(name=APPROVER_ROLE)
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = form_data(client.get(url), form_id="user_form")
    data["groups"] = [str(g.pk) for g in user.groups.all()] + [str(approvers.pk)]
    assert client.post(url, data).status_code == 302
    added = only(Kind.GROUP_ADDED, mark)
    assert (added.actor, added.ip_address, added.details) == (admin, ADDRESS, APPROVER_ROLE)
    assert added.object_repr == "writer"
    data["groups"] = [str(approvers.pk)]
    assert client.post(url, data).status_code == 302
    assert only(Kind.GROUP_REMOVED, mark).details == EDITOR_ROLE
    assert len(events(Kind.GROUP_ADDED, mark)) == 1
    assert not events(Kind.FLAG_CHANGED, mark) and not events(Kind.PERMISSION_ADDED, mark)


def test_role_changes_from_either_side_and_clear_are_recorded():
    """group.user_set.add() and user.groups.clear() are recorded like the admin's changes."""
    user = get_user_model().objects.create_user("writer", password=PASSWORD)
    group = Group.objects.get(name=EDITOR_ROLE)
    group.user_set.add(user)
    event = only(Kind.GROUP_ADDED)
    assert (event.object_repr, event.details, event.actor) == ("writer", EDITOR_ROLE, None)
    user.groups.clear()
    assert only(Kind.GROUP_REMOVED).details == EDITOR_ROLE


def test_permission_changes_are_recorded():
    """A permission granted directly, then all withdrawn, gives one event each."""
    user = get_user_model().objects.create_user("writer", password=PASSWORD, is_staff=True)
    mark = last_event_id()  # only what follows counts
    publish = Permission.objects.get(codename="publish_article")
    user.user_permissions.add(publish)
    user.user_permissions.add(publish)  # already there: not a change
    assert "articles.publish_article" in only(Kind.PERMISSION_ADDED, mark).details
    user.user_permissions.clear()
    assert "articles.publish_article" in only(Kind.PERMISSION_REMOVED, mark).details


def test_staff_and_superuser_flags_are_recorded(chief):
    """Making a user a superuser in the admin records the change of that flag only."""
    admin, client = chief
    user = get_user_model().objects.create_user("writer", password=PASSWORD, is_staff=True)
    created = AuditEvent.objects.get(kind=Kind.FLAG_CHANGED, object_repr="writer")
    assert created.details == "Статус персонала: нет → да"
    mark = last_event_id()  # only what follows counts
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = form_data(client.get(url), form_id="user_form")
    data["is_superuser"] = "on"
    assert client.post(url, data).status_code == 302
    event = only(Kind.FLAG_CHANGED, mark)
    assert (event.actor, event.ip_address) == (admin, ADDRESS)
    assert event.details == "Статус суперпользователя: нет → да"


# --- Sign-in --------------------------------------------------------------------------


def log_in(client, username, password=PASSWORD, code=""):
    return client.post(LOGIN, {"username": username, "password": password, "otp_token": code})


def test_successful_sign_in_is_recorded_once():
    """A sign-in through the form gives one event with the user and address."""
    make_user("writer", EDITOR_ROLE)
    assert log_in(Client(REMOTE_ADDR=ADDRESS), "writer").status_code == 302
    event = only(Kind.LOGIN_SUCCEEDED)
    assert (event.username, event.ip_address, event.actor.username) == ("writer", ADDRESS, "writer")
    assert not events(Kind.LOGIN_FAILED)


def test_failed_sign_in_is_recorded_with_the_name_tried():
    """A wrong password, even for a name that does not exist, is recorded with the address."""
    log_in(Client(REMOTE_ADDR=ADDRESS), "nobody", "guess")
    event = only(Kind.LOGIN_FAILED)
    assert (event.username, event.ip_address, event.actor) == ("nobody", ADDRESS, None)


def test_wrong_code_is_a_failed_sign_in(approver):
    """The right password with a wrong code is recorded as a failure, not a success."""
    device = enrol_totp(approver)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    assert log_in(Client(REMOTE_ADDR=ADDRESS), "approver", code=wrong).status_code == 200
    assert only(Kind.LOGIN_FAILED).username == "approver"
    assert not events(Kind.LOGIN_SUCCEEDED)


def test_lockout_is_recorded_once_when_it_starts(settings):
    """Each failure is an event; the lockout itself is one event, however long it lasts."""
    settings.AXES_FAILURE_LIMIT = 2
    make_user("writer", EDITOR_ROLE)
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(3):
        log_in(client, "writer", "guess")
    assert log_in(client, "writer").status_code == 429
    assert len(events(Kind.LOGIN_FAILED)) == 4
    event = only(Kind.LOCKED_OUT)
    assert (event.username, event.ip_address) == ("writer", ADDRESS)
    assert not events(Kind.LOGIN_SUCCEEDED)


@override_settings(
    AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
    AXES_IPWARE_PROXY_ORDER="left-most",
    AXES_IPWARE_PROXY_COUNT=0,
    IPWARE_STRICT=False,
)
def test_behind_the_proxy_the_forwarded_address_is_recorded():
    """Behind the proxy the audit trail records the address the proxy saw."""
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {ADDRESS}")
    log_in(client, "nobody", "guess")
    assert only(Kind.LOGIN_FAILED).ip_address == ADDRESS


def test_forwarded_address_is_ignored_without_the_proxy():
    """Without DJANGO_BEHIND_PROXY an X-Forwarded-For header is not believed."""
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR="6.6.6.6")
    log_in(client, "nobody", "guess")
    assert only(Kind.LOGIN_FAILED).ip_address == ADDRESS


# --- Two-step sign-in devices ---------------------------------------------------------


def test_enrolment_and_removal_of_a_device_are_recorded(approver, chief):
    """Self-enrolment is recorded for the user; an administrator's deletion for the admin."""
    client = Client(REMOTE_ADDR="203.0.113.5")
    assert log_in(client, "approver").status_code == 302
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=approver)
    enrolled = AuditEvent.objects.filter(kind=Kind.DEVICE_ENROLLED, object_repr="approver")
    assert not enrolled.exists()  # a key shown on the page is not yet a device
    client.post(reverse("accounts:enrol"), {"otp_token": code_for(device)})
    (event,) = enrolled
    assert (event.actor, event.ip_address, event.object_repr) == (
        approver,
        "203.0.113.5",
        "approver",
    )
    admin, admin_client = chief
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    removed = only(Kind.DEVICE_REMOVED)
    assert (removed.actor, removed.ip_address, removed.object_repr) == (admin, ADDRESS, "approver")
    assert len(events(Kind.DEVICE_ENROLLED)) == 2  # the administrator's own device, in chief


# --- The trail itself -----------------------------------------------------------------


def test_events_cannot_be_changed_or_deleted():
    """The model refuses updates and deletions, one by one and in bulk."""
    log_in(Client(), "nobody", "guess")
    event = only(Kind.LOGIN_FAILED)
    event.username = "someone else"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.update(username="x")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().username == "nobody"


def test_deleting_a_user_keeps_their_events():
    """The events of a deleted account stay, with the user name as it was."""
    make_user("writer", EDITOR_ROLE)
    log_in(Client(), "writer")
    get_user_model().objects.get(username="writer").delete()
    event = only(Kind.LOGIN_SUCCEEDED)
    assert (event.actor, event.username) == (None, "writer")


def test_administrator_reads_and_filters_the_trail_but_cannot_edit_it(chief):
    """The trail is listed and filtered by kind, user and date; it has no add, edit or delete."""
    admin, client = chief
    log_in(Client(), "nobody", "guess")
    listing = reverse("admin:audit_auditevent_changelist")
    page = client.get(listing, {"kind": Kind.LOGIN_FAILED}).content.decode()
    assert "nobody" in page and "неудачный вход" in page
    by_user = client.get(listing, {"actor__id__exact": admin.pk}).content.decode()
    assert "nobody" not in by_user and "вход выполнен" in by_user
    today = timezone.localdate()
    dated = client.get(listing, {"at__year": today.year, "at__month": today.month})
    assert dated.status_code == 200 and "nobody" in dated.content.decode()
    event = only(Kind.LOGIN_FAILED)
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.post(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_editors_cannot_read_the_trail(approver):
    """Managing editors have no access to the trail; it is for administrators."""
    client = force_login_verified(Client(), approver)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
