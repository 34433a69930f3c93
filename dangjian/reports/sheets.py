"""Report tasks with an Excel sheet as the template (R-REPORT-SHEET).

The committee uploads an .xlsx whose fields are marked either by **named cells** (公式 → 名称管理器: one name
per single cell, e.g. 党员总数 → Sheet1!$C$4) or, when it has no names, by a **header row** (the row among the
first 20 with the most text cells; each org fills the row below it, and a column headed 填报单位 / 党组织 …
receives the org's name). Each org downloads the template pre-filled from our data (fields whose name is a
data source's label, or that the committee mapped to one), fills it in Excel or WPS and uploads it back:

- bounded like the members' roster import (members.importing._check_xlsx: zip bomb, lying sizes, sheet
  extent) and tighter: ≤ 2 MB, ≤ 20 MB inflated, ≤ 20 000 cells, no macros, .xlsx only;
- the same template: our marker (a custom document property naming the task and the org) must match when
  present, and the fields must sit where the template put them (same names → same cells, or same headers);
- a field cell holding a formula is refused (we store values, never formulas); text that merely looks like a
  formula is kept as text and neutralised in every workbook we write (core.xlsx.safe_cell / string cells).

The committee's merged workbook: a 汇总 sheet (one row per org, as for form tasks) plus, for a named-cell
template, one copy of the template sheet per org that has submitted; for a header-row template, the
template sheet itself with one row per org.
"""
from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
from datetime import date, datetime

from dangjian.core.errors import DomainError

from . import rules

R_SHEET = "R-REPORT-SHEET"
MAX_BYTES = 2 * 1024 * 1024
MAX_UNCOMPRESSED = 20 * 1024 * 1024
MAX_CELLS = 20_000
HEADER_SCAN_ROWS = 20
MARKER = "dangjian.report"
ORG_HEADERS = {"填报单位", "填报组织", "单位", "单位名称", "党组织", "党组织名称", "组织名称", "支部名称", "党支部",
               "党支部名称", "填报党组织"}
SKIP_HEADERS = {"序号", "编号"}
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_SINGLE = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})$")
DECIMAL_SOURCES = {"dues.paid_year", "volunteers.hours_year"}


class SheetError(DomainError):
    def __init__(self, detail: str, *, field: str = "template"):
        super().__init__(detail, rule=R_SHEET, field=field)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- reading a file safely ------------------------------------------------------------------------------

def read_upload(upload) -> tuple[bytes, str]:
    """The bytes of an uploaded file, never more than MAX_BYTES read into memory."""
    if upload is None:
        raise SheetError("请选择要上传的 Excel 文件（.xlsx）")
    name = (getattr(upload, "name", "") or "").strip()
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise SheetError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，报表模板不应这么大，请删除无关内容后上传")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise SheetError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，报表模板不应这么大，请删除无关内容后上传")
    return data, name[:200]


def check_file(data: bytes, filename: str) -> None:
    """Refuse anything but a small, sane .xlsx before openpyxl sees it."""
    from dangjian.members.importing import RosterFileError, _check_xlsx, _inflate_exact

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext != "xlsx":
        raise SheetError("仅支持 .xlsx 格式的 Excel 文件（.xls、.xlsm 请在 Excel 或 WPS 中另存为 .xlsx）")
    if not data:
        raise SheetError("上传的文件是空的")
    if len(data) > MAX_BYTES:
        raise SheetError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB")
    if not data.startswith(b"PK\x03\x04"):
        raise SheetError("文件内容不是 .xlsx 表格（可能是改了扩展名的其他文件）")
    try:
        _check_xlsx(data)  # the roster import's zip-bomb and sheet-extent guard
    except RosterFileError as exc:
        raise SheetError(exc.detail)
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    if any(i.filename.lower().endswith("vbaproject.bin") for i in infos):
        raise SheetError("文件含有宏，已拒绝；请另存为不含宏的 .xlsx 后上传")
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise SheetError("文件解压后过大，报表模板不应这么大，已拒绝")
    cells = 0
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            try:
                cells += len(_CELL.findall(_inflate_exact(data, info)))
            except (RosterFileError, struct.error, ValueError, OverflowError):
                raise SheetError("文件已损坏或不是有效的 .xlsx 文件")
    if cells > MAX_CELLS:
        raise SheetError(f"表格单元格超过 {MAX_CELLS} 个，报表模板不应这么大，请删除无关内容后上传")


