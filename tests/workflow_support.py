"""Users in the editorial roles, for the workflow tests."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from tests.test_admin_support import PASSWORD

EDITOR_ROLE = "Редактор"
APPROVER_ROLE = "Выпускающий редактор"


def make_user(username, role, *extra_permissions):
    """Return a staff user in role, with extra permissions given as "app.codename"."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    for name in extra_permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user
