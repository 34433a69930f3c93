"""Keeps the current request's IP for audit events written deep inside services."""
from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def current_ip() -> str | None:
    return _client_ip.get()


def client_ip_of(request) -> str | None:
    """The client's IP. X-Forwarded-For is trusted only for the hops our own proxies appended
    (DANGJIAN_TRUSTED_PROXIES, default 0): its first entry is whatever the client chose to send."""
    from django.conf import settings

    trusted = getattr(settings, "DANGJIAN_TRUSTED_PROXIES", 0)
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    ip = hops[-trusted] if trusted and len(hops) >= trusted else request.META.get("REMOTE_ADDR")
    return ip or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip_of(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
