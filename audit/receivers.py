"""Receivers that write the audit trail; connected in AuditConfig.ready()."""

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_save
from django.dispatch import receiver
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import WorkflowEvent
from audit.log import record
from audit.models import AuditEvent

User = get_user_model()
Kind = AuditEvent.Kind
WORKFLOW_KINDS = {
    WorkflowEvent.Action.PUBLISHED: Kind.PUBLISHED,
    WorkflowEvent.Action.SCHEDULED: Kind.SCHEDULED,
    WorkflowEvent.Action.UNPUBLISHED: Kind.UNPUBLISHED,
}
ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


# --- Sign-in ---------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="audit_login_succeeded")
def login_succeeded(sender, request, user, **kwargs):
    record(Kind.LOGIN_SUCCEEDED, actor=user, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    record(Kind.LOGIN_FAILED, username=username, request=request)


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    """Record the failure that starts a lockout; axes signals again on each later attempt."""
    failures = getattr(request, "axes_failures_since_start", None)
    limit = get_failure_limit(request, getattr(request, "axes_credentials", None))
    if failures is None or failures == limit:
        record(Kind.LOCKED_OUT, username=username or "", request=request)


# --- The editorial workflow -----------------------------------------------------------


@receiver(post_save, sender=WorkflowEvent, dispatch_uid="audit_workflow")
def workflow_step(sender, instance, created, raw=False, **kwargs):
    """Record a publication, schedule or withdrawal in the same transaction as its step."""
    kind = WORKFLOW_KINDS.get(instance.action)
    if not created or raw or kind is None:
        return
    details = instance.note
    if kind == Kind.SCHEDULED and instance.publish_at:
        details = _("to appear at %(time)s") % {"time": instance.publish_at.isoformat()}
    record(kind, actor=instance.by, target=instance.article, details=details)


# --- Roles: groups, permissions and account flags ----------------------------------------


def m2m_receiver(through, added, removed, describe):
    """Record additions to and removals from a user's many-to-many relation, either side."""

    def changed(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action == "pre_clear":
            # After the clear the removed rows are gone: remember them now.
            related = instance.user_set if reverse else getattr(instance, through)
            instance._audit_cleared = set(related.values_list("pk", flat=True))
            return
        if action == "post_clear":
            pk_set = instance.__dict__.pop("_audit_cleared", set())
        elif action not in ("post_add", "post_remove"):
            return
        kind = added if action == "post_add" else removed
        if reverse:
            pairs = [(user, instance) for user in User.objects.filter(pk__in=pk_set)]
        else:
            pairs = [(instance, other) for other in model.objects.filter(pk__in=pk_set)]
        for user, other in pairs:
            record(kind, target=user, details=describe(other))

    return changed


def describe_permission(permission):
    return f"{permission.content_type.app_label}.{permission.codename} ({permission.name})"


groups_changed = m2m_receiver(
    "groups", Kind.GROUP_ADDED, Kind.GROUP_REMOVED, lambda group: group.name
)
permissions_changed = m2m_receiver(
    "user_permissions", Kind.PERMISSION_ADDED, Kind.PERMISSION_REMOVED, describe_permission
)
m2m_changed.connect(groups_changed, sender=User.groups.through, dispatch_uid="audit_groups")
m2m_changed.connect(
    permissions_changed, sender=User.user_permissions.through, dispatch_uid="audit_permissions"
)
assert User.groups.field.related_model is Group
assert User.user_permissions.field.related_model is Permission


@receiver(pre_save, sender=User, dispatch_uid="audit_flags_before")
def remember_flags(sender, instance, raw=False, update_fields=None, **kwargs):
    """Read the stored flags before a save that may change them (not on last_login saves)."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(ACCOUNT_FLAGS):
        return
    instance._audit_flags = User.objects.filter(pk=instance.pk).values(*ACCOUNT_FLAGS).first() or {}


def yes_no(value):
    return _("yes") if value else _("no")


@receiver(post_save, sender=User, dispatch_uid="audit_flags_after")
def flags_changed(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_audit_flags", None)
    if created:
        before = {"is_active": True, "is_staff": False, "is_superuser": False}
    if before is None:
        return
    for name in ACCOUNT_FLAGS:
        old, new = before.get(name), getattr(instance, name)
        if old is None or old == new:
            continue
        label = capfirst(User._meta.get_field(name).verbose_name)
        details = f"{label}: {yes_no(old)} → {yes_no(new)}"
        record(Kind.FLAG_CHANGED, target=instance, details=details)


# --- Two-step sign-in devices ---------------------------------------------------------


@receiver(post_init, sender=TOTPDevice, dispatch_uid="audit_device_loaded")
def remember_confirmed(sender, instance, **kwargs):
    instance._audit_confirmed = instance.__dict__.get("confirmed", False)


@receiver(post_save, sender=TOTPDevice, dispatch_uid="audit_device_saved")
def device_saved(sender, instance, created, raw=False, **kwargs):
    if raw or not instance.confirmed:
        return
    if created or not instance._audit_confirmed:
        record(Kind.DEVICE_ENROLLED, target=instance.user, details=instance.name)
    instance._audit_confirmed = True


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="audit_device_deleted")
def device_deleted(sender, instance, **kwargs):
    if instance.confirmed:
        record(Kind.DEVICE_REMOVED, target=instance.user, details=instance.name)
