"""Delivery backends. SMS goes through a pluggable gateway (settings.NOTIFY_SMS_BACKEND); the default
logs the message, which is what a deployment without an SMS contract needs."""
import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("dangjian.notify")


class DeliveryError(Exception):
    pass


class ConsoleSms:
    """Default SMS gateway: writes to the log (and to `outbox` for tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))
        log.info("SMS to %s: %s", phone, text)


class HttpSms:
    """A generic HTTP SMS provider: POSTs JSON {phone, text, sign} to NOTIFY_SMS_URL with a bearer key."""

    def send(self, phone: str, text: str) -> None:
        payload = {"phone": phone, "text": text, "sign": getattr(settings, "NOTIFY_SMS_SIGN", "")}
        _post_json(settings.NOTIFY_SMS_URL, payload, headers={"Authorization": f"Bearer {settings.NOTIFY_SMS_KEY}"})


def sms_gateway():
    return import_string(getattr(settings, "NOTIFY_SMS_BACKEND", "dangjian.notify.backends.ConsoleSms"))()


def _post_json(url: str, payload: dict, *, headers: dict | None = None, timeout: float = 5.0) -> dict:
    data = json.dumps(payload, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (admin-configured https URL)
            body = resp.read().decode() or "{}"
    except OSError as exc:
        raise DeliveryError(str(exc)[:300]) from exc
    try:
        answer = json.loads(body)
    except ValueError:
        answer = {}
    # WeCom and DingTalk both answer {"errcode": 0, ...} on success.
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:300])
    return answer


def send_email(address: str, title: str, body: str) -> None:
    send_mail(title, body, None, [address], fail_silently=False)


def send_webhook(url: str, title: str, body: str) -> None:
    # Both robots accept this text message shape.
    _post_json(url, {"msgtype": "text", "text": {"content": f"{title}\n{body}"}})
