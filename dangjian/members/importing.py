"""Excel import of member rosters (issue 4 item 4): parse bounded, validate per row, insert all-or-nothing.

Three steps, each usable on its own by the API, the pages and the background job:

    parsed = parse_roster(data, filename="花名册.xlsx", mapping=None)   # RosterFileError for a bad file
    report = validate_roster(parsed, actor=user, org=branch, today=date)  # never raises for bad rows
    created = import_roster(report, actor=user, org=branch)               # one transaction, one audit event

Offices upload their own rosters, not our template: a title row and blank rows above the header, a 序号
column, header aliases in any order, merged cells and dates typed as text are all accepted. Files are read
with python-calamine under limits (file size, uncompressed size, sheet extent, rows) so that no upload can
exhaust memory: calamine allocates the whole rectangle from A1 to the farthest cell before returning, so a
4 KB file with one value in XFD1048576 would abort the process; `_check_xlsx` refuses it first.
"""
from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.crypto import blind_index, encrypt_text
from dangjian.core.errors import Conflict, DomainError
from dangjian.core.idnumber import (IdNumberError, looks_like_scientific, mask_id_number, normalize_id_number,
                                    validate_id_number)
from dangjian.core.pinyin import _tokens as _pinyin_tokens
from dangjian.orgs.models import Org, PartyGroup

from . import services
from .choices import ETHNICITIES, Degree, Education, Stage
from .models import ImportJob, Member


