"""validate_roster: every row checked as member_create would, plus duplicates in the file and the registry."""
from __future__ import annotations

from datetime import date

from django.db import connection

from dangjian.accounts.scope import require
from dangjian.core.errors import DomainError
from dangjian.orgs.models import Org, PartyGroup

from .. import services
from ..choices import Stage
from ..models import Member
from .cells import _AS_IS, _ERROR_FIELD, CONVERTERS, _CellError
from .common import FIELDS, LOOKUP_BATCH, MAX_ERRORS, ParsedRoster, RosterReport
from .precompute import _Precompute


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
    check = _row_checker(org=org, today=today)
    errors: list[dict] = []
    clean: dict[int, dict] = {}  # position in parsed.rows -> clean row
    invalid = set()
    for position, item in enumerate(parsed.rows):
        cleaned, row_errors = check(item["values"])
        if row_errors:
            invalid.add(position)
            errors.extend({"row": item["row"], "column": column(k), "message": m} for k, m in row_errors)
            continue
        clean[position] = {"row": item["row"], "data": cleaned, "id_index": None}

    # Identity: blind indexes, then duplicates inside the file and against the registry (a query per batch).
    computed = helper.result()
    by_index: dict[str, int] = {}
    for position in list(clean):
        item = clean[position]
        number = item["data"].get("id_number")
        if not number:
            continue
        index = item["id_index"] = computed.index_of(number)
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


def _row_checker(*, org: Org, today: date):
    """check(values) -> (clean data, []) or (None, [(field key, message), ...]) for one row, as member_create
    validates (services._validate) plus what only a file has: cells, 出生年月, 党小组 by name, 所在党组织.
    Shared by validate_roster and the streamed import (stream.py)."""
    groups = {g.name.strip(): g.id for g in PartyGroup.objects.filter(org=org)}
    org_name = "".join(org.name.split())
    validate = services._validate
    as_is, converters = _AS_IS, CONVERTERS

    def check(values: dict) -> tuple[dict | None, list[tuple[str, str]]]:
        data: dict = {}
        row_errors: list[tuple[str, str]] = []
        bad = set()
        for key, raw in values.items():
            if raw.__class__ is as_is[key]:
                data[key] = raw  # text for a text field, a date for a date field: nothing to convert
                continue
            try:
                data[key] = converters[key](raw)
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
            return None, row_errors
        cleaned["party_group_id"] = group_id
        return cleaned, row_errors

    return check


def _holders(keys: list[str]):
    """Members already registered under any of these blind indexes (with their org, for the message).

    On PostgreSQL one array parameter finds the taken indexes (Django prepares IN-list values one by one,
    ~10 µs each); elsewhere IN queries of LOOKUP_BATCH."""
    if connection.vendor == "postgresql" and keys:
        with connection.cursor() as cursor:
            # One text parameter: psycopg dumps a 100 000-element list in Python (~0.3 s); hex keys hold no comma.
            cursor.execute(f"SELECT id_index FROM {connection.ops.quote_name(Member._meta.db_table)} "
                           "WHERE id_index = ANY(string_to_array(%s, ','))", [",".join(keys)])
            keys = [r[0] for r in cursor.fetchall()]
    for start in range(0, len(keys), LOOKUP_BATCH):
        yield from (Member.objects.filter(id_index__in=keys[start:start + LOOKUP_BATCH]).select_related("org")
                    .only("id", "name", "id_index", "org__name", "org__path"))
