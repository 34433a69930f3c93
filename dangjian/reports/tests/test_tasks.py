"""Report tasks (issue, prefill, fill in, overdue, merged workbook), the scheduler page and the nightly
roll-up's idempotency."""
import io
from datetime import date, timedelta

from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent, JobRun
from dangjian.reports import services
from dangjian.reports.models import MemberStatsDaily, ReportSubmission, ReportTask, TaskFailure
from dangjian.reports.tasks import member_stats_rollup, record_failure

from .helpers import ON, ReportsFixture

FIELDS = "党员总数*|整数|members.count_on_rolls\n书记姓名*|文本\n是否换届|选项||是、否\n经费|小数"


class ReportTaskTests(ReportsFixture):
    def issue(self, **kw):
        data = {"title": "党员情况统计", "deadline": (timezone.localdate() + timedelta(days=7)).isoformat(),
                "target": "branches", "fields_text": FIELDS, "instructions": "请核对", "org": self.root.id, **kw}
        return self.web_as(self.zhang).post("/reports/tasks/new/", data)

    def test_committee_issues_to_every_branch_below(self):
        r = self.issue()
        task = ReportTask.objects.get()
        self.assertRedirects(r, f"/reports/tasks/{task.id}/", fetch_redirect_response=False)
        self.assertEqual(sorted(task.submissions.values_list("org__name", flat=True)),
                         sorted(["第一党支部", "第二党支部", "机关党支部"]))
        self.assertEqual([f["source"] for f in task.fields], ["members.count_on_rolls", "", "", ""])
        self.assertTrue(AuditEvent.objects.filter(verb="reports.task_issue", target_id=str(task.id)).exists())
        self.web_as(self.zhang).post("/reports/tasks/new/", {**self.issue_data_children()})
        task2 = ReportTask.objects.exclude(pk=task.pk).get()
        self.assertEqual(sorted(task2.submissions.values_list("org__name", flat=True)), ["机关党支部", "测试社区党委"])

    def issue_data_children(self):
        return {"title": "直属组织报表", "deadline": timezone.localdate().isoformat(), "target": "children",
                "fields_text": "人数|整数", "org": self.root.id}

    def test_bad_templates_and_branches_issue_nothing(self):
        for kw in ({"fields_text": "党员总数|布尔"}, {"fields_text": "人数|整数|no.such"}, {"target": "all"},
                   {"deadline": (timezone.localdate() - timedelta(days=1)).isoformat()}, {"title": ""},
                   {"deadline": "2025-02-30"}):
            self.assertEqual(self.issue(**kw).status_code, 400, kw)
        r = self.web_as(self.li).post("/reports/tasks/new/", {
            "title": "x", "deadline": timezone.localdate().isoformat(), "target": "branches", "fields_text": "a",
            "org": self.branch_one.id})
        self.assertContains(r, "党支部没有下级组织", status_code=400)
        self.assertEqual(self.web_as(self.wang).post("/reports/tasks/new/", {"org": self.branch_one.id}).status_code,
                         404)
        self.assertFalse(ReportTask.objects.exists())
        self.assertFalse(ReportSubmission.objects.exists())

    def test_branch_fills_in_with_prefilled_data_and_submits(self):
        self.issue()
        sub = ReportSubmission.objects.get(org=self.branch_one)
        web = self.web_as(self.li)
        r = web.get(f"/reports/submissions/{sub.id}/")
        self.assertEqual(r.context["form"].initial["f1"], 3)  # A, B, C on the rolls of branch one
        self.assertContains(r, "已按本组织数据预填")
        before = AuditEvent.objects.count()
        r = web.post(f"/reports/submissions/{sub.id}/", {"f1": "三", "f2": "李秀英", "action": "submit"})
        self.assertContains(r, "应为整数", status_code=400)
        r = web.post(f"/reports/submissions/{sub.id}/", {"f1": "3", "f2": "", "action": "submit"})
        self.assertContains(r, "必填", status_code=400)
        r = web.post(f"/reports/submissions/{sub.id}/", {"f1": "3", "f3": "也许", "action": "save"})
        self.assertEqual(r.status_code, 400)
        sub.refresh_from_db()
        self.assertEqual((sub.state, sub.values, AuditEvent.objects.count()), ("pending", {}, before))
        r = web.post(f"/reports/submissions/{sub.id}/", {"f1": "3", "action": "save"})
        sub.refresh_from_db()
        self.assertEqual((sub.state, sub.values["f1"]), ("draft", 3))
        web.post(f"/reports/submissions/{sub.id}/", {"f1": "3", "f2": "李秀英", "f3": "否", "f4": "12.345",
                                                     "action": "submit"})
        sub.refresh_from_db()
        self.assertEqual((sub.state, sub.values), ("submitted", {"f1": 3, "f2": "李秀英", "f3": "否", "f4": "12.35"}))
        self.assertEqual(sub.submitted_by, self.li)

    def test_outsiders_cannot_see_or_fill_branch_ones_form(self):
        self.issue()
        task = ReportTask.objects.get()
        sub = ReportSubmission.objects.get(org=self.branch_one)
        for user in (self.wang, self.zhao):
            web = self.web_as(user)
            self.assertEqual(web.get(f"/reports/submissions/{sub.id}/").status_code, 404)
            self.assertEqual(web.post(f"/reports/submissions/{sub.id}/", {"f1": "1", "action": "submit"}).status_code,
                             404)
            self.assertEqual(web.get(f"/reports/tasks/{task.id}/").status_code, 404)
            self.assertEqual(web.get(f"/reports/tasks/{task.id}/export/").status_code, 404)
            self.assertEqual(web.post(f"/reports/tasks/{task.id}/close/").status_code, 404)
        self.assertEqual(self.web_as(self.li).get(f"/reports/tasks/{task.id}/").status_code, 404)
        self.assertEqual(self.api_as(self.wang).get(f"/reports/tasks/{task.id}").status_code, 404)
        sub.refresh_from_db()
        self.assertEqual(sub.state, "pending")
        r = self.client.get(f"/reports/submissions/{sub.id}/")
        self.assertIn("/login/", r["Location"])

    def test_committee_sees_who_is_missing_and_overdue_and_gets_one_workbook(self):
        self.issue()
        task = ReportTask.objects.get()
        one = ReportSubmission.objects.get(org=self.branch_one)
        services.report_submission_save(actor=self.li, submission=one, data={"f1": "3", "f2": "李秀英"}, submit=True)
        ReportTask.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - timedelta(days=1))
        r = self.web_as(self.zhang).get(f"/reports/tasks/{task.id}/")
        p = r.context["progress"]
        self.assertEqual((p["total"], p["submitted"], p["missing"], p["overdue"]), (3, 1, 2, 2))
        self.assertContains(r, "已逾期", count=2)
        self.assertContains(r, "逾期上报")  # branch one submitted today, after the moved deadline
        api = self.api_as(self.zhang).get(f"/reports/tasks/{task.id}").json()
        self.assertEqual((api["missing"], api["overdue"]), (2, 2))
        r = self.web_as(self.zhang).get(f"/reports/tasks/{task.id}/export/")
        ws = load_workbook(io.BytesIO(r.content)).active
        self.assertEqual([c.value for c in ws[2]], ["序号", "填报组织", "状态", "上报时间", "党员总数", "书记姓名",
                                                    "是否换届", "经费"])
        rows = {ws.cell(row=i, column=2).value: [c.value for c in ws[i]] for i in range(3, ws.max_row + 1)}
        self.assertEqual(rows["第一党支部"][4:6], [3, "李秀英"])
        self.assertEqual(rows["第二党支部"][2], "已逾期")
        r = self.web_as(self.li).get(f"/reports/tasks/?org={self.branch_one.id}")
        self.assertContains(r, "党员情况统计")

    def test_closed_task_refuses_answers(self):
        self.issue()
        task = ReportTask.objects.get()
        self.web_as(self.zhang).post(f"/reports/tasks/{task.id}/close/")
        task.refresh_from_db()
        self.assertEqual(task.state, "closed")
        sub = ReportSubmission.objects.get(org=self.branch_one)
        r = self.web_as(self.li).post(f"/reports/submissions/{sub.id}/", {"f1": "3", "action": "save"})
        self.assertContains(r, "已截止关闭", status_code=400)
        self.assertEqual(self.web_as(self.zhang).post(f"/reports/tasks/{task.id}/close/").status_code, 400)

    def test_pending_forms_card_on_the_home_page(self):
        self.issue()
        from dangjian.reports.selectors import home_cards

        self.assertEqual(home_cards(actor=self.zhang, org=self.root)[0]["value"], 3)
        self.assertEqual(home_cards(actor=self.zhao, org=self.branch_one), [])