_EDITABLE = services.EDITABLE
# Field classes whose get_db_prep_save leaves our Python values as they are (psycopg adapts them).
_PLAIN_TYPES = {models.CharField, models.DateField, models.BooleanField, models.IntegerField, models.BigIntegerField,
                models.ForeignKey}


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# Limits (⚙ overridable in settings). Files above SYNC_MAX_ROWS data rows go to the background job.
MAX_BYTES = _setting("MEMBERS_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
SYNC_MAX_ROWS = _setting("MEMBERS_IMPORT_SYNC_MAX_ROWS", 50_000)
JOB_MAX_ROWS = _setting("MEMBERS_IMPORT_JOB_MAX_ROWS", 200_000)
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all zip members together, after inflating (100 000 rows ≈ 90 MB)
MAX_RATIO = 200  # inflated/compressed for members over 1 MB; real sheets are ~10:1
MAX_CELLS = 6_000_000  # calamine keeps 32 bytes per cell of the used rectangle: ~190 MB
MAX_COLUMNS = 256
MAX_EMPTY_RUN = 200  # stop reading after this many consecutive empty rows
HEADER_SCAN_ROWS = 30
MAX_ERRORS = 1000  # errors listed in a report (counts stay exact)
BATCH = 1000  # rows per bulk_create
LOOKUP_BATCH = 5000  # blind indexes per duplicate query (SQLite allows 32 766 parameters)

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

# Field keys a column can map to, with the label shown in the mapping choice.
FIELDS: dict[str, str] = {
    "name": "姓名", "gender": "性别", "ethnicity": "民族", "id_number": "身份证号", "birth_date": "出生日期",
    "birth_month": "出生年月", "phone": "手机号", "education": "学历", "degree": "学位", "unit_name": "工作单位",
    "occupation": "职务/岗位", "stage": "人员类别", "applied_on": "申请入党时间", "joined_on": "入党时间",
    "full_on": "转正时间", "work_started_on": "参加工作时间", "party_group": "党小组", "address": "家庭住址",
    "notes": "备注", "org_name": "所在党组织",
}
IGNORE = ""  # mapping value of a column that is read but not imported (序号, 年龄, 党龄 …)

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


class RosterFileError(DomainError):
    """The file as a whole cannot be read (not a spreadsheet, too big, no header…); detail is Chinese."""


class RosterTooLarge(RosterFileError):
    """More data rows than allowed for this path; `rows` is how many were counted (at least limit + 1).

    The synchronous API catches this and hands the file to the background job (tasks.import_job_run).
    """

    def __init__(self, detail: str, *, rows: int, limit: int):
        super().__init__(detail)
        self.rows = rows
        self.limit = limit


@dataclass
class ParsedRoster:
    """What parse_roster read: the header, how columns map to fields, and the non-empty data rows."""

    filename: str
    sheet: str
    header_row: int  # 1-based row number of the header in the sheet
    headers: list[str]  # header texts in column order (a repeated text gets its column letter appended)
    mapping: dict[str, str]  # header text -> field key in FIELDS, or "" when read but ignored
    unknown_headers: list[str]  # headers with no field: shown for the user to map (pass `mapping=` again)
    rows: list[dict]  # {"row": sheet row number, "values": {field key: raw cell value}}
    skipped_examples: int = 0  # template example rows (姓名 starting with 示例) left out

    @property
    def columns(self) -> dict[str, str]:
        """field key -> header text, for naming the column of an error."""
        return {f: h for h, f in self.mapping.items() if f}


@dataclass
class RosterReport:
    """validate_roster's verdict. `rows` holds the clean rows ready to insert (valid ones only)."""

    filename: str
    org_id: int
    valid: bool
    errors: list[dict]  # {"row": int | None, "column": str, "message": str}, at most MAX_ERRORS
    rows: list[dict] = field(repr=False)  # {"row": n, "data": {Member field: value}}
    counts: dict = field(default_factory=dict)  # total, valid, invalid, errors, skipped_examples
    headers: list[str] = field(default_factory=list)
    mapping: dict = field(default_factory=dict)
    unknown_headers: list[str] = field(default_factory=list)
    precomputed: object = field(default=None, repr=False)  # _Computed from the helper process, or None

    def as_dict(self) -> dict:
        """JSON body of the API (`created` filled in by the caller) and ImportJob.report."""
        return {"valid": self.valid, "created": 0, "errors": self.errors, "counts": self.counts,
                "filename": self.filename, "headers": self.headers, "mapping": self.mapping,
                "unknown_headers": self.unknown_headers, "fields": FIELDS}


# --- Parsing -------------------------------------------------------------------------------


def parse_roster(data: bytes, *, filename: str, mapping: dict | None = None,
                 max_rows: int | None = None, max_bytes: int | None = None) -> ParsedRoster:
    """Read an .xlsx/.xls roster into header, mapping and raw rows.

    `mapping` ({header text: field key or ""}) overrides what alias detection chose, e.g. the user's
    choices for the unknown headers of the preview. `max_rows` defaults to SYNC_MAX_ROWS (the background
    job passes JOB_MAX_ROWS); more data rows raise RosterTooLarge. Every other problem with the file raises
    RosterFileError with a Chinese message; nothing else escapes, whatever the bytes.
    """
    max_rows = SYNC_MAX_ROWS if max_rows is None else max_rows
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    name = (filename or "").strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ("xlsx", "xlsm", "xls"):
        raise RosterFileError("仅支持 Excel 文件（.xlsx 或 .xls），请另存为 Excel 格式后上传")
    if not data:
        raise RosterFileError("上传的文件是空的")
    if len(data) > max_bytes:
        raise RosterFileError(f"文件超过 {max_bytes // (1024 * 1024)} MB，请删除无关内容或拆分后上传")
    if data.startswith(XLSX_MAGIC):
        _check_xlsx(data)
    elif data.startswith(XLS_MAGIC):
        pass  # BIFF: at most 65 536 × 256 cells by format, so calamine's rectangle is bounded
    else:
        raise RosterFileError("文件内容不是 Excel 表格（可能是改了扩展名的其他文件），请用 Excel 或 WPS 另存为 .xlsx 后上传")
    try:
        return _parse_workbook(data, filename=name, mapping=mapping, max_rows=max_rows)
    except RosterFileError:
        raise
    except BaseException as exc:  # calamine raises its own errors and, on a Rust panic, a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise RosterFileError("无法读取该 Excel 文件：文件可能已损坏或设置了打开密码") from exc


def _check_xlsx(data: bytes) -> None:
    """Zip-bomb and sheet-extent guard, run before calamine sees the file."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception:  # BadZipFile, NotImplementedError (odd versions), struct.error, ValueError …
        raise RosterFileError("文件已损坏或不是有效的 .xlsx 文件")
    if len(infos) > 2000 or not any(i.filename.startswith("xl/") for i in infos):
        raise RosterFileError("文件不是有效的 Excel 工作簿（.xlsx）")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED or any(i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(1, i.compress_size)
                                       for i in infos):
        raise RosterFileError("文件解压后过大（可能是压缩炸弹），已拒绝")
    for info in infos:
        try:
            content = _inflate_exact(data, info)
        except (struct.error, ValueError, OverflowError, MemoryError):
            raise RosterFileError("文件已损坏或不是有效的 .xlsx 文件")
        if b"sheetData" in content:  # a worksheet, wherever the package keeps it
            problem = _sheet_problem(content)
            if problem:
                raise RosterFileError(problem)


def _inflate_exact(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's content, checked to inflate to exactly its declared size (a lying header is refused)."""
    bad = RosterFileError("文件已损坏或不是有效的 .xlsx 文件")
    if info.flag_bits & 0x1:
        raise RosterFileError("文件已加密，请取消密码后再上传")
    off = info.header_offset
    if data[off:off + 4] != XLSX_MAGIC:
        raise bad
    name_len, extra_len = struct.unpack("<HH", data[off + 26:off + 30])
    start = off + 30 + name_len + extra_len
    raw = data[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) != info.file_size:
            raise bad
        return raw
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise bad
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(raw, info.file_size + 1)
    except zlib.error:
        raise bad
    if len(out) != info.file_size or not inflater.eof:
        raise RosterFileError("文件解压后与声明的大小不符（可能是压缩炸弹），已拒绝")
    return out


# Fast path: every unprefixed <c>/<row> starts with a canonical r="A1" / r="1" (Excel, WPS, LibreOffice and
# openpyxl all write it so); anything else (prefixed tags, positional cells, quotes, entities) is walked.
_ODD_CELL = re.compile(rb'<c(?=[\s>/])(?! r="[A-Z]{1,3}[1-9]\d{0,6}")')
_ODD_ROW = re.compile(rb'<row(?=[\s>/])(?! r="[1-9]\d{0,6}")')
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})[1-9]')
_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s>/])([^>]*)>')
_R_ATTR = re.compile(rb'(?:^|\s)r\s*=\s*(["\'])(.*?)\1', re.S)
_REF = re.compile(r"([A-Za-z]*)(\d*)")


