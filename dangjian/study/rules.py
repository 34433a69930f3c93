"""Study rules (RULES.md §5, 教育条例 2019) as data plus pure functions."""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

MEMBER_MIN_HOURS = Decimal("32.00")  # R-STUDY-32: every member ≥ 32 学时 a year
LEADER_MIN_HOURS = Decimal("56.00")  # R-STUDY-56: secretaries and committee members ≥ 56 学时 a year ⚙
ONLINE_MINUTES_PER_HOUR = 60     # RULES §5 Decision: online study credited in real hours ⚙
CLASSROOM_MINUTES_PER_HOUR = 45  # RULES §5: one 学时 = 45 minutes in training practice (courses enter 学时)
PROGRESS_GRACE_SECONDS = 10      # network and timer slack allowed when checking progress against the clock
MAX_MATERIAL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Policy:
    member_hours: Decimal = MEMBER_MIN_HOURS
    leader_hours: Decimal = LEADER_MIN_HOURS
    leader_needs_training: bool = True
    online_minutes_per_hour: int = ONLINE_MINUTES_PER_HOUR


DEFAULT_POLICY = Policy()


def annual_hours(*, offline_hours: Decimal, online_seconds: int,
                 online_minutes_per_hour: int = ONLINE_MINUTES_PER_HOUR) -> Decimal:
    """学时 of a year: offline hours plus online seconds in hours of content.

    Rounded DOWN to 0.01 so a shown total never overstates what was studied (31.999 shows 31.99, not met).
    """
    online = Decimal(online_seconds) / Decimal(online_minutes_per_hour * 60)
    return (Decimal(offline_hours) + online).quantize(CENT, ROUND_DOWN)


def required_hours(*, is_leader: bool, policy: Policy = DEFAULT_POLICY) -> Decimal:
    return policy.leader_hours if is_leader else policy.member_hours  # R-STUDY-56 / R-STUDY-32


def hours_met(*, hours: Decimal, is_leader: bool, trained: bool, policy: Policy = DEFAULT_POLICY) -> bool:
    """Reaching the minimum counts (32.00 meets R-STUDY-32); leaders also need a concentrated training ⚙."""
    if hours < required_hours(is_leader=is_leader, policy=policy):
        return False
    return not (is_leader and policy.leader_needs_training and not trained)


def shortfall(*, hours: Decimal, is_leader: bool, policy: Policy = DEFAULT_POLICY) -> Decimal:
    return max(Decimal("0.00"), required_hours(is_leader=is_leader, policy=policy) - hours)


def progress_percent(*, hours: Decimal, required: Decimal) -> int:
    if not required:
        return 100
    return min(100, int((hours * HUNDRED / required).to_integral_value(ROUND_DOWN)))


class TooFast(ValueError):
    """Progress claimed faster than real time."""


def credit_progress(*, credited: int, reported: int, duration: int, elapsed_seconds: float) -> int:
    """Seconds to credit now for a reported position (cumulative seconds studied of the material).

    Capped at the material's length; what was already credited is never credited again; the new
    part may not exceed the time that really passed since the last report (plus a small grace).
    """
    target = min(max(0, reported), duration)
    new = target - credited
    if new <= 0:
        return 0
    if new > max(0.0, elapsed_seconds) + PROGRESS_GRACE_SECONDS:
        raise TooFast
    return new


def period_of(day: date, series: str) -> str:
    """指尖党课 are weekly (ISO week, 2025-W07); 学习辅导材料 monthly (2025-03)."""
    if series == "weekly":
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return f"{day.year}-{day.month:02d}"


def check_question(choices, answer) -> str | None:
    if not isinstance(choices, list) or not 2 <= len(choices) <= 8:
        return "每题应有 2 到 8 个选项"
    if any(not isinstance(c, str) or not c.strip() or len(c) > 200 for c in choices):
        return "选项不能为空，且不超过 200 个字"
    if len({c.strip() for c in choices}) != len(choices):
        return "选项不能重复"
    if (not isinstance(answer, list) or not answer or len(set(answer)) != len(answer)
            or any(not isinstance(a, int) or isinstance(a, bool) or not 0 <= a < len(choices) for a in answer)):
        return "正确答案应为一个或多个有效选项的序号"
    return None


def quiz_grade(*, key: dict[int, list[int]], answers: dict[int, list[int]]) -> tuple[int, Decimal]:
    """(correct count, score out of 100, half-up to 0.01). A question is right only if exactly right."""
    correct = sum(1 for qid, right in key.items() if sorted(set(answers.get(qid) or [])) == sorted(right))
    if not key:
        return 0, Decimal("0.00")
    return correct, (Decimal(correct) * HUNDRED / Decimal(len(key))).quantize(CENT, ROUND_HALF_UP)


def quiz_passed(*, score: Decimal, pass_score: Decimal) -> bool:
    return score >= pass_score  # the pass mark itself passes


# --- New secretaries (R-STUDY-56: "New secretaries are trained within half a year of taking office") -----------

NEW_SECRETARY_MONTHS = 6  # R-STUDY-56: within half a year (6 calendar months) of taking office
# Decision: a 党校培训 or 集中轮训 course counts as the training; a 专题辅导 lecture alone does not. The course must end
# on or after the day the secretary took office (training for the office, not before it).
NEW_SECRETARY_COURSE_KINDS = ("party_school", "concentrated")
ON_TIME, LATE, PENDING, OVERDUE = "on_time", "late", "pending", "overdue"
SECRETARY_STATUS_LABELS = {ON_TIME: "已按期培训", LATE: "逾期后培训", PENDING: "待培训", OVERDUE: "逾期未培训"}


def new_secretary_deadline(took_office_on: date) -> date:
    """R-STUDY-56: the last day of the half year: the same date 6 months later (end of month when it has no such
    day: taking office on 31 Aug gives 28/29 Feb)."""
    from dateutil.relativedelta import relativedelta

    return took_office_on + relativedelta(months=NEW_SECRETARY_MONTHS)


def new_secretary_status(*, took_office_on: date, trained_on: date | None, today: date) -> str:
    """Trained on or before the deadline: on time; after it: late. Not trained: pending through the deadline day,
    overdue from the next day."""
    deadline = new_secretary_deadline(took_office_on)
    if trained_on is not None:
        return ON_TIME if trained_on <= deadline else LATE
    return OVERDUE if today > deadline else PENDING
