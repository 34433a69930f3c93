"""Rules of 党员积分 / 先锋指数 as data plus pure functions.

RULES.md has no section for points yet; the ids below (R-POINTS-…) are the ones this app cites in its
errors and tests (proposed as RULES.md §10). Seeds 000 (亮化记分: 加减分标准, 台账, 每季度公开) and 001
(先锋指数考评, 季度排位, 扣分与奖分) are the practice these encode.
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

SCORE_PLACES = Decimal("0.01")
POINTS_MAX = Decimal("1000")  # one entry never moves a score by more than this (typo guard)

# ⚙ Defaults of a committee's scheme (PointScheme); each committee may change them.
DEFAULT_BASE = Decimal("100")           # R-POINTS-INDEX: 基础分
DEFAULT_PERIOD_KIND = "quarter"         # 每季度 (seed 000 每季度公开, seed 001 每季度排位)
DEFAULT_OBJECTION_DAYS = 5              # R-POINTS-OBJECTION: 公示期 5 个工作日 (as R-PUBLICITY)
DEFAULT_WARN_BELOW = Decimal("80")      # R-POINTS-WARN: below this, talk / 限期改正 is suggested
DEFAULT_UNQUALIFIED_BELOW = Decimal("60")  # R-POINTS-WARN: seed 001 不合格党员 line: 限期改正 and up
GRAVE_DEDUCTION = Decimal("-10")        # R-POINTS-WARN: one approved deduction this large is grave on its own
# R-POINTS-STAR: (minimum score, stars), highest first; below the last threshold = 1 star.
DEFAULT_STARS = [(Decimal("115"), 5), (Decimal("108"), 4), (Decimal("100"), 3), (Decimal("90"), 2)]


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """A reporting period: quarter 2026Q3, month 2026-07 or year 2026 (inclusive dates)."""

    kind: str
    label: str
    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def display(self) -> str:
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年度"


_QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-9]\d*)$", re.IGNORECASE)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR_RE = re.compile(r"^(\d{4})$")


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def parse_period(text: str) -> Period:
    """'2026Q3' (or '2026-Q3'), '2026-07', '2026'. Anything else, e.g. '2026Q5', raises PeriodError."""
    text = (text or "").strip()
    m = _QUARTER_RE.match(text)
    if m:
        year, q = int(m.group(1)), int(m.group(2))
        if not 1 <= q <= 4 or year < 1921:
            raise PeriodError(text)
        start = date(year, 3 * q - 2, 1)
        return Period("quarter", f"{year}Q{q}", start, _month_end(year, 3 * q))
    m = _MONTH_RE.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12 or year < 1921:
            raise PeriodError(text)
        return Period("month", f"{year}-{month:02d}", date(year, month, 1), _month_end(year, month))
    m = _YEAR_RE.match(text)
    if m and int(m.group(1)) >= 1921:
        year = int(m.group(1))
        return Period("year", str(year), date(year, 1, 1), date(year, 12, 31))
    raise PeriodError(text)


def period_of(day: date, kind: str = DEFAULT_PERIOD_KIND) -> Period:
    """The period of `kind` that contains `day`."""
    if kind == "quarter":
        return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    if kind == "month":
        return parse_period(f"{day.year}-{day.month:02d}")
    if kind == "year":
        return parse_period(str(day.year))
    raise PeriodError(kind)


def previous_period(period: Period) -> Period:
    return period_of(period.start - timedelta(days=1), period.kind)


def parse_points(value) -> Decimal:
    """A points value: a non-zero Decimal with at most 2 places and |x| ≤ POINTS_MAX."""
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError("分值应为数字")
    if not points.is_finite():
        raise ValueError("分值应为数字")
    if points != points.quantize(SCORE_PLACES):
        raise ValueError("分值最多保留两位小数")
    if points == 0:
        raise ValueError("分值不能为 0：加分填正数，扣分填负数")
    if abs(points) > POINTS_MAX:
        raise ValueError(f"单项分值绝对值不能超过 {POINTS_MAX}")
    return points.quantize(SCORE_PLACES)


def cap_remaining(*, cap: Decimal | None, used: Decimal) -> Decimal | None:
    """R-POINTS-CAP: what is left of a rule's cap in a period (None: no cap).

    `used` is the signed sum of the member's pending and approved entries under the rule's code in the
    period (reversals included); the cap bounds its absolute value, for awards and deductions alike.
    """
    if cap is None:
        return None
    return max(Decimal("0"), cap - abs(used))


def cap_allows(*, cap: Decimal | None, used: Decimal, points: Decimal) -> bool:
    """R-POINTS-CAP: the new entry keeps |used + points| within the cap (reaching it exactly is allowed)."""
    if cap is None:
        return True
    return abs(used + points) <= cap or abs(used + points) < abs(used)


def override_problem(*, parent_points: Decimal, overridable: bool, low: Decimal | None, high: Decimal | None,
                     parent_cap: Decimal | None, points: Decimal, cap: Decimal | None) -> str:
    """R-POINTS-OVERRIDE: why an org may not override an inherited rule this way ('' when it may).

    The override keeps the sign (an award stays an award), its points lie within [low, high] the defining
    committee set, and its cap never exceeds the inherited cap.
    """
    if not overridable:
        return "上级党委规定该积分标准不允许下级调整"
    if (points > 0) != (parent_points > 0):
        return "调整后的分值须与上级标准同为加分或同为扣分"
    if low is not None and points < low:
        return f"调整后的分值不能低于上级规定的下限 {low}"
    if high is not None and points > high:
        return f"调整后的分值不能高于上级规定的上限 {high}"
    if parent_cap is not None and (cap is None or cap > parent_cap):
        return f"每期上限不能超过上级规定的 {parent_cap}"
    return ""


def vanguard_index(*, base: Decimal, weighted_points: Decimal) -> Decimal:
    """R-POINTS-INDEX: 先锋指数 = 基础分 + Σ(类别权重 × 本期已审核通过的加减分), to the hundredth."""
    return (base + weighted_points).quantize(SCORE_PLACES, ROUND_HALF_UP)


def branch_score(*, base: Decimal, own_points: Decimal, member_points_total: Decimal, members: int) -> Decimal:
    """R-POINTS-RANK: a branch's score = its own entries + the average index of its members on the rolls.

    The average keeps a big branch from winning by size. A branch with no member on the rolls counts the
    base as its average (neither rewarded nor punished for being empty).
    """
    average = base + (member_points_total / members if members else Decimal("0"))
    return (own_points + average).quantize(SCORE_PLACES, ROUND_HALF_UP)


def committee_score(*, base: Decimal, own_points: Decimal, branch_scores: list[Decimal]) -> Decimal:
    """R-POINTS-RANK: a committee likewise: its own entries + the average of its branches' scores."""
    average = sum(branch_scores, Decimal("0")) / len(branch_scores) if branch_scores else base
    return (own_points + average).quantize(SCORE_PLACES, ROUND_HALF_UP)