def _col_number(letters) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters:
        n = n * 26 + (ord(ch) if isinstance(ch, str) else ch) - 64
    return n


def _greater_than(limit: int) -> bytes:
    """A regex for the numbers above `limit` (no leading zeros), e.g. 375000 -> \\d{7,}|[4-9]\\d{5}|3[8-9]\\d{4}|…"""
    digits = str(limit)
    parts = [rb"\d{%d,}" % (len(digits) + 1)]
    for i, ch in enumerate(digits):
        if ch != "9":
            parts.append(digits[:i].encode() + b"[%d-9]" % (int(ch) + 1) + rb"\d" * (len(digits) - i - 1))
    return b"|".join(parts)


def _sheet_problem(xml: bytes) -> str | None:
    """Why calamine must not load this sheet XML, or None: more than MAX_COLUMNS columns, or a used
    rectangle (row 1 to the farthest row × column A to the farthest column) over MAX_CELLS."""
    if b":c>" in xml or _ODD_CELL.search(xml) or _ODD_ROW.search(xml):
        rows, cols = _sheet_extent_slow(xml)
        too_deep = rows * cols > MAX_CELLS
    else:
        cols = max((_col_number(w) for w in set(_WIDE_CELL.findall(xml))), default=26)
        limit = MAX_CELLS // max(cols, 1)
        too_deep = re.search(rb' r="[A-Z]{0,3}(?:%s)"' % _greater_than(limit), xml) is not None
    if cols > MAX_COLUMNS:
        return f"工作表有 {cols} 列，超出上限 {MAX_COLUMNS} 列，请删除右侧无关内容"
    if too_deep:
        return "工作表的数据区域过大（下方或右侧远处有内容），请删除无关内容或拆分后再上传"
    return None


