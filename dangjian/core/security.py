"""Web hardening (issue 14, item 5): Content-Security-Policy with a per-request nonce, session idle timeout.

CSP. Every asset is vendored, so `default-src 'self'` holds for every page and any CDN leak is blocked
(and breaks the browser tests). Scripts are strict: `script-src 'self' 'nonce-…'`, so an injected
`<script>` or `onclick=` never runs. Templates therefore put `nonce="{{ csp_nonce }}"` on every inline
`<script>` (the context processor below exposes it to every template rendered with a request) and declare
behaviour with the data attributes of static/js/app.js (`data-confirm`, `data-print`, `data-back`,
`data-autosubmit`, `data-prompt`) instead of inline handlers; dangjian/core/tests/test_csp.py walks every
template to keep it so. settings.CSP_STRICT_SCRIPTS=False (env DANGJIAN_CSP_STRICT=0) is the way back for
an emergency: inline scripts are then allowed and the strict policy is only sent as
Content-Security-Policy-Report-Only, so the browser console still names what breaks it. Styles allow
'unsafe-inline' (style="" attributes, and ECharts/Tabler/htmx set styles at run time); images may be
data:/blob: (ECharts exports, previews).

Idle timeout. A browser session left untouched for settings.SESSION_IDLE_TIMEOUT seconds (default 30 min,
等保 2.0 "登录超时自动退出") is ended; the absolute lifetime stays SESSION_COOKIE_AGE. The last-seen time
is written at most once a minute, so the timeout costs no extra session write per request.
"""
from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

IDLE_KEY = "_last_seen"
IDLE_WRITE_EVERY = 60  # seconds


def csp_policy(nonce: str, *, strict_scripts: bool) -> str:
    scripts = f"'self' 'nonce-{nonce}'" if strict_scripts else "'self' 'unsafe-inline'"
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class SecurityHeadersMiddleware:
    """Sets request.csp_nonce and the CSP, Referrer-Policy and Permissions-Policy headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        strict = getattr(settings, "CSP_STRICT_SCRIPTS", True)
        # A response that set its own policy (file downloads: default-src 'none'; sandbox) keeps it.
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = csp_policy(request.csp_nonce, strict_scripts=strict)
            if not strict:  # the emergency switch-back: enforce the lax policy, report what the strict one would block
                response["Content-Security-Policy-Report-Only"] = csp_policy(request.csp_nonce, strict_scripts=True)
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


def csp_nonce(request) -> dict:
    """Template context processor: {{ csp_nonce }} for `<script nonce="{{ csp_nonce }}">`."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


@receiver(user_logged_in, dispatch_uid="dangjian.security.idle_start")
def _idle_start(sender, request=None, **kwargs):
    """A login starts the idle clock, so the first requests after it write nothing more to the session."""
    session = getattr(request, "session", None)
    if session is not None:
        session[IDLE_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    """Logs a browser session out after SESSION_IDLE_TIMEOUT seconds without a request (after auth middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = getattr(settings, "SESSION_IDLE_TIMEOUT", 0)
        user = getattr(request, "user", None)
        if timeout and user is not None and user.is_authenticated and hasattr(request, "session") \
                and not request.path.startswith(settings.STATIC_URL):
            now = int(time.time())
            last = request.session.get(IDLE_KEY)
            if isinstance(last, int) and now - last > timeout:
                logout(request)
                messages.info(request, "长时间未操作，已自动退出，请重新登录")
            elif not isinstance(last, int) or now - last >= IDLE_WRITE_EVERY:
                request.session[IDLE_KEY] = now
        return self.get_response(request)


class UploadLimitMiddleware:
    """Refuses a request body larger than settings.DANGJIAN_MAX_REQUEST_BYTES before it is read (413, Chinese).

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE bounds only the non-file part of a form; this bounds the whole body,
    files included, so an oversized upload never reaches the disk or a parser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "DANGJIAN_MAX_REQUEST_BYTES", 0)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            from django.http import HttpResponse, JsonResponse

            message = f"上传内容过大（超过 {limit // (1024 * 1024)} MB），请压缩或拆分后再上传"
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(f"<!doctype html><meta charset='utf-8'><title>上传内容过大</title><p>{message}</p>",
                                status=413, content_type="text/html; charset=utf-8")
        return self.get_response(request)