def load(data: bytes, filename: str):
    check_file(data, filename)
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), data_only=False, keep_vba=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken package
        raise SheetError("无法读取该 Excel 文件：文件可能已损坏或设置了打开密码") from exc


# --- the template's fields -------------------------------------------------------------------------------

def _named_cells(wb) -> list[dict]:
    """[{"name", "sheet", "cell"}] of the names that point at one cell (workbook and sheet scope)."""
    found = []
    scopes = [(None, wb.defined_names)] + [(ws.title, ws.defined_names) for ws in wb.worksheets]
    for scope, names in scopes:
        for name, dn in names.items():
            if name.startswith("_xlnm") or dn.hidden:
                continue
            try:
                dests = list(dn.destinations)
            except Exception:
                dests = []
            if len(dests) != 1 or ":" in dests[0][1] or not _SINGLE.match(dests[0][1]):
                raise SheetError(f"名称“{name}”应指向一个单元格（现为“{dn.attr_text}”），请在名称管理器中修改")
            sheet, ref = dests[0]
            if sheet not in wb.sheetnames or (scope and scope != sheet):
                raise SheetError(f"名称“{name}”指向的工作表不存在")
            found.append({"name": name.strip(), "sheet": sheet, "cell": ref.replace("$", "")})
    return found


def _header_row(ws) -> tuple[int, list[tuple[int, str]]]:
    best_row, best = 0, []
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS, values_only=True), start=1):
        texts = [(c, " ".join(str(v).split())) for c, v in enumerate(row, start=1)
                 if isinstance(v, str) and v.strip()]
        if len(texts) > len(best):
            best_row, best = r, texts
    return best_row, best


def detect(wb) -> tuple[dict, list[dict]]:
    """(layout, fields found) — named cells first; otherwise the header row of the first visible sheet."""
    named = _named_cells(wb)
    if named:
        return {"mode": "named"}, named
    ws = next((w for w in wb.worksheets if w.sheet_state == "visible"), None)
    if ws is None:
        raise SheetError("模板中没有可见的工作表")
    row, headers = _header_row(ws)
    if not headers:
        raise SheetError("未找到字段：请在模板中用“名称管理器”为要填写的单元格命名，或在前 20 行内放一行表头")
    layout = {"mode": "header", "sheet": ws.title, "header_row": row, "org_col": None}
    fields = []
    for col, text in headers:
        label = text.rstrip("*").strip()
        if label in ORG_HEADERS and layout["org_col"] is None:
            layout["org_col"] = col
        elif label not in SKIP_HEADERS:
            fields.append({"name": label, "sheet": ws.title, "col": col})
    if not fields:
        raise SheetError("表头中没有需要填写的字段")
    return layout, fields


