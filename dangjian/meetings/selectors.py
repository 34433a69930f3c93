"""Reads of organizational life, always scoped by the actor (DESIGN rule 2)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, prefetch_related_objects
from django.db.models.functions import Coalesce, Length, Substr
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.accounts.scope import as_id, org_get_visible, scope_q
from dangjian.members.choices import ACTIVE_STATUSES, Stage
from dangjian.members.models import Member
from dangjian.members.selectors import member_of_user, members_on_rolls
from dangjian.orgs.models import Org, PartyGroup
from dangjian.orgs.tree import subtree_q

from . import checkin_queue, rules
from .models import Attendance, HeartTalk, LeaveRequest, Makeup, Meeting, MeetingSettings

BRANCH_WIDE_KINDS = [k for k, r in rules.MEETING_KINDS.items() if r.per == rules.PER_BRANCH]
COMMITTEE_ROLES = [Role.Kind.SECRETARY, Role.Kind.COMMITTEE_MEMBER]


# --- Settings (⚙), inherited down the tree ---

@dataclass(frozen=True)
class Effective:
    checkin_lead_minutes: int = rules.CHECKIN_LEAD_MINUTES
    lecture_freq: str = rules.QUARTER
    assembly_quorum: bool = True
    absent_warning_months: int = rules.ABSENT_WARNING_MONTHS
    source_org_id: int | None = None
    review_excellent_cap: int | None = rules.EXCELLENT_CAP_DEFAULT

    def freqs(self) -> dict[str, str]:
        return {**rules.default_freqs(), "lecture": self.lecture_freq}


def _ancestor_paths(path: str) -> list[str]:
    return [path[: i * Org.steplen] for i in range(1, len(path) // Org.steplen + 1)]


def _effective(row: MeetingSettings | None) -> Effective:
    if row is None:
        return Effective()
    return Effective(row.checkin_lead_minutes, row.lecture_freq, row.assembly_quorum, row.absent_warning_months,
                     row.org_id, row.review_excellent_cap)


def settings_for(org: Org) -> Effective:
    """The settings of the nearest org at or above `org` that has any (defaults otherwise)."""
    row = (MeetingSettings.objects.filter(org__path__in=_ancestor_paths(org.path))
           .select_related("org").order_by("-org__depth").first())
    return _effective(row)


def checkin_lead_subquery() -> Subquery:
    """settings_for(meeting.org).checkin_lead_minutes as a subquery of a Meeting query (NULL: the default).

    The settings of the deepest org whose path is a prefix of the meeting org's path (materialized paths), so
    the check-in reads its meeting and its sign-in window in one query."""
    rows = (MeetingSettings.objects.filter(org__path=Substr(OuterRef("org__path"), 1, Length("org__path")))
            .order_by("-org__depth").values("checkin_lead_minutes")[:1])
    return Subquery(rows)


def lead_minutes(value: int | None) -> int:
    """The lead time read by checkin_lead_subquery (None: no settings above, the default)."""
    return Effective().checkin_lead_minutes if value is None else value


def ancestor_paths(path: str) -> list[str]:
    return _ancestor_paths(path)


def settings_for_many(orgs: list[Org]) -> dict[int, Effective]:
    """settings_for for many orgs in one query."""
    paths = {p for o in orgs for p in _ancestor_paths(o.path)}
    rows = {r.org.path: r for r in MeetingSettings.objects.filter(org__path__in=paths).select_related("org")}
    out = {}
    for o in orgs:
        found = next((rows[p] for p in reversed(_ancestor_paths(o.path)) if p in rows), None)
        out[o.id] = _effective(found)
    return out


# --- Venues (阵地, owned by the standards app; issue 15) ---

def venues_for(org: Org):
    """Venues a meeting of `org` may use: in use, registered by the org itself or an org above it."""
    from dangjian.standards.models import Venue

    return (Venue.objects.filter(org__path__in=_ancestor_paths(org.path), is_active=True).select_related("org")
            .order_by("-org__depth", "name"))


def venues_for_many(orgs) -> list:
    """Venues usable by any of `orgs` (for a form offering several branches; the service checks the pair)."""
    from dangjian.standards.models import Venue

    paths = {p for o in orgs for p in _ancestor_paths(o.path)}
    return list(Venue.objects.filter(org__path__in=paths, is_active=True).select_related("org")
                .order_by("org__path", "name")[:500])


# --- Meetings ---

def meetings_visible(actor) -> QuerySet[Meeting]:
    """Meetings in the actor's scope; a plain member also sees the meetings of their own branch."""
    q = scope_q(actor, field="org__path")
    if q == Q():
        return Meeting.objects.all()
    member = member_of_user(actor)
    if member is not None:
        q |= Q(org_id=member.org_id)
    return Meeting.objects.filter(q)


