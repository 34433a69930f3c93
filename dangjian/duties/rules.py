"""Rules of duties and honors, as data plus pure functions (no database).

The national texts leave these to local practice; each is a default a committee may change (⚙).
"""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


# --- 责任书 (seed 002: 年初颁发党建工作责任书, 明确全年重点任务) ----------------------------------

# ⚙ The items' weights add up to 100 so a pledge's completion reads as a percentage.
PLEDGE_WEIGHT_TOTAL = HUNDRED


def check_pledge_weights(weights: list[Decimal]) -> str | None:
    """None when the weights are valid; else the Chinese reason."""
    if not weights:
        return "责任书至少需要一个责任事项"
    if any(w <= 0 for w in weights):
        return "每个事项的权重必须大于 0"
    total = sum(weights, Decimal(0))
    if total != PLEDGE_WEIGHT_TOTAL:
        return f"各事项权重之和应为 100（当前为 {total.normalize():f}）"
    return None


def pledge_completion(rows: list[tuple[Decimal, int]]) -> Decimal:
    """Weighted completion in % (0.01, half-up) from (weight, percent) per item."""
    total_weight = sum((w for w, _ in rows), Decimal(0))
    if not total_weight:
        return Decimal("0.00")
    done = sum((w * Decimal(p) for w, p in rows), Decimal(0))
    return (done / total_weight).quantize(CENT, ROUND_HALF_UP)


def check_percent(percent) -> str | None:
    if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
        return "完成进度应为 0 到 100 之间的整数"
    return None


# --- 督查 (seed 002: 季度工作督查, 全年三轮督查全覆盖) ------------------------------------------

QUARTERS = (1, 2, 3, 4)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def rectification_is_overdue(*, state: str, deadline: date, today: date) -> bool:
    """Overdue: still being rectified after its deadline day (the deadline day itself is on time)."""
    return state == "open" and today > deadline


def days_overdue(*, deadline: date, today: date) -> int:
    return max(0, (today - deadline).days)


def rectification_was_late(*, deadline: date, completed_on: date | None) -> bool:
    return completed_on is not None and completed_on > deadline


# --- 述职评议 (seed 002: 年底述职评议, 三级联述联评联考) ----------------------------------------

GRADES = [("good", "好"), ("fairly_good", "较好"), ("average", "一般"), ("poor", "差")]
GRADE_LABELS = dict(GRADES)
# ⚙ Minimum share of the maximum total (in %) for 好 / 较好 / 一般; below the last: 差.
DEFAULT_THRESHOLDS = (Decimal(90), Decimal(80), Decimal(60))


def score_in_range(score: Decimal, max_score: Decimal) -> bool:
    return Decimal(0) <= score <= max_score and score == score.quantize(CENT)


def report_total(sheets: list[Decimal]) -> Decimal | None:
    """A report's total: the mean of each reviewer's sheet total (0.01, half-up); None if unscored."""
    if not sheets:
        return None
    return (sum(sheets, Decimal(0)) / len(sheets)).quantize(CENT, ROUND_HALF_UP)


def grade_for(*, total: Decimal | None, max_total: Decimal, thresholds=DEFAULT_THRESHOLDS) -> str:
    """Grade code from the share of the maximum; exactly on a threshold earns that grade."""
    if total is None or not max_total:
        return ""
    share = total * HUNDRED / max_total
    for (code, _), minimum in zip(GRADES, thresholds):
        if share >= minimum:
            return code
    return "poor"


def competition_rank(scores: list[tuple[object, Decimal | None]]) -> dict:
    """Standard competition ranking ("1224"): equal scores share a rank, the next rank skips.

    Unscored entries (None) get no rank.
    """
    ranked = sorted((s for s in scores if s[1] is not None), key=lambda s: s[1], reverse=True)
    out, previous, rank = {}, None, 0
    for position, (key, score) in enumerate(ranked, start=1):
        if score != previous:
            rank, previous = position, score
        out[key] = rank
    return out


# --- 党建指导员 五必 (seed 004, 瓜州县柳园镇) ---------------------------------------------------

DEFAULT_CHECKLIST = {
    "know": ["所包抓党支部基本情况必知", "班子状况、思想动态必知", "困难党员、致富典型必知",
             "发展规划、工作重点必知", "社情民意、致富信息必知"],
    "attend": ["召开重要会议必到", "推进重点工作必到", "解决难点问题必到", "化解重大矛盾纠纷必到", "处置突发事件必到"],
    "visit": ["致富能人必访", "老党员、老干部必访", "孤寡弱残群体必访", "生活困难群众必访", "计生、信访、综治等重点对象必访"],
    "handle": ["党支部中心工作高效办", "急务要务倾力办", "热点难点主动办", "特殊问题灵活办", "涉及多部门的问题协调办"],
}


def coverage_percent(covered: int, total: int) -> Decimal:
    """Share covered in % (0.01, half-up); 0 when there is nothing to cover."""
    if not total:
        return Decimal("0.00")
    return (Decimal(covered) * HUNDRED / Decimal(total)).quantize(CENT, ROUND_HALF_UP)


# --- 党小组长责任清单 (seed 001: 推行党小组长责任清单制管理; 固定党日活动、卫生保洁、河道养护、党员日常教育培训
# 纳入党小组长责任区域, 对照职责抓管理、抓考核) --------------------------------------------------------------

