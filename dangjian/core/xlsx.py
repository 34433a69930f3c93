"""Styled xlsx exports shared by every app (openpyxl).

Cells that a spreadsheet would run as a formula (starting with = + - @, or a tab/CR) are
prefixed with an apostrophe: CSV/Excel formula injection (issue 14).
"""
import io
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    return value


def build_workbook(*, title: str, headers: list[str], rows, widths: list[int] | None = None,
                   sheet_title: str = "Sheet1") -> Workbook:
    """A sheet with a title row, a bold frozen header and thin borders."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet_title[:31]
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, len(headers)))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    thin = Side(style="thin", color="999999")
    fill = PatternFill("solid", fgColor="F3D9D9")
    for col, _ in enumerate(headers, start=1):
        cell = ws.cell(row=2, column=col)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for col in range(1, len(headers) + 1):
        width = (widths[col - 1] if widths and col <= len(widths) else max(10, len(str(headers[col - 1])) * 2 + 2))
        ws.column_dimensions[get_column_letter(col)].width = width
    for r in ws.iter_rows(min_row=3):
        for cell in r:
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A3"
    return wb


def xlsx_response(wb: Workbook, filename: str) -> HttpResponse:
    buf = io.BytesIO()
    wb.save(buf)
    from .files import download_response

    return download_response(buf.getvalue(), filename=filename, content_type=XLSX_TYPE)
