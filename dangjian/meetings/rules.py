"""Rules of organizational life (RULES.md §3), as data plus pure functions.

Nothing here touches the database: selectors gather facts (meetings held, attendance) and these
functions decide. Every rule cites its article id; the tests walk the boundaries.
"""
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

MONTH, QUARTER, YEAR = "month", "quarter", "year"
FREQ_LABELS = {MONTH: "每月", QUARTER: "每季度", YEAR: "每年"}

# Who a requirement applies to: the branch, each party group, the branch committee, each member.
PER_BRANCH, PER_GROUP, PER_COMMITTEE, PER_MEMBER = "branch", "group", "committee", "member"


@dataclass(frozen=True)
class KindRule:
    code: str
    label: str
    rule: str
    freq: str
    per: str
    configurable: bool = False  # ⚙ in RULES.md: a committee may override the frequency


# 条例 §19 and related (RULES.md §3). Frequencies are minimums ("≥ 1 per …").
MEETING_KINDS: dict[str, KindRule] = {
    "assembly": KindRule("assembly", "支部党员大会", "R-MEET-ASSEMBLY", QUARTER, PER_BRANCH),
    # Only for branches with a committee, i.e. ≥ 7 full members (R-COMMITTEE-7).
    "committee": KindRule("committee", "支委会", "R-MEET-COMMITTEE", MONTH, PER_COMMITTEE),
    # One per month for each party group, only where groups exist.
    "group": KindRule("group", "党小组会", "R-MEET-GROUP", MONTH, PER_GROUP),
    # ⚙ no national per-branch number; quarterly is common practice.
    "lecture": KindRule("lecture", "党课", "R-MEET-LECTURE", QUARTER, PER_BRANCH, configurable=True),
    "theme_day": KindRule("theme_day", "主题党日", "R-MEET-THEMEDAY", MONTH, PER_BRANCH),
    "life_meeting": KindRule("life_meeting", "组织生活会", "R-MEET-LIFE", YEAR, PER_BRANCH),
    "review": KindRule("review", "民主评议党员", "R-MEET-REVIEW", YEAR, PER_BRANCH),
}
KIND_CHOICES = [(k.code, k.label) for k in MEETING_KINDS.values()]
# 谈心谈话: each member at least once a year (R-TALK-YEAR); not a meeting, reported beside them.
HEART_TALK = KindRule("heart_talk", "谈心谈话", "R-TALK-YEAR", YEAR, PER_MEMBER)
COMPLIANCE_KINDS = [*MEETING_KINDS, HEART_TALK.code]
KIND_LABELS = {**{k: r.label for k, r in MEETING_KINDS.items()}, HEART_TALK.code: HEART_TALK.label}

COMMITTEE_MIN_FULL = 7  # R-COMMITTEE-7: ≥ 7 full members elect a 支部委员会
CHECKIN_LEAD_MINUTES = 30  # ⚙ sign-in opens 30 minutes before the start (issue 6 default)
CHECKIN_LEAD_MAX = 240
ABSENT_WARNING_MONTHS = 3  # ⚙ R-ABSENT-6M: early warning
ABSENT_CASE_MONTHS = 6  # R-ABSENT-6M (章程 §38): 连续六个月 → a disposal case for a human decision
MAX_DURATION = timedelta(hours=24)


def default_freqs() -> dict[str, str]:
    return {k: r.freq for k, r in MEETING_KINDS.items()}


def has_committee(full_members: int) -> bool:
    """R-COMMITTEE-7: a branch with ≥ 7 full members has a 支部委员会 (and so monthly 支委会)."""
    return full_members >= COMMITTEE_MIN_FULL


# --- Periods: month YYYY-MM, quarter YYYY-Qn, year YYYY (RULES.md §3) ---

def period_key(day: date, freq: str) -> str:
    if freq == MONTH:
        return f"{day.year}-{day.month:02d}"
    if freq == QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if freq == YEAR:
        return f"{day.year}"
    raise ValueError(f"unknown frequency {freq!r}")


@functools.lru_cache(maxsize=4096)  # pure; a county's compliance asks for the same few dozen keys per branch
def period_bounds(key: str) -> tuple[date, date]:
    """First and last day of a period given by its key."""
    if len(key) == 4:
        year = int(key)
        return date(year, 1, 1), date(year, 12, 31)
    year, rest = key.split("-")
    if rest.startswith("Q"):
        first = date(int(year), 3 * (int(rest[1:]) - 1) + 1, 1)
        return first, first + relativedelta(months=3) - timedelta(days=1)
    first = date(int(year), int(rest), 1)
    return first, first + relativedelta(months=1) - timedelta(days=1)


