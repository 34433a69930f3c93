from django.utils import timezone
from huey import RetryTask
from huey.contrib.djhuey import db_task

from . import backends
from .models import Delivery, Preference

MAX_ATTEMPTS = 3


@db_task(retries=MAX_ATTEMPTS - 1, retry_delay=60)
def deliver(delivery_id: int) -> str:
    """Send one delivery; failures are logged on the row and retried (3 attempts in all)."""
    from .services import in_quiet_hours

    d = Delivery.objects.select_related("notification", "notification__user").filter(id=delivery_id).first()
    if d is None or d.state != Delivery.State.PENDING:
        return "skip"
    note = d.notification
    if d.channel == Delivery.Channel.SMS:
        pref = Preference.objects.filter(user=note.user).first()
        if in_quiet_hours(pref, timezone.localtime().time()):
            raise RetryTask("免打扰时段", delay=3600)
    d.attempts += 1
    try:
        if d.channel == Delivery.Channel.EMAIL:
            backends.send_email(d.address, note.title, note.body)
        elif d.channel == Delivery.Channel.SMS:
            backends.sms_gateway().send(d.address, f"{note.title}。{note.body}"[:300])
        else:
            backends.send_webhook(d.address, note.title, note.body)
    except Exception as exc:  # any gateway failure is logged and retried
        d.last_error = str(exc)[:300]
        d.state = Delivery.State.FAILED if d.attempts >= MAX_ATTEMPTS else Delivery.State.PENDING
        d.save(update_fields=["attempts", "last_error", "state"])
        if d.state == Delivery.State.PENDING:
            raise
        return "failed"
    d.state, d.sent_at, d.last_error = Delivery.State.SENT, timezone.now(), ""
    d.save(update_fields=["attempts", "state", "sent_at", "last_error"])
    return "sent"
