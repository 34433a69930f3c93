"""The one notification service every app calls (issue 12): inbox + email + SMS + group robots.

Deliveries are enqueued on commit, sent by a Huey task with retries, and logged per attempt.
"""
from datetime import time

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from dangjian.core.audit import region_of
from dangjian.core.errors import DomainError

from .models import Delivery, Notification, Preference, Webhook

SMS_PER_USER_PER_DAY = 5  # rate limit: a member never gets more than this many texts a day
TITLE_MAX, BODY_MAX = 200, 2000


def in_quiet_hours(pref: Preference | None, now: time) -> bool:
    if pref is None or pref.quiet_from is None or pref.quiet_to is None:
        return False
    start, end = pref.quiet_from, pref.quiet_to
    return start <= now < end if start <= end else (now >= start or now < end)  # may span midnight


def _sms_sent_today(user) -> int:
    today = timezone.localdate()
    return Delivery.objects.filter(notification__user=user, channel=Delivery.Channel.SMS,
                                   created_at__date=today).exclude(state=Delivery.State.SKIPPED).count()


def notify(*, users, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str = "",
           org=None) -> list[Notification]:
    """Send one message to each user (inbox always; email/SMS by their preferences) and to the org's
    group robots. The same dedupe_key reaches a user once. Call inside the caller's transaction."""
    from .tasks import deliver

    title = (title or "").strip()[:TITLE_MAX]
    if not title:
        raise DomainError("通知标题不能为空")
    body = (body or "")[:BODY_MAX]
    dedupe_key = dedupe_key[:200]
    created = []
    for user in users:
        if not getattr(user, "is_active", False):
            continue
        region = region_of(org=org, user=user)
        # The unique key is (region_id, user, dedupe_key): an unregioned row would not collide, so look first.
        if region is None and dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(user=user, region_id=region, kind=kind[:50], title=title,
                                                   body=body, url=url[:300], dedupe_key=dedupe_key)
        except IntegrityError:
            continue  # already sent for this event
        created.append(note)
        pref = Preference.objects.filter(user=user).first()
        if pref and pref.use_email and pref.email:
            Delivery.objects.create(notification=note, channel=Delivery.Channel.EMAIL, address=pref.email)
        if pref and pref.use_sms and pref.phone:
            if _sms_sent_today(user) >= SMS_PER_USER_PER_DAY:
                Delivery.objects.create(notification=note, channel=Delivery.Channel.SMS, address=pref.phone,
                                        state=Delivery.State.SKIPPED, last_error="超出每日短信上限")
            else:
                Delivery.objects.create(notification=note, channel=Delivery.Channel.SMS, address=pref.phone)
    if org is not None and created:
        for hook in Webhook.objects.filter(org=org, is_active=True):
            Delivery.objects.create(notification=created[0], channel=Delivery.Channel.WEBHOOK, address=hook.url)
    ids = list(Delivery.objects.filter(notification__in=created, state=Delivery.State.PENDING).values_list("id", flat=True))
    for delivery_id in ids:
        transaction.on_commit(lambda d=delivery_id: deliver(d))
    return created


def inbox(*, actor, unread_only: bool = False):
    qs = Notification.objects.filter(user=actor)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(*, actor) -> int:
    if not getattr(actor, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=actor, read_at__isnull=True).count()


def notification_mark_read(*, actor, notification_id=None, all_: bool = False) -> int:
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if not all_:
        try:
            qs = qs.filter(id=int(notification_id))
        except (TypeError, ValueError):
            raise Http404
        if not Notification.objects.filter(user=actor, id=int(notification_id)).exists():
            raise Http404
    return qs.update(read_at=timezone.now())


def preference_update(*, actor, **fields) -> Preference:
    from dangjian.members.rules import MOBILE_RE

    pref, _ = Preference.objects.get_or_create(user=actor)
    phone = (fields.get("phone") or "").strip()
    if phone and not MOBILE_RE.match(phone):
        raise DomainError("手机号码应为 11 位中国大陆手机号", field="phone")
    if fields.get("use_sms") and not phone:
        raise DomainError("开启短信提醒须填写手机号码", field="phone")
    if fields.get("use_email") and not (fields.get("email") or "").strip():
        raise DomainError("开启邮件提醒须填写邮箱", field="email")
    for key, value in fields.items():
        setattr(pref, key, value.strip() if isinstance(value, str) else value)
    pref.save()
    return pref
