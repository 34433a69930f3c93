"""Rules of the reports app as data plus pure functions (no database).

Bands of the dashboard and of the year-end statistics, reporting periods, and the field types of a
report task. RULES.md has no section on statistics; the ids cited here (R-STAT-…, R-REPORT-…) are this
app's, proposed as RULES.md §10.
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta

from dangjian.core.errors import DomainError

# --- Bands -------------------------------------------------------------------------------------------

# Dashboard age bands: the roster filter's bands (members.selectors.AGE_BANDS), [lo, hi) in whole years.
AGE_BANDS = [("lt35", "35岁以下", None, 35), ("35-45", "35-45岁", 35, 46), ("46-55", "46-55岁", 46, 56),
             ("56-65", "56-65岁", 56, 66), ("gt65", "66岁及以上", 66, None)]
# R-STAT-AGE: the year-end table's bands (党内统计 年龄 columns), [lo, hi) in whole years at the as-of date.
STAT_AGE_BANDS = [("le30", "30岁及以下", None, 31), ("31-35", "31-35岁", 31, 36), ("36-40", "36-40岁", 36, 41),
                  ("41-45", "41-45岁", 41, 46), ("46-50", "46-50岁", 46, 51), ("51-55", "51-55岁", 51, 56),
                  ("56-60", "56-60岁", 56, 61), ("61-70", "61-70岁", 61, 71), ("71-80", "71-80岁", 71, 81),
                  ("ge81", "81岁及以上", 81, None)]
# 党龄 counts from the full-member date (党章 §7; members.models.Member.party_years); full members only.
PARTY_YEAR_BANDS = [("lt10", "不满10年", None, 10), ("10-29", "10-29年", 10, 30), ("30-49", "30-49年", 30, 50),
                    ("50+", "50年及以上", 50, None)]


def band_cutoffs(bands, on: date) -> list[tuple[str, date | None, date | None]]:
    """(code, born_after, born_on_or_before) per band: age ≥ lo ⇔ born on or before on − lo years;
    age < hi ⇔ born after on − hi years (a 29 Feb birthday turns over on 1 Mar, as years_between)."""
    out = []
    for code, _label, lo, hi in bands:
        out.append((code, on - relativedelta(years=hi) if hi is not None else None,
                    on - relativedelta(years=lo) if lo is not None else None))
    return out


def band_of(born: date, bands, on: date) -> str:
    """The band of a date (birth or full-member date) at `on` — the pure twin of the SQL CASE."""
    for code, after, upto in band_cutoffs(bands, on):
        if (after is None or born > after) and (upto is None or born <= upto):
            return code
    raise AssertionError("bands cover every age")


def labels(bands) -> dict[str, str]:
    return {b[0]: b[1] for b in bands}


def rate(part: int, whole: int) -> float | None:
    """A share in percent with one decimal, half-up (None when the whole is 0)."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP))


# --- Periods -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    kind: str
    code: str
    start: date
    end: date

    @property
    def display(self) -> str:
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年"


