"""Excel template and exports of the roster, and the printable 花名册 PDF (issue 4 items 4-5).

    roster_template() -> Workbook                       GET /api/v1/members/import-template
    roster_workbook(qs, reveal_ids=…) -> Workbook       GET /api/v1/members/export?org= (xlsx)
    roster_pdf(qs, org=…, title=…) -> bytes             the 花名册 PDF
    export_audit(actor=…, org=…, fmt=…, count=…)        every export of personal data is audited (DESIGN rule 7)

Callers scope `qs` (selectors.member_list) and decide `reveal_ids` with
services.can_reveal_id / scope.can(actor, "members.reveal_id", org); these functions only render.
"""
from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import escape
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dangjian.core.audit import audit
from dangjian.core.idnumber import generate_id_number, mask_id_number
from dangjian.core.xlsx import build_workbook

from .choices import ETHNICITIES, Degree, Education, Gender, Stage
from .models import Member

TEMPLATE_SHEET = "党员信息"
OPTIONS_SHEET = "选项"
TEMPLATE_ROWS = 2000  # rows below the header that get the dropdowns and text format
MAX_PDF_ROWS = 2000  # WeasyPrint needs ~10-25 ms a row; larger rosters: export the xlsx

# (header, width, options list, number format, note). Headers are import aliases (importing.ALIASES);
# "*" marks a required column and is ignored when reading.
TEMPLATE_COLUMNS = [
    ("姓名*", 10, None, None, "必填"),
    ("性别", 6, [g.label for g in Gender], None, "可不填，按身份证号自动识别"),
    ("民族", 10, ETHNICITIES, None, None),
    ("身份证号*", 22, None, "@", "18位，请保持文本格式，勿改为数字（否则会变成科学计数法）"),
    ("出生日期", 12, None, "yyyy-mm-dd", "可不填，按身份证号自动识别"),
    ("手机号", 13, None, "@", None),
    ("学历", 11, [e.label for e in Education], None, None),
    ("学位", 7, [d.label for d in Degree], None, None),
    ("工作单位", 20, None, None, None),
    ("职务", 12, None, None, None),
    ("人员类别*", 13, [s.label for s in Stage], None, "正式党员须填写入党时间和转正时间；预备党员填写入党时间"),
    ("申请入党时间", 13, None, "yyyy-mm-dd", "日期可写 2021-07-01、2021/7/1 或 2021年7月1日"),
    ("入党时间", 12, None, "yyyy-mm-dd", None),
    ("转正时间", 12, None, "yyyy-mm-dd", None),
    ("参加工作时间", 13, None, "yyyy-mm-dd", None),
    ("党小组", 12, None, None, "须与本支部已建立的党小组名称一致"),
    ("家庭住址", 24, None, None, None),
    ("备注", 16, None, None, None),
]

_THIN = Side(style="thin", color="999999")
_BORDER = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="F3D9D9")


def _example_row() -> list:
    birth = date(1985, 7, 12)
    values = {
        "姓名*": "示例：张三", "性别": "男", "民族": "汉族",
        "身份证号*": generate_id_number(birth_date=birth, gender="M", area_code="410122", seq=1),
        "出生日期": birth, "手机号": "13800138000", "学历": Education.BACHELOR.label, "学位": Degree.BACHELOR.label,
        "工作单位": "某某有限公司", "职务": "职员", "人员类别*": Stage.FULL.label, "申请入党时间": date(2009, 3, 1),
        "入党时间": date(2010, 7, 1), "转正时间": date(2011, 7, 1), "参加工作时间": date(2008, 7, 1),
        "党小组": "", "家庭住址": "某某小区1号楼", "备注": "示例行（姓名以“示例”开头），导入时自动跳过",
    }
    return [values[c[0]] for c in TEMPLATE_COLUMNS]


