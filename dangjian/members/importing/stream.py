"""roster_import: validate and insert in one pass, for an import the user has already confirmed.

validate_roster then import_roster checks every row first and only then lets PostgreSQL insert them, so the
database's work (the member table's indexes: most of an import's time) starts after Python's. Here each chunk
of rows is written by COPY as soon as it has passed the same checks (validate._row_checker), so PostgreSQL
maintains the indexes while Python checks the next chunk. All or nothing as before: one transaction; the first
invalid row, a number twice in the file or one already registered (the unique blind index) aborts the COPY and
rolls everything back, and the classic validate_roster -> import_roster path then produces the per-row report
(the preview the user saw before confirming normally has no error, so that second pass is rare).
"""
from __future__ import annotations

from datetime import date

from django.db import IntegrityError, connection, transaction

from dangjian.orgs.models import Org

from ..models import ImportJob
from .common import ParsedRoster, RosterReport, _setting
from .precompute import _Computed, _Precompute
from .validate import _row_checker, validate_roster
from .write import _copy_writer, check_target, import_roster, record_import

STREAM_MIN_ROWS = _setting("MEMBERS_IMPORT_STREAM_MIN_ROWS", 2000)
CHUNK = 5000  # rows checked before they are handed to COPY (and per helper-process chunk)


class _Abort(Exception):
    """A row the streamed pass cannot take: roll back and let the classic path report it."""


def roster_import(parsed: ParsedRoster, *, actor, org: Org, today: date, only_valid: bool = False,
                  job: ImportJob | None = None) -> tuple[RosterReport, int]:
    """Validate and import a parsed roster: (report, created). Imports when the whole file is valid, or with
    `only_valid` its valid rows (then always through the classic path); otherwise writes nothing and returns
    the report with the per-row errors (created 0). Same checks, rows, job row and audit event as
    validate_roster followed by import_roster; raises what they raise (scope, not a branch, Conflict)."""
    check_target(actor=actor, org=org)
    if connection.vendor == "postgresql" and not only_valid and len(parsed.rows) >= STREAM_MIN_ROWS:
        try:
            return _streamed(parsed, actor=actor, org=org, today=today, job=job)
        except _Abort:
            pass
    report = validate_roster(parsed, actor=actor, org=org, today=today)
    created = 0
    if report.valid or (only_valid and report.rows):
        created = import_roster(report, actor=actor, org=org, only_valid=only_valid, job=job)
    return report, created


def _streamed(parsed: ParsedRoster, *, actor, org: Org, today: date, job) -> tuple[RosterReport, int]:
    rows = parsed.rows
    check = _row_checker(org=org, today=today)
    computed = _Computed()
    helper = _Precompute.start_ordered(rows, CHUNK)
    seen: set[str] = set()
    clean: list[dict] = []
    try:
        with transaction.atomic():
            with _copy_writer(org=org, computed=computed, queued=False) as write:
                for start in range(0, len(rows), CHUNK):
                    batch = []
                    for item in rows[start:start + CHUNK]:
                        cleaned, errors = check(item["values"])
                        if errors:
                            raise _Abort
                        batch.append({"row": item["row"], "data": cleaned, "id_index": None})
                    helper.merge_next(computed)  # pinyin keys, blind indexes, ciphertexts of this chunk
                    for entry in batch:
                        number = entry["data"].get("id_number")
                        if number:
                            index = entry["id_index"] = computed.index_of(number)
                            if index in seen:
                                raise _Abort  # twice in the file
                            seen.add(index)
                        write(entry)
                    clean += batch
            created = len(clean)
            report = RosterReport(filename=parsed.filename, org_id=org.id, valid=True, errors=[], rows=clean,
                                  counts={"total": len(rows), "valid": created, "invalid": 0, "errors": 0,
                                          "skipped_examples": parsed.skipped_examples},
                                  headers=parsed.headers, mapping=parsed.mapping,
                                  unknown_headers=parsed.unknown_headers)
            record_import(job, report=report, actor=actor, org=org, created=created, skipped=0)
    except IntegrityError:  # a number already registered (or a party group deleted meanwhile): report it
        raise _Abort
    finally:
        helper.close()
    return report, created
