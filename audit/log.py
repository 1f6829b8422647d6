"""Write audit events, with the user and client address of the current request."""

from axes.helpers import get_client_ip_address

from audit.middleware import current_request
from audit.models import AuditEvent


def client_ip(request):
    """Return the client's address as django-axes sees it (proxy-aware), or None."""
    if request is None:
        return None
    return get_client_ip_address(request) or None


def request_user(request):
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def record(kind, *, actor=None, username="", target=None, details="", request=None):
    """Store one event; actor and address default to those of the current request."""
    request = request if request is not None else current_request.get()
    if actor is None:
        actor = request_user(request)
    if actor is not None and not username:
        username = actor.get_username()
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        username=username[:150],
        ip_address=client_ip(request),
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:300] if target is not None else "",
        details=details[:1000],
    )