# ⚙ The default list a committee starts from (seed 001's four duties plus the 党小组会 of RULES §3 R-MEET-GROUP).
DEFAULT_GROUP_DUTIES = [("month", "组织召开党小组会（每月至少 1 次，R-MEET-GROUP）"), ("month", "组织小组党员参加固定党日活动"),
                        ("month", "责任区域卫生保洁"), ("month", "责任河道巡查养护"),
                        ("quarter", "党员日常教育培训（集中学习、送学上门）"), ("year", "联系走访小组内困难党员、老党员")]
FREQUENCY_LABELS = {"month": "每月", "quarter": "每季度", "year": "每年"}
GROUP_DUTY_MAX_ITEMS = 30


def duty_period_of(frequency: str, day: date) -> str:
    """The period a day falls in, in RULES §3's notation: month 2025-03, quarter 2025-Q1, year 2025."""
    if frequency == "month":
        return f"{day.year}-{day.month:02d}"
    if frequency == "quarter":
        return f"{day.year}-Q{quarter_of(day)}"
    return f"{day.year}"


def duty_periods(frequency: str, year: int) -> list[str]:
    if frequency == "month":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    if frequency == "quarter":
        return [f"{year}-Q{q}" for q in QUARTERS]
    return [f"{year}"]


def period_start(period: str) -> date | None:
    """First day of a period code; None when the code is malformed."""
    import re

    m = re.fullmatch(r"(\d{4})(?:-(?:(\d{2})|Q([1-4])))?", period or "")
    if not m:
        return None
    year = int(m.group(1))
    if m.group(2):
        month = int(m.group(2))
        return date(year, month, 1) if 1 <= month <= 12 else None
    if m.group(3):
        return date(year, (int(m.group(3)) - 1) * 3 + 1, 1)
    return date(year, 1, 1)


def period_end(period: str) -> date | None:
    from dateutil.relativedelta import relativedelta

    start = period_start(period)
    if start is None:
        return None
    if "Q" in period:
        return start + relativedelta(months=3, days=-1)
    if "-" in period:
        return start + relativedelta(months=1, days=-1)
    return date(start.year, 12, 31)


def periods_due(frequency: str, year: int, *, on: date) -> list[str]:
    """The periods of the list's year that have begun by `on` (the current one included): what is due so far."""
    return [p for p in duty_periods(frequency, year) if period_start(p) <= on]


def check_duty_record(*, frequency: str, period: str, year: int, done_on: date, today: date) -> str | None:
    """None when a completion may be recorded; else the Chinese reason.

    The period must be one of the item's periods in the list's year and have begun; the completion date lies in the
    period (or, for a late entry, after it), never before it and never in the future."""
    if period not in duty_periods(frequency, year):
        return f"周期应为 {year} 年的{FREQUENCY_LABELS.get(frequency, '')}周期（如 {duty_periods(frequency, year)[0]}）"
    start = period_start(period)
    if start > today:
        return "该周期尚未开始"
    if done_on > today:
        return "完成日期不能晚于今天"
    if done_on < start:
        return "完成日期不能早于该周期的开始"
    return None


# --- 支部工作法 (seed 002: 统一按照 7 个步骤规范支部建设) ---------------------------------------

DEFAULT_WORK_METHOD = "支部工作法（七步法）"
DEFAULT_WORK_STEPS = ["定目标计划", "明责任分工", "严组织生活", "常监督检查", "抓述职评议", "树品牌典型", "建工作台账"]


def check_steps(steps: list[str]) -> str | None:
    cleaned = [s.strip() for s in steps if isinstance(s, str) and s.strip()]
    if len(cleaned) != len(steps) or not cleaned:
        return "步骤不能为空"
    if len(cleaned) > 20:
        return "步骤不能超过 20 个"
    if any(len(s) > 50 for s in cleaned):
        return "每个步骤名称不超过 50 个字"
    if len(set(cleaned)) != len(cleaned):
        return "步骤名称不能重复"
    return None


# --- Photos of brands and honors (house decision: the same bound as the other photo uploads) -----------------

PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".webp"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024


# --- 表彰 (seed 000: 好书记; seed 002: 七一表彰) ------------------------------------------------

AWARD_SUGGESTIONS = ["优秀共产党员", "优秀党务工作者", "先进基层党组织", "好书记", "担当作为好书记",
                     "乡村振兴好书记", "干事创业好班子", "优秀党建指导员"]
PERSON_AWARDS_ONLY = {"优秀共产党员", "优秀党务工作者", "好书记", "担当作为好书记", "乡村振兴好书记", "优秀党建指导员"}
ORG_AWARDS_ONLY = {"先进基层党组织", "干事创业好班子"}


def check_award_subject(award: str, subject: str) -> str | None:
    if subject == "org" and award in PERSON_AWARDS_ONLY:
        return f"“{award}”是个人表彰，对象应为个人"
    if subject == "person" and award in ORG_AWARDS_ONLY:
        return f"“{award}”是组织表彰，对象应为党组织"
    return None


@dataclass(frozen=True)
class YearBounds:
    low: int = 2000
    high_ahead: int = 1  # a plan may be made for next year


def check_year(year: int, *, today: date, bounds: YearBounds = YearBounds()) -> str | None:
    if not isinstance(year, int) or year < bounds.low or year > today.year + bounds.high_ahead:
        return f"年度应在 {bounds.low} 到 {today.year + bounds.high_ahead} 之间"
    return None