class SchedulerTests(ReportsFixture):
    def test_admin_sees_the_periodic_jobs_and_their_runs(self):
        member_stats_rollup(ON)
        TaskFailure.objects.create(task="dangjian.dues.tasks.x", error="RuntimeError: boom")
        r = self.web_as(self.zhang).get("/reports/jobs/")
        self.assertContains(r, "member_stats_rollup_task")
        self.assertContains(r, "reports.member_stats")
        self.assertContains(r, "RuntimeError: boom")
        names = [t["name"] for t in r.context["periodic"]]
        self.assertIn("member_stats_rollup_task", names)
        ours = next(t for t in r.context["periodic"] if t["name"] == "member_stats_rollup_task")
        self.assertIn("01:30", ours["schedule"])
        self.assertIsNotNone(ours["next_run"])

    def test_only_admins(self):
        self.assertEqual(self.web_as(self.li).get("/reports/jobs/").status_code, 403)
        self.assertEqual(self.web_as(self.zhao).get("/reports/jobs/").status_code, 404)
        self.assertIn("/login/", self.client.get("/reports/jobs/")["Location"])
        self.assertEqual(self.web_as(self.li).post("/reports/jobs/rollup/").status_code, 403)
        self.assertFalse(JobRun.objects.exists())

    def test_failures_are_recorded_by_the_huey_signal(self):
        class FakeTask:
            name = "dangjian.reports.tasks.something"

        record_failure("error", FakeTask(), ValueError("坏了"))
        self.assertEqual(TaskFailure.objects.get().error, "ValueError: 坏了")

    def test_schedule_description(self):
        from dangjian.reports.selectors_tasks import describe_schedule

        self.assertEqual(describe_schedule([set(range(1, 13)), set(range(1, 32)), set(range(7)), {1}, {30}]),
                         "每天 01:30")
        self.assertEqual(describe_schedule([{1}, set(range(1, 8)), set(range(7)), {1}, {10}]), "1月 1-7日 01:10")
        self.assertEqual(describe_schedule(None), "自定义")