def competition_ranks(scores: list[Decimal]) -> list[int]:
    """R-POINTS-RANK: standard competition ranking of scores already sorted high to low: ties share
    a rank and the next rank skips (100, 100, 90 → 1, 1, 3). Scores compare at 0.01."""
    ranks: list[int] = []
    previous = None
    for i, score in enumerate(scores):
        rounded = Decimal(score).quantize(SCORE_PLACES, ROUND_HALF_UP)
        if previous is not None and rounded > previous:
            raise ValueError("scores must be sorted high to low")
        ranks.append(ranks[-1] if previous is not None and rounded == previous else i + 1)
        previous = rounded
    return ranks


def star_level(score: Decimal, thresholds=None) -> int:
    """R-POINTS-STAR: 星级 from (minimum score, stars) thresholds, highest first; reaching a threshold counts."""
    for minimum, stars in thresholds or DEFAULT_STARS:
        if score >= Decimal(str(minimum)):
            return int(stars)
    return 1


def objection_open(*, published_on: date, until: date, today: date) -> bool:
    """R-POINTS-OBJECTION: objections are taken from the day of publication through the window's last
    working day, inclusive (`until` = the N-th working day after publication, from the calendar)."""
    return published_on <= today <= until


def period_locked(*, until: date, today: date, open_objections: int) -> bool:
    """R-POINTS-LOCK: a published period locks once its window has closed and every objection is answered."""
    return today > until and open_objections == 0


