"""Import template, roster xlsx export and the 花名册 PDF."""
import io
import shutil
import subprocess
import tempfile
import unittest
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from dangjian.core.errors import DomainError
from dangjian.core.idnumber import generate_id_number
from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.members import exporting
from dangjian.members.exporting import export_audit, roster_pdf, roster_template, roster_workbook
from dangjian.members.importing import ALIASES, _norm_header
from dangjian.members.models import Member
from dangjian.members.services import member_create
from dangjian.orgs.models import PartyGroup


def reopen(wb):
    buf = io.BytesIO()
    wb.save(buf)
    return load_workbook(io.BytesIO(buf.getvalue()))


class TemplateTests(PersonaTestCase):
    def test_headers_dropdowns_example_and_text_id_column(self):
        wb = reopen(roster_template())
        ws = wb["党员信息"]
        headers = [c.value for c in ws[2]]
        self.assertEqual(headers[:4], ["姓名*", "性别", "民族", "身份证号*"])
        self.assertTrue(all(_norm_header(h) in ALIASES for h in headers), headers)
        self.assertEqual(wb["选项"].sheet_state, "hidden")
        lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation}
        letters = {h.rstrip("*"): chr(65 + i) for i, h in enumerate(headers)}
        for header in ("性别", "民族", "学历", "学位", "人员类别"):
            self.assertIn(letters[header], lists, header)
        options = wb["选项"]
        column = lists[letters["民族"]].split("!")[1].split(":")[0].replace("$", "")[0]
        self.assertEqual(options[f"{column}1"].value, "汉族")
        self.assertEqual(len([c for c in options[column] if c.value]), 58)
        id_letter = letters["身份证号"]
        self.assertEqual(ws[f"{id_letter}3"].number_format, "@")
        self.assertEqual(ws[f"{id_letter}100"].number_format, "@")
        self.assertTrue(str(ws["A3"].value).startswith("示例"))
        self.assertEqual(len(ws[f"{id_letter}3"].value), 18)
        self.assertEqual(ws.freeze_panes, "A3")


class ExportTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        group = PartyGroup.objects.create(org=cls.branch_one, name="第一党小组")
        cls.number = generate_id_number(birth_date=date(1950, 3, 4), gender="F", seq=3)
        cls.member = member_create(actor=cls.li, org=cls.branch_one, data={
            "name": "王秀英", "id_number": cls.number, "stage": "full", "joined_on": date(1972, 7, 1),
            "full_on": date(1973, 7, 1), "phone": "13800138000", "education": "high_school",
            "party_group_id": group.id, "unit_name": "=HYPERLINK(\"x\")", "notes": "光荣在党50年"})
        for n in range(3):
            member_create(actor=cls.li, org=cls.branch_one, data={
                "name": f"积极分子{n}", "id_number": generate_id_number(birth_date=date(1995, 1, 1 + n), gender="M",
                                                                  seq=n),
                "stage": "activist", "applied_on": date(2020, 1, 1)})

    def rows(self, wb):
        ws = reopen(wb).active
        header = [c.value for c in ws[2]]
        return ws, header, [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=3)]

    def test_masked_by_default_frozen_header_party_years(self):
        ws, header, rows = self.rows(roster_workbook(Member.objects.order_by("id"), reveal_ids=False))
        self.assertEqual(ws["A1"].value, "党员花名册")
        self.assertEqual(ws.freeze_panes, "A3")
        self.assertIn("党龄", header)
        first = rows[0]
        self.assertEqual(first["姓名"], "王秀英")
        self.assertEqual(first["身份证号"], self.number[:4] + "*" * 10 + self.number[-4:])
        self.assertNotIn(self.number, [c.value for r in ws.iter_rows() for c in r])
        self.assertEqual(first["党龄"], self.member.party_years)
        self.assertEqual((first["性别"], first["学历"], first["党小组"], first["人员类别"]),
                         ("女", "高中", "第一党小组", "正式党员"))
        self.assertEqual(first["工作单位"], "'=HYPERLINK(\"x\")")  # formula injection neutralised
        self.assertIsNone(rows[1]["党龄"])
        self.assertEqual(len(rows), 4)
        self.assertGreaterEqual(ws.column_dimensions["F"].width, 20)

    def test_revealed_ids_as_text(self):
        ws, header, rows = self.rows(roster_workbook(Member.objects.order_by("id"), reveal_ids=True))
        self.assertEqual(rows[0]["身份证号"], self.number)
        self.assertEqual(ws["F3"].number_format, "@")

    def test_no_n_plus_one(self):
        with self.assertNumQueries(1):
            roster_workbook(Member.objects.all(), reveal_ids=False)

    def test_export_audit(self):
        export_audit(actor=self.li, org=self.branch_one, fmt="xlsx", count=4)
        event = AuditEvent.objects.latest("id")
        self.assertEqual((event.verb, event.after["count"], event.after["reveal_ids"]), ("member.export", 4, False))


class PdfTests(ExportTests):
    def test_pdf_renders_chinese_masked(self):
        pdf = roster_pdf(Member.objects.order_by("id"), org=self.branch_one, title="第一党支部党员花名册")
        self.assertTrue(pdf.startswith(b"%PDF"))
        if not shutil.which("pdftotext"):
            raise unittest.SkipTest("pdftotext (poppler-utils) not installed")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "r.pdf"
            path.write_bytes(pdf)
            text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
            fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        compact = "".join(text.split())
        for expected in ("第一党支部党员花名册", "王秀英", "光荣在党50年", "第一党小组", "共4人", "第1页/共1页"):
            self.assertIn(expected, compact)
        self.assertNotIn(self.number, text)
        self.assertIn(self.number[-4:], text)
        self.assertTrue("WenQuanYi" in fonts or "UMing" in fonts, fonts)

    def test_pdf_header_repeats_on_every_page(self):
        many = [Member(org=self.branch_one, name=f"党员{n:03d}", gender="M", birth_date=date(1980, 1, 1),
                       stage="activist") for n in range(120)]
        Member.objects.bulk_create(many)
        pdf = roster_pdf(Member.objects.order_by("id"), org=self.branch_one, title="花名册")
        if not shutil.which("pdftotext"):
            raise unittest.SkipTest("pdftotext (poppler-utils) not installed")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "r.pdf"
            path.write_bytes(pdf)
            text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
        pages = text.split("\f")
        pages = [p for p in pages if p.strip()]
        self.assertGreater(len(pages), 1)
        for page in pages:
            self.assertIn("身份证号", page)

    def test_pdf_too_many_rows(self):
        old = exporting.MAX_PDF_ROWS
        exporting.MAX_PDF_ROWS = 2
        try:
            with self.assertRaises(DomainError):
                roster_pdf(Member.objects.all(), org=self.branch_one, title="花名册")
        finally:
            exporting.MAX_PDF_ROWS = old
