"""The demo: report tasks seeded once, and the done-when of issue 12 — the 花名册 of the whole township
(893 members and the pipeline's new probationary members) as a PDF, measured in CPU time."""
import io
import time
from contextlib import redirect_stdout

from django.core.management import call_command
from django.test import TestCase

from dangjian.orgs.models import Org
from dangjian.reports import ledgers, rules, services
from dangjian.reports.models import MemberStatsDaily, ReportSubmission, ReportTask


class DemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with redirect_stdout(io.StringIO()):
            call_command("seed_demo")
            call_command("seed_demo")  # idempotent

    def test_tasks_seeded_once_with_missing_and_overdue_orgs(self):
        self.assertEqual(ReportTask.objects.count(), 3)
        sheet = ReportTask.objects.get(kind=ReportTask.Kind.SHEET)
        self.assertEqual(sheet.layout["mode"], "header")
        self.assertEqual(sheet.submissions.filter(state=ReportSubmission.State.SUBMITTED).count(), 1)
        late = ReportTask.objects.get(title__contains="三季度")
        self.assertEqual(late.submissions.filter(state=ReportSubmission.State.SUBMITTED).count(), 4)
        branches = Org.objects.filter(path__startswith=late.org.path, kind=Org.Kind.BRANCH, is_active=True).count()
        self.assertEqual(late.submissions.count(), branches)  # every branch of the township (the demo grows)
        self.assertGreaterEqual(branches, 25)
        self.assertTrue(MemberStatsDaily.objects.exists())

    def test_township_roster_pdf_is_fast(self):
        from django.contrib.auth import get_user_model

        zhang = get_user_model().objects.get(username="zhang")
        root = Org.objects.get_root_nodes().get(name__contains="刘集镇")
        ledger = ledgers.get("roster")
        period = rules.parse_period("2026")
        count = ledger.count(root, period)
        self.assertGreaterEqual(count, 893)
        started = time.process_time()
        content = services.ledger_render(ledger, org=root, period=period, fmt="pdf", actor=zhang)
        cpu = time.process_time() - started
        self.assertTrue(content.startswith(b"%PDF"))
        self.assertLess(cpu, 10, f"{count} rows took {cpu:.1f}s of CPU")
