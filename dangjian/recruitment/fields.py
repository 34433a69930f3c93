"""Cleaning the data a step carries (RULES.md §1, last column): types, required items, unknown keys.

Pure: values come from JSON (numbers, lists, booleans) or from HTML forms (strings); the result
is JSON-ready (dates as date objects are turned into ISO strings by the caller when stored).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from dangjian.core.errors import DomainError

from .steps import Step

TEXT_MAX = 200
LONGTEXT_MAX = 2000
INT_MAX = 100000
TRUE = {"true", "1", "on", "yes", "是"}
FALSE = {"false", "0", "off", "no", "否"}


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _int(value, label: str, name: str) -> int:
    if isinstance(value, bool):
        raise DomainError(f"{label}应为整数", field=name)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise DomainError(f"{label}应为整数", field=name)
    if number < 0 or number > INT_MAX:
        raise DomainError(f"{label}超出范围", field=name)
    return number


def _number(value, label: str, name: str) -> int | float:
    if isinstance(value, bool):
        raise DomainError(f"{label}应为数字", field=name)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(f"{label}应为数字", field=name)
    if not number.is_finite() or number < 0 or number > INT_MAX:
        raise DomainError(f"{label}超出范围", field=name)
    number = number.quantize(Decimal("0.1"))
    return int(number) if number == number.to_integral_value() else float(number)


def _bool(value, label: str, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise DomainError(f"{label}应为“是”或“否”", field=name)


def _date(value, label: str, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(f"{label}格式应为 YYYY-MM-DD", field=name)


def _ids(value, label: str, name: str) -> list[int]:
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    if not isinstance(value, (list, tuple)):
        raise DomainError(f"{label}应为党员编号列表", field=name)
    return [_int(v, label, name) for v in value]


def _text(value, label: str, name: str, limit: int) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise DomainError(f"{label}应为文字", field=name)
    text = str(value).strip()
    if len(text) > limit:
        raise DomainError(f"{label}不能超过 {limit} 个字", field=name)
    return text


def clean_data(step: Step, data: Mapping) -> dict:
    """The step's data, typed; refuses unknown items, missing required ones and bad values (400)."""
    if not isinstance(data, Mapping):
        raise DomainError("步骤数据格式不正确")
    specs = {f.name: f for f in step.fields}
    unknown = sorted(set(data) - set(specs))
    if unknown:
        raise DomainError(f"「{step.label}」不包含这些数据项：{', '.join(unknown)}", field=unknown[0])
    out: dict = {}
    for name, spec in specs.items():
        value = data.get(name)
        if _empty(value):
            if spec.required:
                raise DomainError(f"请填写「{spec.label}」", field=name)
            continue
        kind = spec.kind
        if kind in ("int", "member", "group", "org"):
            out[name] = _int(value, spec.label, name)
        elif kind == "number":
            out[name] = _number(value, spec.label, name)
        elif kind == "bool":
            out[name] = _bool(value, spec.label, name)
        elif kind == "date":
            out[name] = _date(value, spec.label, name)
        elif kind == "members":
            out[name] = _ids(value, spec.label, name)
            if spec.required and not out[name]:
                raise DomainError(f"请选择「{spec.label}」", field=name)
        elif kind == "choice":
            allowed = [c for c, _ in spec.choices]
            if value not in allowed:
                raise DomainError(f"「{spec.label}」取值无效：{value}", field=name)
            out[name] = value
        else:
            out[name] = _text(value, spec.label, name, LONGTEXT_MAX if kind == "longtext" else TEXT_MAX)
            if spec.required and not out[name]:
                raise DomainError(f"请填写「{spec.label}」", field=name)
    return out


def to_json(data: Mapping) -> dict:
    """Dates as ISO strings, for storing in a JSONField."""
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