def periods_between(start: date, end: date, freq: str) -> list[str]:
    """Keys of the periods lying wholly inside [start, end], in order."""
    return list(_periods_between(start, end, freq))


@functools.lru_cache(maxsize=1024)  # pure; the same (year, freq) for every branch of a compliance page
def _periods_between(start: date, end: date, freq: str) -> tuple[str, ...]:
    step = {MONTH: 1, QUARTER: 3, YEAR: 12}[freq]
    first, _ = period_bounds(period_key(start, freq))
    keys = []
    while first <= end:
        key = period_key(first, freq)
        lo, hi = period_bounds(key)
        if lo >= start and hi <= end:
            keys.append(key)
        first = first + relativedelta(months=step)
    return tuple(keys)


# --- Quorum and what counts ---

def assembly_quorum_met(*, present: int, entitled: int) -> bool:
    """R-MEET-QUORUM ⚙: more than half of the full members present (`present * 2 > entitled`).

    Members on approved leave count as absent here (they are not "absent without leave" elsewhere).
    """
    return present * 2 > entitled


def meeting_counts(*, kind: str, held: bool, present: int, entitled: int, quorum: bool = True) -> bool:
    """Whether a meeting counts towards compliance: held with a record, and an assembly meets its quorum."""
    if not held:
        return False
    if kind == "assembly" and quorum:
        return assembly_quorum_met(present=present, entitled=entitled)
    return True


@dataclass(frozen=True)
class HeldMeeting:
    """One fact for the compliance function: a meeting of `kind` on `on` that counts (or not)."""

    kind: str
    on: date
    counts: bool = True
    group_id: int | None = None


@dataclass
class KindCompliance:
    kind: str
    rule: str
    freq: str
    applies: bool = True
    required: int = 0
    held: int = 0
    missing_periods: list[str] = field(default_factory=list)
    due_periods: list[str] = field(default_factory=list)  # still open, nothing held yet (reminders)
    groups: dict[int, list[str]] = field(default_factory=dict)  # group meetings: missing periods per group

    def as_dict(self) -> dict:
        out = {"rule": self.rule, "freq": self.freq, "applies": self.applies, "required": self.required,
               "held": self.held, "missing_periods": self.missing_periods, "due_periods": self.due_periods}
        if self.kind == "group":
            out["groups"] = [{"group_id": g, "missing_periods": p} for g, p in self.groups.items()]
        return out


def _split_periods(start: date, end: date, today: date, freq: str, since: date | None) -> tuple[list[str], list[str]]:
    """(closed periods that are required, open periods) inside [start, end].

    A period is required once it has closed (its last day is before today); a period still open is
    only "due". Periods that began before `since` (the branch or group did not exist yet) are skipped.
    """
    closed, open_ = [], []
    for key in periods_between(start, end, freq):
        lo, hi = period_bounds(key)
        if since is not None and lo < since:
            continue
        if hi < today:
            closed.append(key)
        elif lo <= today:
            open_.append(key)
    return closed, open_


def _check(kind: str, rule: str, freq: str, meetings: list[HeldMeeting], *, start: date, end: date,
           today: date, since: date | None) -> KindCompliance:
    closed, open_ = _split_periods(start, end, today, freq, since)
    held_keys = {period_key(m.on, freq) for m in meetings if m.counts}
    result = KindCompliance(kind=kind, rule=rule, freq=freq, required=len(closed))
    result.held = sum(1 for k in closed if k in held_keys)
    result.missing_periods = [k for k in closed if k not in held_keys]
    result.due_periods = [k for k in open_ if k not in held_keys]
    return result