def build_fields(found: list[dict], spec_text: str, *, sources: dict[str, str]) -> list[dict]:
    """The task's fields: each found name, typed by the committee's 字段设置 lines when given (名称|类型|数据来源|
    选项, the form tasks' syntax), else pre-filled from the source whose label is the name, else text."""
    if len(found) > rules.MAX_FIELDS:
        raise SheetError(f"模板字段最多 {rules.MAX_FIELDS} 个（现有 {len(found)} 个）")
    spec = {}
    if (spec_text or "").strip():
        for f in rules.parse_field_lines(spec_text, sources=sources):
            spec[f["label"]] = f
    by_label = {label: key for key, label in sources.items()}
    names = [f["name"] for f in found]
    for label in spec:
        if label not in names:
            raise SheetError(f"字段设置中的“{label}”在模板中找不到（模板中的字段：{'、'.join(names[:20])}）",
                             field="fields_text")
    out, seen = [], set()
    for n, f in enumerate(found, start=1):
        label = f["name"][:rules.LABEL_MAX]
        if not label:
            continue
        if label in seen:
            raise SheetError(f"模板中的字段“{label}”重复，请修改表头或名称")
        seen.add(label)
        if label in spec:
            s = spec[label]
            kind, required, source, choices = s["type"], s["required"], s["source"], s["choices"]
        elif label in by_label:
            source = by_label[label]
            kind, required, choices = ("decimal" if source in DECIMAL_SOURCES else "int"), False, []
        else:
            kind, required, source, choices = "text", False, "", []
        field = {"key": f"f{n}", "label": label, "type": kind, "required": required, "source": source,
                 "choices": choices, "name": f["name"], "sheet": f["sheet"]}
        field.update({"cell": f["cell"]} if "cell" in f else {"col": f["col"]})
        out.append(field)
    return out


def parse_template(data: bytes, filename: str, spec_text: str, *, sources: dict[str, str]) -> tuple[dict, list]:
    wb = load(data, filename)
    layout, found = detect(wb)
    return layout, build_fields(found, spec_text, sources=sources)


# --- writing values into the template --------------------------------------------------------------------

def _put(cell, value) -> None:
    """A value as a plain cell: a string that looks like a formula stays a string (never run)."""
    if value is None or value == "":
        cell.value = None
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value


def _typed(field: dict, value):
    if value in (None, ""):
        return None
    if field["type"] == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)
    if field["type"] == "decimal":
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    if field["type"] == "date":
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return str(value)


def _target(wb, layout: dict, field: dict, row: int | None = None):
    if layout["mode"] == "named":
        return wb[field["sheet"]][field["cell"]]
    return wb[field["sheet"]].cell(row=row or layout["header_row"] + 1, column=field["col"])


def _marker(wb, value: str) -> None:
    from openpyxl.packaging.custom import StringProperty

    props = wb.custom_doc_props
    for p in list(props):
        if p.name == MARKER:
            props.props.remove(p)
    props.append(StringProperty(name=MARKER, value=value))


def marker_for(task, org) -> str:
    return f"{task.pk}:{org.pk}:{(task.template_sha256 or '')[:12]}"


def filled(task, *, org, values: dict) -> bytes:
    """The template pre-filled for one org (its values or our data), with our marker."""
    wb = load(task.template.open("rb").read(), task.template_name or "template.xlsx")
    layout = task.layout
    for f in task.fields:
        _put(_target(wb, layout, f), _typed(f, values.get(f["key"])))
    if layout["mode"] == "header" and layout.get("org_col"):
        _put(wb[layout["sheet"]].cell(row=layout["header_row"] + 1, column=layout["org_col"]), org.name)
    _marker(wb, marker_for(task, org))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- reading an org's upload -------------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return " ".join(str(value).split()) if not isinstance(value, str) or "\n" not in value else value.strip()