def _sheet_extent_slow(xml: bytes) -> tuple[int, int]:
    """(rows, columns) by walking every <row>/<c> tag as calamine does: r when present, else the next spot."""
    import html

    row = col = max_row = max_col = 0
    for match in _TAG.finditer(xml):
        kind, attrs = match.groups()
        attr = _R_ATTR.search(attrs)
        letters, number = "", ""
        if attr:
            letters, number = _REF.match(html.unescape(attr.group(2).decode("utf-8", "replace")).strip()).groups()
        if kind == b"row":
            row = int(number) if number else row + 1
            col = 0
            max_row = max(max_row, row)
            continue
        if letters:
            col = _col_number(letters)
        else:
            col += 1
        max_row, max_col = max(max_row, int(number) if number else row), max(max_col, col)
    return max_row, max_col


def _parse_workbook(data: bytes, *, filename: str, mapping: dict | None, max_rows: int) -> ParsedRoster:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    found_data = False
    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
            continue
        sheet = workbook.get_sheet_by_name(meta.name)
        if sheet.start is None:
            continue
        found_data = True
        parsed = _parse_sheet(sheet, filename=filename, mapping=mapping, max_rows=max_rows)
        if parsed is not None:
            return parsed
    if not found_data:
        raise RosterFileError("表格中没有数据（工作表为空）")
    raise RosterFileError("未找到表头：请确认表格中有“姓名”“身份证号”等列标题（表头须在前 30 行内）")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _parse_sheet(sheet, *, filename: str, mapping: dict | None, max_rows: int) -> ParsedRoster | None:
    col0 = sheet.start[1]
    rows = sheet.iter_rows()  # rows from sheet row 1; columns from the first used column (col0)
    head: list[tuple[int, list]] = []  # the first non-empty rows, where the header is looked for
    consumed, run, exhausted = -1, 0, False
    for index, cells in enumerate(rows):
        consumed = index
        if any(c != "" for c in cells):
            run = 0
            head.append((index, cells))
            if len(head) >= HEADER_SCAN_ROWS:
                break
        else:
            run += 1
            if run >= MAX_EMPTY_RUN:
                exhausted = True
                break
    else:
        exhausted = True
    best, best_score = None, 1  # a header names at least two known columns
    for index, cells in head:
        score = sum(1 for c in cells if isinstance(c, str) and _norm_header(c) in ALIASES)
        if score > best_score:
            best, best_score = index, score
    if best is None:
        return None
    header_cells = next(cells for index, cells in head if index == best)
    headers, positions = [], []
    seen: dict[str, int] = {}
    for pos, cell in enumerate(header_cells):
        text = _cell_text(cell)
        if not text:
            continue
        if text in seen:
            text = f"{text}（{_col_letter(col0 + pos)}列）"
        seen[text] = pos
        headers.append(text)
        positions.append(pos)
    detected, unknown = _detect_mapping(headers)
    final = _apply_mapping(detected, headers, mapping)
    if "name" not in final.values():
        raise RosterFileError("表头中没有“姓名”列，请检查表头或在列对应中指定")
    unknown = [h for h in unknown if h not in (mapping or {})]
    columns = [(final[h], positions[i]) for i, h in enumerate(headers) if final.get(h)]

    # Merged ranges below the header: the value sits in the top-left cell; copy it down the range.
    data_start = best + 1
    fill: dict[int, list[tuple[int, int]]] = {}
    tops: dict[int, list] = {}
    mapped_positions = {p for _, p in columns}
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        if r0 == best and r1 > r0:
            data_start = max(data_start, r1 + 1)  # a two-row header cell
        elif r0 > best and r1 > r0 and (c0 - col0) in mapped_positions:
            tops[r0] = []
            for r in range(r0 + 1, r1 + 1):
                fill.setdefault(r, []).append((c0 - col0, r0))

    out: list[dict] = []
    examples = 0
    empty_run = 0
    pending = [(i, c) for i, c in head if i > best]

    def all_rows():
        yield from pending
        if not exhausted:
            yield from enumerate(rows, start=consumed + 1)

    for index, cells in all_rows():
        if index < data_start:
            continue
        if index in tops:
            tops[index] = cells
        for pos, r0 in fill.get(index, ()):
            top = tops.get(r0)
            if top is not None and pos < len(top) and (pos >= len(cells) or cells[pos] == ""):
                cells = list(cells) + [""] * max(0, pos + 1 - len(cells))
                cells[pos] = top[pos]
        values = {}
        width = len(cells)
        for key, pos in columns:
            if pos >= width:
                continue
            value = cells[pos]
            if value.__class__ is str:
                value = value.strip()
                if not value:
                    continue
            elif value is None:
                continue
            values[key] = value
        if not values:
            empty_run += 1
            if empty_run >= MAX_EMPTY_RUN:
                break
            continue
        empty_run = 0
        name = values.get("name")
        if isinstance(name, str) and name.startswith("示例"):
            examples += 1
            continue
        out.append({"row": index + 1, "values": values})
        if len(out) > max_rows:
            raise RosterTooLarge(f"文件超过 {max_rows} 行数据，请拆分后导入或使用后台导入", rows=len(out), limit=max_rows)
    return ParsedRoster(filename=filename, sheet=sheet.name, header_row=best + 1, headers=headers, mapping=final,
                        unknown_headers=unknown, rows=out, skipped_examples=examples)


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