def meeting_get(*, actor, meeting_id) -> Meeting:
    meeting_id = as_id(meeting_id)
    meeting = (meetings_visible(actor).select_related("org", "party_group", "venue")
               .filter(id=meeting_id).first())
    if meeting is None:
        raise Http404
    return meeting


@dataclass
class MeetingFilters:
    kind: str = ""
    state: str = ""
    year: int | None = None
    month: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""

    def apply(self, qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.state:
            qs = qs.filter(state=self.state)
        lo, hi = self.date_from, self.date_to
        if self.year:
            if self.month:
                lo, hi = rules.period_bounds(f"{self.year}-{self.month:02d}")
            else:
                lo, hi = rules.period_bounds(str(self.year))
        if lo:
            qs = qs.filter(starts_at__gte=local_start(lo))
        if hi:
            qs = qs.filter(starts_at__lt=local_start(hi + timedelta(days=1)))
        if self.q:
            qs = qs.filter(title__icontains=self.q.strip())
        return qs


def local_start(day: date) -> datetime:
    """Midnight of `day` in Asia/Shanghai, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def meeting_list(*, actor, org: Org, filters: MeetingFilters | None = None) -> QuerySet[Meeting]:
    org = org_get_visible(actor=actor, org_id=org.id)
    qs = Meeting.objects.filter(subtree_q(org.path, field="org__path"))
    qs = (filters or MeetingFilters()).apply(qs)
    return qs.select_related("org", "party_group", "venue").annotate(
        n_expected=Count("attendances"),
        n_present=Count("attendances", filter=Q(attendances__status=Attendance.Status.PRESENT)),
    ).order_by("-starts_at", "-id")


def with_quorum(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Annotate present / entitled full members for R-MEET-QUORUM.

    Entitled: the full members expected, leaving out 送学上门 members (RULES §1: members excused by
    long illness are left out of `entitled`) unless they came. Leave counts as absent.
    """
    full = Q(attendances__is_full=True)
    return qs.annotate(
        q_present=Count("attendances", filter=full & Q(attendances__status=Attendance.Status.PRESENT)),
        q_entitled=Count("attendances", filter=full & (Q(attendances__is_exempt=False)
                                                      | Q(attendances__status=Attendance.Status.PRESENT))),
    )


def meeting_summary(meeting: Meeting) -> dict:
    checkin_queue.flush_pending()
    rows = list(meeting.attendances.values_list("status", "is_full", "is_exempt", "method", "marked_by_id"))
    unmarked = 0 if meeting.state == Meeting.State.HELD else sum(
        1 for s, _, _, method, by in rows if s == "absent" and not method and by is None)
    rows = [r[:3] for r in rows]
    present = sum(1 for s, _, _ in rows if s == "present")
    q_present = sum(1 for s, full, _ in rows if full and s == "present")
    q_entitled = sum(1 for s, full, ex in rows if full and (not ex or s == "present"))
    eff = settings_for(meeting.org)
    counts = rules.meeting_counts(kind=meeting.kind, held=meeting.state == Meeting.State.HELD, present=q_present,
                                  entitled=q_entitled, quorum=eff.assembly_quorum)
    return {"expected": len(rows), "present": present, "leave": sum(1 for s, _, _ in rows if s == "leave"),
            "absent": sum(1 for s, _, _ in rows if s == "absent") - unmarked, "unmarked": unmarked,
            "quorum_present": q_present, "quorum_needed": q_entitled // 2 + 1,
            "quorum_entitled": q_entitled,
            "quorum_met": rules.assembly_quorum_met(present=q_present, entitled=q_entitled),
            "needs_quorum": meeting.kind == "assembly" and eff.assembly_quorum, "counts": counts}


def expected_members(*, org: Org, kind: str, party_group: PartyGroup | None = None) -> QuerySet[Member]:
    """Who is expected: the branch's members on the rolls; a group meeting its group; a 支委会 the
    members who hold the secretary / committee-member role at the branch."""
    qs = members_on_rolls(org)
    if kind == "group":
        return qs.filter(party_group=party_group)
    if kind == "committee":
        holders = Role.objects.filter(org=org, role__in=COMMITTEE_ROLES).values("user_id")
        return qs.filter(user_id__in=holders)
    return qs


def attendance_sheet(meeting: Meeting) -> QuerySet[Attendance]:
    checkin_queue.flush_pending()  # every check-in accepted so far is on the sheet read
    return meeting.attendances.select_related("member", "member__party_group").order_by(
        "member__name_pinyin", "member__name", "id")


def leave_requests_of(meeting: Meeting) -> QuerySet[LeaveRequest]:
    return meeting.leave_requests.select_related("member").order_by("-created_at")


def leave_request_get(*, actor, request_id) -> LeaveRequest:
    request_id = as_id(request_id)
    row = (LeaveRequest.objects.select_related("meeting", "meeting__org", "member")
           .filter(scope_q(actor, field="meeting__org__path"), id=request_id).first())
    if row is None:
        raise Http404
    return row


def makeup_get(*, actor, makeup_id) -> Makeup:
    """A 补学 task: the member's own, or one in the actor's scope."""
    makeup_id = as_id(makeup_id)
    q = scope_q(actor, field="meeting__org__path")
    if q != Q():
        q |= Q(member__user_id=actor.pk)
    row = Makeup.objects.select_related("meeting", "meeting__org", "member").filter(q, id=makeup_id).first()
    if row is None:
        raise Http404
    return row


def year_plan(*, actor, org: Org, year: int) -> dict:
    """Annual plan of a branch: for each month, its meetings by kind."""
    org = org_get_visible(actor=actor, org_id=org.id)
    meetings = meeting_list(actor=actor, org=org, filters=MeetingFilters(year=year))
    months = {m: {k: [] for k in rules.MEETING_KINDS} for m in range(1, 13)}
    for m in meetings:
        months[m.local_date.month][m.kind].append(m)
    return {"org": org, "year": year, "months": months}


# --- Compliance (RULES §3) ---

def _branches(org: Org) -> QuerySet[Org]:
    return Org.objects.filter(subtree_q(org.path), kind=Org.Kind.BRANCH, is_active=True).order_by("path")


def compliance(*, actor, org: Org, year: int, today: date | None = None, page: int = 1,
               page_size: int = 200) -> dict:
    """Required vs. held per kind for each branch of the subtree, for one calendar year."""
    org = org_get_visible(actor=actor, org_id=org.id)
    today = today or timezone.localdate()
    branches_qs = _branches(org)
    count = branches_qs.count()
    offset = (max(1, page) - 1) * page_size
    branches = list(branches_qs[offset:offset + page_size])
    return {"org_id": org.id, "year": year, "count": count, "branches": compliance_rows(branches, year, today)}


def compliance_rows(branches: list[Org], year: int, today: date) -> list[dict]:
    """Compliance of the given branches for one year (no scope check: callers scoped them, or a job)."""
    ids = [b.id for b in branches]
    start, end = date(year, 1, 1), date(year, 12, 31)
    held = with_quorum(Meeting.objects.filter(
        org_id__in=ids, state=Meeting.State.HELD,
        starts_at__gte=local_start(start), starts_at__lt=local_start(end + timedelta(days=1))))
    by_org: dict[int, list] = {i: [] for i in ids}
    for m in held.values("org_id", "kind", "starts_at", "party_group_id", "q_present", "q_entitled"):
        by_org[m["org_id"]].append(m)
    full = dict(Member.objects.filter(org_id__in=ids, stage=Stage.FULL, status__in=ACTIVE_STATUSES)
                .values("org_id").annotate(n=Count("id")).values_list("org_id", "n"))
    groups: dict[int, list[PartyGroup]] = {i: [] for i in ids}
    for g in PartyGroup.objects.filter(org_id__in=ids).order_by("name"):
        groups[g.org_id].append(g)
    on_rolls: dict[int, list[int]] = {i: [] for i in ids}
    for mid, oid in Member.objects.filter(org_id__in=ids, stage__in=[Stage.PROBATIONARY, Stage.FULL],
                                          status__in=ACTIVE_STATUSES).values_list("id", "org_id"):
        on_rolls[oid].append(mid)
    # order_by(): the model's ordering would join DISTINCT (one row per talk instead of per member).
    talked = set(HeartTalk.objects.filter(member__org_id__in=ids, talked_on__year=year).order_by()
                 .values_list("member_id", flat=True).distinct())
    effective = settings_for_many(branches)
    tz = timezone.get_current_timezone()  # once: timezone.localtime() looks it up per call (7 000 meetings)
    rows = []
    for b in branches:
        eff = effective[b.id]
        facts = [rules.HeldMeeting(
            kind=m["kind"], on=m["starts_at"].astimezone(tz).date(), group_id=m["party_group_id"],
            counts=rules.meeting_counts(kind=m["kind"], held=True, present=m["q_present"],
                                        entitled=m["q_entitled"], quorum=eff.assembly_quorum))
            for m in by_org[b.id]]
        result = rules.branch_compliance(start=start, end=end, today=today, meetings=facts,
                                         full_members=full.get(b.id, 0), group_ids=[g.id for g in groups[b.id]],
                                         freqs=eff.freqs(), since=b.founded_on)
        kinds = {k: v.as_dict() for k, v in result.items()}
        talk = rules.heart_talk_coverage(year=year, today=today, member_ids=on_rolls[b.id],
                                         talked_ids=talked.intersection(on_rolls[b.id]))
        talk.pop("missing_member_ids")
        kinds[rules.HEART_TALK.code] = talk
        names = {g.id: g.name for g in groups[b.id]}
        for g in kinds["group"].get("groups", []):
            g["name"] = names.get(g["group_id"], "")
        missing = sum(len(v["missing_periods"]) for k, v in kinds.items() if k != "group") + sum(
            len(g["missing_periods"]) for g in kinds["group"].get("groups", []))
        rows.append({"org_id": b.id, "name": b.name, "full_members": full.get(b.id, 0), "kinds": kinds,
                     "missing": missing, "compliant": missing == 0})
    return rows


# --- Attendance rates and R-ABSENT-6M ---

def _rate_rows(qs, key: str) -> list[dict]:
    rows = qs.values(key).annotate(
        expected=Count("id"), present=Count("id", filter=Q(status=Attendance.Status.PRESENT)),
        leave=Count("id", filter=Q(status=Attendance.Status.LEAVE)),
        absent=Count("id", filter=Q(status=Attendance.Status.ABSENT)))
    out = []
    for r in rows:
        r["rate"] = rules.attendance_rate(present=r["present"], expected=r["expected"])
        out.append(r)
    return out


def _held_attendance(start: date, end: date) -> QuerySet[Attendance]:
    return Attendance.objects.filter(meeting__state=Meeting.State.HELD, meeting__starts_at__gte=local_start(start),
                                     meeting__starts_at__lt=local_start(end + timedelta(days=1)))


def branch_attendance_rates(*, actor, org: Org, start: date, end: date) -> list[dict]:
    """Per branch of the subtree: expected / present / leave / absent and the rate, over held meetings.

    送学上门 members (is_exempt) are left out: they get no attendance alerts (RULES §3).
    """
    org = org_get_visible(actor=actor, org_id=org.id)
    branches = list(_branches(org).values("id", "name"))
    qs = _held_attendance(start, end).filter(meeting__org_id__in=[b["id"] for b in branches], is_exempt=False)
    stats = {r["meeting__org_id"]: r for r in _rate_rows(qs, "meeting__org_id")}
    empty = {"expected": 0, "present": 0, "leave": 0, "absent": 0, "rate": None}
    return [{"org_id": b["id"], "name": b["name"], **{k: stats.get(b["id"], empty)[k] for k in empty}}
            for b in branches]


def member_attendance_rates(*, actor, org: Org, start: date, end: date) -> list[dict]:
    """Per member of the subtree: their attendance at held meetings in [start, end]; cadres flagged
    (双重组织生活: their attendance is reported separately)."""
    org = org_get_visible(actor=actor, org_id=org.id)
    members = members_on_rolls(org).select_related("org").order_by("org__path", "name_pinyin", "name", "id")
    qs = _held_attendance(start, end).filter(member__in=members.values("id"))
    stats = {r["member_id"]: r for r in _rate_rows(qs, "member_id")}
    out = []
    for m in members:
        s = stats.get(m.id, {"expected": 0, "present": 0, "leave": 0, "absent": 0, "rate": None})
        out.append({"member": m, "member_id": m.id, "name": m.name, "org": m.org.name, "is_cadre": m.is_cadre,
                    "is_exempt": m.is_exempt, **{k: s[k] for k in ("expected", "present", "leave", "absent", "rate")}})
    return out


def absence_warnings(*, actor, org: Org, today: date | None = None) -> list[dict]:
    """R-ABSENT-6M: members on the rolls not attending organizational life without leave.

    "warning" from the ⚙ months (default 3), "case" at six months for a human decision. A selector
    only: nothing is changed and nobody is removed. 送学上门 members are left out.
    """
    org = org_get_visible(actor=actor, org_id=org.id)
    today = today or timezone.localdate()
    eff = settings_for(org)
    now = timezone.now()
    held = Attendance.objects.filter(member=OuterRef("pk"), meeting__state=Meeting.State.HELD,
                                     meeting__starts_at__lte=now)
    last_present = held.filter(status=Attendance.Status.PRESENT).order_by("-meeting__starts_at")
    epoch = timezone.make_aware(datetime(1900, 1, 1))
    first_absent = held.filter(status=Attendance.Status.ABSENT, meeting__starts_at__gt=OuterRef("last_present"))
    threshold = local_start(today - relativedelta(months=eff.absent_warning_months) + timedelta(days=1))
    members = (members_on_rolls(org).filter(is_exempt=False)
               .annotate(last_present=Coalesce(Subquery(last_present.values("meeting__starts_at")[:1]), Value(epoch)))
               .annotate(absent_since=Subquery(first_absent.order_by("meeting__starts_at")
                                               .values("meeting__starts_at")[:1]))
               .filter(absent_since__isnull=False, absent_since__lt=threshold)
               .select_related("org").order_by("absent_since", "id"))
    out = []
    for m in members:
        since = timezone.localtime(m.absent_since).date()
        level = rules.absence_level(since=since, today=today, warning_months=eff.absent_warning_months)
        if level:
            delta = relativedelta(today, since)
            out.append({"member": m, "member_id": m.id, "name": m.name, "org": m.org.name, "since": since,
                        "months": delta.years * 12 + delta.months, "level": level,
                        "last_present": None if m.last_present == epoch else timezone.localtime(m.last_present).date()})
    return out


# --- Heart talks ---

def heart_talks(*, actor, org: Org, year: int | None = None) -> QuerySet[HeartTalk]:
    org = org_get_visible(actor=actor, org_id=org.id)
    qs = HeartTalk.objects.filter(subtree_q(org.path, field="org__path")).select_related("member", "org")
    if year:
        qs = qs.filter(talked_on__year=year)
    return qs.order_by("-talked_on", "-id")


def heart_talk_missing(*, actor, org: Org, year: int) -> QuerySet[Member]:
    """R-TALK-YEAR: members on the rolls of the subtree nobody has talked with in `year`."""
    org = org_get_visible(actor=actor, org_id=org.id)
    talked = HeartTalk.objects.filter(talked_on__year=year).values("member_id")
    return (members_on_rolls(org).exclude(id__in=talked).select_related("org")
            .order_by("org__path", "name_pinyin", "name", "id"))


# --- A member's own page ---

def _my_windows(now: datetime, prefix: str = "") -> tuple[Q, Q]:
    """(upcoming, recent) of "my meetings": not over and not cancelled; over, started in the last 180 days.
    `prefix` sees the meeting's fields from a related model ("meeting__" from an attendance)."""
    f = {k: prefix + k for k in ("ends_at__gte", "ends_at__lt", "starts_at__gte", "state")}
    upcoming = Q(**{f["ends_at__gte"]: now}) & ~Q(**{f["state"]: Meeting.State.CANCELLED})
    recent = Q(**{f["ends_at__lt"]: now, f["starts_at__gte"]: now - timedelta(days=180)})
    return upcoming, recent


def _my_meeting_ids(member: Member, now: datetime) -> list[int]:
    """Ids of the member's meetings of both windows: on their sheet, branch-wide at their branch, or their group's.

    One UNION of indexed lookups (attendance by member, meetings by org and start); the former OR of the three
    with DISTINCT joined the whole attendance of the branch (~1.1 s at 1 M members, issue 13)."""
    sheet_upcoming, sheet_recent = _my_windows(now, "meeting__")
    upcoming, recent = _my_windows(now)
    window = upcoming | recent
    parts = [Attendance.objects.filter(sheet_upcoming | sheet_recent, member=member)
             .values_list("meeting_id", flat=True).order_by(),
             Meeting.objects.filter(window, org_id=member.org_id, kind__in=BRANCH_WIDE_KINDS)
             .values_list("id", flat=True).order_by()]
    if member.party_group_id:
        parts.append(Meeting.objects.filter(window, org_id=member.org_id, kind="group",
                                            party_group_id=member.party_group_id)
                     .values_list("id", flat=True).order_by())
    return list(parts[0].union(*parts[1:]))


def my_meetings(*, user) -> dict | None:
    member = member_of_user(user)
    if member is None:
        return None
    checkin_queue.flush_pending()  # "已签到" right after the scan
    now = timezone.now()
    upcoming_q, recent_q = _my_windows(now)
    qs = Meeting.objects.filter(id__in=_my_meeting_ids(member, now)).select_related("org", "party_group", "venue")
    upcoming = list(qs.filter(upcoming_q).order_by("starts_at")[:20])
    recent = list(qs.filter(recent_q).order_by("-starts_at")[:30])
    # The member's own row and leave request, for both lists at once.
    prefetch_related_objects(upcoming + recent,
                             Prefetch("attendances", queryset=Attendance.objects.filter(member=member), to_attr="mine"),
                             Prefetch("leave_requests", queryset=LeaveRequest.objects.filter(member=member),
                                      to_attr="my_leaves"))
    makeups = list(Makeup.objects.filter(member=member, state=Makeup.State.OPEN).select_related("meeting"))
    return {"member": member, "upcoming": upcoming, "recent": recent, "makeups": makeups}


def home_cards(*, actor, org: Org) -> list[dict]:
    today = timezone.localdate()
    month_lo, month_hi = rules.period_bounds(rules.period_key(today, rules.MONTH))
    sub = Meeting.objects.filter(subtree_q(org.path, field="org__path"))
    held_month = sub.filter(state=Meeting.State.HELD, starts_at__gte=local_start(month_lo),
                            starts_at__lt=local_start(month_hi + timedelta(days=1))).count()
    upcoming = sub.filter(state=Meeting.State.PLANNED, starts_at__gte=timezone.now(),
                          starts_at__lt=timezone.now() + timedelta(days=7)).count()
    makeups = Makeup.objects.filter(subtree_q(org.path, field="meeting__org__path"), state=Makeup.State.OPEN).count()
    return [
        {"label": "本月已召开组织生活", "value": held_month, "icon": "ti-calendar-check"},
        {"label": "7 天内待开会议", "value": upcoming, "icon": "ti-calendar-event"},
        {"label": "待补学", "value": makeups, "icon": "ti-book"},
    ]
