"""Rules of the member record, as pure functions (RULES.md §1 R-AGE; GB 11643 via core.idnumber)."""
import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from dangjian.core.idnumber import IdNumberError, validate_id_number

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")  # CN mobile numbers: 11 digits starting 13-19
ADULT_AGE = 18  # R-AGE: 年满十八岁 (党章 §1); the 18th birthday itself is allowed.


@dataclass
class FieldError:
    field: str
    message: str
    rule: str = ""


def eighteenth_birthday(birth_date: date) -> date:
    # relativedelta maps 29 Feb + 18 years to 28 Feb; the law counts the day after (1 Mar) — use that.
    if birth_date.month == 2 and birth_date.day == 29:
        return date(birth_date.year + ADULT_AGE, 3, 1)
    return birth_date.replace(year=birth_date.year + ADULT_AGE)  # same as relativedelta, ~10× cheaper (imports)


def check_phone(phone: str) -> list[FieldError]:
    if phone and not MOBILE_RE.match(phone):
        return [FieldError("phone", "手机号码应为 11 位中国大陆手机号")]
    return []


def check_identity(*, id_number: str, birth_date: date | None, gender: str | None,
                   today: date) -> tuple[list[FieldError], dict]:
    """Validate the ID number and check birth date and gender against it.

    Returns (errors, derived) where derived holds birth_date/gender read from the ID.
    """
    if not id_number:
        return [], {}
    try:
        info = validate_id_number(id_number, today=today)
    except IdNumberError as exc:
        return [FieldError("id_number", str(exc))], {}
    errors = []
    if birth_date and birth_date != info.birth_date:
        errors.append(FieldError("birth_date", f"出生日期与身份证号不一致（身份证为 {info.birth_date:%Y-%m-%d}）"))
    if gender and gender != info.gender:
        errors.append(FieldError("gender", f"性别与身份证号不一致（身份证为{'男' if info.gender == 'M' else '女'}）"))
    return errors, {"birth_date": info.birth_date, "gender": info.gender, "id_number": info.number}


def check_dates(*, birth_date: date | None, applied_on: date | None, joined_on: date | None,
                full_on: date | None, work_started_on: date | None, today: date) -> list[FieldError]:
    errors = []
    for field, value, label in [("applied_on", applied_on, "申请入党日期"), ("joined_on", joined_on, "入党日期"),
                                ("full_on", full_on, "转正日期"), ("work_started_on", work_started_on, "参加工作日期"),
                                ("birth_date", birth_date, "出生日期")]:
        if value and value > today:
            errors.append(FieldError(field, f"{label}不能晚于今天"))
    if birth_date:
        adult = eighteenth_birthday(birth_date)
        if joined_on and joined_on < adult:
            errors.append(FieldError("joined_on", f"入党日期不能早于年满 18 周岁之日（{adult:%Y-%m-%d}）", "R-AGE"))
        if applied_on and applied_on < adult:
            errors.append(FieldError("applied_on", f"申请入党时须年满 18 周岁（{adult:%Y-%m-%d} 起）", "R-AGE"))
    if joined_on and full_on and full_on <= joined_on:
        errors.append(FieldError("full_on", "转正日期必须晚于入党日期"))
    if applied_on and joined_on and joined_on < applied_on:
        errors.append(FieldError("joined_on", "入党日期不能早于申请入党日期"))
    return errors


def check_stage_dates(*, stage: str, joined_on: date | None, full_on: date | None) -> list[FieldError]:
    if stage in ("probationary", "full") and not joined_on:
        return [FieldError("joined_on", "预备党员和正式党员须填写入党日期")]
    if stage == "full" and not full_on:
        return [FieldError("full_on", "正式党员须填写转正日期")]
    if stage == "probationary" and full_on:
        return [FieldError("full_on", "预备党员尚未转正，不应填写转正日期")]
    return []


# --- Transfers, mobile members, disposals (RULES.md §6, §7) -------------------------------

LETTER_VALID_MONTHS = 3  # 介绍信 valid 3 months (RULES §6)
LETTER_VALID_MONTHS_CROSS_PROVINCE = 6  # ⚙ 6 months across provinces
MOBILE_CONTACT_STALE_MONTHS = 3  # ⚙ warn when the last contact is older than a quarter (RULES §6)
RECTIFY_MAX_MONTHS = 12  # 限期改正 at most 1 year (RULES §7, 教育条例 §30)


def letter_report_by(*, issued_on: date, cross_province: bool) -> date:
    months = LETTER_VALID_MONTHS_CROSS_PROVINCE if cross_province else LETTER_VALID_MONTHS
    return issued_on + relativedelta(months=months)


def transfer_overdue(*, report_by: date, today: date) -> bool:
    """Overdue from the day after the report deadline (the deadline day itself is still valid)."""
    return today > report_by


def mobile_contact_stale(*, last_contact_on: date | None, since: date, today: date) -> bool:
    reference = last_contact_on or since
    return reference < today - relativedelta(months=MOBILE_CONTACT_STALE_MONTHS)


def check_rectify_deadline(*, decided_on: date, deadline: date | None) -> list[FieldError]:
    if deadline is None:
        return [FieldError("deadline", "限期改正须填写改正期限")]
    if deadline <= decided_on:
        return [FieldError("deadline", "改正期限须晚于决定日期")]
    if deadline > decided_on + relativedelta(months=RECTIFY_MAX_MONTHS):
        return [FieldError("deadline", "限期改正的期限最长为一年", "R-RECTIFY-1Y")]
    return []
