"""双重组织生活 (RULES §3; seed 000's 提醒卡): leading cadres (Member.is_cadre) take part in their own branch's
organizational life; their attendance is reported separately, and each gets a reminder card."""
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.accounts.scope import org_get_visible
from dangjian.members.models import Member
from dangjian.members.selectors import member_get, members_on_rolls

from . import rules
from .models import Attendance, Meeting
from .selectors import local_start

CARD_DAYS = 30  # the card lists the meetings of the next 30 days
CARD_TEXT = "“三会一课”、组织生活会、主题党日活动一次不能少；按时参加所在党支部活动，以普通党员身份参加组织生活。"
STATS = ("expected", "present", "leave", "absent")


def _year_stats(member_ids: list[int], year: int) -> dict[int, dict[str, dict[str, int]]]:
    """{member_id: {kind: {expected, present, leave, absent}}} over the held meetings of the year."""
    rows = (Attendance.objects.filter(member_id__in=member_ids, meeting__state=Meeting.State.HELD,
                                      meeting__starts_at__gte=local_start(date(year, 1, 1)),
                                      meeting__starts_at__lt=local_start(date(year + 1, 1, 1)))
            .values("member_id", "meeting__kind")
            .annotate(expected=Count("id"), present=Count("id", filter=Q(status=Attendance.Status.PRESENT)),
                      leave=Count("id", filter=Q(status=Attendance.Status.LEAVE)),
                      absent=Count("id", filter=Q(status=Attendance.Status.ABSENT))))
    out: dict[int, dict[str, dict[str, int]]] = {}
    for r in rows:
        out.setdefault(r["member_id"], {})[r["meeting__kind"]] = {k: r[k] for k in STATS}
    return out


def _totals(kinds: dict[str, dict[str, int]]) -> dict:
    total = {k: sum(v[k] for v in kinds.values()) for k in STATS}
    total["rate"] = rules.attendance_rate(present=total["present"], expected=total["expected"])
    return total


def cadre_attendance(*, actor, org, year: int) -> list[dict]:
    """Each cadre on the rolls of the subtree × the kinds of meetings of their own branch held in `year`."""
    org = org_get_visible(actor=actor, org_id=org.id)
    cadres = list(members_on_rolls(org).filter(is_cadre=True).select_related("org", "party_group")
                  .order_by("org__path", "name_pinyin", "name", "id"))
    stats = _year_stats([m.id for m in cadres], year)
    empty = dict.fromkeys(STATS, 0)
    out = []
    for m in cadres:
        kinds = stats.get(m.id, {})
        out.append({"member": m, "member_id": m.id, "name": m.name, "org_id": m.org_id, "org_name": m.org.name,
                    "kinds": {k: kinds.get(k, empty) for k in rules.MEETING_KINDS}, **_totals(kinds)})
    return out


def cadre_rows_for_export(rows: list[dict]) -> tuple[list[str], list[list]]:
    headers = ["姓名", "所在党支部"] + [f"{rules.KIND_LABELS[k]}（出席/应到）" for k in rules.MEETING_KINDS] + [
        "出席", "请假", "缺席", "出勤率"]
    body = []
    for r in rows:
        body.append([r["name"], r["org_name"]]
                    + [f"{r['kinds'][k]['present']}/{r['kinds'][k]['expected']}" for k in rules.MEETING_KINDS]
                    + [r["present"], r["leave"], r["absent"],
                       "—" if r["rate"] is None else f"{r['rate'] * 100:.1f}%"])
    return headers, body


def reminder_card(*, actor, member_id, today: date | None = None) -> dict:
    """The 提醒卡 of one member (404 outside scope): their branch's coming meetings and this year's record."""
    member: Member = member_get(actor=actor, member_id=member_id)
    today = today or timezone.localdate()
    now = timezone.now()
    upcoming = list(Meeting.objects.filter(attendances__member=member, state=Meeting.State.PLANNED,
                                           ends_at__gte=now, starts_at__lt=now + timedelta(days=CARD_DAYS))
                    .select_related("org", "party_group", "venue").order_by("starts_at")[:20])
    kinds = _year_stats([member.id], today.year).get(member.id, {})
    empty = dict.fromkeys(STATS, 0)
    return {"member": member, "upcoming": upcoming, "year": today.year, "text": CARD_TEXT, "days": CARD_DAYS,
            "kinds": [{"kind": k, "label": rules.KIND_LABELS[k], **kinds.get(k, empty)} for k in rules.MEETING_KINDS],
            "total": _totals(kinds)}
