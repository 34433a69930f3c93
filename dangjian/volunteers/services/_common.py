"""Small validators shared by the volunteer services (bad input → a clear Chinese DomainError)."""
import re
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from dangjian.core.errors import DomainError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # NUL etc.; PostgreSQL refuses NUL in text
YEARS = (2000, 2100)  # dates of service outside these years are typing errors


def text(value, *, field: str, label: str, max_len: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"{label}应为文字", field=field)
    value = value.strip()
    if CONTROL_RE.search(value):
        raise DomainError(f"{label}不能包含控制字符", field=field)
    if required and not value:
        raise DomainError(f"请填写{label}", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 个字", field=field)
    return value


def phone(value, *, field: str = "phone", label: str = "联系电话") -> str:
    value = text(value, field=field, label=label, max_len=11)
    if value and not MOBILE_RE.match(value):
        raise DomainError(f"{label}应为 11 位中国大陆手机号", field=field)
    return value


def integer(value, *, field: str, label: str, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise DomainError(f"{label}应为整数", field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(f"{label}应为整数", field=field)
    if isinstance(value, float) and value != number:
        raise DomainError(f"{label}应为整数", field=field)
    if not lo <= number <= hi:
        raise DomainError(f"{label}应在 {lo} 到 {hi} 之间", field=field)
    return number


def moment(value, *, field: str, label: str) -> datetime:
    """An aware datetime from a datetime or an ISO string (naive values are Asia/Shanghai)."""
    parsed = value
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    if not isinstance(parsed, datetime):
        raise DomainError(f"{label}格式应为 YYYY-MM-DDTHH:MM", field=field)
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        raise DomainError(f"{label}的年份应在 {YEARS[0]} 到 {YEARS[1]} 之间", field=field)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def day(value, *, field: str, label: str, allow_future: bool = True) -> date:
    parsed = value
    if isinstance(value, str):
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
    if isinstance(parsed, datetime) or not isinstance(parsed, date):
        raise DomainError(f"{label}格式应为 YYYY-MM-DD", field=field)
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        raise DomainError(f"{label}的年份应在 {YEARS[0]} 到 {YEARS[1]} 之间", field=field)
    if not allow_future and parsed > timezone.localdate():
        raise DomainError(f"{label}不能晚于今天", field=field)
    return parsed


def choice(value, *, field: str, label: str, choices, default=None) -> str:
    if value in (None, "") and default is not None:
        return default
    if value not in choices.values:
        raise DomainError(f"{label}取值无效", field=field)
    return value


def is_self(actor, member) -> bool:
    return member is not None and member.user_id is not None and member.user_id == getattr(actor, "pk", None)
