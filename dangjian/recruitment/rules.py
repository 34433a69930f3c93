"""发展党员 rules as pure functions (RULES.md §1). No database: the caller passes the history,
today's date, the working-day overrides and the facts about the people a step names.

- replay(entries) → State: what the recorded steps established (stage, anchors, rounds).
- window(state, code) → Window (earliest / latest / hard limit) or Blocked (why not, with its rule).
- evaluate(entries, today=…) → Evaluation: allowed steps with their dates, violations, warnings.
- validate_step(state, code, on, data, …) → Checked: cleaned data, lateness, warnings; or DomainError.
"""
from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from dangjian.core.errors import DomainError
from dangjian.core.workdays import add_working_days
from dangjian.members.rules import eighteenth_birthday

from .fields import clean_data
from .steps import (APPROVAL_STEPS, LEAVING_STEPS, R_ACTIVIST_1Y, R_AGE, R_APPROVE_3M, R_ASSESS_6M, R_EXTEND,
                    R_FUTURE, R_INTRODUCERS, R_LEAVING, R_MAJORITY, R_ORDER, R_PROBATION_1Y, R_PUBLICITY,
                    R_QUORUM, R_REVIEW, R_SPONSORS, R_TALK_1M, R_TRAIN_3D, R_VOTERS, R_WRITTEN, STEP_BY_CODE,
                    STEPS, VOTE_STEPS, label)

ONE_DAY = timedelta(days=1)
TALK_MONTHS = 1            # R-TALK-1M: 一个月内派人谈话 (细则 §7)
ASSESS_MONTHS = 6          # R-ASSESS-6M: 每半年考察一次 (细则 §13, §30)
ACTIVIST_YEARS = 1         # R-ACTIVIST-1Y: 一年以上培养教育 (细则 §14)
PUBLICITY_WORKDAYS = 5     # R-PUBLICITY ⚙: 公示不少于 5 个工作日 (default; a committee may set more)
APPROVE_MONTHS, APPROVE_MAX_MONTHS = 3, 6   # R-APPROVE-3M: 三个月内审批，特殊情况可延长，最长不超过六个月 (细则 §26)
PROBATION_YEARS = 1        # R-PROBATION-1Y: 预备期为一年 (党章 §7)
EXTEND_MIN_MONTHS, EXTEND_MAX_MONTHS = 6, 12   # R-EXTEND: 延长预备期不能少于半年，最长不超过一年 (党章 §7)
LEAVING_MONTHS = 3         # R-LEAVING: 三个月内将离开工作单位的，一般不办理接收 (细则 §22)
TRAIN_DAYS, TRAIN_HOURS = 3, 24   # R-TRAIN-3D: 集中培训不少于三天或 24 个学时 (细则 §20)
SPONSORS_MIN, SPONSORS_MAX = 1, 2  # R-SPONSORS: 一至两名正式党员 (细则 §12)
INTRODUCERS = 2            # R-INTRODUCERS: 两名正式党员 (党章 §5)
CLOSED_LABELS = {"completed": "完成", "cancelled": "终止（已取消预备党员资格）", "rejected": "终止（上级党委未批准）"}


