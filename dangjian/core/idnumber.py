"""Citizen identity numbers (公民身份号码) per GB 11643-1999.

Layout of the 18 characters (GB 11643-1999 §4-§8):
  1-6   address code (行政区划代码, GB/T 2260); only the province part (1-2) is checked here,
        because county codes are renamed/merged often and old numbers stay valid for life.
  7-14  birth date YYYYMMDD (GB/T 7408)
  15-17 sequence code; the 17th digit is odd for men, even for women
  18    check character, ISO 7064:1983 MOD 11-2

We keep our own validator: python-stdnum checks the full area code against its own table and
refuses numbers whose county code has since been abolished, which real members still carry.
"""

from __future__ import annotations

import random
import re
from operator import mul
from dataclasses import dataclass
from datetime import date

__all__ = [
    "IdInfo",
    "IdNumberError",
    "PROVINCE_CODES",
    "generate_id_number",
    "id_check_char",
    "looks_like_scientific",
    "mask_id_number",
    "normalize_id_number",
    "validate_id_number",
]

# Province-level codes of GB/T 2260 (plus 71 Taiwan, 81 Hong Kong, 82 Macao, 91 overseas).
PROVINCE_CODES: frozenset[str] = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82", "91"]
)

# ISO 7064 MOD 11-2 weights for positions 1-17 (2^(18-i) mod 11), GB 11643-1999 §8.2.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Remainder 0..10 -> check character.
_CHECK_CHARS = "10X98765432"
# sum(w * (byte - 48)) = sum(w * byte) - 48 * sum(w): the check sum straight from the ASCII bytes (~2x faster
# than int() per digit; a roster import checks 100 000 numbers).
_ASCII_ZERO_SUM = 48 * sum(_WEIGHTS)

# Earliest birth date we accept: nobody alive was registered with an earlier one.
MIN_BIRTH_DATE = date(1900, 1, 1)

# Full-width digits / letters (U+FF10.., U+FF21.., U+FF41..) as typed with a Chinese IME.
_FULLWIDTH = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)}
    | {chr(0xFF21 + i): chr(ord("A") + i) for i in range(26)}
    | {chr(0xFF41 + i): chr(ord("a") + i) for i in range(26)}
    | {"\uFF0E": ".", "\uFF0B": "+", "\uFF0D": "-"}  # so 1．1E＋17 is still seen as Excel damage
)

# What Excel shows after it has turned an 18-digit number into a float: 1.10105E+17, 4.1E17 ...
_SCIENTIFIC_RE = re.compile(r"[+-]?\d+(?:\.\d*)?[eE][+-]?\d+")
_BODY_RE = re.compile(r"\d{17}[\dX]")


class IdNumberError(ValueError):
    """The number is not a valid GB 11643-1999 ID number; str(e) is a Chinese message for users.

    `code` is a stable machine-readable reason (empty, scientific, legacy15, length, format,
    province, birth_date, future, too_old, check_char) for callers that branch on it.
    """

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class IdInfo:
    number: str  # normalized, 18 characters, upper-case X
    area_code: str  # first six digits
    birth_date: date
    gender: str  # "M" or "F"


def normalize_id_number(value: str) -> str:
    """Strip every kind of whitespace, fold full-width characters, and upper-case a trailing x.

    Input copied from Word/WeChat often carries U+3000 ideographic spaces and full-width digits.
    """
    if value is None:
        return ""
    text = "".join(str(value).translate(_FULLWIDTH).split())
    if text.endswith("x"):
        text = text[:-1] + "X"
    return text


