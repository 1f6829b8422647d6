"""Helpers for the admin tests: users and the data a browser would post back.

Plain functions, not fixtures, so that each admin test module states its own fixtures.
"""

import lxml.html
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from tests.otp_support import force_login_verified

PASSWORD = "correct-horse-battery-staple"


def make_editor(username="editor"):
    """Return a staff user (not a superuser) with every permission of the articles app."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    return user


def client_for(user):
    """Return a test client logged in as user (verified by a TOTP device if user needs one)."""
    return force_login_verified(Client(), user)


def _textarea_value(element):
    text = element.text or ""
    # Browsers drop the newline that Django writes right after <textarea>.
    return text[1:] if text.startswith("\n") else text


def _select_values(element):
    options = element.xpath(".//option")
    chosen = [option for option in options if option.get("selected") is not None]
    if not chosen and element.get("multiple") is None and options:
        chosen = options[:1]
    return [option.get("value", option.text_content()) for option in chosen]


def form_data(response, form_id=None):
    """Return the fields that the admin form on a page would submit unchanged."""
    page = lxml.html.fromstring(response.content.decode())
    if form_id:
        (form,) = page.xpath(f'//form[@id="{form_id}"]')
    else:
        (form,) = page.xpath('//form[contains(@id, "_form") and @method="post"]')
    data = {}
    for element in form.xpath(".//input | .//select | .//textarea"):
        name = element.get("name")
        if not name or "__prefix__" in name:
            continue
        if element.tag == "select":
            values = _select_values(element)
        elif element.tag == "textarea":
            values = [_textarea_value(element)]
        else:
            kind = (element.get("type") or "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                continue
            if kind in {"checkbox", "radio"} and element.get("checked") is None:
                continue
            values = [element.get("value", "on" if kind in {"checkbox", "radio"} else "")]
        data.setdefault(name, []).extend(values)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def errors_of(response):
    """Return every form and formset error on an admin page as one flat list of strings."""
    context = response.context
    messages = []
    form = context["adminform"].form
    for errors in form.errors.values():
        messages.extend(errors)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        messages.extend(formset.non_form_errors())
        for form_errors in formset.errors:
            for errors in form_errors.values():
                messages.extend(errors)
    return messages