# --- Cell values -> field values -------------------------------------------------------------


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


# --- Validation --------------------------------------------------------------------------------


def validate_roster(parsed: ParsedRoster, *, actor, org: Org, today: date) -> RosterReport:
    """Check every row as member_create would, plus duplicates in the file and in the registry.

    Never raises for bad rows: errors are collected as {"row", "column", "message"} in Chinese (column = the
    file's header text, or our label when the file has no such column). Raises only for the request as a
    whole: 404/403 (scope.require, members.edit on org) and DomainError when org is not a 党支部.
    From PARALLEL_MIN_ROWS rows on, a forked helper process computes pinyin keys, blind indexes and SM4
    ciphertexts meanwhile (kept in the report for import_roster).
    """
    require(actor, "members.edit", org)
    if org.kind != Org.Kind.BRANCH:
        raise DomainError("党员须编入党支部，请选择一个党支部后再导入", field="org_id")
    columns = parsed.columns
    if "birth_month" in columns:
        columns.setdefault("birth_date", columns["birth_month"])

    def column(key: str) -> str:
        key = _ERROR_FIELD.get(key, key)
        return columns.get(key) or FIELDS.get(key) or key

    helper = _Precompute.start(parsed.rows)
    groups = {g.name.strip(): g.id for g in PartyGroup.objects.filter(org=org)}
    org_name = "".join(org.name.split())
    errors: list[dict] = []
    clean: dict[int, dict] = {}  # position in parsed.rows -> clean row
    invalid = set()
    validate = services._validate
    for position, item in enumerate(parsed.rows):
        values = item["values"]
        data: dict = {}
        row_errors: list[tuple[str, str]] = []
        bad = set()
        for key, raw in values.items():
            if raw.__class__ is _AS_IS[key]:
                data[key] = raw  # text for a text field, a date for a date field: nothing to convert
                continue
            try:
                data[key] = CONVERTERS[key](raw)
            except _CellError as exc:
                row_errors.append((key, str(exc)))
                bad.add(key)
        birth_month = data.pop("birth_month", None)
        if isinstance(birth_month, date):
            data["birth_date"], birth_month = birth_month, None
        if "birth_month" in bad:
            bad.add("birth_date")
        group_id = None
        group_name = data.pop("party_group", None)
        if group_name:
            group_id = groups.get(group_name)
            if group_id is None:
                row_errors.append(("party_group", f"党小组“{group_name}”不存在，请先在本支部建立该党小组"))
        named_org = data.pop("org_name", None)
        if named_org and "".join(named_org.split()) != org_name:
            row_errors.append(("org_name", f"所在党组织“{named_org}”不是本次导入的党支部“{org.name}”，"
                                           "一个文件只能导入一个党支部"))
        if not data.get("stage") and "stage" not in bad:
            if data.get("full_on"):
                data["stage"] = Stage.FULL
            else:
                row_errors.append(("stage", "请填写人员类别（正式党员、预备党员、发展对象、入党积极分子或入党申请人）"))
                bad.add("stage")
        if "stage" in bad:
            data["stage"] = Stage.APPLICANT  # no date requirements: the stage error alone is reported
        cleaned = None
        try:
            cleaned = validate(data, org=org, today=today)
        except DomainError as exc:  # FieldErrors
            for err in getattr(exc, "errors", [exc]):
                key = _ERROR_FIELD.get(err.field, err.field)
                if key not in bad:
                    message = getattr(err, "message", None) or str(err)
                    if key == "birth_date" and birth_month is not None and not data.get("id_number"):
                        message = "只有出生年月时须填写身份证号（出生日期以身份证号为准）"
                    row_errors.append((key, message))
        if cleaned is not None and birth_month is not None and cleaned.get("birth_date"):
            year, months = birth_month
            born = cleaned["birth_date"]
            if year != born.year or born.month not in months:
                row_errors.append(("birth_date", f"出生年月与身份证号不一致（身份证为 {born:%Y年%m月}）"))
        if row_errors:
            invalid.add(position)
            errors.extend({"row": item["row"], "column": column(k), "message": m} for k, m in row_errors)
            continue
        cleaned["party_group_id"] = group_id
        clean[position] = {"row": item["row"], "data": cleaned, "id_index": None}

    # Identity: blind indexes, then duplicates inside the file and against the registry (a query per batch).
    computed = helper.result()
    by_index: dict[str, int] = {}
    for position in list(clean):
        item = clean[position]
        number = item["data"].get("id_number")
        if not number:
            continue
        pre = computed.ids.get(number)
        index = item["id_index"] = pre[0] if pre else blind_index(number)
        first = by_index.get(index)
        if first is None:
            by_index[index] = position
        else:
            del clean[position]
            invalid.add(position)
            errors.append({"row": item["row"], "column": column("id_number"),
                           "message": f"与第 {parsed.rows[first]['row']} 行的身份证号重复"})
    for holder in _holders(list(by_index)):
        position = by_index[holder.id_index]
        item = clean.pop(position, None)
        if item is not None:
            invalid.add(position)
            errors.append({"row": item["row"], "column": column("id_number"),
                           "message": services.duplicate_message(actor=actor, holder=holder)})

    errors.sort(key=lambda e: e["row"] or 0)
    total = len(parsed.rows)
    counts = {"total": total, "valid": len(clean), "invalid": len(invalid), "errors": len(errors),
              "skipped_examples": parsed.skipped_examples}
    if total == 0:
        errors = [{"row": None, "column": "", "message": "表格中没有可导入的数据行"}]
        counts["errors"] = 1
    report = RosterReport(filename=parsed.filename, org_id=org.id, valid=not invalid and total > 0,
                          errors=errors[:MAX_ERRORS], rows=[clean[p] for p in sorted(clean)], counts=counts,
                          headers=parsed.headers, mapping=parsed.mapping, unknown_headers=parsed.unknown_headers,
                          precomputed=computed)
    return report


