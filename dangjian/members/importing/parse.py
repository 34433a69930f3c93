"""Reading an .xlsx/.xls into header, mapping and raw rows (python-calamine, under the guard's limits)."""
from __future__ import annotations

import io
from itertools import chain

from .common import (HEADER_SCAN_ROWS, MAX_BYTES, MAX_EMPTY_RUN, SYNC_MAX_ROWS, XLS_MAGIC, XLSX_MAGIC, ParsedRoster,
                     RosterFileError, RosterTooLarge)
from .guard import _check_xlsx
from .headers import ALIASES, _apply_mapping, _col_letter, _detect_mapping, _norm_header


def parse_roster(data: bytes, *, filename: str, mapping: dict | None = None,
                 max_rows: int | None = None, max_bytes: int | None = None, sample: bool = False) -> ParsedRoster:
    """Read an .xlsx/.xls roster into header, mapping and raw rows.

    `mapping` ({header text: field key or ""}) overrides what alias detection chose, e.g. the user's
    choices for the unknown headers of the preview. `max_rows` defaults to SYNC_MAX_ROWS (the background
    job passes JOB_MAX_ROWS); more data rows raise RosterTooLarge, or with `sample` the first `max_rows`
    are returned (`truncated` set), which the page checks before handing a large file to the background job.
    Every other problem with the file raises RosterFileError with a Chinese message; nothing else escapes,
    whatever the bytes.
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
        return _parse_workbook(data, filename=name, mapping=mapping, max_rows=max_rows, sample=sample)
    except RosterFileError:
        raise
    except BaseException as exc:  # calamine raises its own errors and, on a Rust panic, a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise RosterFileError("无法读取该 Excel 文件：文件可能已损坏或设置了打开密码") from exc



def _parse_workbook(data: bytes, *, filename: str, mapping: dict | None, max_rows: int,
                    sample: bool = False) -> ParsedRoster:
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
        parsed = _parse_sheet(sheet, filename=filename, mapping=mapping, max_rows=max_rows, sample=sample)
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


def _parse_sheet(sheet, *, filename: str, mapping: dict | None, max_rows: int,
                 sample: bool = False) -> ParsedRoster | None:
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
    truncated = False
    pending = [(i, c) for i, c in head if i > best]

    merged = bool(tops)
    append = out.append
    # chain, not a generator function: this loop runs once per row of a 100 000-row file.
    for index, cells in chain(pending, () if exhausted else enumerate(rows, start=consumed + 1)):
        if index < data_start:
            continue
        if merged:
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
        append({"row": index + 1, "values": values})
        if len(out) > max_rows:
            if sample:
                out.pop()
                truncated = True
                break
            raise RosterTooLarge(f"文件超过 {max_rows} 行数据，请拆分后导入或使用后台导入", rows=len(out), limit=max_rows)
    return ParsedRoster(filename=filename, sheet=sheet.name, header_row=best + 1, headers=headers, mapping=final,
                        unknown_headers=unknown, rows=out, skipped_examples=examples, truncated=truncated)
