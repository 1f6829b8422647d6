"""Accessible names for the admin inputs that Django and the editor widgets leave unlabelled."""

from django import forms
from django.contrib.admin import widgets
from django.utils.translation import gettext as _

# Names the inputs that scripts build (select2's search box, the prose editor's editable
# area) after the label of the field they stand for; autocomplete.js must run first, and
# after jquery.init.js, which it needs (a change list has no other widget that orders them).
A11Y_MEDIA = forms.Media(
    css={"all": ["admin-a11y/links.css"]},
    js=["admin/js/jquery.init.js", "admin/js/autocomplete.js", "admin-a11y/labels.js"],
)


class LabelledSplitDateTime(widgets.AdminSplitDateTime):
    """Django admin's date and time inputs, each with its own accessible name."""

    def __init__(self, date_label, time_label, attrs=None):
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = date_label
        self.widgets[1].attrs["aria-label"] = time_label


def label_inline_field(field):
    """Name a tabular-inline input after its column: the table cell has no <label>."""
    widget = field.widget
    if isinstance(widget, widgets.RelatedFieldWidgetWrapper):
        # The wrapper's attrs are the uncopied widget's, shared by every form: label the copy.
        widget = widget.widget
    if widget.is_hidden or not field.label:
        return
    if isinstance(widget, forms.SplitDateTimeWidget):
        date, time = widget.widgets
        date.attrs.setdefault("aria-label", _("%(field)s: date") % {"field": field.label})
        time.attrs.setdefault("aria-label", _("%(field)s: time") % {"field": field.label})
        return
    widget.attrs.setdefault("aria-label", str(field.label))


class LabelledInlineFormSetMixin:
    """Give every input of a tabular inline row, the delete box included, an accessible name."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            label_inline_field(field)


class AccessibleAdminMixin:
    """Add the script that names select2's search box and the prose editor's editable area."""

    @property
    def media(self):
        return super().media + A11Y_MEDIA