def branch_compliance(*, start: date, end: date, today: date, meetings: Iterable[HeldMeeting],
                      full_members: int, group_ids: Sequence[int] = (), freqs: Mapping[str, str] | None = None,
                      since: date | None = None, group_since: Mapping[int, date] | None = None,
                      ) -> dict[str, KindCompliance]:
    """Required vs. held per kind for one branch over [start, end] (RULES.md §3).

    `missing_periods` lists each closed period without a meeting that counts. A missing meeting is a
    compliance warning with its period, never an invalid state (the texts say 一般).
    """
    freqs = {**default_freqs(), **(freqs or {})}
    by_kind: dict[str, list[HeldMeeting]] = {k: [] for k in MEETING_KINDS}
    for m in meetings:
        if m.kind in by_kind:
            by_kind[m.kind].append(m)
    out: dict[str, KindCompliance] = {}
    for code, kind in MEETING_KINDS.items():
        freq = freqs[code]
        if kind.per == PER_COMMITTEE and not has_committee(full_members):  # R-COMMITTEE-7
            out[code] = KindCompliance(kind=code, rule=kind.rule, freq=freq, applies=False)
        elif kind.per == PER_GROUP:  # R-MEET-GROUP: each group, only where groups exist
            total = KindCompliance(kind=code, rule=kind.rule, freq=freq, applies=bool(group_ids))
            missing: set[str] = set()
            due: set[str] = set()
            for gid in group_ids:
                g_since = max(filter(None, [since, (group_since or {}).get(gid)]), default=None)
                one = _check(code, kind.rule, freq, [m for m in by_kind[code] if m.group_id == gid],
                             start=start, end=end, today=today, since=g_since)
                total.required += one.required
                total.held += one.held
                total.groups[gid] = one.missing_periods
                missing.update(one.missing_periods)
                due.update(one.due_periods)
            total.missing_periods = sorted(missing)
            total.due_periods = sorted(due)
            out[code] = total
        else:
            out[code] = _check(code, kind.rule, freq, by_kind[code], start=start, end=end, today=today, since=since)
    return out


def heart_talk_coverage(*, year: int, today: date, member_ids: Iterable[int], talked_ids: Iterable[int]) -> dict:
    """R-TALK-YEAR: every member on the rolls talked with at least once in the year.

    The year is missing once it has closed with someone not talked with; while open it is "due".
    """
    members = set(member_ids)
    missing = sorted(members - set(talked_ids))
    closed = date(year, 12, 31) < today
    return {"rule": HEART_TALK.rule, "freq": YEAR, "applies": bool(members), "required": len(members),
            "held": len(members) - len(missing),
            "missing_periods": [str(year)] if missing and closed else [],
            "due_periods": [str(year)] if missing and not closed and date(year, 1, 1) <= today else [],
            "missing_member_ids": missing}


# --- Sign-in window ---

def checkin_window(*, starts_at: datetime, ends_at: datetime,
                   lead_minutes: int = CHECKIN_LEAD_MINUTES) -> tuple[datetime, datetime]:
    """Sign-in is open from `lead_minutes` ⚙ before the start to the end, both ends included."""
    return starts_at - timedelta(minutes=lead_minutes), ends_at


def checkin_state(*, now: datetime, starts_at: datetime, ends_at: datetime,
                  lead_minutes: int = CHECKIN_LEAD_MINUTES) -> str:
    """"early", "open" or "closed"."""
    opens, closes = checkin_window(starts_at=starts_at, ends_at=ends_at, lead_minutes=lead_minutes)
    if now < opens:
        return "early"
    if now > closes:
        return "closed"
    return "open"


def check_times(*, starts_at: datetime | None, ends_at: datetime | None) -> str | None:
    """A message when the planned times are unusable, else None."""
    if starts_at is None or ends_at is None:
        return "请填写开始和结束时间"
    if ends_at <= starts_at:
        return "结束时间必须晚于开始时间"
    if ends_at - starts_at > MAX_DURATION:
        return "一次会议（活动）不能超过 24 小时，请分次登记"
    return None


# --- R-ABSENT-6M: not attending organizational life ---

def absence_since(records: Iterable[tuple[date, str]]) -> date | None:
    """Start of the trailing run of absences without leave, after the last time present.

    `records` are (meeting date, status) of held meetings the member was expected at. Approved leave
    is a good reason: it neither starts nor breaks a run. None when the member is not in such a run.
    """
    since = None
    for day, status in sorted(records, key=lambda r: r[0]):
        if status == "present":
            since = None
        elif status == "absent" and since is None:
            since = day
    return since


def absence_level(*, since: date | None, today: date, warning_months: int = ABSENT_WARNING_MONTHS,
                  case_months: int = ABSENT_CASE_MONTHS) -> str | None:
    """R-ABSENT-6M: "warning" after `warning_months` ⚙, "case" after six months (for a human decision).

    Never removes anyone: the result only raises a warning or proposes a case.
    """
    if since is None:
        return None
    if since + relativedelta(months=case_months) <= today:
        return "case"
    if since + relativedelta(months=warning_months) <= today:
        return "warning"
    return None


