"""Limits, errors and the two result types shared by the steps of the roster import."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from dangjian.core.errors import DomainError


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



FIELDS: dict[str, str] = {
    "name": "姓名", "gender": "性别", "ethnicity": "民族", "id_number": "身份证号", "birth_date": "出生日期",
    "birth_month": "出生年月", "phone": "手机号", "education": "学历", "degree": "学位", "unit_name": "工作单位",
    "occupation": "职务/岗位", "stage": "人员类别", "applied_on": "申请入党时间", "joined_on": "入党时间",
    "full_on": "转正时间", "work_started_on": "参加工作时间", "party_group": "党小组", "address": "家庭住址",
    "notes": "备注", "org_name": "所在党组织",
}
IGNORE = ""  # mapping value of a column that is read but not imported (序号, 年龄, 党龄 …)



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
    truncated: bool = False  # parse_roster(sample=True) stopped after max_rows rows

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
