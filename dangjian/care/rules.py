"""关怀 rules as data plus pure functions: anniversaries, milestones, greetings, funds.

Sources: seeds 000 (政治生日: card, badge, book, plaque, message; 帮扶基金), 002 (三色生日表: birthday,
join date, work start date; holiday visits to old, ill and laid-off members), 003 (党建经费 per enterprise
branch), 004 (帮扶救助, 大病救助; holiday visits). No database, no clock: callers pass dates.
"""
import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_MONEY = Decimal("9999999999.99")


class Kind:
    BIRTHDAY = "birthday"
    PARTY = "party_anniversary"  # 政治生日 = the join date (step 15, RULES §1)
    WORK = "work_anniversary"


KIND_LABELS = {Kind.BIRTHDAY: "生日", Kind.PARTY: "政治生日", Kind.WORK: "参加工作纪念日"}
KIND_CHOICES = list(KIND_LABELS.items())
# 三色生日表 (seed 002): one colour per date.
KIND_COLOURS = {Kind.BIRTHDAY: "orange", Kind.PARTY: "red", Kind.WORK: "blue"}

# R-CARE-MILESTONE: round-number 政治生日 (入党 10/20/30/40/50 … 周年) get a marker.
MILESTONE_STEP = 10
# R-CARE-MEDAL50: 光荣在党50年 — members who reach 50 years since joining by 1 July of the year ⚙.
MEDAL_YEARS = 50
MEDAL_CUTOFF = (7, 1)
# 建国前老党员: joined before the founding of the PRC (seed 002).
PRC_FOUNDED = date(1949, 10, 1)
# R-CARE-NOTICE ⚙: the daily job lists anniversaries this many days ahead (today included).
NOTICE_DAYS_AHEAD = 3
MAX_WINDOW_DAYS = 366

# Seed 000: "一张政治生日贺卡、一枚党徽、一本红色书籍、一张光荣牌、一条祝福微信".
GIFTS = {"card": "贺卡", "badge": "党徽", "book": "红色书籍", "plaque": "光荣牌", "message": "祝福微信",
         "flowers": "鲜花", "cake": "生日蛋糕", "visit": "上门看望"}

# 慰问 occasions: festivals (seeds 002, 004) and events (五必访: illness, bereavement, hardship …).
OCCASIONS = {
    "spring_festival": "春节", "new_year": "元旦", "party_day": "七一", "double_ninth": "重阳",
    "national_day": "国庆", "mid_autumn": "中秋", "illness": "生病住院", "bereavement": "家有丧事",
    "hardship": "生活困难", "disaster": "意外变故", "other": "其他",
}
# Who is due a visit (seed 002: 建国前入党的老党员、长期患病党员、下岗党员等困难党员; plus retirees living alone).
DUE_REASONS = {
    "veteran": "老党员（党龄50年以上）", "pre_1949": "建国前入党老党员", "in_hardship": "困难党员",
    "ill": "长期患病", "laid_off": "下岗失业", "retired_alone": "离退休独居",
}

GREETING_TEMPLATES = {
    Kind.BIRTHDAY: "{name}同志：今天是您的生日，在这特别的日子里，{org}向您致以生日问候！希望您牢记自己是一名共产党员，"
                   "注重党性修养，践行入党誓词，永葆共产党员的先进本色。",
    Kind.PARTY: "{name}同志：{joined_on}，您光荣加入了中国共产党。那一刻，是您人生道路上的新起点，是您永远难忘的"
                "“政治生日”。今天是您入党{years}周年，党龄{party_years}年，{org}祝您政治生日快乐！愿您不忘初心、牢记使命。",
    Kind.WORK: "{name}同志：{date}是您参加工作{years}周年的日子，感谢您多年来的辛勤付出，{org}向您致以诚挚的问候！",
}
PLACEHOLDERS = ("name", "years", "party_years", "joined_on", "org", "date")
_PLACEHOLDER_RE = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


class RuleError(ValueError):
    def __init__(self, message: str, *, rule: str = "", field: str = ""):
        super().__init__(message)
        self.message, self.rule, self.field = message, rule, field


# --- anniversaries -----------------------------------------------------------------------------

def occurrence(base: date, year: int) -> date:
    """The anniversary of `base` in `year`; 29 February falls on 28 February in a non-leap year."""
    if base.month == 2 and base.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, base.month, base.day)


def occurrences(base: date | None, start: date, end: date) -> list[tuple[date, int]]:
    """(date, years) of each anniversary of base within [start, end], years ≥ 1."""
    if base is None:
        return []
    out = []
    for year in range(max(start.year, base.year + 1), end.year + 1):
        d = occurrence(base, year)
        if start <= d <= end:
            out.append((d, year - base.year))
    return out