class RollupTests(ReportsFixture):
    def test_nightly_rollup_runs_once_a_day(self):
        first = member_stats_rollup(ON)
        rows = list(MemberStatsDaily.objects.order_by("id").values_list("org_id", "dimension", "value", "count"))
        self.assertEqual(first["rows"], len(rows))
        self.assertIsNone(member_stats_rollup(ON))  # the second firing of the day does nothing
        self.assertEqual(JobRun.objects.filter(job="reports.member_stats").count(), 1)
        self.assertEqual(list(MemberStatsDaily.objects.order_by("id").values_list("org_id", "dimension", "value",
                                                                                   "count")), rows)
        # Subtree totals: the root counts every active person of every stage.
        root_stage = dict(MemberStatsDaily.objects.filter(org=self.root, dimension="stage")
                          .values_list("value", "count"))
        self.assertEqual(root_stage, {"applicant": 1, "activist": 1, "probationary": 2, "full": 4})
        # Recomputing the same date replaces its rows: same numbers, nothing doubled.
        services.member_stats_compute(on=ON)
        self.assertEqual(sorted(MemberStatsDaily.objects.values_list("org_id", "dimension", "value", "count")),
                         sorted(rows))

    def test_a_failed_run_can_be_retried_and_old_days_are_pruned(self):
        from unittest import mock

        with mock.patch.object(services, "member_stats_compute", side_effect=RuntimeError("db down")):
            with self.assertRaises(RuntimeError):
                member_stats_rollup(ON)
        self.assertFalse(JobRun.objects.exists())
        member_stats_rollup(ON - timedelta(days=50))
        member_stats_rollup(ON.replace(day=1) - timedelta(days=31 + 30))  # a first of the month
        member_stats_rollup(ON)
        dates = set(MemberStatsDaily.objects.values_list("date", flat=True))
        self.assertNotIn(ON - timedelta(days=50), dates)
        self.assertIn(date(2025, 4, 1), dates)  # the 1st of a month is kept for trends
        self.assertIn(ON, dates)

    def test_admin_can_run_it_now_once(self):
        web = self.web_as(self.zhang)
        r = web.post("/reports/jobs/rollup/", follow=True)
        self.assertContains(r, "已汇总")
        r = web.post("/reports/jobs/rollup/", follow=True)
        self.assertContains(r, "今日的党员统计汇总已完成")


class LedgerFileCleanupTests(ReportsFixture):
    def test_old_files_are_deleted_once_a_day(self):
        from django.core.files.base import ContentFile

        from dangjian.reports.models import LedgerJob
        from dangjian.reports.tasks import ledger_files_cleanup

        old = LedgerJob.objects.create(org=self.branch_one, ledger="roster", period="2025", fmt="xlsx",
                                       created_by=self.li, filename="a.xlsx", state="done")
        old.file.save("old.xlsx", ContentFile(b"x"))
        LedgerJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
        new = LedgerJob.objects.create(org=self.branch_one, ledger="roster", period="2025", fmt="xlsx",
                                       created_by=self.li, filename="b.xlsx", state="done")
        new.file.save("new.xlsx", ContentFile(b"y"))
        self.assertEqual(ledger_files_cleanup(), {"removed": 1})
        self.assertIsNone(ledger_files_cleanup())
        old.refresh_from_db()
        new.refresh_from_db()
        self.assertEqual((old.file.name, bool(new.file)), ("", True))
        r = self.web_as(self.li).get(f"/reports/ledgers/jobs/{old.id}/")
        self.assertContains(r, "请重新导出")
        self.assertEqual(self.web_as(self.li).get(f"/reports/ledgers/jobs/{old.id}/download/").status_code, 404)
        new.file.delete(save=False)  # keep the test media folder clean
