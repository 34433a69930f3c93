"""R-ABSENT-6M (党章第三十八条) cases: 5 months is a warning, 6 a case; talk/reminder first; the branch's
decision goes through members.lifecycle.disposal_record(kind="lapsed", source="dues:<id>")."""
from datetime import date

from django.http import Http404

from dangjian.core.errors import Conflict, DomainError
from dangjian.core.models import AuditEvent
from dangjian.dues import cases, services
from dangjian.dues.models import ArrearsCase, ArrearsContact
from dangjian.members.models import Disposal, Member

from .test_services import TODAY, DuesServiceTestCase

SIX = date(2026, 8, 3)  # Feb … Jul 2026 ended and unpaid: 6 months


class ArrearsCaseTests(DuesServiceTestCase):
    def setUp(self):
        self.base(self.liu, month="2025-06")
        self.pay(self.liu, ["2026-01"])  # then nothing: Feb, Mar, … unpaid

    def contact(self, on=SIX, **kw):
        kw.setdefault("kind", "talk")
        kw.setdefault("summary", "上门谈话，了解未交原因，本人表示外出务工忘记交纳")
        return cases.arrears_contact_record(actor=self.li, member=self.liu, contacted_on=kw.pop("contacted_on", on),
                                            today=on, **kw)

    def test_five_months_is_no_case_six_is(self):
        # 15 July: Feb … Jun = 5 months → a warning only, not on the case list, no talk recorded as a case
        self.assertEqual(cases.arrears_cases(actor=self.li, org=self.branch_one, on=TODAY), [])
        with self.assertRaises(DomainError) as ctx:
            self.contact(on=TODAY)
        self.assertEqual(ctx.exception.rule, "R-ABSENT-6M")
        self.assertEqual((ArrearsCase.objects.count(), ArrearsContact.objects.count()), (0, 0))
        # 3 August: Feb … Jul = 6 months → on the list, waiting for the talk
        rows = cases.arrears_cases(actor=self.li, org=self.branch_one, on=SIX)
        self.assertEqual([(r.member.id, r.months, r.first_unpaid, r.state) for r in rows],
                         [(self.liu.id, 6, date(2026, 2, 1), "new")])

    def test_talk_then_disposal_records_lapsed_with_source(self):
        c = self.contact()
        case = c.case
        self.assertEqual((case.state, case.months, case.first_unpaid), ("open", 6, date(2026, 2, 1)))
        self.contact(kind="reminder", summary="书面提醒，限期补交")  # same run, same case
        self.assertEqual(ArrearsCase.objects.count(), 1)
        d = cases.arrears_case_dispose(actor=self.li, case=case, decided_on=SIX, reason="支部大会表决通过，报镇党委审批",
                                       today=SIX)
        self.assertEqual((d.kind, d.source, d.member_id), (Disposal.Kind.LAPSED, f"dues:{case.id}", self.liu.id))
        self.assertIn("党章第三十八条", d.reason)
        self.assertEqual(Member.objects.get(pk=self.liu.pk).status, "lapsed")
        case.refresh_from_db()
        self.assertEqual((case.state, case.disposal_id), ("disposed", d.id))
        self.assertTrue(AuditEvent.objects.filter(verb="dues.case_dispose").exists())
        with self.assertRaises(Conflict):
            cases.arrears_case_dispose(actor=self.li, case=case, decided_on=SIX, reason="再次", today=SIX)

    def test_disposal_needs_a_talk_first_and_a_valid_date(self):
        case = ArrearsCase.objects.create(member=self.liu, org=self.branch_one, first_unpaid=date(2026, 2, 1),
                                          months=6, opened_on=SIX)
        with self.assertRaises(DomainError) as ctx:
            cases.arrears_case_dispose(actor=self.li, case=case, decided_on=SIX, reason="x", today=SIX)
        self.assertEqual(ctx.exception.rule, "R-ABSENT-6M")
        self.contact(contacted_on=date(2026, 8, 2))
        for bad in ({"decided_on": "2026-08-01"}, {"decided_on": "2026-08-04"}, {"decided_on": "x"},
                    {"reason": "  "}, {"reason": "长" * 301}):
            with self.subTest(**bad), self.assertRaises(DomainError):
                cases.arrears_case_dispose(actor=self.li, case=case, **{"decided_on": SIX, "reason": "决定", **bad},
                                           today=SIX)
        self.assertEqual(Disposal.objects.count(), 0)
        self.assertEqual(Member.objects.get(pk=self.liu.pk).status, "normal")

    def test_good_reason_closes_the_case_without_disposal(self):
        c = self.contact(good_reason=True, summary="长期住院，家属不知需交党费，支部认为有正当理由")
        self.assertEqual(c.case.state, "excused")
        self.assertEqual(cases.arrears_cases(actor=self.li, org=self.branch_one, on=SIX), [])
        with self.assertRaises(Conflict):
            self.contact()
        with self.assertRaises(Conflict):
            cases.arrears_case_dispose(actor=self.li, case=c.case, decided_on=SIX, reason="x", today=SIX)

    def test_paying_closes_the_case(self):
        case = self.contact().case
        services.dues_payment_record(actor=self.li, member=self.liu, months=["2026-07"], amount="40.00",
                                     method="cash", today=SIX)
        case.refresh_from_db()
        self.assertEqual(case.state, "paid")
        self.assertEqual(cases.arrears_cases(actor=self.li, org=self.branch_one, on=SIX), [])

    def test_bad_contacts_write_nothing(self):
        for bad in ({"kind": "sms"}, {"summary": ""}, {"contacted_on": "2026-13-01"}, {"contacted_on": "2026-08-04"},
                    {"good_reason": "yes"}):
            with self.subTest(**bad), self.assertRaises(DomainError):
                self.contact(**bad)
        self.assertEqual((ArrearsCase.objects.count(), ArrearsContact.objects.count()), (0, 0))

    def test_outsider_gets_404(self):
        with self.assertRaises(Http404):
            cases.arrears_cases(actor=self.wang, org=self.branch_one, on=SIX)
        with self.assertRaises(Http404):
            cases.arrears_contact_record(actor=self.wang, member=self.liu, kind="talk", contacted_on=SIX,
                                         summary="x", today=SIX)
        case = self.contact().case
        with self.assertRaises(Http404):
            cases.case_get(actor=self.wang, case_id=case.id)
        with self.assertRaises(Http404):
            cases.case_get(actor=self.zhao, case_id=case.id)
        with self.assertRaises(Http404):
            cases.arrears_case_dispose(actor=self.wang, case=case, decided_on=SIX, reason="x", today=SIX)
        self.assertEqual(Disposal.objects.count(), 0)
