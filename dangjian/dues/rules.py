"""党费 rules as data plus pure functions (RULES.md §4, 党费规定 中组发〔2008〕3号).

Every function here is pure: no database, no clock. Services pass `today` in.
Months are `datetime.date` values on the 1st of the month; the API speaks "YYYY-MM".
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from dangjian.core.money import FEN, to_fen  # DESIGN rule 8; callers use rules.to_fen / rules.FEN

ZERO = Decimal("0.00")


class Category:
    EMPLOYED = "employed"
    RETIRED = "retired"
    FARMER = "farmer"
    STUDENT = "student"
    UNEMPLOYED = "unemployed"
    RELIEF = "relief"
    LOW_INCOME = "low_income"


CATEGORY_LABELS = {
    Category.EMPLOYED: "在职",
    Category.RETIRED: "离退休",
    Category.FARMER: "农民",
    Category.STUDENT: "学生",
    Category.UNEMPLOYED: "下岗失业",
    Category.RELIEF: "依靠抚恤或救济生活",
    Category.LOW_INCOME: "领取最低生活保障金",
}
CATEGORY_CHOICES = list(CATEGORY_LABELS.items())

# R-DUES-BRACKET (党费规定 §1–§2, RULES.md §4): (upper bound inclusive, rate); None = no upper bound.
# The lower bound of each bracket is exclusive: 3000.00 pays 0.5 %, 3000.01 pays 1 %.
BRACKETS = {
    Category.EMPLOYED: [(Decimal("3000"), Decimal("0.005")), (Decimal("5000"), Decimal("0.01")),
                        (Decimal("10000"), Decimal("0.015")), (None, Decimal("0.02"))],
    Category.RETIRED: [(Decimal("5000"), Decimal("0.005")), (None, Decimal("0.01"))],
}
INCOME_CATEGORIES = frozenset(BRACKETS)

# R-DUES-FIXED (党费规定 §3): 学生、下岗失业、依靠抚恤或救济生活、领取最低生活保障金 — 0.20 yuan a month.
FIXED_MONTHLY = Decimal("0.20")
FIXED_CATEGORIES = frozenset({Category.STUDENT, Category.UNEMPLOYED, Category.RELIEF, Category.LOW_INCOME})

# R-DUES-FARMER (党费规定 §3): 农民党员 0.20–1.00 yuan a month, set by the branch ⚙ (default 0.20).
FARMER_MIN = Decimal("0.20")
FARMER_MAX = Decimal("1.00")
FARMER_DEFAULT = Decimal("0.20")

# R-DUES-BACK (RULES.md §4 ⚙): back payment (补交) covers at most 6 past months.
BACK_LIMIT_MONTHS = 6
# R-DUES-ADVANCE (RULES.md §4 ⚙): paying more than a quarter (3 months) in advance is refused.
ADVANCE_LIMIT_MONTHS = 3
# R-DUES-VOLUNTARY-1000 (党费规定 §7): a single voluntary payment ≥ 1000 yuan goes entirely to the Centre.
VOLUNTARY_CENTRE_THRESHOLD = Decimal("1000")
# R-ABSENT-6M (章程 §38, RULES.md §3): warn at 3 consecutive unpaid months ⚙, refer to the branch at 6.
ARREARS_WARN_MONTHS = 3
ARREARS_CASE_MONTHS = 6
# 党章第三十八条: "党员如果没有正当理由，连续六个月不参加党的组织生活，或不交纳党费，或不做党所分配的工作，
# 就被认为是自行脱党。支部大会应当决定把这样的党员除名，并报上级党组织批准。"
ARREARS_ARTICLE = "党章第三十八条"
# R-DUES-BILL-CATCHUP: the monthly job also issues bills missing for up to this many past months.
BILL_CATCHUP_MONTHS = 12

# Sanity bound on money inputs (fits DecimalField(max_digits=12, decimal_places=2)).
MAX_MONEY = Decimal("9999999999.99")


class RuleError(ValueError):
    """A pure rule refused its input; services turn it into DomainError."""

    def __init__(self, message: str, *, rule: str = "", field: str = ""):
        super().__init__(message)
        self.message, self.rule, self.field = message, rule, field


# --- money -------------------------------------------------------------------------------------

def parse_money(raw, *, field: str = "amount", label: str = "金额", allow_none: bool = False) -> Decimal | None:
    """A non-negative amount with at most 2 decimals, from a string or number (never a float's noise)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if allow_none:
            return None
        raise RuleError(f"请填写{label}", field=field)
    if isinstance(raw, bool):
        raise RuleError(f"{label}应为数字", field=field)
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise RuleError(f"{label}应为数字，例如 3500.00", field=field)
    if not value.is_finite():
        raise RuleError(f"{label}应为数字，例如 3500.00", field=field)
    if value < 0:
        raise RuleError(f"{label}不能为负数", field=field)
    if value.as_tuple().exponent < -2:
        raise RuleError(f"{label}最多保留两位小数（到分）", field=field)
    if value > MAX_MONEY:
        raise RuleError(f"{label}超出合理范围", field=field)
    return value.quantize(FEN)


# --- the monthly amount --------------------------------------------------------------------------

def dues_rate(*, category: str, income: Decimal) -> Decimal:
    """R-DUES-BRACKET: the rate for a monthly income (lower bound exclusive, upper inclusive)."""
    for upper, rate in BRACKETS[category]:
        if upper is None or income <= upper:
            return rate
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Quote:
    category: str
    income: Decimal | None
    rate: Decimal | None
    amount: Decimal


def dues_quote(*, category: str, income: Decimal | None = None, farmer_amount: Decimal | None = None) -> Quote:
    """The monthly amount for a category and base (R-DUES-BRACKET, R-DUES-FIXED, R-DUES-FARMER)."""
    if category not in CATEGORY_LABELS:
        raise RuleError(f"党费类别无效：{category}", rule="R-DUES-BRACKET", field="category")
    if category in INCOME_CATEGORIES:
        if income is None:
            raise RuleError("在职、离退休党员须填写月收入（计费基数）", rule="R-DUES-BRACKET", field="income")
        rate = dues_rate(category=category, income=income)
        return Quote(category, income, rate, to_fen(income * rate))
    if category == Category.FARMER:
        amount = FARMER_DEFAULT if farmer_amount is None else farmer_amount
        check_farmer_amount(amount)
        return Quote(category, None, None, to_fen(amount))
    return Quote(category, None, None, FIXED_MONTHLY)


def quote_rule(category: str) -> str:
    """The rule id a bill of this category is computed by (cited on every stored bill)."""
    if category in INCOME_CATEGORIES:
        return "R-DUES-BRACKET"
    return "R-DUES-FARMER" if category == Category.FARMER else "R-DUES-FIXED"


def bill_due(*, amount: Decimal, exemption_amount: Decimal | None) -> Decimal:
    """R-DUES-EXEMPT: an approved hardship exemption lowers the month's due (never raises it)."""
    return amount if exemption_amount is None else min(amount, exemption_amount)


def check_farmer_amount(amount: Decimal) -> None:
    """R-DUES-FARMER: a branch sets 0.20–1.00 yuan (both ends allowed)."""
    if not (FARMER_MIN <= amount <= FARMER_MAX):
        raise RuleError("农民党员月党费应在 0.20 至 1.00 元之间", rule="R-DUES-FARMER", field="farmer_amount")


# --- months ----------------------------------------------------------------------------------------

def month_of(d: date) -> date:
    return d.replace(day=1)


def month_index(m: date) -> int:
    return m.year * 12 + m.month - 1


def month_from_index(i: int) -> date:
    return date(i // 12, i % 12 + 1, 1)


def add_months(m: date, n: int) -> date:
    return month_from_index(month_index(m) + n)


def months_between(start: date, end: date) -> list[date]:
    """Months from start to end inclusive (empty if end < start)."""
    return [month_from_index(i) for i in range(month_index(start), month_index(end) + 1)]


def parse_month(raw, *, field: str = "months") -> date:
    """"YYYY-MM" (or a full ISO date, whose month is taken) → the 1st of that month."""
    text = str(raw or "").strip()
    try:
        if len(text) == 7 and text[4] == "-":
            return date(int(text[:4]), int(text[5:7]), 1)
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return month_of(date.fromisoformat(text))
    except ValueError:
        pass
    raise RuleError(f"月份格式应为 YYYY-MM：{text or '（空）'}", field=field)


def month_label(m: date) -> str:
    return f"{m.year}-{m.month:02d}"


# --- which months a payment may cover -------------------------------------------------------------

@dataclass(frozen=True)
class PaymentWindow:
    """The months a payment recorded today may cover (R-DUES-BACK, R-DUES-ADVANCE)."""

    earliest: date
    latest: date

    def contains(self, m: date) -> bool:
        return self.earliest <= m <= self.latest


def payment_window(*, today: date, back_limit: int = BACK_LIMIT_MONTHS,
                   advance_limit: int = ADVANCE_LIMIT_MONTHS) -> PaymentWindow:
    current = month_of(today)
    return PaymentWindow(add_months(current, -back_limit), add_months(current, advance_limit))


def check_payment_months(*, months: list[date], today: date, start: date | None,
                         back_limit: int = BACK_LIMIT_MONTHS, advance_limit: int = ADVANCE_LIMIT_MONTHS) -> None:
    """Refuse a set of months a payment may not cover. `start` is the first month due (R-DUES-START)."""
    if not months:
        raise RuleError("请选择要交纳的月份", field="months")
    if len(set(months)) != len(months):
        raise RuleError("同一月份在一次交纳中重复出现", rule="R-DUES-ONCE", field="months")
    window = payment_window(today=today, back_limit=back_limit, advance_limit=advance_limit)
    for m in sorted(months):
        if start is None:
            raise RuleError("该党员没有入党日期，无法确定起交月份", rule="R-DUES-START", field="months")
        if m < start:
            raise RuleError(f"{month_label(m)} 早于起交月份 {month_label(start)}（预备党员自支部大会通过之月起交纳）",
                            rule="R-DUES-START", field="months")
        if m > window.latest:
            raise RuleError(f"{month_label(m)} 超出预交期限：最多预交 {advance_limit} 个月（至 {month_label(window.latest)}）",
                            rule="R-DUES-ADVANCE", field="months")
        if m < window.earliest:
            raise RuleError(f"{month_label(m)} 超出补交期限：最多补交前 {back_limit} 个月（自 {month_label(window.earliest)} 起）",
                            rule="R-DUES-BACK", field="months")


def dues_start_month(joined_on: date | None) -> date | None:
    """R-DUES-START: probationary members pay from the month of their admission vote (that month is due)."""
    return month_of(joined_on) if joined_on else None


def voluntary_to_centre(voluntary: Decimal) -> bool:
    """R-DUES-VOLUNTARY-1000: a single voluntary payment of 1000 yuan or more goes entirely to the Centre."""
    return voluntary >= VOLUNTARY_CENTRE_THRESHOLD


# --- arrears ---------------------------------------------------------------------------------------

def consecutive_unpaid(states: list[str]) -> int:
    """Consecutive unpaid months counted backwards from the last element.

    `states` are per-month states oldest → newest (only months that have ended): "due" counts, any
    of "paid", "exempt", "before_start" stops the count, "no_base" (no base set yet) stops it too,
    so a branch that has not set a base does not push a member to R-ABSENT-6M.
    """
    n = 0
    for state in reversed(states):
        if state != "due":
            break
        n += 1
    return n


def arrears_case_open(months: int) -> bool:
    """R-ABSENT-6M (党章第三十八条): a case for the branch at 6 consecutive unpaid months (5 is only a warning)."""
    return months >= ARREARS_CASE_MONTHS


def first_unpaid_month(*, today: date, months: int) -> date | None:
    """The first month of a run of `months` unpaid months ending with the last month that has ended."""
    if months <= 0:
        return None
    return add_months(month_of(today), -months)


def arrears_level(months: int) -> str:
    """R-ABSENT-6M: "" / "warning" (≥ 3 ⚙) / "case" (≥ 6: the branch decides; never automatic removal)."""
    if months >= ARREARS_CASE_MONTHS:
        return "case"
    if months >= ARREARS_WARN_MONTHS:
        return "warning"
    return ""