def attendance_rate(*, present: int, expected: int) -> float | None:
    """Share of expected attendances where the member was present (None when nothing was expected)."""
    if expected <= 0:
        return None
    return round(present / expected, 4)


# --- House decisions (not in the national texts) ---
MAKEUP_DAYS = 30  # a 补学 task is due 30 days after the meeting was recorded
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # = DATA_UPLOAD_MAX_MEMORY_SIZE
# Allowed attachments: photos, PDF, Word/Excel. What a file really is (parsed images, OOXML zips without macros or
# bombs, OLE2 magic) is checked by core.files.validate_upload, the one check every upload goes through.
ATTACHMENT_TYPES = {".jpg", ".jpeg", ".png", ".pdf", ".docx", ".xlsx", ".doc", ".xls"}


def check_attachment(upload) -> str:
    """The attachment's lower-case extension, or DomainError (field "file") when it is not an allowed type by
    content, is empty or is over MAX_ATTACHMENT_BYTES."""
    from dangjian.core.files import validate_upload

    return validate_upload(upload, allowed=ATTACHMENT_TYPES, max_bytes=MAX_ATTACHMENT_BYTES, field="file")


# --- 民主评议党员 (R-MEET-REVIEW, RULES §7) ---
# Grades are local practice (RULES §7); the set is fixed here, a quota on 优秀 is ⚙ per committee.
REVIEW_GRADES = {"excellent": "优秀", "qualified": "合格", "basically_qualified": "基本合格", "unqualified": "不合格"}
REVIEW_GRADE_CHOICES = list(REVIEW_GRADES.items())
EXCELLENT_CAP_DEFAULT = None  # ⚙ RULES §7: no quota on 优秀 by default
RECTIFY_DEFAULT_MONTHS = 6  # house default for the 限期改正 of a 不合格 member; the ladder allows ≤ 1 year (§7)


def excellent_cap(*, graded: int, cap_percent: int | None) -> int | None:
    """Most 优秀 grades allowed among `graded` members: ⌊graded × cap% ⌋ ("不超过" the share), None = no quota.

    RULES §7 ⚙: the quota is the committee's choice; rounding down keeps the share at or below the cap.
    """
    if cap_percent is None:
        return None
    return graded * cap_percent // 100


def check_review_grades(grades: Iterable[str], *, cap_percent: int | None = None) -> tuple[str, str] | None:
    """(message, field) when a set of grades of one review breaks the rules, else None (RULES §7)."""
    grades = list(grades)
    bad = [g for g in grades if g not in REVIEW_GRADES]
    if bad:
        return "评定等次无效（excellent 优秀、qualified 合格、basically_qualified 基本合格、unqualified 不合格）", "grade"
    cap = excellent_cap(graded=len(grades), cap_percent=cap_percent)
    n = sum(1 for g in grades if g == "excellent")
    if cap is not None and n > cap:
        return (f"评为优秀的党员不能超过参评人数的 {cap_percent}%（{len(grades)} 人中至多 {cap} 人，现有 {n} 人）",
                "grade")
    return None


def rectify_deadline(decided_on: date, months: int = RECTIFY_DEFAULT_MONTHS) -> date:
    """Default end of the 限期改正 opened for a 不合格 grade (RULES §7 ladder: at most one year)."""
    return decided_on + relativedelta(months=months)


# --- Reminders (issue 6 §3, house decisions) ---
DUE_REMINDER_DAYS = 7  # remind the branch this many days before a period closes with a required meeting not held
NOTICE_DAYS = 3  # notice to attendees when a planned meeting starts within this many days
TALK_REMINDER_FROM = (12, 1)  # R-TALK-YEAR: from 1 December, remind about members not yet talked with


def period_closing_soon(key: str, today: date, days: int = DUE_REMINDER_DAYS) -> bool:
    """The period is open today and closes within `days` days (its last day included)."""
    lo, hi = period_bounds(key)
    return lo <= today <= hi and (hi - today).days < days


def week_start(day: date) -> date:
    """Monday of the week containing `day` (每周工作提示 are per week)."""
    return day - timedelta(days=day.weekday())
