"""Make the current request known to the audit trail, for its user and address."""

from contextvars import ContextVar

current_request = ContextVar("audit_current_request", default=None)


class AuditRequestMiddleware:
    """Remember the request while it is handled (model signals carry no request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
