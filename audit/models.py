"""The audit trail: who did what to which object, when and from which address."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    """Bulk changes are refused like single ones (deleting a user only clears `actor`)."""

    def update(self, **kwargs):
        raise PermissionDenied("Audit events are never changed.")

    def delete(self):
        raise PermissionDenied("Audit events are never deleted.")


class AuditEvent(models.Model):
    """One recorded event; rows are only ever added."""

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", _("signed in")
        LOGIN_FAILED = "login_failed", _("sign-in failed")
        LOCKED_OUT = "locked_out", _("sign-in locked out")
        PUBLISHED = "published", _("article published")
        SCHEDULED = "scheduled", _("article scheduled")
        UNPUBLISHED = "unpublished", _("article unpublished")
        GROUP_ADDED = "group_added", _("added to a role")
        GROUP_REMOVED = "group_removed", _("removed from a role")
        PERMISSION_ADDED = "permission_added", _("permission granted")
        PERMISSION_REMOVED = "permission_removed", _("permission withdrawn")
        FLAG_CHANGED = "flag_changed", _("account status changed")
        DEVICE_ENROLLED = "device_enrolled", _("two-step sign-in set up")
        DEVICE_REMOVED = "device_removed", _("two-step sign-in device removed")

    kind = models.CharField(_("event"), max_length=32, choices=Kind, db_index=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept as text too: the user may be deleted, or (for a failed sign-in) not exist.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    details = models.CharField(_("details"), max_length=1000, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "-at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.object_repr or self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit events are never deleted.")