def _holders(keys: list[str]):
    """Members already registered under any of these blind indexes (with their org, for the message).

    On PostgreSQL one array parameter finds the taken indexes (Django prepares IN-list values one by one,
    ~10 µs each); elsewhere IN queries of LOOKUP_BATCH."""
    if connection.vendor == "postgresql" and keys:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id_index FROM {connection.ops.quote_name(Member._meta.db_table)} "
                           "WHERE id_index = ANY(%s)", [keys])
            keys = [r[0] for r in cursor.fetchall()]
    for start in range(0, len(keys), LOOKUP_BATCH):
        yield from (Member.objects.filter(id_index__in=keys[start:start + LOOKUP_BATCH]).select_related("org")
                    .only("id", "name", "id_index", "org__name", "org__path"))


# --- Precomputation in a helper process (large files) -------------------------------------------

PARALLEL_MIN_ROWS = _setting("MEMBERS_IMPORT_PARALLEL_MIN_ROWS", 20_000)


@dataclass
class _Computed:
    names: dict = field(default_factory=dict)  # name -> (pinyin, initials)
    ids: dict = field(default_factory=dict)  # normalized ID number -> (blind index, SM4 ciphertext)


def _compute_chunk(chunk: tuple[list[str], list[str]]) -> tuple[list, list]:
    """Runs in the helper process: pure functions only, no database."""
    names, numbers = chunk
    cache: dict = {}
    return ([(n, name_keys(n, cache)) for n in names],
            [(x, (blind_index(x), encrypt_text(x))) for x in numbers])


