"""Pages and API: scope (wang 404 for branch one), anonymous users, bad input writing nothing, ledger exports
(audited, background jobs with progress), no N+1 on the ledger list."""
import io
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.reports import services
from dangjian.reports.models import LedgerJob

from .helpers import ReportsFixture, member


class DashboardPageTests(ReportsFixture):
    def test_secretary_sees_the_dashboard_and_every_chart_of_her_branch(self):
        web = self.web_as(self.li)
        r = web.get(f"/reports/dashboard/?org={self.branch_one.id}&year=2025")
        self.assertContains(r, "统计分析 · 第一党支部")
        self.assertContains(r, "echarts.min.js")
        self.assertNotContains(r, "cdn")
        from dangjian.reports.selectors import charts_available

        for key in charts_available():
            r = web.get(f"/reports/dashboard/data/{key}/?org={self.branch_one.id}&year=2025")
            self.assertEqual(r.status_code, 200, key)
            self.assertEqual(r.json()["key"], key)

    def test_drill_down_links_carry_the_child_org(self):
        r = self.web_as(self.zhang).get(f"/reports/dashboard/data/members_by_child/?org={self.root.id}")
        ids = [row["org_id"] for row in r.json()["data"]["rows"]]
        self.assertEqual(ids, [self.community.id, self.other_branch.id])
        r = self.web_as(self.zhang).get(f"/reports/dashboard/?org={self.community.id}")
        self.assertContains(r, "测试镇党委")  # breadcrumb back up

    def test_outsider_member_and_anonymous(self):
        urls = [f"/reports/dashboard/?org={self.branch_one.id}",
                f"/reports/dashboard/data/members_by_stage/?org={self.branch_one.id}",
                f"/reports/ledgers/?org={self.branch_one.id}", f"/reports/ledgers/roster/?org={self.branch_one.id}",
                f"/reports/statistics/?org={self.branch_one.id}",
                f"/reports/statistics/export/?org={self.branch_one.id}", f"/reports/tasks/?org={self.branch_one.id}"]
        for url in urls:
            self.assertEqual(self.web_as(self.wang).get(url).status_code, 404, url)
            self.assertEqual(self.web_as(self.zhao).get(url).status_code, 404, url)
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertIn("/login/", r["Location"])
        self.assertEqual(self.web_as(self.zhao).get("/reports/dashboard/").status_code, 404)
        r = self.web_as(self.wang).post(f"/reports/ledgers/roster/export/",
                                        {"org": self.branch_one.id, "period": "2025", "format": "xlsx"})
        self.assertEqual(r.status_code, 404)

    def test_bad_input_is_a_clear_4xx(self):
        web = self.web_as(self.zhang)
        self.assertEqual(web.get("/reports/dashboard/?org=abc").status_code, 404)
        self.assertEqual(web.get("/reports/dashboard/?org=99999999").status_code, 404)
        self.assertContains(web.get("/reports/dashboard/?year=20x5"), "年度应为", status_code=400)
        self.assertContains(web.get("/reports/dashboard/?source=magic"), "数据来源", status_code=400)
        r = web.get(f"/reports/dashboard/data/members_by_stage/?org={self.root.id}&year=0")
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-REPORT-PERIOD"))
        self.assertEqual(web.get("/reports/dashboard/data/nope/").status_code, 404)
        self.assertContains(web.get("/reports/ledgers/?period=2025Q5"), "期间格式", status_code=400)
        self.assertEqual(web.get("/reports/ledgers/nope/").status_code, 404)
        self.assertContains(web.get("/reports/statistics/?year=abc"), "年度应为", status_code=400)
        self.assertEqual(web.post("/reports/dashboard/").status_code, 405)

    def test_api(self):
        api = self.api_as(self.li)
        r = api.get("/reports/dashboard", {"org": self.branch_one.id, "year": 2025})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["members_by_stage"]["total"], 4)
        r = api.get("/reports/dashboard/members_by_gender", {"org": self.branch_one.id})
        self.assertEqual(r.json()["data"]["total"], 3)
        self.assertEqual(api.get("/reports/statistics", {"org": self.branch_one.id, "year": 2024}).status_code, 200)
        self.assertEqual(api.get("/reports/ledgers", {"org": self.branch_one.id}).json()[0]["key"], "roster")
        wang = self.api_as(self.wang)
        for path in ("/reports/dashboard", "/reports/dashboard/members_by_stage", "/reports/statistics",
                     "/reports/ledgers"):
            self.assertEqual(wang.get(path, {"org": self.branch_one.id}).status_code, 404, path)
            self.assertEqual(self.api_as(None).get(path, {"org": self.branch_one.id}).status_code, 401, path)
        r = api.get("/reports/ledgers", {"org": self.branch_one.id, "period": "2025-13"})
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-REPORT-PERIOD"))
        self.assertEqual(api.get("/reports/dashboard", {"org": "x"}).status_code, 422)