def roster_template() -> Workbook:
    """The import template: instructions, header, dropdowns for the enumerations, one example row.

    Dropdown lists live on a hidden sheet 选项 (a list formula is limited to 255 characters, too short for
    the 58 民族). The ID and phone columns are text ("@") so Excel keeps all 18 digits.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    options = wb.create_sheet(OPTIONS_SHEET)
    options.sheet_state = "hidden"
    last = get_column_letter(len(TEMPLATE_COLUMNS))
    ws.append(["党员信息导入模板：带 * 为必填；请从第 3 行起填写（可删除示例行）；日期写作 2021-07-01；"
               "身份证号须为文本格式"])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, color="B71C1C")
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[1].height = 32
    ws.append([c[0] for c in TEMPLATE_COLUMNS])
    ws.append(_example_row())
    option_col = 0
    for index, (header, width, choices, fmt, note) in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=2, column=index)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if note:
            cell.comment = Comment(note, "党建")
        ws.column_dimensions[letter].width = width
        example = ws.cell(row=3, column=index)
        example.font = Font(italic=True, color="808080")
        if fmt:
            ws.column_dimensions[letter].number_format = fmt
            for row in range(3, TEMPLATE_ROWS + 3):
                ws.cell(row=row, column=index).number_format = fmt
        if choices:
            option_col += 1
            opt_letter = get_column_letter(option_col)
            for r, value in enumerate(choices, start=1):
                options.cell(row=r, column=option_col, value=value)
            dv = DataValidation(type="list", formula1=f"={OPTIONS_SHEET}!${opt_letter}$1:${opt_letter}${len(choices)}",
                                allow_blank=True, showErrorMessage=True, errorTitle="取值无效",
                                error=f"请从下拉列表中选择{header.rstrip('*')}")
            dv.add(f"{letter}3:{letter}{TEMPLATE_ROWS + 2}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A3"
    return wb


# --- Roster export ----------------------------------------------------------------------------

EXPORT_HEADERS = ["序号", "姓名", "性别", "民族", "出生日期", "身份证号", "手机号", "学历", "学位", "工作单位", "职务",
                  "所在党组织", "党小组", "人员类别", "申请入党时间", "入党时间", "转正时间", "党龄", "党籍状态",
                  "家庭住址", "备注"]
EXPORT_WIDTHS = [6, 10, 6, 8, 12, 21, 13, 11, 7, 20, 12, 20, 12, 12, 13, 12, 12, 6, 10, 24, 16]
_ID_COLUMN = EXPORT_HEADERS.index("身份证号") + 1


def _members(qs: QuerySet[Member]):
    return qs.select_related("org", "party_group").iterator(chunk_size=2000)


def _id_shown(member: Member, reveal: bool) -> str:
    if reveal:
        return member.id_number or ""
    return member.id_masked or mask_id_number(member.id_number or "")


def roster_workbook(qs: QuerySet[Member], *, reveal_ids: bool, title: str = "党员花名册") -> Workbook:
    """The filtered roster as a styled sheet (core.xlsx.build_workbook: title row, bold frozen header,
    widths, formula-safe cells); ID numbers masked (3604**********0071) unless `reveal_ids`; 党龄 in years."""
    def rows():
        for n, m in enumerate(_members(qs), start=1):
            yield [n, m.name, m.get_gender_display(), m.ethnicity, m.birth_date, _id_shown(m, reveal_ids), m.phone,
                   m.get_education_display(), m.get_degree_display(), m.unit_name, m.occupation, m.org.name,
                   m.party_group.name if m.party_group_id else "", m.get_stage_display(), m.applied_on, m.joined_on,
                   m.full_on, m.party_years, m.get_status_display(), m.address, m.notes]

    wb = build_workbook(title=title, headers=EXPORT_HEADERS, rows=rows(), widths=EXPORT_WIDTHS, sheet_title="花名册")
    ws = wb.active
    for (cell,) in ws.iter_rows(min_row=3, min_col=_ID_COLUMN, max_col=_ID_COLUMN):
        cell.number_format = "@"
    return wb


def export_audit(*, actor, org, fmt: str, count: int, reveal_ids: bool = False) -> None:
    """One audit event per export of personal data ("member.export"); call it in the view/API."""
    audit(actor=actor, verb="member.export", org=org,
          after={"format": fmt, "count": count, "reveal_ids": reveal_ids, "org_id": org.id})


# --- 花名册 PDF -------------------------------------------------------------------------------

PDF_CSS = """
@page { size: A4 landscape; margin: 12mm 10mm 14mm 10mm;
  @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 8pt; color: #555;
    font-family: "WenQuanYi Micro Hei", "AR PL UMing CN", sans-serif; } }