def normalize_stars(raw) -> list[tuple[Decimal, int]]:
    """Validate star thresholds [[min, stars], …]: stars 1–5, strictly decreasing minimums."""
    out = []
    for item in raw or []:
        minimum, stars = item
        minimum = Decimal(str(minimum))
        stars = int(stars)
        if not 1 <= stars <= 5:
            raise ValueError("星级应在 1 到 5 之间")
        out.append((minimum, stars))
    out.sort(key=lambda t: t[0], reverse=True)
    if len({m for m, _ in out}) != len(out):
        raise ValueError("星级门槛分不能重复")
    return out


# --- 三亮一评 and warnings -------------------------------------------------------------------------------

PLEDGE_YEARS_BACK = 5  # R-POINTS-PLEDGE: a pledge is made for this year, next year or the last few years


def pledge_year_problem(*, year: int, today: date) -> str:
    """R-POINTS-PLEDGE: the year of a pledge ('' when acceptable)."""
    if not today.year - PLEDGE_YEARS_BACK <= year <= today.year + 1:
        return f"承诺年度应在 {today.year - PLEDGE_YEARS_BACK} 至 {today.year + 1} 年之间"
    return ""


# R-POINTS-RATING ⚙: 群众评议 grades from the satisfaction score (minimum score, grade), highest first;
# satisfaction = (满意 + 0.5 × 基本满意) / 参评人数 × 100. Grade set as in GLOSSARY (民主评议 grades).
RATING_GRADES = [(Decimal("90"), "excellent"), (Decimal("70"), "qualified"), (Decimal("50"), "basically_qualified")]
RATING_MAX_VOTERS = 10000
# The rule code a grade feeds, when the org's catalog has it in force on the rating day (R-POINTS-RATING).
RATING_RULE_CODES = {"excellent": "PR-A", "qualified": "PR-B", "basically_qualified": "PR-C",
                     "unqualified": "PR-D"}


def rating_score(*, satisfied: int, basically: int, unsatisfied: int) -> Decimal:
    """R-POINTS-RATING: the satisfaction score 0–100 to the hundredth (ValueError on an empty tally)."""
    counts = (satisfied, basically, unsatisfied)
    if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in counts):
        raise ValueError("票数应为不小于 0 的整数")
    total = sum(counts)
    if total == 0:
        raise ValueError("参评人数不能为 0")
    if total > RATING_MAX_VOTERS:
        raise ValueError(f"参评人数不能超过 {RATING_MAX_VOTERS}")
    raw = (Decimal(satisfied) + Decimal(basically) / 2) * 100 / Decimal(total)
    return raw.quantize(SCORE_PLACES, ROUND_HALF_UP)


def rating_grade(score: Decimal) -> str:
    """R-POINTS-RATING: reaching a threshold counts (90.00 is 优秀, 89.99 合格); below 50 不合格."""
    for minimum, grade in RATING_GRADES:
        if score >= minimum:
            return grade
    return "unqualified"


def warning_level(*, score: Decimal, warn_below: Decimal, unqualified_below: Decimal,
                  worst: Decimal | None, grave: Decimal = GRAVE_DEDUCTION) -> str:
    """R-POINTS-WARN: '' (no warning), 'warn' (below the warning line: 谈心谈话), 'grave' (one deduction of
    `grave` or more: 批评教育) or 'unqualified' (below the 不合格 line: 限期改正 and up). Being exactly on a
    line is not below it."""
    if score < unqualified_below:
        return "unqualified"
    if worst is not None and worst <= grave:
        return "grave"
    if score < warn_below:
        return "warn"
    return ""