class _Precompute:
    """A forked process computing the expensive pure parts while the main process validates."""

    def __init__(self, pool=None, pending=None):
        self.pool, self.pending = pool, pending

    @classmethod
    def start(cls, rows: list[dict]) -> "_Precompute":
        import multiprocessing
        import os

        if len(rows) < PARALLEL_MIN_ROWS or (os.cpu_count() or 1) < 2 \
                or "fork" not in multiprocessing.get_all_start_methods():
            return cls()
        names = list({r["values"]["name"] for r in rows if isinstance(r["values"].get("name"), str)})
        numbers = list({normalize_id_number(v) for r in rows if isinstance(v := r["values"].get("id_number"), str)})
        name_keys("预热", {})  # pypinyin loads its dictionaries once, here, so the child inherits them
        step = 5000
        chunks = [(names[i:i + step], numbers[i:i + step]) for i in range(0, max(len(names), len(numbers)), step)]
        try:
            pool = multiprocessing.get_context("fork").Pool(1)
        except Exception:  # e.g. inside a daemonic worker process, which may not have children
            return cls()
        return cls(pool, pool.map_async(_compute_chunk, chunks))

    def result(self) -> _Computed:
        computed = _Computed()
        if self.pool is None:
            return computed
        try:
            for names, ids in self.pending.get(timeout=600):
                computed.names.update(names)
                computed.ids.update(ids)
        except Exception:  # the helper is an optimisation only: fall back to computing in-process
            computed = _Computed()
        finally:
            self.pool.terminate()
            self.pool.join()
        return computed


# --- Import ------------------------------------------------------------------------------------


def import_roster(report: RosterReport, *, actor, org: Org, only_valid: bool = False,
                  job: ImportJob | None = None) -> int:
    """Insert the report's clean rows into org: all or nothing, in one transaction; returns how many.

    A report with errors is refused (DomainError, nothing written) unless `only_valid` is set, when the
    valid rows are imported and the others skipped. Writes one ImportJob row (or finishes `job`) and ONE
    audit event "member.import" with the count and the file name. A number registered meanwhile by someone
    else raises Conflict (409) and rolls everything back.
    """
    require(actor, "members.edit", org)
    if org.kind != Org.Kind.BRANCH:
        raise DomainError("党员须编入党支部，请选择一个党支部后再导入", field="org_id")
    if report.org_id != org.id:
        raise DomainError("校验结果与导入的党支部不一致，请重新校验")
    if not report.valid and not only_valid:
        raise DomainError(f"文件中有 {report.counts.get('invalid', 0)} 行存在错误，未导入任何数据；"
                          "请修改后重新上传，或选择只导入无误的行")
    if not report.rows:
        raise DomainError("没有可导入的数据行")
    try:
        with transaction.atomic():
            created = _insert(report.rows, org=org, computed=report.precomputed or _Computed())
            job = _finish_job(job, report=report, actor=actor, org=org, created=created)
            audit(actor=actor, verb="member.import", target=job, org=org,
                  after={"count": created, "filename": report.filename, "total_rows": report.counts.get("total"),
                         "skipped_invalid": report.counts.get("invalid", 0) if only_valid else 0})
    except IntegrityError:
        raise Conflict("导入期间有身份证号已被登记，未导入任何数据；请重新上传校验", rule="R-UNIQUE-PERSON")
    return created


