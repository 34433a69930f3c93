"""Pages: the sheet with tick-to-pay (htmx), member pages, report, export, publication; scope and bad input."""
import io
from datetime import date

from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.dues import services
from dangjian.dues.models import DuesExemption, DuesPayment, DuesProfile

from .helpers import make_member, ml, this_month


class DuesPagesTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.liu = make_member(cls.branch_one, "刘红梅", joined_on=date(2005, 3, 1))
        cls.me = make_member(cls.branch_one, "赵志强", joined_on=date(2012, 7, 1), user=cls.zhao)
        cls.qian = make_member(cls.branch_two, "钱立平")
        for m in (cls.liu, cls.me):
            services.dues_base_set(actor=cls.li, member=m, category="employed", income="4000.00",
                                   effective_from=ml(-12))
        cls.year = this_month().year


class SheetTests(DuesPagesTestCase):
    def test_sheet_shows_members_and_months(self):
        r = self.web_as(self.li).get(f"/dues/org/{self.branch_one.id}/sheet/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "刘红梅")
        self.assertContains(r, "hx-post")
        self.assertNotContains(r, "钱立平")

    def test_tick_to_pay_records_the_month(self):
        web = self.web_as(self.li)
        r = web.post(f"/dues/org/{self.branch_one.id}/tick/", {"member": self.liu.id, "month": ml(0)},
                     HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'data-state="paid"')
        p = DuesPayment.objects.get()
        self.assertEqual((p.member_id, str(p.amount), p.method), (self.liu.id, "40.00", "cash"))
        r = web.post(f"/dues/org/{self.branch_one.id}/tick/", {"member": self.liu.id, "month": ml(0)})
        self.assertEqual(DuesPayment.objects.count(), 1)
        self.assertContains(r, "无需交纳")

    def test_tick_refuses_outside_window_and_junk(self):
        web = self.web_as(self.li)
        r = web.post(f"/dues/org/{self.branch_one.id}/tick/", {"member": self.liu.id, "month": ml(5)})
        self.assertContains(r, "预交")
        self.assertEqual(web.post(f"/dues/org/{self.branch_one.id}/tick/",
                                  {"member": self.liu.id, "month": "x"}).status_code, 400)
        self.assertEqual(web.post(f"/dues/org/{self.branch_one.id}/tick/",
                                  {"member": "abc", "month": ml(0)}).status_code, 404)
        self.assertEqual(DuesPayment.objects.count(), 0)

    def test_outsider_404_and_anonymous_redirect(self):
        wang = self.web_as(self.wang)
        self.assertEqual(wang.get(f"/dues/org/{self.branch_one.id}/sheet/").status_code, 404)
        self.assertEqual(wang.post(f"/dues/org/{self.branch_one.id}/tick/",
                                   {"member": self.liu.id, "month": ml(0)}).status_code, 404)
        # wang's own org in the URL, li's member in the body
        self.assertEqual(wang.post(f"/dues/org/{self.branch_two.id}/tick/",
                                   {"member": self.liu.id, "month": ml(0)}).status_code, 404)
        self.assertEqual(DuesPayment.objects.count(), 0)
        r = self.client.get(f"/dues/org/{self.branch_one.id}/sheet/")
        self.assertEqual(r.status_code, 302)
        self.assertTrue(r["Location"].startswith("/login/"))

    def test_index_redirects(self):
        self.assertRedirects(self.web_as(self.li).get("/dues/"), f"/dues/org/{self.branch_one.id}/sheet/",
                             fetch_redirect_response=False)
        self.assertRedirects(self.web_as(self.zhao).get("/dues/"), "/dues/me/", fetch_redirect_response=False)


class MemberPageTests(DuesPagesTestCase):
    def test_member_page_and_forms(self):
        web = self.web_as(self.li)
        self.assertContains(web.get(f"/dues/member/{self.liu.id}/"), "登记交纳")
        r = web.post(f"/dues/member/{self.liu.id}/pay/", {"months": [ml(0), ml(-1)], "amount": "80.00",
                                                          "method": "cash"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(DuesPayment.objects.get().months.count(), 2)
        r = web.post(f"/dues/member/{self.liu.id}/base/", {"category": "employed", "income": "5000.01",
                                                           "effective_from": ml(1), "reason": "调资"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(str(DuesProfile.objects.filter(member=self.liu).latest("effective_from").monthly_amount),
                         "75.00")

    def test_bad_forms_show_errors_and_write_nothing(self):
        web = self.web_as(self.li)
        audits = AuditEvent.objects.count()
        r = web.post(f"/dues/member/{self.liu.id}/pay/", {"months": [ml(0)], "amount": "1.00", "method": "cash"})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "不符", status_code=400)
        r = web.post(f"/dues/member/{self.liu.id}/base/", {"category": "employed", "income": "-3",
                                                           "effective_from": ml(1)})
        self.assertContains(r, "负数", status_code=400)
        r = web.post(f"/dues/member/{self.liu.id}/exemptions/", {"from_month": ml(1), "to_month": ml(0),
                                                                 "monthly_amount": "0", "reason": "x",
                                                                 "branch_decided_on": "2026-01-01",
                                                                 "approved_on": "2026-01-02", "approval_ref": "x"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual((DuesPayment.objects.count(), DuesExemption.objects.count()), (0, 0))
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_reverse_and_receipt(self):
        p = services.dues_payment_record(actor=self.li, member=self.liu, months=[ml(0)], amount="40.00", method="cash")
        web = self.web_as(self.li)
        self.assertContains(web.get(f"/dues/payments/{p.id}/receipt/"), p.receipt_no)
        self.assertEqual(web.post(f"/dues/payments/{p.id}/reverse/", {"reason": "误收"}).status_code, 302)
        self.assertEqual(DuesPayment.objects.filter(kind="reversal").count(), 1)

    def test_outsider_404(self):
        p = services.dues_payment_record(actor=self.li, member=self.liu, months=[ml(0)], amount="40.00", method="cash")
        wang = self.web_as(self.wang)
        for url in (f"/dues/member/{self.liu.id}/", f"/dues/payments/{p.id}/receipt/"):
            self.assertEqual(wang.get(url).status_code, 404, url)
        for url, data in ((f"/dues/member/{self.liu.id}/pay/", {"months": [ml(1)], "amount": "40", "method": "cash"}),
                          (f"/dues/member/{self.liu.id}/base/", {"category": "student", "effective_from": ml(1)}),
                          (f"/dues/payments/{p.id}/reverse/", {"reason": "x"})):
            self.assertEqual(wang.post(url, data).status_code, 404, url)
        self.assertEqual(DuesPayment.objects.count(), 1)

    def test_my_dues_page(self):
        services.dues_payment_record(actor=self.li, member=self.me, months=[ml(0)], amount="40.00", method="cash")
        r = self.web_as(self.zhao).get("/dues/me/")
        self.assertContains(r, "40.00 元/月")
        self.assertContains(r, "逐月情况")
        self.assertEqual(self.web_as(self.zhao).get(f"/dues/member/{self.liu.id}/").status_code, 404)
        self.assertContains(self.web_as(self.wang).get("/dues/me/"), "未关联党员档案")


class ReportPagesTests(DuesPagesTestCase):
    def test_report_arrears_publication(self):
        web = self.web_as(self.zhang)
        r = web.get(f"/dues/org/{self.root.id}/report/")
        self.assertContains(r, "第一党支部")
        self.assertContains(web.get(f"/dues/org/{self.root.id}/arrears/"), "R-ABSENT-6M")
        r = self.web_as(self.li).post(f"/dues/org/{self.branch_one.id}/publication/?year={self.year}",
                                      {"handed_up": "0", "used": "0", "use_note": "无"})
        self.assertEqual(r.status_code, 302)
        r = self.web_as(self.li).post(f"/dues/org/{self.branch_one.id}/publication/?year={self.year}",
                                      {"handed_up": "abc", "used": "0"})
        self.assertEqual(r.status_code, 400)

    def test_export_xlsx(self):
        services.dues_payment_record(actor=self.li, member=self.liu, months=[ml(0)], amount="40.00", method="cash")
        r = self.web_as(self.li).get(f"/dues/org/{self.branch_one.id}/export.xlsx")
        self.assertEqual(r.status_code, 200)
        ws = load_workbook(io.BytesIO(r.content)).active
        self.assertIn("党费收缴台账", ws["A1"].value)
        names = [row[1] for row in ws.iter_rows(min_row=3, values_only=True)]
        self.assertEqual(sorted(names), sorted(["刘红梅", "赵志强"]))
        self.assertTrue(AuditEvent.objects.filter(verb="dues.export").exists())

    def test_outsider_404(self):
        wang = self.web_as(self.wang)
        for url in ("report/", "arrears/", "export.xlsx", "publication/"):
            self.assertEqual(wang.get(f"/dues/org/{self.branch_one.id}/{url}").status_code, 404, url)
        self.assertEqual(wang.post(f"/dues/org/{self.branch_one.id}/publication/", {"handed_up": "0"}).status_code, 404)
        self.assertEqual(self.web_as(self.zhao).get(f"/dues/org/{self.branch_one.id}/report/").status_code, 404)