def read_values(task, *, org, data: bytes, filename: str) -> dict:
    """{field key: raw text} from an org's upload of this task's template; SheetError when it is not the
    same template, names another task or org, or a field cell holds a formula."""
    wb = load(data, filename)
    prop = next((p for p in wb.custom_doc_props if p.name == MARKER), None)
    if prop is not None:
        parts = str(prop.value).split(":")
        if len(parts) < 2 or parts[0] != str(task.pk):
            raise SheetError("这是另一个报表任务的表格，请下载本任务的模板填写后上传")
        if parts[1] != str(org.pk):
            raise SheetError(f"这是其他组织的报表，请下载“{org.name}”的表格填写后上传")
    layout = task.layout
    if layout["mode"] == "named":
        names = {f["name"]: f for f in _named_cells(wb)}
        for f in task.fields:
            got = names.get(f["name"])
            if got is None or got["sheet"] != f["sheet"] or got["cell"] != f["cell"]:
                raise SheetError(f"表格与模板不一致：找不到名称为“{f['name']}”的单元格 {f['sheet']}!{f['cell']}，"
                                 "请下载本任务的模板填写后上传")
    else:
        if layout["sheet"] not in wb.sheetnames:
            raise SheetError(f"表格与模板不一致：缺少工作表“{layout['sheet']}”，请下载本任务的模板填写后上传")
        ws = wb[layout["sheet"]]
        for f in task.fields:
            head = ws.cell(row=layout["header_row"], column=f["col"]).value
            if " ".join(str(head or "").split()).rstrip("*").strip() != f["name"]:
                raise SheetError(f"表格与模板不一致：第 {layout['header_row']} 行的表头“{f['name']}”被修改或移动，"
                                 "请下载本任务的模板填写后上传")
    out = {}
    for f in task.fields:
        cell = _target(wb, layout, f)
        if cell.data_type == "f" or (cell.data_type != "s" and isinstance(cell.value, str)
                                     and cell.value.startswith("=")):
            raise SheetError(f"“{f['label']}”（{cell.coordinate}）是公式，请填写数值而不是公式", field=f["key"])
        out[f["key"]] = _text(cell.value)
    return out


# --- the committee's merged workbook -----------------------------------------------------------------------

_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, used: set[str]) -> str:
    base = _BAD_TITLE.sub("", name)[:28] or "组织"
    title, n = base, 1
    while title.lower() in used:
        n += 1
        title = f"{base[:26]}_{n}"
    used.add(title.lower())
    return title


def _summary(wb, *, title: str, headers: list[str], rows: list[list]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from dangjian.core.xlsx import safe_cell

    ws = wb.create_sheet("汇总", 0)
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(headers)
    for c in range(1, len(headers) + 1):
        ws.cell(row=2, column=c).font = Font(bold=True)
        ws.cell(row=2, column=c).fill = PatternFill("solid", fgColor="F3D9D9")
        ws.column_dimensions[get_column_letter(c)].width = 28 if c == 2 else 14
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    ws.freeze_panes = "A3"
    wb.active = 0


def merged(task, *, title: str, headers: list[str], rows: list[list], submissions: list) -> bytes:
    """汇总 + the template filled per org (named: a sheet per submitted org; header: a row per org)."""
    wb = load(task.template.open("rb").read(), task.template_name or "template.xlsx")
    layout = task.layout
    if layout["mode"] == "named":
        sheets = {f["sheet"] for f in task.fields}
        if len(sheets) == 1:
            base = wb[next(iter(sheets))]
            used = {t.lower() for t in wb.sheetnames} | {"汇总"}
            for s in submissions:
                ws = wb.copy_worksheet(base)
                ws.title = _sheet_title(s.org.name, used)
                for f in task.fields:
                    _put(ws[f["cell"]], _typed(f, s.values.get(f["key"])))
            for name in list(wb.defined_names):
                del wb.defined_names[name]
            for ws in wb.worksheets:
                ws.defined_names.clear()
            if submissions:
                wb.remove(base)
    else:
        ws = wb[layout["sheet"]]
        start = layout["header_row"] + 1
        if len(submissions) > 1:  # the template's data row takes the first org; what was below moves down
            ws.insert_rows(start + 1, amount=len(submissions) - 1)
        for i, s in enumerate(submissions):
            row = start + i
            if layout.get("org_col"):
                _put(ws.cell(row=row, column=layout["org_col"]), s.org.name)
            for f in task.fields:
                _put(ws.cell(row=row, column=f["col"]), _typed(f, s.values.get(f["key"])))
    for p in list(wb.custom_doc_props):
        if p.name == MARKER:
            wb.custom_doc_props.props.remove(p)
    _summary(wb, title=title, headers=headers, rows=rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
