"""Inline formsets for ordered children (photos, signatories) whose numbers are unique."""

from itertools import count

from django.db import transaction
from django.forms.models import BaseInlineFormSet

from articles.signals import content_changed


class OrderedInlineFormSet(BaseInlineFormSet):
    """Validate order numbers over the whole set and save them so that swaps succeed.

    A per-row database check would reject swapping numbers 1 and 2, and a row-by-row save
    would hit the unique (parent, number) constraint halfway, so rows whose numbers change
    are first parked on free numbers inside one transaction, then saved with their own.
    New rows left without a number are put at the end.
    """

    order_field = "position"
    duplicate_message = ""

    def _kept_forms(self):
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            yield form

    def clean(self):
        # Replaces BaseModelFormSet.clean(), whose cross-form unique check names fields by
        # their code names; the numbers are checked here over the final state instead.
        field = self.order_field
        taken = set()
        unnumbered = []
        for form in self._kept_forms():
            number = form.cleaned_data.get(field)
            if number is None:
                if field not in form.errors:
                    unnumbered.append(form)
            elif number in taken:
                form.add_error(field, self.duplicate_message)
            else:
                taken.add(number)
        following = count(max(taken, default=0) + 1)
        for form in unnumbered:
            number = next(following)
            form.cleaned_data[field] = number
            setattr(form.instance, field, number)

    def save(self, commit=True):
        if not commit:
            return super().save(commit=False)
        with transaction.atomic(using=self.instance._state.db):
            self._park_moving_rows()
            return super().save(commit=True)

    def _park_moving_rows(self):
        """Move rows whose number changes (or that go away) to numbers nobody uses."""
        field = self.order_field
        moving = [
            form.instance.pk
            for form in self.initial_forms
            if form.instance.pk is not None
            and (
                (self.can_delete and self._should_delete_form(form))
                or (field in form.changed_data and hasattr(form, "cleaned_data"))
            )
        ]
        if not moving:
            return
        rows = self.model._default_manager.filter(**{self.fk.name: self.instance})
        used = set(rows.values_list(field, flat=True))
        used.update(getattr(form.instance, field) for form in self.forms)
        free = (number for number in count() if number not in used)
        for pk, number in zip(moving, free, strict=False):
            rows.filter(pk=pk).update(**{field: number})
        content_changed()  # update() sends no signal