_YEAR = re.compile(r"^([0-9]{4})$")
_QUARTER = re.compile(r"^([0-9]{4})-?[Qq]([1-4])$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
YEAR_MIN, YEAR_MAX = 1921, 2100  # the Party was founded in 1921


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def parse_period(text: str) -> Period:
    """'2024' (year), '2024Q2' or '2024-Q2' (quarter), '2024-05' (month). Anything else: DomainError 400."""
    text = (text or "").strip()
    year = None
    if m := _YEAR.match(text):
        year = int(m.group(1))
        result = lambda: Period("year", str(year), date(year, 1, 1), date(year, 12, 31))  # noqa: E731
    elif m := _QUARTER.match(text):
        year, q = int(m.group(1)), int(m.group(2))
        result = lambda: Period("quarter", f"{year}Q{q}", date(year, 3 * q - 2, 1), _month_end(year, 3 * q))  # noqa: E731
    elif (m := _MONTH.match(text)) and 1 <= int(m.group(2)) <= 12:
        year, month = int(m.group(1)), int(m.group(2))
        result = lambda: Period("month", f"{year}-{month:02d}", date(year, month, 1), _month_end(year, month))  # noqa: E731
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise DomainError("期间格式应为 2024、2024Q2 或 2024-05", field="period", rule="R-REPORT-PERIOD")
    return result()


def parse_year(text, *, default: int) -> int:
    """A year from a query string; DomainError (400) on junk."""
    if text in (None, ""):
        return default
    try:
        year = int(str(text).strip())
    except ValueError:
        year = 0
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise DomainError("年度应为 1921 至 2100 之间的四位数字", field="year", rule="R-REPORT-PERIOD")
    return year


# --- Report task fields (R-REPORT-FIELDS) --------------------------------------------------------------

FIELD_TYPES = {"int": "整数", "decimal": "小数", "text": "文本", "date": "日期", "choice": "选项"}
TYPE_ALIASES = {**{v: k for k, v in FIELD_TYPES.items()}, **{k: k for k in FIELD_TYPES}, "数字": "int",
                "金额": "decimal", "单选": "choice"}
MAX_FIELDS = 60
LABEL_MAX = 40
TEXT_MAX = 500
INT_MAX = 10**9


def parse_field_lines(text: str, *, sources: dict[str, str]) -> list[dict]:
    """The template typed as one field per line: 名称|类型|数据来源|选项（、分隔）.

    类型 is 整数, 小数, 文本, 日期 or 选项 (default 整数); 数据来源 a prefill key (see prefill.SOURCES) or empty;
    a label ending in * is required. Errors name the line (DomainError, field "fields").
    """
    out, seen = [], set()
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        raise DomainError("请至少填写一个报表字段", field="fields", rule="R-REPORT-FIELDS")
    if len(lines) > MAX_FIELDS:
        raise DomainError(f"报表字段最多 {MAX_FIELDS} 个", field="fields", rule="R-REPORT-FIELDS")
    for n, line in enumerate(lines, start=1):
        parts = [p.strip() for p in line.split("|")]
        label = parts[0]
        required = label.endswith("*")
        label = label.rstrip("*").strip()
        if not label or len(label) > LABEL_MAX:
            raise DomainError(f"第 {n} 行：字段名称不能为空且不超过 {LABEL_MAX} 个字", field="fields",
                              rule="R-REPORT-FIELDS")
        if label in seen:
            raise DomainError(f"第 {n} 行：字段名称“{label}”重复", field="fields", rule="R-REPORT-FIELDS")
        seen.add(label)
        kind = TYPE_ALIASES.get(parts[1] if len(parts) > 1 and parts[1] else "整数")
        if kind is None:
            raise DomainError(f"第 {n} 行：类型应为整数、小数、文本、日期或选项", field="fields", rule="R-REPORT-FIELDS")
        source = parts[2] if len(parts) > 2 else ""
        if source and source not in sources:
            raise DomainError(f"第 {n} 行：未知的数据来源“{source}”", field="fields", rule="R-REPORT-FIELDS")
        choices = [c.strip() for c in re.split(r"[、,，]", parts[3])] if len(parts) > 3 else []
        choices = [c for c in choices if c]
        if kind == "choice" and len(choices) < 2:
            raise DomainError(f"第 {n} 行：选项类型至少需要两个选项（用、分隔）", field="fields", rule="R-REPORT-FIELDS")
        out.append({"key": f"f{n}", "label": label, "type": kind, "required": required, "source": source,
                    "choices": choices if kind == "choice" else []})
    return out


def field_lines(fields: list[dict]) -> str:
    """The inverse of parse_field_lines (to show a template again)."""
    lines = []
    for f in fields:
        parts = [f["label"] + ("*" if f.get("required") else ""), FIELD_TYPES[f["type"]], f.get("source", "")]
        if f.get("choices"):
            parts.append("、".join(f["choices"]))
        lines.append("|".join(parts).rstrip("|"))
    return "\n".join(lines)


def clean_value(field: dict, raw, *, required: bool):
    """One submitted value, typed and checked. Returns a JSON-ready value ("" when empty); DomainError otherwise."""
    text = "" if raw is None else str(raw).strip()
    label = field["label"]
    if not text:
        if required:
            raise DomainError(f"“{label}”为必填项", field=field["key"], rule="R-REPORT-FIELDS")
        return ""
    kind = field["type"]
    if kind == "int":
        if not re.fullmatch(r"-?[0-9]{1,10}", text) or abs(int(text)) > INT_MAX:
            raise DomainError(f"“{label}”应为整数", field=field["key"], rule="R-REPORT-FIELDS")
        if int(text) < 0:
            raise DomainError(f"“{label}”不能为负数", field=field["key"], rule="R-REPORT-FIELDS")
        return int(text)
    if kind == "decimal":
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or abs(value) > INT_MAX:
            raise DomainError(f"“{label}”应为数字", field=field["key"], rule="R-REPORT-FIELDS")
        return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))  # money: to the fen, half-up
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise DomainError(f"“{label}”应为日期，如 2024-12-31", field=field["key"], rule="R-REPORT-FIELDS")
    if kind == "choice":
        if text not in field.get("choices", []):
            raise DomainError(f"“{label}”应从选项中选择", field=field["key"], rule="R-REPORT-FIELDS")
        return text
    if len(text) > TEXT_MAX:
        raise DomainError(f"“{label}”不超过 {TEXT_MAX} 个字", field=field["key"], rule="R-REPORT-FIELDS")
    return text


def is_overdue(*, deadline: date, submitted_on: date | None, today: date) -> bool:
    """R-REPORT-DEADLINE: not submitted after the deadline day, or submitted after it."""
    if submitted_on is None:
        return today > deadline
    return submitted_on > deadline
