"""Pieces shared by the content models."""

import uuid

from django.db import models
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext_lazy as _

KEY_MAX_LENGTH = 200


def new_key():
    """Return a fresh exchange key for an object created in the admin."""
    return uuid.uuid4().hex


class KeyField(models.CharField):
    """The stable external identifier used by the content exchange format."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", KEY_MAX_LENGTH)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("default", new_key)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("verbose_name", _("exchange key"))
        super().__init__(**kwargs)


def non_empty(field):
    """Return a check constraint that keeps a text field from being empty or blank."""
    return models.CheckConstraint(
        condition=GreaterThan(Length(Trim(field)), 0),
        name=f"%(app_label)s_%(class)s_{field}_not_empty",
        violation_error_message=_("This field cannot be empty."),
    )
