"""Signed documents and the organisations that sign them."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models.base import KeyField, non_empty
from articles.reversing import cached_reverse


class Organization(models.Model):
    """A party to agreements: a regional government, an akimat, a ministry, a company."""

    key = KeyField()
    name = models.CharField(_("full name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=200, blank=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("Two-letter ISO 3166-1 code, e.g. RU or KZ."),
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [non_empty("name")]

    def __str__(self):
        return self.short_name or self.name


class Agreement(models.Model):
    """A signed document: an agreement, a roadmap, a memorandum or a protocol."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("agreement")
        ROADMAP = "roadmap", _("roadmap")
        MEMORANDUM = "memorandum", _("memorandum")
        PROTOCOL = "protocol", _("protocol")
        OTHER = "other", _("other document")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("in force")
        EXPIRED = "expired", _("expired")
        PENDING = "pending", _("not yet in force")

    key = KeyField()
    title = models.CharField(_("title"), max_length=1000)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        blank=True,
        help_text=_("Latin part of the address, made from the title when left empty."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.AGREEMENT)
    number = models.CharField(_("registration number"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"))
    place = models.CharField(
        _("place of signing"), max_length=200, blank=True, help_text=_("City, e.g. Уральск.")
    )
    event = models.CharField(
        _("event"), max_length=500, blank=True, help_text=_("The occasion, e.g. a forum.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Leave empty for a document without an end date."),
    )
    parties = models.ManyToManyField(
        Organization, related_name="agreements", verbose_name=_("parties")
    )
    continues = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name=_("continues"),
        help_text=_("The earlier document that this one replaces or continues."),
    )
    implements = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="implemented_by",
        verbose_name=_("implements"),
        help_text=_("The base agreement that this document implements."),
    )
    summary = models.TextField(_("summary"), blank=True)
    document = models.FileField(_("document"), upload_to="agreements/", blank=True, max_length=255)
    document_size = models.PositiveBigIntegerField(_("document size"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "-id"]
        constraints = [
            non_empty("title"),
            non_empty("slug"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="agreement_valid_until_not_before_valid_from",
                violation_error_message=_("The end of validity cannot precede its start."),
            ),
            models.CheckConstraint(
                condition=~Q(continues=F("id")) & ~Q(implements=F("id")),
                name="agreement_not_linked_to_itself",
                violation_error_message=_("A document cannot continue or implement itself."),
            ),
        ]
        indexes = [models.Index(fields=["signed_on"], name="agreement_signed_on_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return cached_reverse("articles:agreement", pk=self.pk, slug=self.slug)

    def status_on(self, day):
        """Return whether the agreement is in force, expired or pending on a given day."""
        start = self.valid_from or self.signed_on
        if day < start:
            return self.Status.PENDING
        if self.valid_until and day > self.valid_until:
            return self.Status.EXPIRED
        return self.Status.IN_FORCE

    @property
    def status(self):
        """Return the status today, in the site's time zone."""
        return self.status_on(timezone.localdate())

    @classmethod
    def status_condition(cls, status, day=None):
        """Return a Q that selects agreements with the given status on a day."""
        day = day or timezone.localdate()
        start_after = Q(valid_from__gt=day) | Q(valid_from__isnull=True, signed_on__gt=day)
        if status == cls.Status.PENDING:
            return start_after
        ended = Q(valid_until__lt=day)
        if status == cls.Status.EXPIRED:
            return ended & ~start_after
        return ~start_after & ~ended


class Signatory(models.Model):
    """A person who signed an agreement on behalf of a party, in signing order."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(
        _("job title"),
        max_length=500,
        blank=True,
        help_text=_("E.g. губернатор Оренбургской области."),
    )
    party = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatories",
        verbose_name=_("on behalf of"),
    )

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["order", "id"]
        constraints = [
            non_empty("name"),
            models.UniqueConstraint(
                fields=["agreement", "order"],
                name="unique_signatory_order_per_agreement",
                violation_error_message=_("Two signatories cannot share one place in the order."),
            ),
        ]

    def __str__(self):
        return self.name
