import io

from openpyxl import load_workbook

from dangjian.core.xlsx import build_workbook, safe_cell


def test_formula_prefixes_are_escaped():
    for bad in ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx"]:
        assert safe_cell(bad).startswith("'")
    assert safe_cell("张三") == "张三"
    assert safe_cell(5) == 5


def test_workbook_has_frozen_header_and_escaped_cells():
    wb = build_workbook(title="花名册", headers=["姓名", "备注"], rows=[["张三", "=HYPERLINK(\"x\")"]])
    buf = io.BytesIO()
    wb.save(buf)
    ws = load_workbook(io.BytesIO(buf.getvalue())).active
    assert ws.freeze_panes == "A3"
    assert ws["A2"].value == "姓名"
    assert ws["B3"].value.startswith("'=")