def years_between(start: date, end: date) -> int:
    """Whole calendar years (same convention as members.models.years_between)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def party_years_on(*, joined_on: date | None, full_on: date | None, on: date) -> int | None:
    """党龄 on a date, counted as Member.party_years does (from the full-member date, else the join date)."""
    base = full_on or joined_on
    if base is None:
        return None
    return max(0, years_between(base, on))


def is_milestone(kind: str, years: int) -> bool:
    """R-CARE-MILESTONE: 入党 10, 20, 30, 40, 50 … 周年."""
    return kind == Kind.PARTY and years > 0 and years % MILESTONE_STEP == 0


def medal_cutoff(year: int) -> date:
    return date(year, *MEDAL_CUTOFF)


def medal_eligible(joined_on: date | None, year: int) -> bool:
    """R-CARE-MEDAL50: 50 years since joining on or before 1 July of `year` ⚙."""
    return joined_on is not None and years_between(joined_on, medal_cutoff(year)) >= MEDAL_YEARS


def medal_new_in(joined_on: date | None, year: int) -> bool:
    """Reached the 50 years in the twelve months up to this year's cutoff (new on this year's list)."""
    return medal_eligible(joined_on, year) and not medal_eligible(joined_on, year - 1)


def window_days(start: date, end: date) -> None:
    if end < start:
        raise RuleError("截止日期不能早于起始日期", field="to")
    if (end - start).days > MAX_WINDOW_DAYS:
        raise RuleError("查询区间不超过一年", field="to")


# --- greetings ---------------------------------------------------------------------------------

def render_greeting(template: str, context: dict) -> str:
    """Fill {name} {years} {party_years} {joined_on} {org} {date}; nothing else is interpreted
    (no str.format attribute access on a template a secretary typed)."""
    return _PLACEHOLDER_RE.sub(lambda m: str(context.get(m.group(1), "")), template)


def check_template(text: str) -> None:
    for token in re.findall(r"\{([^{}]*)\}", text):
        if token not in PLACEHOLDERS:
            raise RuleError(f"模板占位符无效：{{{token}}}，可用：" + "、".join("{%s}" % p for p in PLACEHOLDERS),
                            field="text")


def check_gifts(gifts) -> list[str]:
    if not isinstance(gifts, (list, tuple)):
        raise RuleError("礼品应为列表", field="gifts")
    bad = [g for g in gifts if g not in GIFTS]
    if bad:
        raise RuleError(f"礼品无效：{'、'.join(map(str, bad))}", field="gifts")
    return list(dict.fromkeys(gifts))


# --- money and funds -------------------------------------------------------------------------------

def parse_money(raw, *, field: str = "amount", label: str = "金额", positive: bool = True) -> Decimal:
    """A non-negative (or positive) amount with at most 2 decimals."""
    if raw is None or isinstance(raw, bool) or (isinstance(raw, str) and not raw.strip()):
        raise RuleError(f"请填写{label}", field=field)
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise RuleError(f"{label}应为数字", field=field)
    if not value.is_finite():
        raise RuleError(f"{label}应为数字", field=field)
    if value < 0 or (positive and value == 0):
        raise RuleError(f"{label}应大于 0" if positive else f"{label}不能为负数", field=field)
    if value.as_tuple().exponent < -2:
        raise RuleError(f"{label}最多保留两位小数（到分）", field=field)
    if value > MAX_MONEY:
        raise RuleError(f"{label}超出合理范围", field=field)
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def check_balance(*, balance: Decimal, amount: Decimal) -> Decimal:
    """R-FUND-BALANCE: a fund's balance can never go negative. Returns the balance after."""
    after = balance - amount
    if after < 0:
        raise RuleError(f"余额不足：当前余额 {balance} 元，支出 {amount} 元", rule="R-FUND-BALANCE", field="amount")
    return after


def needs_approval(*, amount: Decimal, threshold: Decimal | None) -> bool:
    """R-FUND-APPROVAL ⚙: a single disbursement above the fund's threshold needs the upper committee."""
    return threshold is not None and amount > threshold


@dataclass(frozen=True)
class DueReason:
    code: str

    @property
    def label(self) -> str:
        return DUE_REASONS[self.code]


def due_reasons(*, joined_on: date | None, in_hardship: bool, is_retired: bool, ill: bool, laid_off: bool,
                lives_alone: bool, on: date) -> list[DueReason]:
    """Why a member is on the visit list (seed 002): old, ill, laid off, in hardship, retired living alone."""
    codes = []
    if joined_on is not None and years_between(joined_on, on) >= MEDAL_YEARS:
        codes.append("veteran")
    if joined_on is not None and joined_on < PRC_FOUNDED:
        codes.append("pre_1949")
    if in_hardship:
        codes.append("in_hardship")
    if ill:
        codes.append("ill")
    if laid_off:
        codes.append("laid_off")
    if is_retired and lives_alone:
        codes.append("retired_alone")
    return [DueReason(c) for c in codes]
