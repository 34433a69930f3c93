"""Excel import of member rosters (issue 4 item 4): parse bounded, validate per row, insert all-or-nothing.

Three steps, each usable on its own by the API, the pages and the background job:

    parsed = parse_roster(data, filename="花名册.xlsx", mapping=None)   # RosterFileError for a bad file
    report = validate_roster(parsed, actor=user, org=branch, today=date)  # never raises for bad rows
    created = import_roster(report, actor=user, org=branch)               # one transaction, one audit event

or, once the user has confirmed, both in one pass (PostgreSQL inserts while Python validates; same result):

    report, created = roster_import(parsed, actor=user, org=branch, today=date)

Offices upload their own rosters, not our template: a title row and blank rows above the header, a 序号
column, header aliases in any order, merged cells and dates typed as text are all accepted. Files are read
with python-calamine under limits (file size, uncompressed size, sheet extent, rows) so that no upload can
exhaust memory.

Modules: common (limits, errors, result types), guard (xlsx bounds before calamine), headers (aliases and
mapping), parse, cells (cell -> field values), validate, precompute (helper process), write (insert + audit),
stream (validate and insert in one pass: roster_import, for a confirmed import).
The public names stay importable from here.
"""
from .cells import CONVERTERS
from .common import (BATCH, FIELDS, HEADER_SCAN_ROWS, IGNORE, JOB_MAX_ROWS, LOOKUP_BATCH, MAX_BYTES, MAX_CELLS,
                     MAX_COLUMNS, MAX_EMPTY_RUN, MAX_ERRORS, MAX_RATIO, MAX_UNCOMPRESSED, SYNC_MAX_ROWS, XLS_MAGIC,
                     XLSX_MAGIC, ParsedRoster, RosterFileError, RosterReport, RosterTooLarge)
from .guard import _check_xlsx, _greater_than, _inflate_exact, _sheet_extent_slow, _sheet_problem
from .headers import ALIASES, _norm_header
from .parse import parse_roster
from .precompute import PARALLEL_MIN_ROWS, name_keys
from .stream import STREAM_MIN_ROWS, roster_import
from .validate import validate_roster
from .write import import_roster

__all__ = [
    "ALIASES", "BATCH", "CONVERTERS", "FIELDS", "HEADER_SCAN_ROWS", "IGNORE", "JOB_MAX_ROWS", "LOOKUP_BATCH",
    "MAX_BYTES", "MAX_CELLS", "MAX_COLUMNS", "MAX_EMPTY_RUN", "MAX_ERRORS", "MAX_RATIO", "MAX_UNCOMPRESSED",
    "PARALLEL_MIN_ROWS", "SYNC_MAX_ROWS", "XLSX_MAGIC", "XLS_MAGIC", "ParsedRoster", "RosterFileError",
    "RosterReport", "RosterTooLarge", "STREAM_MIN_ROWS", "_check_xlsx", "_greater_than", "_inflate_exact",
    "_norm_header", "_sheet_extent_slow", "_sheet_problem", "import_roster", "name_keys", "parse_roster",
    "roster_import", "validate_roster",
]