def _finish_job(job: ImportJob | None, *, report: RosterReport, actor, org: Org, created: int) -> ImportJob:
    if job is None:
        job = ImportJob(org=org, created_by=actor if getattr(actor, "pk", None) else None,
                        filename=report.filename[:200], file="")
    job.state, job.progress, job.created = ImportJob.State.DONE, 100, created
    job.total_rows = report.counts.get("total", 0)
    job.report = report.as_dict() | {"created": created}
    job.finished_at = timezone.now()
    job.save()
    return job


def name_keys(name: str, cache: dict) -> tuple[str, str]:
    """(pinyin_full, pinyin_initials) of a name from ONE pypinyin pass (the costliest step of an import).

    Built from core.pinyin's tokens exactly as its two public functions build them (a test checks they agree).
    """
    keys = cache.get(name)
    if keys is None:
        tokens = _pinyin_tokens(name, surname=True) if name else []
        full = "".join(t for t, _ in tokens).lower()
        initials = "".join(t[:1] if syllable else t for t, syllable in tokens).lower()
        keys = cache[name] = (full[:200], initials[:50])
    return keys


def _member_values(item: dict, *, org: Org, names: dict) -> dict:
    """Model field values of one clean row: what services._apply sets, plus org and region."""
    data = item["data"]
    values = {k: data[k] for k in _EDITABLE if data.get(k) is not None}
    values["name_pinyin"], values["name_initials"] = name_keys(values["name"], names)
    values["id_masked"] = mask_id_number(values.get("id_number") or "")
    values["id_index"] = item["id_index"] or None
    values["org_id"], values["region_id"] = org.id, org.region_id
    return values


def _insert(rows: list[dict], *, org: Org, computed: _Computed) -> int:
    """COPY on PostgreSQL (several times faster than bulk_create at 100 000 rows); elsewhere bulk_create in
    batches of BATCH. Runs inside the caller's transaction."""
    if connection.vendor == "postgresql":
        return _insert_copy(rows, org=org, computed=computed)
    for start in range(0, len(rows), BATCH):
        Member.objects.bulk_create([Member(**_member_values(item, org=org, names=computed.names))
                                    for item in rows[start:start + BATCH]])
    return len(rows)


def _insert_copy(rows: list[dict], *, org: Org, computed: _Computed) -> int:
    """COPY into the member table. Columns and defaults come from the model, so a new field with a default
    needs no change here; values go through the field's get_db_prep_save (SM4 encryption of the ID number,
    unless the helper process did it) except for plain types that psycopg adapts itself."""
    from psycopg.copy import QueuedLibpqWriter

    now = timezone.now()
    fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    defaults, position, prep = [], {}, {}
    for i, f in enumerate(fields):
        position[f.attname] = i
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(now)
        else:
            defaults.append(f.get_db_prep_save(f.get_default(), connection) if f.has_default() or not f.null
                            else None)
        if type(f) not in _PLAIN_TYPES:
            prep[f.attname] = f
    id_field = prep.pop("id_number")
    id_at = position["id_number"]
    ciphers = computed.ids
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(Member._meta.db_table)} ({columns}) FROM STDIN"
    names = computed.names
    editable = [(k, position[k], prep.get(k)) for k in _EDITABLE if k != "id_number"]
    at = {k: position[k] for k in ("name_pinyin", "name_initials", "id_masked", "id_index", "org_id", "region_id")}
    defaults[at["org_id"]], defaults[at["region_id"]] = org.id, org.region_id
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # The queued writer sends data from a thread, so PostgreSQL works while Python builds the next rows.
        with cursor.cursor.copy(sql, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
            for item in rows:  # the same values as _member_values, without the intermediate dict
                data = item["data"]
                out = defaults.copy()
                for key, i, f in editable:
                    value = data.get(key)
                    if value is not None:
                        out[i] = value if f is None else f.get_db_prep_save(value, connection)
                out[at["name_pinyin"]], out[at["name_initials"]] = name_keys(data["name"], names)
                number = data.get("id_number")
                if number:
                    pre = ciphers.get(number)
                    out[id_at] = pre[1] if pre else id_field.get_db_prep_save(number, connection)
                    out[at["id_masked"]] = mask_id_number(number)
                    out[at["id_index"]] = item["id_index"]
                copy.write_row(out)
    return len(rows)
