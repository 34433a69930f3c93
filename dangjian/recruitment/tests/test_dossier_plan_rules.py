"""Pure rules of the dossier checklist (dossier.py) and the yearly plan (planning.py, R-PLAN), with boundaries."""
from datetime import date

from django.test import SimpleTestCase

from dangjian.recruitment import dossier, planning
from dangjian.recruitment.rules import Entry


def items_by_code(entries, received=None, today=date(2025, 6, 1)):
    return {i.doc.code: i for i in dossier.checklist(entries, received or {}, today=today)}


class DossierChecklistTests(SimpleTestCase):
    def test_every_step_code_exists_and_paper_kinds_exclude_auto(self):
        from dangjian.recruitment.steps import STEP_BY_CODE
        self.assertTrue(all(d.step in STEP_BY_CODE for d in dossier.DOCS))
        self.assertNotIn("sponsors_record", dict(dossier.PAPER_CHOICES))
        self.assertIn("application_form", dict(dossier.PAPER_CHOICES))

    def test_applicant_needs_the_letter_and_nothing_else_yet(self):
        items = items_by_code([Entry("application", date(2025, 1, 10))])
        self.assertEqual(items["application_letter"].status, "missing")
        self.assertEqual(items["application_form"].status, "not_yet")
        self.assertEqual(items["thought_report"].status, "not_yet")
        items = items_by_code([Entry("application", date(2025, 1, 10))],
                              {"application_letter": [date(2025, 1, 10)]})
        self.assertEqual(items["application_letter"].status, "present")
        self.assertEqual(dossier.summary(list(items.values())),
                         {"due": 1, "present": 1, "missing": 0, "complete": True})

    def test_auto_documents_are_present_once_their_step_is_recorded(self):
        entries = [Entry("application", date(2024, 1, 1)), Entry("application_talk", date(2024, 1, 10)),
                   Entry("activist_recommendation", date(2024, 2, 1)),
                   Entry("sponsors_assigned", date(2024, 2, 5), {"sponsor_ids": [1, 2]}),
                   Entry("activist_assessment", date(2024, 7, 1)), Entry("activist_assessment", date(2024, 12, 1))]
        items = items_by_code(entries)
        self.assertEqual(items["application_talk_record"].status, "present")
        self.assertEqual(items["sponsors_record"].status, "present")
        self.assertEqual((items["activist_assessment_record"].required, items["activist_assessment_record"].received),
                         (2, 2))
        self.assertEqual(items["recommendation"].status, "missing")

    def test_thought_reports_one_per_quarter_boundaries(self):
        on = date(2024, 11, 30)
        self.assertEqual(dossier.reports_expected(on, date(2025, 2, 27)), 0)   # the day before 3 months
        self.assertEqual(dossier.reports_expected(on, date(2025, 2, 28)), 1)   # the day of (end of February)
        self.assertEqual(dossier.reports_expected(on, date(2025, 3, 1)), 1)    # the day after
        self.assertEqual(dossier.reports_expected(on, date(2025, 11, 30)), 4)
        entries = [Entry("application", date(2024, 10, 1)), Entry("application_talk", date(2024, 10, 10)),
                   Entry("activist_recommendation", on)]
        item = items_by_code(entries, today=date(2025, 2, 27))["thought_report"]
        self.assertEqual((item.status, item.next_due), ("not_yet", date(2025, 2, 28)))
        item = items_by_code(entries, today=date(2025, 2, 28))["thought_report"]
        self.assertEqual((item.status, item.required), ("missing", 1))
        item = items_by_code(entries, {"thought_report": [date(2025, 2, 20)]}, today=date(2025, 2, 28))["thought_report"]
        self.assertEqual((item.status, item.next_due), ("present", date(2025, 5, 30)))


class PlanRuleTests(SimpleTestCase):
    def test_warning_only_when_one_more_exceeds_the_quota(self):
        kw = {"step": "admission_approval", "org_name": "华强公司党支部", "year": 2025}
        self.assertIsNone(planning.plan_warning(quota=3, actual=1, **kw))     # 2 ≤ 3
        self.assertIsNone(planning.plan_warning(quota=3, actual=2, **kw))     # the day of: 3 = 3
        issue = planning.plan_warning(quota=3, actual=3, **kw)               # 4 > 3
        self.assertEqual((issue.rule, issue.kind), ("R-PLAN", "warning"))
        self.assertIsNotNone(planning.plan_warning(quota=0, actual=0, **kw))

    def test_row_arithmetic(self):
        row = planning.PlanRow(org_id=1, org_name="x", depth=0, quota=4, actual=5)
        self.assertEqual((row.remaining, row.over, row.percent), (-1, True, 100))
        row = planning.PlanRow(org_id=1, org_name="x", depth=0, quota=None, actual=2)
        self.assertEqual((row.remaining, row.over, row.percent), (None, False, None))