def looks_like_scientific(value: object) -> bool:
    """True when the value is an ID number Excel has already turned into a float.

    A float cell can never hold an 18-digit ID exactly (doubles keep ~15-17 digits), so any float
    counts; strings count when they look like 1.10105E+17.
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return True
    if not isinstance(value, str):
        return False
    return _SCIENTIFIC_RE.fullmatch(normalize_id_number(value)) is not None


def id_check_char(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits (GB 11643-1999 §8.2)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("first17 must be exactly 17 ASCII digits")
    return _check_char(first17)


def _check_char(first17: str) -> str:
    """id_check_char for 17 characters already known to be ASCII digits."""
    return _CHECK_CHARS[(sum(map(mul, first17.encode("ascii"), _WEIGHTS)) - _ASCII_ZERO_SUM) % 11]


def _parse_birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str, *, today: date | None = None) -> IdInfo:
    """Validate an 18-character ID number and return what it encodes.

    Raises IdNumberError with a Chinese message naming the first problem found. The checks run
    from the most actionable (Excel damage, old 15-digit format) to the check character last, so
    users are told what to fix rather than only that the checksum fails.
    """
    if value.__class__ is str and len(value) == 18 and value.isascii() and _BODY_RE.fullmatch(value):
        # Fast path: already normalised (no space, no full-width, upper-case X), hence not scientific either.
        number = value
    else:
        number = _normalize_any(value)
    return _check_number(number, today)


def _normalize_any(value) -> str:
    if looks_like_scientific(value):
        raise IdNumberError(
            "身份证号被 Excel 转成了科学计数法，请将该列设置为文本格式后重新填写",
            code="scientific",
        )
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    number = normalize_id_number(value) if isinstance(value, str) else ""
    if not number:
        raise IdNumberError("身份证号不能为空", code="empty")

    # 15-digit numbers were issued before 1999 (GB 11643-1989); they must be converted first.
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise IdNumberError(
            "身份证号为15位旧号码，15位旧号码请换算为18位后重新填写",
            code="legacy15",
        )
    if len(number) != 18:
        raise IdNumberError(f"身份证号应为18位，当前为{len(number)}位", code="length")
    if not number.isascii() or _BODY_RE.fullmatch(number) is None:
        raise IdNumberError("身份证号前17位应为数字，最后一位应为数字或字母X", code="format")
    return number


def _check_number(number: str, today: date | None) -> IdInfo:
    """The checks after the format: province, birth date, check character (number is 18 normalised chars)."""
    province = number[:2]
    if province not in PROVINCE_CODES:
        raise IdNumberError(
            f"身份证号前两位“{province}”不是有效的省级行政区划代码", code="province"
        )

    raw_birth = number[6:14]
    birth = _parse_birth_date(number)
    if birth is None:
        raise IdNumberError(f"身份证号中的出生日期“{raw_birth}”不是有效日期", code="birth_date")
    if today is None:
        today = date.today()
    if birth > today:
        raise IdNumberError(f"身份证号中的出生日期“{raw_birth}”晚于今天", code="future")
    if birth < MIN_BIRTH_DATE:
        raise IdNumberError(
            f"身份证号中的出生日期“{raw_birth}”早于1900年1月1日", code="too_old"
        )

    # Do not reveal the expected character: users would "fix" a mistyped number by editing it.
    if _check_char(number[:17]) != number[17]:  # number's format is checked: 17 ASCII digits first
        raise IdNumberError("身份证号校验位不正确，请逐位核对号码是否填写有误", code="check_char")

    gender = "M" if number[16] in "13579" else "F"
    return IdInfo(number=number, area_code=number[:6], birth_date=birth, gender=gender)


def generate_id_number(
    *,
    birth_date: date,
    gender: str,
    area_code: str = "410122",
    seq: int | None = None,
    rng: random.Random | None = None,
) -> str:
    """A valid ID number for demo data and tests.

    `seq` 0..499 selects the sequence code (digits 15-17) as seq*2 (+1 for men), so the 17th
    digit's parity matches `gender` (GB 11643-1999 §6.3); a random one when None.
    """
    if gender not in ("M", "F"):
        raise ValueError('gender must be "M" or "F"')
    if len(area_code) != 6 or not area_code.isascii() or not area_code.isdigit():
        raise ValueError("area_code must be 6 ASCII digits")
    if area_code[:2] not in PROVINCE_CODES:
        raise ValueError(f"area_code {area_code!r} has no valid province code")
    if birth_date < MIN_BIRTH_DATE:
        raise ValueError("birth_date must not be before 1900-01-01")
    if seq is None:
        seq = (rng or random).randrange(500)
    if not 0 <= seq <= 499:
        raise ValueError("seq must be in 0..499")
    sequence = seq * 2 + (1 if gender == "M" else 0)
    first17 = f"{area_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def mask_id_number(value: str) -> str:
    """Show only the first 4 and last 4 characters, keeping the length (for lists and exports).

    Values of 8 characters or fewer are masked entirely, otherwise nothing would be hidden.
    """
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
