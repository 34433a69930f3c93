"""Second factor for administrators (issue 14, 等保 2.0 双因素): services, pages and the enrolment gate.

- An enrolled user (a confirmed TotpDevice) logs in with password, then a 6-digit code at /accounts/2fa/verify/;
  the API token endpoint needs the code in `otp`. Five wrong codes end the pending login.
- Administrators enrol at /accounts/2fa/ (secret shown once as text and otpauth:// URI); with
  settings.DANGJIAN_REQUIRE_ADMIN_2FA (on in production) an administrator without a device is sent there
  before any other page.
"""
from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.errors import DomainError

from . import totp
from .models import Role, TotpDevice

PENDING = "_2fa_pending"
MAX_TRIES = 5
PENDING_SECONDS = 300


class CodeForm(forms.Form):
    code = forms.CharField(label="动态验证码", max_length=10,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
                           help_text="身份验证器 App 中显示的 6 位数字")


def is_admin(user) -> bool:
    return bool(user.is_superuser or Role.objects.filter(user=user, role=Role.Kind.ADMIN).exists())


def device_of(user) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def code_check(*, user, code: str) -> None:
    """Accept `code` for user's confirmed device (once per time step) or raise DomainError (401)."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            return
        step = totp.verify(device.secret, code, last_step=device.last_step)
        if step is None:
            raise DomainError("动态验证码不正确或已使用", field="code", status=401)
        TotpDevice.objects.filter(pk=device.pk).update(last_step=step)


def device_start(*, actor) -> TotpDevice:
    """A fresh unconfirmed secret for actor (replacing an unconfirmed one; a confirmed device stays)."""
    with transaction.atomic():
        device, created = TotpDevice.objects.get_or_create(user=actor, defaults={"secret": totp.random_secret()})
        if not created and device.confirmed_at is None:
            device.secret = totp.random_secret()
            device.save(update_fields=["secret"])
        return device


def device_confirm(*, actor, code: str) -> TotpDevice:
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=actor).first()
        if device is None:
            raise DomainError("请先生成密钥", field="code")
        step = totp.verify(device.secret, code, last_step=device.last_step)
        if step is None:
            raise DomainError("动态验证码不正确，请核对手机时间后重试", field="code")
        device.confirmed_at, device.last_step = timezone.now(), step
        device.save(update_fields=["confirmed_at", "last_step"])
        audit(actor=actor, verb="2fa.enable", target=actor)
        return device


# --- login flow ---------------------------------------------------------------------------------------------

def login_or_challenge(request, user, nxt: str):
    """Called by the login view after the password is right: log in, or ask for the code first."""
    if device_of(user) is None:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(nxt)
    request.session.cycle_key()
    request.session[PENDING] = {"user": user.pk, "next": nxt, "at": int(time.time()), "tries": 0}
    return redirect("accounts:totp_verify")


def verify_view(request):
    pending = request.session.get(PENDING)
    if not pending or int(time.time()) - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        try:
            if user is None:
                raise DomainError("账号不可用", status=401)
            code_check(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            pending["tries"] = pending.get("tries", 0) + 1
            if pending["tries"] >= MAX_TRIES:
                request.session.pop(PENDING, None)
                messages.error(request, "动态验证码错误次数过多，请重新登录")
                return redirect("login")
            request.session[PENDING] = pending
            form.add_error("code", exc.detail)
            status = 400
        else:
            request.session.pop(PENDING, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(pending.get("next") or "/")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/totp_verify.html", {"form": form}, status=status)


@login_required
def setup_view(request):
    device = TotpDevice.objects.filter(user=request.user).first()
    if device is not None and device.confirmed_at:
        return render(request, "accounts/totp_setup.html", {"device": device, "enabled": True})
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            device_confirm(actor=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.detail)
            status = 400
        else:
            messages.success(request, "已启用双因素认证，今后登录需输入动态验证码")
            return redirect("/")
    elif request.method == "POST":
        status = 400
    if device is None or request.method == "GET":
        device = device_start(actor=request.user)
    return render(request, "accounts/totp_setup.html", {
        "device": device, "form": form, "secret": device.secret,
        "uri": totp.provisioning_uri(device.secret, username=request.user.username)}, status=status)


class AdminTwoFactorMiddleware:
    """With DANGJIAN_REQUIRE_ADMIN_2FA, an administrator without a confirmed device sees only the setup page."""

    ALLOWED = ("/accounts/2fa/", "/logout/", "/login/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if getattr(settings, "DANGJIAN_REQUIRE_ADMIN_2FA", False) and user is not None and user.is_authenticated \
                and not request.path.startswith(self.ALLOWED) and not request.path.startswith("/api/") \
                and is_admin(user) and device_of(user) is None:
            return redirect("accounts:totp_setup")
        return self.get_response(request)
