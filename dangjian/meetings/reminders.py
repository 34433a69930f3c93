"""Reminders of organizational life, sent by the daily and weekly Huey jobs (tasks.py).

Every message carries a stable dedupe key, so a re-run (or a second consumer) sends nothing twice:
- `meetings.due:<org>:<kind>:<period>`   a required meeting not yet held, in the last days of its period;
- `meetings.notice:<meeting>`            the notice to each expected attendee (cadres get the 提醒卡 wording);
- `meetings.talks:<org>:<year>`          R-TALK-YEAR: members not yet talked with, from 1 December;
- `meetings.weekly:<org>:<monday>`       the Monday list (每周工作提示 + what the registry says is due).
"""
from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.notify.services import notify
from dangjian.orgs.models import Org

from . import prompts, rules
from .models import Attendance, Meeting, WorkPrompt
from .selectors import COMMITTEE_ROLES, compliance_rows

BATCH = 500


def _branches():
    return Org.objects.filter(kind=Org.Kind.BRANCH, is_active=True).order_by("path")


def _batches():
    qs = _branches()
    last = ""
    while True:
        batch = list(qs.filter(path__gt=last)[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].path


def _committee_users(org_ids: list[int]) -> dict[int, list]:
    """The secretary and committee members of each org (the people a branch's reminders go to)."""
    out: dict[int, list] = defaultdict(list)
    for role in Role.objects.filter(org_id__in=org_ids, role__in=COMMITTEE_ROLES).select_related("user"):
        if role.user not in out[role.org_id]:
            out[role.org_id].append(role.user)
    return out


def due_reminders(today: date) -> int:
    """Before a period closes with a required meeting not held (issue 6 §3): remind the branch committee."""
    if not rules.period_closing_soon(rules.period_key(today, rules.MONTH), today):
        return 0  # month ends close every period: nothing closes within the window on other days
    url = reverse("meetings:compliance")
    sent = 0
    for batch in _batches():
        users = _committee_users([b.id for b in batch])
        for row in compliance_rows(batch, today.year, today):
            if not users.get(row["org_id"]):
                continue
            for kind, info in row["kinds"].items():
                for period in info.get("due_periods", []):
                    if not rules.period_closing_soon(period, today):
                        continue
                    label = rules.KIND_LABELS[kind]
                    _, last = rules.period_bounds(period)
                    with transaction.atomic():
                        sent += len(notify(
                            users=users[row["org_id"]], kind="meetings.due", org=None,
                            title=f"{row['name']}：{period} 尚未召开{label}",
                            body=f"按规定（{info['rule']}），{label}{rules.FREQ_LABELS[info['freq']]}至少一次，"
                                 f"本周期于 {last:%m月%d日} 结束，请及时安排并登记。",
                            url=f"{url}?org={row['org_id']}&year={today.year}",
                            dedupe_key=f"meetings.due:{row['org_id']}:{kind}:{period}"))
    return sent


def meeting_notices(now=None) -> int:
    """会议通知 to every expected attendee with an account, NOTICE_DAYS before a planned meeting.

    Members on approved leave and 送学上门 members are left out; cadres get the 提醒卡 wording.
    """
    now = now or timezone.now()
    meetings = (Meeting.objects.filter(state=Meeting.State.PLANNED, starts_at__gte=now,
                                       starts_at__lt=now + timedelta(days=rules.NOTICE_DAYS))
                .select_related("org", "venue").order_by("starts_at"))
    sent = 0
    for meeting in meetings.iterator(chunk_size=200):
        rows = (Attendance.objects.filter(meeting=meeting, member__user__isnull=False, is_exempt=False)
                .exclude(status=Attendance.Status.LEAVE).select_related("member__user"))
        where = " · ".join(filter(None, [meeting.place, meeting.venue.name if meeting.venue_id else ""])) or "另行通知"
        when = f"{timezone.localtime(meeting.starts_at):%m月%d日 %H:%M}"
        url = reverse("meetings:mine")
        plain, cadres = [], []
        for r in rows:
            (cadres if r.member.is_cadre else plain).append(r.member.user)
        with transaction.atomic():
            key = f"meetings.notice:{meeting.id}"
            sent += len(notify(users=plain, kind="meetings.notice", title=f"会议通知：{meeting.title}",
                               body=f"{meeting.org.name}{meeting.get_kind_display()}，{when}，地点：{where}。",
                               url=url, dedupe_key=key))
            sent += len(notify(users=cadres, kind="meetings.cadre_reminder",
                               title=f"【提醒卡】请参加所在支部{meeting.get_kind_display()}",
                               body=f"{meeting.org.name}「{meeting.title}」，{when}，地点：{where}。"
                                    "领导干部参加双重组织生活，“三会一课”一次不能少。",
                               url=url, dedupe_key=key))
    return sent


def talk_reminders(today: date) -> int:
    """R-TALK-YEAR: from 1 December, the committees of branches with members not yet talked with."""
    if (today.month, today.day) < rules.TALK_REMINDER_FROM:
        return 0
    url = reverse("meetings:talks")
    sent = 0
    for batch in _batches():
        users = _committee_users([b.id for b in batch])
        for row in compliance_rows(batch, today.year, today):
            talk = row["kinds"][rules.HEART_TALK.code]
            missing = talk["required"] - talk["held"]
            if missing <= 0 or not users.get(row["org_id"]):
                continue
            with transaction.atomic():
                sent += len(notify(users=users[row["org_id"]], kind="meetings.talks",
                                   title=f"{row['name']}：{missing} 名党员今年尚未谈心谈话",
                                   body="每名党员每年至少谈心谈话一次（R-TALK-YEAR），请在年底前完成。",
                                   url=f"{url}?org={row['org_id']}&year={today.year}",
                                   dedupe_key=f"meetings.talks:{row['org_id']}:{today.year}"))
    return sent


def send_daily(today: date | None = None) -> dict:
    today = today or timezone.localdate()
    return {"due": due_reminders(today), "notices": meeting_notices(), "talks": talk_reminders(today)}


def send_weekly(today: date | None = None) -> dict:
    """Monday: each branch committee gets the week's prompts from above plus the registry's items."""
    today = today or timezone.localdate()
    monday = rules.week_start(today)
    week_prompts = list(WorkPrompt.objects.filter(week_start=monday).select_related("org"))
    url = reverse("meetings:prompts")
    sent = 0
    for batch in _batches():
        users = _committee_users([b.id for b in batch])
        items = prompts.weekly_items([b.id for b in batch], monday)
        for b in batch:
            lines = [f"【{p.org.name}】{p.title}" for p in week_prompts if b.path.startswith(p.org.path)]
            lines += items.get(b.id, [])
            if not lines or not users.get(b.id):
                continue
            with transaction.atomic():
                sent += len(notify(users=users[b.id], kind="meetings.weekly",
                                   title=f"{b.name}：本周工作提示（{monday:%m月%d日}起）",
                                   body="\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1)),
                                   url=f"{url}?org={b.id}", dedupe_key=f"meetings.weekly:{b.id}:{monday}"))
    return {"week": str(monday), "sent": sent}