class LedgerTests(ReportsFixture):
    def test_ledger_center_lists_counts_for_the_period(self):
        r = self.web_as(self.li).get(f"/reports/ledgers/?org={self.branch_one.id}&period=2025")
        self.assertContains(r, "党员花名册")
        row = next(x for x in r.context["rows"] if x["ledger"].key == "roster")
        self.assertEqual(row["count"], 3)  # A, B, C on the rolls (E deceased, D an applicant)

    def test_ledger_list_has_no_n_plus_one(self):
        web = self.web_as(self.zhang)
        url = f"/reports/ledgers/?org={self.root.id}&period=2025"
        web.get(url)
        with CaptureQueriesContext(connection) as few:
            web.get(url)
        for i in range(30):
            member(self.branch_two, f"新{i}", gender="M", born=self.A.birth_date, joined=self.A.joined_on,
                   full=self.A.full_on)
        with CaptureQueriesContext(connection) as many:
            web.get(url)
        self.assertEqual(len(many), len(few))

    def test_preview_pages_cost_the_same_queries_whatever_the_rows(self):
        web = self.web_as(self.zhang)
        url = f"/reports/ledgers/roster/?org={self.root.id}"
        web.get(url)
        with CaptureQueriesContext(connection) as few:
            web.get(url)
        for i in range(30):
            member(self.branch_two, f"新{i}", gender="M", born=self.A.birth_date, joined=self.A.joined_on,
                   full=self.A.full_on)
        with CaptureQueriesContext(connection) as many:
            r = web.get(url)
        self.assertEqual(len(many), len(few))
        self.assertEqual(len(r.context["rows"]), 36)  # 6 of the fixture + 30

    def test_xlsx_export_is_audited_and_formula_safe(self):
        member(self.branch_one, "=HYPERLINK(\"http://x\")", gender="M", born=self.A.birth_date,
               joined=self.A.joined_on, full=self.A.full_on)
        r = self.web_as(self.li).post("/reports/ledgers/roster/export/",
                                      {"org": self.branch_one.id, "period": "2025", "format": "xlsx"})
        self.assertEqual(r.status_code, 200)
        self.assertIn("attachment", r["Content-Disposition"])
        ws = load_workbook(io.BytesIO(r.content)).active
        names = [ws.cell(row=i, column=2).value for i in range(3, ws.max_row + 1)]
        self.assertIn("'=HYPERLINK(\"http://x\")", names)
        self.assertEqual(len(names), 4)
        event = AuditEvent.objects.get(verb="reports.ledger_export")
        self.assertEqual((event.actor, event.org, event.after["count"], event.after["format"]),
                         (self.li, self.branch_one, 4, "xlsx"))

    def test_pdf_export(self):
        r = self.web_as(self.li).post("/reports/ledgers/roster/export/",
                                      {"org": self.branch_one.id, "period": "2025", "format": "pdf"})
        self.assertEqual((r.status_code, r["Content-Type"]), (200, "application/pdf"))
        self.assertTrue(r.content.startswith(b"%PDF"))

    def test_bad_export_writes_nothing(self):
        web = self.web_as(self.li)
        for data in ({"format": "doc", "period": "2025"}, {"format": "xlsx", "period": "2025Q9"}):
            r = web.post("/reports/ledgers/roster/export/", {"org": self.branch_one.id, **data})
            self.assertEqual(r.status_code, 400)
        self.assertEqual(web.post("/reports/ledgers/nope/export/", {"org": self.branch_one.id, "format": "xlsx"})
                         .status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(verb="reports.ledger_export").exists())
        self.assertFalse(LedgerJob.objects.exists())

    def test_a_big_ledger_runs_as_a_job_with_progress_and_a_download(self):
        web = self.web_as(self.li)
        with mock.patch.object(services, "SYNC_MAX_ROWS", 2), self.captureOnCommitCallbacks(execute=True):
            r = web.post("/reports/ledgers/roster/export/", {"org": self.branch_one.id, "period": "2025",
                                                              "format": "xlsx"})
        job = LedgerJob.objects.get()
        self.assertRedirects(r, f"/reports/ledgers/jobs/{job.id}/", fetch_redirect_response=False)
        job.refresh_from_db()
        self.assertEqual((job.state, job.progress, job.total_rows), ("done", 100, 3))
        self.assertTrue(AuditEvent.objects.get(verb="reports.ledger_export").after["background"])
        r = web.get(f"/reports/ledgers/jobs/{job.id}/progress/")
        self.assertContains(r, f"/reports/ledgers/jobs/{job.id}/download/")
        self.assertNotContains(r, "hx-trigger")  # polling stops when done
        r = web.get(f"/reports/ledgers/jobs/{job.id}/download/")
        self.assertEqual(r.status_code, 200)
        ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
        self.assertEqual(ws.max_row, 5)
        for url in (f"/reports/ledgers/jobs/{job.id}/", f"/reports/ledgers/jobs/{job.id}/progress/",
                    f"/reports/ledgers/jobs/{job.id}/download/"):
            self.assertEqual(self.web_as(self.wang).get(url).status_code, 404, url)
        job.file.delete(save=False)

    def test_a_pending_job_page_polls(self):
        job = LedgerJob.objects.create(org=self.branch_one, ledger="roster", period="2025", fmt="pdf",
                                       created_by=self.li, filename="x.pdf", progress=40, state="running")
        r = self.web_as(self.li).get(f"/reports/ledgers/jobs/{job.id}/")
        self.assertContains(r, 'hx-trigger="every 1s"')
        self.assertContains(r, "40%")
        self.assertEqual(self.web_as(self.li).get(f"/reports/ledgers/jobs/{job.id}/download/").status_code, 404)

    def test_a_failing_job_ends_failed(self):
        job = LedgerJob.objects.create(org=self.branch_one, ledger="roster", period="2025", fmt="xlsx",
                                       created_by=self.li, filename="x.xlsx")
        with mock.patch.object(services, "ledger_render", side_effect=RuntimeError("boom")):
            self.assertEqual(services.ledger_job_build(job.id), "failed")
        job.refresh_from_db()
        self.assertEqual(job.state, "failed")
        self.assertIn("系统错误", job.error)
        self.assertEqual(services.ledger_job_build(job.id), "failed")  # never runs twice
