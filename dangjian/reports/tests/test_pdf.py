"""The fast ledger PDF: exact column placement, wrapping, and a real render with CJK fonts."""
import io

from django.test import SimpleTestCase

from dangjian.reports import pdf


class GridTests(SimpleTestCase):
    def test_widths_of_the_monospaced_face(self):
        self.assertEqual(pdf.text_width("张三"), 2 * 2048)
        self.assertEqual(pdf.text_width("19"), 2 * pdf.SPACE)

    def test_every_cell_starts_at_its_column(self):
        grid = pdf.Grid([20, 30, 40], left={2})
        line = grid.row_lines(["张三", "2024.01.01", "某某有限公司"])[0]
        # The left-aligned third cell starts 0.9 mm into its column (50 mm from the left), within 0.2 mm.
        start = line.index("某")
        offset = pdf.text_width(line[:start]) / pdf.UPM * pdf.EM_MM
        self.assertAlmostEqual(offset, 50 + pdf.CELL_PAD_MM, delta=0.2)
        # The centred first cell is centred within 0.2 mm.
        first = line.index("张")
        left = pdf.text_width(line[:first]) / pdf.UPM * pdf.EM_MM
        self.assertAlmostEqual(left + pdf.text_width("张三") / pdf.UPM * pdf.EM_MM / 2, 10, delta=0.2)

    def test_long_cells_wrap_and_are_cut_after_the_maximum(self):
        lines = pdf.wrap("党" * 30, pdf.mm_units(20))
        self.assertEqual(len(lines), 5)
        self.assertTrue(all(pdf.text_width(x) <= pdf.mm_units(20) for x in lines))
        lines = pdf.wrap("党" * 100, pdf.mm_units(20))
        self.assertEqual(len(lines), pdf.MAX_LINES)
        self.assertTrue(lines[-1].endswith("…"))
        self.assertEqual(pdf.wrap("一\n二", pdf.mm_units(20)), ["一", "二"])

    def test_cell_text(self):
        from datetime import date
        from decimal import Decimal

        self.assertEqual(pdf.cell_text(date(2024, 7, 1)), "2024.07.01")
        self.assertEqual(pdf.cell_text(Decimal("3")), "3.00")
        self.assertEqual(pdf.cell_text(None), "")
        self.assertEqual(pdf.cell_text(True), "是")
        self.assertEqual(pdf.cell_text("a\tb"), "a b")

    def test_render_a_small_ledger(self):
        from weasyprint import HTML

        rows = [[i, f"党员{i}", "2024.07.01", "很长的工作单位名称" * 3] for i in range(1, 81)]
        kwargs = dict(title="测试台账", org_name="第一党支部", period_display="2024年",
                      headers=["序号", "姓名", "日期", "工作单位"], widths_mm=[10, 20, 25, 40], left={3})
        html = pdf.ledger_html(rows=iter(rows), **kwargs)
        self.assertEqual(html.count('class="r"'), 80)
        doc = HTML(string=html).render()
        # 80 rows of three lines (the long cell wraps in its 40 mm column), each page div exactly one page.
        self.assertEqual(len(doc.pages), html.count('class="pg'))
        self.assertTrue(pdf.render_ledger_pdf(rows=iter(rows[:3]), **kwargs).startswith(b"%PDF"))