# --- Calendar arithmetic ----------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month when it has no such day
    (R-TALK-1M's end-of-month rule, used for every month and year period: 31 Jan + 1 → 28/29 Feb)."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def add_years(day: date, years: int) -> date:
    """Same date `years` later; 29 Feb → 28 Feb in a common year (R-PROBATION-1Y, R-ACTIVIST-1Y): what
    add_months(day, 12 * years) gives, without its month arithmetic (synthetic data calls this millions of times)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def publicity_ok(start: date, end: date, *, workdays: int = PUBLICITY_WORKDAYS, overrides=None) -> bool:
    """R-PUBLICITY: the period [start, end] holds at least `workdays` 工作日 (working-day calendar)."""
    return end >= add_working_days(start - ONE_DAY, workdays, overrides=overrides)


def publicity_min_end(start: date, *, workdays: int = PUBLICITY_WORKDAYS, overrides=None) -> date:
    """The earliest end date of a 公示 starting on `start` (its `workdays`-th working day)."""
    return add_working_days(start - ONE_DAY, workdays, overrides=overrides)


def vote_result(*, entitled: int, present: int, votes_for: int, against: int, abstain: int,
                written: int = 0) -> bool:
    """Check a vote's arithmetic and quorum; return whether it passed (R-QUORUM, R-MAJORITY, R-WRITTEN).

    Raises DomainError when the counts don't add up or the quorum is missed (the vote is invalid).
    """
    for name, value in (("entitled", entitled), ("present", present), ("for", votes_for),
                        ("against", against), ("abstain", abstain), ("written", written)):
        if value < 0:
            raise DomainError("票数和人数不能为负数", rule=R_MAJORITY, field=name)
    if entitled < 1:
        raise DomainError("应到有表决权的正式党员数至少为 1", rule=R_QUORUM, field="entitled")
    if present > entitled:
        raise DomainError(f"实到人数（{present}）不能超过应到人数（{entitled}）", rule=R_QUORUM, field="present")
    if votes_for + against + abstain != present:
        raise DomainError(f"赞成、反对、弃权票之和（{votes_for + against + abstain}）须等于实到人数（{present}）",
                          rule=R_MAJORITY, field="for")
    if written > present:
        raise DomainError("书面表决人数不能超过实到人数（书面表决计入实到人数）", rule=R_WRITTEN, field="written")
    # R-QUORUM (细则 §25): 有表决权的到会人数超过应到会有表决权人数的半数
    if not present * 2 > entitled:
        raise DomainError(f"到会有表决权的党员（{present}）未超过应到人数（{entitled}）的半数，会议无效",
                          rule=R_QUORUM, field="present")
    # R-MAJORITY: 赞成人数超过应到会有表决权的正式党员的半数 (of the entitled, not of those present)
    return votes_for * 2 > entitled


def can_approve(*, org_kind: str, unit_kind: str | None) -> bool:
    """R-APPROVER: only a 党委 approves admissions; a 党总支 or a 村/社区党委 only 审议 (细则 §26)."""
    return org_kind == "committee" and unit_kind not in ("village", "community")


# --- Replaying a history ----------------------------------------------------------------------

@dataclass
class Entry:
    """One effective recorded step (voided entries and void markers are left out by the caller)."""

    step: str
    date: date
    data: Mapping = field(default_factory=dict)
    is_late: bool = False
    late_reason: str = ""
    id: int | None = None

    @property
    def passed(self) -> bool:
        return bool(self.data.get("passed") if self.step not in APPROVAL_STEPS else self.data.get("approved"))


@dataclass
class State:
    entries: list[Entry] = field(default_factory=list)
    last: dict[str, Entry] = field(default_factory=dict)
    stage: str | None = None
    closed: str = ""                          # "", "completed", "cancelled", "rejected"
    applied_on: date | None = None
    activist_on: date | None = None
    last_activist_assessment: date | None = None
    review_passed: bool | None = None
    publicity_to: date | None = None
    admission: Entry | None = None            # the passed admission vote (step 15)
    failed_vote_on: date | None = None        # last failed vote of the current round (15 or 23)
    admitted_on: date | None = None           # step 17 approved
    probation_end: date | None = None         # R-PROBATION-1Y (+ R-EXTEND)
    extended_months: int = 0
    last_probation_assessment: date | None = None
    round_start: date | None = None           # approval of an extension: a new conversion round starts
    round_application: Entry | None = None    # step 22 of the current round
    round_vote: Entry | None = None           # passed step 23 of the current round, awaiting step 24
    converted_on: date | None = None
    full_on: date | None = None

    @property
    def joined_on(self) -> date | None:
        """入党日期: the admission vote's date, once the upper committee approved (RULES.md §1)."""
        return self.admission.date if self.admission and self.admitted_on else None


def replay(entries: Sequence[Entry]) -> State:
    """What the effective history established, in recording order."""
    s = State(entries=list(entries))
    for e in entries:
        code = e.step
        s.last[code] = e
        if code == "application":
            s.stage, s.applied_on = "applicant", e.date
        elif code == "activist_recommendation":
            s.stage, s.activist_on = "activist", e.date
        elif code == "activist_assessment":
            s.last_activist_assessment = e.date
        elif code == "candidate_designation":
            s.stage = "candidate"
        elif code == "political_review":
            s.review_passed = e.passed
        elif code == "pre_review":
            s.publicity_to = _as_date(e.data.get("publicity_to"))
        elif code == "admission_vote":
            if e.passed:
                s.admission, s.failed_vote_on = e, None
            else:
                s.failed_vote_on = e.date
        elif code == "admission_approval":
            if e.passed:
                s.stage, s.admitted_on = "probationary", e.date
                s.probation_end = add_years(s.admission.date, PROBATION_YEARS)
            else:
                s.closed = "rejected"
        elif code == "probation_assessment":
            s.last_probation_assessment = e.date
        elif code == "conversion_application":
            s.round_application = e
        elif code == "conversion_vote":
            if e.passed:
                s.round_vote, s.failed_vote_on = e, None
            else:
                s.failed_vote_on = e.date
        elif code == "conversion_approval":
            _apply_conversion(s, e)
        elif code == "archiving":
            s.closed = "completed"
    return s


def _apply_conversion(s: State, e: Entry) -> None:
    vote = s.round_vote
    s.round_vote = None
    if not e.passed:  # not approved: the branch may hold a new vote in the same round
        s.failed_vote_on = e.date
        return
    outcome = vote.data.get("outcome") if vote else "convert"
    if outcome == "convert":
        s.stage, s.converted_on = "full", e.date
        # 转正日期 is the day the probation ends (RULES.md §1), whenever the approval came.
        s.full_on = s.probation_end
    elif outcome == "extend":
        months = int(vote.data.get("extension_months") or EXTEND_MIN_MONTHS)
        s.extended_months = months
        s.probation_end = add_months(s.probation_end, months)  # R-EXTEND
        s.round_start, s.round_application = e.date, None
    elif outcome == "cancel":
        s.closed = "cancelled"


def _as_date(value) -> date | None:
    if isinstance(value, date) or value is None:
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


# --- Windows: when may each step be recorded ---------------------------------------------------

@dataclass
class Window:
    step: str
    earliest: date | None = None
    latest: date | None = None          # deadline; later only with a late_reason (shown as late)
    hard_latest: date | None = None     # never after this, whatever the reason
    earliest_rule: str = R_ORDER
    latest_rule: str = ""
    due_on: date | None = None          # when it falls due (for reminders): the deadline, or a ripe date

    @property
    def num(self) -> int:
        return STEP_BY_CODE[self.step].num


@dataclass
class Blocked:
    detail: str
    rule: str = R_ORDER


def _satisfied(s: State, code: str) -> bool:
    """Whether prerequisite `code` is done in the sense later steps need (votes passed, approvals granted)."""
    if code == "political_review":
        return s.review_passed is True
    if code == "admission_vote":
        return s.admission is not None
    if code == "admission_approval":
        return s.admitted_on is not None
    if code == "conversion_application":
        return s.round_application is not None
    if code == "conversion_vote":
        return s.round_vote is not None
    if code == "conversion_approval":
        return s.converted_on is not None
    return code in s.last


def _max(*days: date | None) -> date | None:
    present = [d for d in days if d is not None]
    return max(present) if present else None


def _d(s: State, code: str) -> date | None:
    e = s.last.get(code)
    return e.date if e else None


def _after_prereqs(s: State, code: str) -> date | None:
    return _max(*(_d(s, p) for p in STEP_BY_CODE[code].prereqs))


def window(s: State, code: str) -> Window | Blocked:
    """When `code` may be recorded next, or why it may not (RULES.md §1, rule by rule)."""
    step = STEP_BY_CODE[code]
    if s.closed:
        return Blocked(f"发展流程已{CLOSED_LABELS[s.closed]}，不能再记录步骤")
    if code == "application":
        return Blocked("已递交入党申请书") if s.applied_on else Window(code, earliest_rule=R_AGE)
    if s.converted_on and code in ("probation_assessment", "conversion_application", "conversion_vote",
                                   "conversion_approval"):
        return Blocked("已批准转为正式党员")
    missing = [p for p in step.prereqs if not _satisfied(s, p)]
    if missing:
        first = missing[0]
        if first == "political_review" and s.review_passed is False:
            return Blocked("政治审查结论为不合格，不能进入支部委员会审查", R_REVIEW)
        if first in VOTE_STEPS and s.failed_vote_on and first in s.last:
            return Blocked(f"{label(first)}未获通过，须重新表决", R_MAJORITY)
        return Blocked(f"须先完成{label(first)}")
    if not step.repeatable and code in s.last and code not in ("conversion_application", "conversion_approval"):
        return Blocked(f"已记录{label(code)}，不能重复记录（如有错误请作废后重新记录）")
    earliest = _after_prereqs(s, code)
    w = Window(code, earliest=earliest)

    if code == "application_talk":  # R-TALK-1M
        w.latest, w.latest_rule = add_months(s.applied_on, TALK_MONTHS), R_TALK_1M
    elif code in ("sponsors_assigned", "activist_assessment") and "candidate_designation" in s.last:
        return Blocked("已确定为发展对象，入党积极分子阶段的步骤已结束")
    elif code == "sponsors_assigned":
        w.earliest = _max(earliest, _d(s, code))
    elif code == "activist_assessment":  # R-ASSESS-6M
        anchor = s.last_activist_assessment or s.activist_on
        prev = s.last_activist_assessment
        w.earliest = _max(earliest, prev + ONE_DAY if prev else None)
        w.latest, w.latest_rule = add_months(anchor, ASSESS_MONTHS), R_ASSESS_6M
    elif code == "candidate_designation":  # R-ACTIVIST-1Y
        one_year = add_years(s.activist_on, ACTIVIST_YEARS)
        w.earliest = _max(earliest, _d(s, "activist_assessment"), one_year)
        if w.earliest == one_year:
            w.earliest_rule = R_ACTIVIST_1Y
    elif code in ("introducers_assigned", "political_review") and "branch_review" in s.last:
        return Blocked("支部委员会已审查，发展对象考察阶段的步骤已结束")
    elif code == "introducers_assigned":
        w.earliest = _max(earliest, _d(s, code))
    elif code == "political_review":
        if s.review_passed:
            return Blocked("政治审查已合格，不能重复记录")
        w.earliest = _max(earliest, _d(s, code))
    elif code == "admission_vote":  # R-PUBLICITY: the vote follows the end of the 公示
        if s.admission:
            return Blocked("支部大会已通过接收，不能重复表决")
        after_publicity = s.publicity_to + ONE_DAY if s.publicity_to else None
        w.earliest = _max(earliest, after_publicity, s.failed_vote_on)
        if after_publicity and w.earliest == after_publicity and (earliest is None or after_publicity > earliest):
            w.earliest_rule = R_PUBLICITY
    elif code == "approval_talk":
        w.earliest = _max(s.admission.date, _d(s, "approval_talk"))
    elif code == "admission_approval":  # R-APPROVE-3M from the vote
        w.earliest = _max(s.admission.date, _d(s, "approval_talk"))
        w.latest, w.latest_rule = add_months(s.admission.date, APPROVE_MONTHS), R_APPROVE_3M
        w.hard_latest = add_months(s.admission.date, APPROVE_MAX_MONTHS)
    elif code == "probation_assessment":  # R-ASSESS-6M during probation, from the probation's start
        if s.converted_on or s.round_application:
            return Blocked("已提出转正申请，预备期考察已结束")
        prev = s.last_probation_assessment
        anchor = _max(s.admission.date, prev)
        w.earliest = _max(s.admitted_on, prev + ONE_DAY if prev else None, s.round_start)
        w.latest, w.latest_rule = add_months(anchor, ASSESS_MONTHS), R_ASSESS_6M
    elif code == "conversion_application":  # R-PROBATION-1Y (+ R-EXTEND)
        if s.converted_on or s.round_application:
            return Blocked("已提出转正申请，不能重复记录")
        w.earliest = _max(s.admitted_on, s.round_start, s.probation_end)
        w.due_on = s.probation_end
        if w.earliest == s.probation_end:
            w.earliest_rule = R_EXTEND if s.extended_months else R_PROBATION_1Y
    elif code == "conversion_vote":
        if s.round_vote:
            return Blocked("支部大会已表决通过，等待上级党委审批")
        w.earliest = _max(s.round_application.date, s.failed_vote_on)
    elif code == "conversion_approval":  # R-APPROVE-3M from the conversion vote
        vote = s.round_vote
        w.earliest = vote.date
        w.latest, w.latest_rule = add_months(vote.date, APPROVE_MONTHS), R_APPROVE_3M
        w.hard_latest = add_months(vote.date, APPROVE_MAX_MONTHS)
    elif code == "archiving":
        w.earliest = s.converted_on
    if w.due_on is None:
        w.due_on = w.latest
    return w


# --- Evaluation -------------------------------------------------------------------------------

@dataclass
class Issue:
    step: str
    rule: str
    kind: str      # overdue, expired, late, blocked, warning
    detail: str

    def as_dict(self) -> dict:
        return {"step": self.step, "rule": self.rule, "kind": self.kind, "detail": self.detail}


@dataclass
class Evaluation:
    state: State
    allowed: list[Window]
    violations: list[Issue]
    warnings: list[Issue]

    @property
    def stage(self) -> str | None:
        return self.state.stage

    @property
    def due(self) -> Window | None:
        """The allowed step falling due first (None when nothing has a due date)."""
        dated = [w for w in self.allowed if w.due_on]
        return min(dated, key=lambda w: (w.due_on, w.num)) if dated else None

    @property
    def deadline(self) -> Window | None:
        """The allowed step whose deadline (latest date) comes first; past it, the person is overdue."""
        dated = [w for w in self.allowed if w.latest]
        return min(dated, key=lambda w: (w.latest, w.num)) if dated else None

    @property
    def next(self) -> Window | None:
        """The step to show as "next": the one due first, else the lowest-numbered step not yet recorded."""
        if self.due:
            return self.due
        fresh = [w for w in self.allowed if w.step not in self.state.last] or self.allowed
        return min(fresh, key=lambda w: w.num) if fresh else None


def evaluate(entries: Sequence[Entry], *, today: date, leaving_on: date | None = None) -> Evaluation:
    """Which steps are allowed now, with their earliest and latest dates, and what is violated."""
    s = replay(entries)
    allowed = [w for w in (window(s, step.code) for step in STEPS) if isinstance(w, Window)]
    violations: list[Issue] = []
    for e in s.entries:
        if e.is_late:
            violations.append(Issue(e.step, _rule_of_deadline(e.step), "late",
                                    f"{label(e.step)}逾期记录：{e.late_reason}"))
    for w in allowed:
        if w.hard_latest and today > w.hard_latest:
            violations.append(Issue(w.step, w.latest_rule, "expired",
                                    f"{label(w.step)}已超过最长期限 {w.hard_latest:%Y-%m-%d}，不能再记录"))
        elif w.latest and today > w.latest:
            violations.append(Issue(w.step, w.latest_rule, "overdue",
                                    f"{label(w.step)}已逾期：应于 {w.latest:%Y-%m-%d} 前完成"))
    if s.review_passed is False and not s.closed:
        violations.append(Issue("political_review", R_REVIEW, "blocked", "政治审查结论为不合格，暂停接收"))
    warnings = [leaving_warning(w.step, max(today, w.earliest or today), leaving_on)
                for w in allowed if w.step in LEAVING_STEPS]
    return Evaluation(state=s, allowed=allowed, violations=violations, warnings=[x for x in warnings if x])


def _rule_of_deadline(code: str) -> str:
    return {"application_talk": R_TALK_1M, "activist_assessment": R_ASSESS_6M, "probation_assessment": R_ASSESS_6M,
            "admission_approval": R_APPROVE_3M, "conversion_approval": R_APPROVE_3M}.get(code, R_ORDER)


def leaving_warning(code: str, on: date, leaving_on: date | None) -> Issue | None:
    """R-LEAVING: a candidate leaving the unit within 3 months should generally not be admitted (warn at 12–15)."""
    if code in LEAVING_STEPS and leaving_on and leaving_on <= add_months(on, LEAVING_MONTHS):
        return Issue(code, R_LEAVING, "warning",
                     f"该发展对象预计于 {leaving_on:%Y-%m-%d} 离开工作单位（三个月内），一般不办理接收手续")
    return None


# --- Validating a new step ---------------------------------------------------------------------

@dataclass
class PersonFacts:
    """What the rules need to know about a person a step names (sponsor, introducer, talker)."""

    id: int
    name: str
    stage: str
    status: str = "normal"


@dataclass
class Checked:
    data: dict
    is_late: bool
    warnings: list[Issue]


def validate_step(s: State, code: str, on: date, data: Mapping, *, today: date, late_reason: str = "",
                  person_id: int | None = None, birth_date: date | None = None,
                  people: Mapping[int, PersonFacts] | None = None, entitled_expected: int | None = None,
                  party_group_ids: set[int] | None = None, leaving_on: date | None = None,
                  publicity_workdays: int = PUBLICITY_WORKDAYS, overrides=None) -> Checked:
    """Check one new step against the history; raise DomainError({detail, rule}) when it breaks a rule."""
    step = STEP_BY_CODE.get(code)
    if step is None:
        raise DomainError(f"未知的发展党员步骤：{code}", field="step")
    if on > today:
        raise DomainError("日期不能晚于今天", rule=R_FUTURE, field="date")
    w = window(s, code)
    if isinstance(w, Blocked):
        raise DomainError(f"不能记录{label(code)}：{w.detail}", rule=w.rule, field="step")
    if w.earliest and on < w.earliest:
        raise DomainError(f"{label(code)}最早可于 {w.earliest:%Y-%m-%d} 记录", rule=w.earliest_rule, field="date")
    if w.hard_latest and on > w.hard_latest:
        raise DomainError(f"{label(code)}最迟须于 {w.hard_latest:%Y-%m-%d} 完成，已超过最长期限，不能记录",
                          rule=w.latest_rule, field="date")
    is_late = bool(w.latest and on > w.latest)
    if is_late and not (late_reason or "").strip():
        raise DomainError(f"{label(code)}应于 {w.latest:%Y-%m-%d} 前完成，逾期记录须填写逾期原因",
                          rule=w.latest_rule, field="late_reason")
    cleaned = clean_data(step, data)
    people = people or {}
    _check_specific(s, code, on, cleaned, person_id=person_id, birth_date=birth_date, people=people,
                    entitled_expected=entitled_expected, party_group_ids=party_group_ids,
                    publicity_workdays=publicity_workdays, overrides=overrides)
    warning = leaving_warning(code, on, leaving_on)
    return Checked(data=cleaned, is_late=is_late, warnings=[warning] if warning else [])


def _check_specific(s: State, code: str, on: date, d: dict, *, person_id, birth_date, people, entitled_expected,
                    party_group_ids, publicity_workdays, overrides) -> None:
    if code == "application":
        if birth_date is None:
            raise DomainError("缺少出生日期，无法核对年龄", rule=R_AGE, field="birth_date")
        adult = eighteenth_birthday(birth_date)
        if on < adult:  # R-AGE: 年满十八岁 (the 18th birthday itself is allowed)
            raise DomainError(f"申请入党时须年满 18 周岁（{adult:%Y-%m-%d} 起）", rule=R_AGE, field="date")
    elif code in ("application_talk", "approval_talk"):
        if not d.get("talker_id") and not d.get("talker_name"):
            raise DomainError("请选择或填写谈话人", field="talker_id")
        if d.get("talker_id"):
            _person(people, d["talker_id"], "谈话人", R_ORDER, "talker_id")
    elif code == "sponsors_assigned":  # R-SPONSORS
        _check_full_members(d["sponsor_ids"], people, person_id, SPONSORS_MIN, SPONSORS_MAX, "培养联系人",
                            R_SPONSORS, "sponsor_ids")
    elif code == "introducers_assigned":  # R-INTRODUCERS
        _check_full_members(d["introducer_ids"], people, person_id, INTRODUCERS, INTRODUCERS, "入党介绍人",
                            R_INTRODUCERS, "introducer_ids")
    elif code == "candidate_training":  # R-TRAIN-3D
        days, hours = d.get("days") or 0, d.get("hours") or 0
        if not days and not hours:
            raise DomainError("请填写培训天数或学时", rule=R_TRAIN_3D, field="days")
        if days < TRAIN_DAYS and hours < TRAIN_HOURS and not d.get("special_reason"):
            raise DomainError("集中培训不少于三天或 24 个学时；不足时须说明特殊情况", rule=R_TRAIN_3D,
                              field="special_reason")
    elif code == "pre_review":  # R-PUBLICITY
        start, end = d["publicity_from"], d["publicity_to"]
        if end < start:
            raise DomainError("公示结束日期不能早于开始日期", rule=R_PUBLICITY, field="publicity_to")
        if start < _d(s, "branch_review"):
            raise DomainError("公示应在支部委员会审查之后开始", rule=R_ORDER, field="publicity_from")
        if not publicity_ok(start, end, workdays=publicity_workdays, overrides=overrides):
            min_end = publicity_min_end(start, workdays=publicity_workdays, overrides=overrides)
            raise DomainError(f"公示不少于 {publicity_workdays} 个工作日：自 {start:%Y-%m-%d} 起最早至 "
                              f"{min_end:%Y-%m-%d}", rule=R_PUBLICITY, field="publicity_to")
    elif code in VOTE_STEPS:
        _check_vote(s, code, d, entitled_expected)
    elif code == "group_assignment":
        group = d.get("party_group_id")
        if group and (party_group_ids is None or group not in party_group_ids):
            raise DomainError("党小组不属于该党员所在的党支部", field="party_group_id")


def _person(people, pid, role, rule, field_name) -> PersonFacts:
    fact = people.get(pid)
    if fact is None:
        raise DomainError(f"{role}（编号 {pid}）不存在或不在您的管理范围内", rule=rule, field=field_name)
    return fact


def _check_full_members(ids, people, person_id, lo, hi, role, rule, field_name) -> None:
    if len(set(ids)) != len(ids):
        raise DomainError(f"{role}不能重复", rule=rule, field=field_name)
    if not lo <= len(ids) <= hi:
        need = f"{lo} 名" if lo == hi else f"{lo}–{hi} 名"
        raise DomainError(f"{role}须为 {need}正式党员（现为 {len(ids)} 名）", rule=rule, field=field_name)
    for pid in ids:
        if pid == person_id:
            raise DomainError(f"{role}不能是本人", rule=rule, field=field_name)
        fact = _person(people, pid, role, rule, field_name)
        if fact.stage != "full":
            raise DomainError(f"{role}须为正式党员：{fact.name}不是正式党员", rule=rule, field=field_name)
        if fact.status != "normal":
            raise DomainError(f"{role}须为党籍状态正常的正式党员：{fact.name}", rule=rule, field=field_name)


def _check_vote(s: State, code: str, d: dict, entitled_expected: int | None) -> None:
    if d.get("entitled") is None:
        if entitled_expected is None:
            raise DomainError("请填写应到有表决权的正式党员数", rule=R_VOTERS, field="entitled")
        d["entitled"] = entitled_expected
    elif entitled_expected is not None and d["entitled"] != entitled_expected and not d.get("entitled_reason"):
        raise DomainError(f"本支部有表决权的正式党员为 {entitled_expected} 名，填写的应到人数不同须说明原因",
                          rule=R_VOTERS, field="entitled_reason")
    if d.get("written") is None:
        d["written"] = 0
    passed = vote_result(entitled=d["entitled"], present=d["present"], votes_for=d["for"], against=d["against"],
                         abstain=d["abstain"], written=d["written"])
    claimed = d.get("passed")
    if claimed is True and not passed:
        raise DomainError(f"赞成票（{d['for']}）未超过应到有表决权党员（{d['entitled']}）的半数，不能记为通过",
                          rule=R_MAJORITY, field="passed")
    if claimed is False and passed:
        raise DomainError("赞成票已超过应到人数的半数，表决结果应为通过", rule=R_MAJORITY, field="passed")
    d["passed"] = passed
    if code == "conversion_vote":
        if d["outcome"] == "extend":  # R-EXTEND
            if s.extended_months:
                raise DomainError("预备期只能延长一次", rule=R_EXTEND, field="outcome")
            months = d.get("extension_months")
            if months is None or not EXTEND_MIN_MONTHS <= months <= EXTEND_MAX_MONTHS:
                raise DomainError("延长预备期不能少于半年（6 个月），最长不超过一年（12 个月）", rule=R_EXTEND,
                                  field="extension_months")
        elif d.get("extension_months") is not None:
            raise DomainError("只有延长预备期才填写延长月数", rule=R_EXTEND, field="extension_months")