body { font-family: "WenQuanYi Micro Hei", "AR PL UMing CN", sans-serif; font-size: 8.5pt; color: #111; }
h1 { text-align: center; font-size: 17pt; letter-spacing: 3pt; margin: 0 0 2mm; font-weight: bold; }
.meta { width: 100%; margin-bottom: 2mm; font-size: 9pt; }
.meta td { border: none; padding: 0; text-align: left; }
.meta td.right { text-align: right; }
table.roster { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.roster thead { display: table-header-group; }
table.roster tr { page-break-inside: avoid; }
table.roster th, table.roster td { border: 0.6pt solid #444; padding: 1.1mm 0.8mm; text-align: center;
  vertical-align: middle; overflow-wrap: break-word; }
table.roster th { background: #f3d9d9; font-weight: bold; }
table.roster td.left { text-align: left; }
.sign { margin-top: 6mm; width: 100%; font-size: 9pt; }
.sign td { border: none; text-align: left; }
"""
PDF_COLUMNS = [("序号", 7), ("姓名", 14), ("性别", 7), ("民族", 9), ("出生年月", 13), ("学历", 16), ("身份证号", 35),
               ("人员类别", 19), ("入党时间", 16), ("转正时间", 16), ("党龄", 7), ("党小组", 17),
               ("工作单位及职务", 40), ("联系电话", 20), ("备注", 21)]  # widths in mm, scaled to the page


def _ym(value: date | None) -> str:
    return f"{value:%Y.%m}" if value else ""


def _ymd(value: date | None) -> str:
    return f"{value:%Y.%m.%d}" if value else ""


def roster_pdf(qs: QuerySet[Member], *, org, title: str = "党员花名册") -> bytes:
    """A printable 花名册: A4 landscape, the header repeated on every page, page numbers, CJK fonts
    (WenQuanYi Micro Hei / AR PL UMing CN from fonts-wqy-microhei / fonts-arphic-uming). IDs always masked.
    At most MAX_PDF_ROWS rows (DomainError beyond: export the xlsx instead)."""
    from dangjian.core.errors import DomainError
    from dangjian.core.files import render_pdf

    if qs.count() > MAX_PDF_ROWS:
        raise DomainError(f"花名册 PDF 最多 {MAX_PDF_ROWS} 人，请缩小范围或导出 Excel")
    body = []
    count = 0
    for n, m in enumerate(_members(qs), start=1):
        count = n
        work = " ".join(x for x in (m.unit_name, m.occupation) if x)
        cells = [n, m.name, m.get_gender_display(), m.ethnicity, _ym(m.birth_date), m.get_education_display(),
                 m.id_masked or mask_id_number(m.id_number or ""), m.get_stage_display(), _ymd(m.joined_on),
                 _ymd(m.full_on), "" if m.party_years is None else m.party_years,
                 m.party_group.name if m.party_group_id else "", work, m.phone, m.notes]
        tds = "".join(f'<td{" class=left" if i in (12, 14) else ""}>{escape(v)}</td>' for i, v in enumerate(cells))
        body.append(f"<tr>{tds}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(PDF_COLUMNS)}">（无人员）</td></tr>')
    cols = "".join(f'<col style="width:{w}mm">' for _, w in PDF_COLUMNS)
    ths = "".join(f"<th>{escape(h)}</th>" for h, _ in PDF_COLUMNS)
    today = timezone.localdate()
    html = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{PDF_CSS}</style></head><body>
<h1>{escape(title)}</h1>
<table class="meta"><tr><td>党组织：{escape(org.name)}</td>
<td class="right">共 {count} 人　制表日期：{today:%Y年%m月%d日}</td></tr></table>
<table class="roster"><colgroup>{cols}</colgroup><thead><tr>{ths}</tr></thead><tbody>{''.join(body)}</tbody></table>
<table class="sign"><tr><td>填表人：</td><td>审核人：</td><td>党组织（盖章）：</td></tr></table>
</body></html>"""
    return render_pdf(html)
