"""Cell values -> field values: dates in every format offices type, enumerations, ID numbers, phones."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from dangjian.core.idnumber import IdNumberError, looks_like_scientific, validate_id_number

from ..choices import ETHNICITIES, Degree, Education, Stage


class _CellError(ValueError):
    pass


_GENDERS = {"男": "M", "女": "F", "男性": "M", "女性": "F", "M": "M", "F": "F"}
_EDUCATION = {label: value for value, label in Education.choices} | {
    "博士研究生": "postgraduate", "硕士研究生": "postgraduate", "研究生": "postgraduate", "博士": "postgraduate",
    "硕士": "postgraduate", "本科": "bachelor", "大学": "bachelor", "大专": "college", "专科": "college",
    "中专": "secondary", "中技": "secondary", "技校": "secondary", "中等专科": "secondary", "职高": "high_school",
    "高中": "high_school", "初中": "junior", "小学": "junior", "文盲": "junior",
}
_DEGREE = {label: value for value, label in Degree.choices} | {
    "博士学位": "doctor", "硕士学位": "master", "学士学位": "bachelor", "无学位": "none", "-": "none", "/": "none",
}
_STAGE = {label: value for value, label in Stage.choices} | {
    "正式": "full", "正": "full", "预备": "probationary", "预": "probationary", "积极分子": "activist",
    "发展对象": "candidate", "申请人": "applicant",
}
_ETHNICITIES = set(ETHNICITIES)
_DATE_RE = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)"
                      r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_COMPACT_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_RE = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月?)")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial day 0 of the 1900 date system (after Excel's 1900-02-29 bug)


def _text(value) -> str:
    if value.__class__ is str:
        return value  # parse_roster has stripped it
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _lookup(table: dict, label: str, choices):
    allowed = "、".join(choices.labels)

    def convert(value):
        found = table.get(value)
        if found is not None:
            return found
        text = unicodedata.normalize("NFKC", _text(value)).replace(" ", "")
        if text in table:
            return table[text]
        raise _CellError(f"{label}“{_text(value)}”无效，可填：{allowed}")
    return convert


def _gender(value) -> str:
    found = _GENDERS.get(value) or _GENDERS.get(_text(value).upper())
    if found is None:
        raise _CellError(f"性别“{_text(value)}”无效，应为“男”或“女”")
    return found


def _ethnicity(value) -> str:
    if value in _ETHNICITIES:
        return value
    text = _text(value).replace(" ", "")
    for candidate in (text, text + "族"):
        if candidate in _ETHNICITIES:
            return candidate
    raise _CellError(f"民族“{text}”无效，请填写规范名称，如“汉族”")


def _id_number(value) -> str:
    """Text as it is (services._validate checks it, 1.1E+17 text included); numbers from Excel cells:
    exact when short, otherwise Excel has already lost digits -> the scientific-notation hint."""
    if value.__class__ is str:
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    if looks_like_scientific(value):
        try:
            validate_id_number(value)
        except IdNumberError as exc:
            raise _CellError(str(exc))
    return _text(value)


def _phone(value) -> str:
    text = _text(value)
    if len(text) == 11 and text.isdigit():
        return text
    text = re.sub(r"[\s\-－—()（）]", "", unicodedata.normalize("NFKC", text))
    if text.startswith("+86"):
        text = text[3:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    return text


def _date(value) -> date:
    """A date from an Excel date, a serial number, or text: 2021-07-01, 2021/7/1, 2021年7月1日, 2021.7.1, 20210701."""
    if value.__class__ is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise _CellError("日期格式无效")
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            number = int(value)
            if 19000101 <= number <= 29991231:
                return _date(str(number))
            if 1900 <= number <= 2100:
                raise _CellError("日期需精确到日，如 2021-07-01")
            if 2100 < number < 2958466:
                return _EXCEL_EPOCH + timedelta(days=number)
        elif 1900 <= value < 2101:
            raise _CellError("日期需精确到日，如 2021-07-01（不能只填年月）")
        raise _CellError("日期格式无效，请填写如 2021-07-01")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE_RE.fullmatch(text)
    if match:
        year, month, day = match.group(1), match.group(2) or match.group(4), match.group(3) or match.group(5)
    else:
        match = _COMPACT_RE.fullmatch(text)
        if not match:
            if _MONTH_RE.fullmatch(text):
                raise _CellError(f"日期“{text}”只有年月，需精确到日，如 2021-07-01")
            raise _CellError(f"日期“{text}”无法识别，请填写如 2021-07-01")
        year, month, day = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise _CellError(f"日期“{text}”不存在")


def _year_month(value):
    """出生年月: a full date, or (year, {months}) from 1985.07 / 1985年7月 / 198507 / an Excel date.

    A number 1985.1 may have been typed 1985.10 (Excel drops the zero): both months are allowed.
    """
    if isinstance(value, (datetime, date)):
        value = value.date() if isinstance(value, datetime) else value
        return value.year, {value.month}
    if isinstance(value, float) and not value.is_integer():
        year, _, frac = f"{value:.2f}".partition(".")
        month = int(frac)
        months = {m for m in ({month // 10, month} if month % 10 == 0 else {month}) if 1 <= m <= 12}
        if months:
            return int(year), months
        raise _CellError(f"出生年月“{value}”无效，请填写如 1985.07")
    text = unicodedata.normalize("NFKC", _text(value)).strip()
    match = _MONTH_RE.fullmatch(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2) or match.group(3))
    elif re.fullmatch(r"\d{6}", text):
        year, month = int(text[:4]), int(text[4:])
    else:
        return _date(value)
    if not 1 <= month <= 12:
        raise _CellError(f"出生年月“{text}”的月份无效")
    return year, {month}


CONVERTERS = {
    "name": _text, "unit_name": _text, "occupation": _text, "address": _text, "notes": _text,
    "party_group": _text, "org_name": _text, "gender": _gender, "ethnicity": _ethnicity,
    "id_number": _id_number, "phone": _phone, "birth_date": _date, "birth_month": _year_month,
    "education": _lookup(_EDUCATION, "学历", Education), "degree": _lookup(_DEGREE, "学位", Degree),
    "stage": _lookup(_STAGE, "人员类别", Stage), "applied_on": _date, "joined_on": _date, "full_on": _date,
    "work_started_on": _date,
}
_AS_IS = {key: str if fn is _text else date if fn is _date else None for key, fn in CONVERTERS.items()}
_ERROR_FIELD = {"party_group_id": "party_group"}  # which column an error of services._validate belongs to
