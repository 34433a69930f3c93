"""Header row: aliases of the offices' own rosters, detection of the mapping and the user's corrections."""
from __future__ import annotations

import re
import unicodedata

from .common import FIELDS, IGNORE, RosterFileError


_ALIASES = {
    "name": ["姓名", "党员姓名", "名字"],
    "gender": ["性别"],
    "ethnicity": ["民族"],
    "id_number": ["身份证号", "公民身份号码", "身份证", "身份证号码", "公民身份证号", "公民身份证号码", "身份证件号码"],
    "birth_date": ["出生日期", "出生年月日"],
    "birth_month": ["出生年月"],
    "phone": ["手机", "手机号", "手机号码", "联系电话", "联系方式", "电话"],
    "education": ["学历", "文化程度", "最高学历"],
    "degree": ["学位"],
    "unit_name": ["工作单位", "单位", "现工作单位"],
    "occupation": ["职务", "岗位", "工作岗位", "职业", "职务/岗位"],
    "stage": ["人员类别", "预/正", "预正", "党员类别", "类别", "党员类型"],
    "joined_on": ["入党时间", "入党日期"],
    "full_on": ["转正时间", "转正日期"],
    "applied_on": ["申请入党时间", "申请入党日期", "递交入党申请书时间"],
    "work_started_on": ["参加工作时间", "参加工作日期"],
    "party_group": ["党小组", "所在党小组"],
    "address": ["家庭住址", "住址", "现住址", "家庭地址", "居住地址"],
    "notes": ["备注"],
    "org_name": ["所在党组织", "所在党支部", "党组织", "党支部", "所在支部", "党组织名称"],
    IGNORE: ["序号", "年龄", "党龄"],
}
_BRACKETS = re.compile(r"[(\[【].*?[)\]】]")


def _norm_header(text) -> str:
    text = unicodedata.normalize("NFKC", str(text))
    text = _BRACKETS.sub("", "".join(text.split()))
    return text.strip("*:：")


ALIASES: dict[str, str] = {_norm_header(a): key for key, names in _ALIASES.items() for a in names}



def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _detect_mapping(headers: list[str]) -> tuple[dict[str, str], list[str]]:
    mapping, unknown, used = {}, [], set()
    for header in headers:
        key = ALIASES.get(_norm_header(header))
        if key is None or (key and key in used):
            unknown.append(header)  # not known, or a second column for the same field: the user decides
            continue
        mapping[header] = key
        if key:
            used.add(key)
    return mapping, unknown


def _apply_mapping(detected: dict[str, str], headers: list[str], mapping: dict | None) -> dict[str, str]:
    final = dict(detected)
    for header, key in (mapping or {}).items():
        key = key or IGNORE
        if key and key not in FIELDS:
            raise RosterFileError(f"列“{header}”的对应字段无效：{key}")
        if header in headers:
            final[header] = key
    by_field: dict[str, list[str]] = {}
    for header in headers:
        if final.get(header):
            by_field.setdefault(final[header], []).append(header)
    for key, cols in by_field.items():
        if len(cols) > 1:
            raise RosterFileError(f"“{FIELDS[key]}”对应了多列（{'、'.join(cols)}），请只保留一列")
    if "birth_date" in by_field and "birth_month" in by_field:
        raise RosterFileError("“出生日期”和“出生年月”只能保留一列")
    return final
