"""The ledger: caps, versions, reversals, self-reports and the automatic interface."""
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.test import override_settings

from dangjian.core.errors import Conflict, DomainError
from dangjian.core.testing import tiny_image
from dangjian.core.models import AuditEvent
from dangjian.members.choices import Stage, Status
from dangjian.points import selectors, services
from dangjian.points.models import PointEntry, PointRule
from dangjian.points.rules import parse_period

from .helpers import D, PointsTestCase, make_member

Q3 = parse_period("2026Q3")


class CapTests(PointsTestCase):
    def test_cap_reached_exactly_then_refused_with_remaining(self):
        for _ in range(3):
            self.award(self.m_one, "MEET")  # 3 × 2 = 6 = cap
        before = self.counts()
        with self.assertRaises(DomainError) as ctx:
            self.award(self.m_one, "MEET")
        self.assertEqual(ctx.exception.rule, "R-POINTS-CAP")
        self.assertIn("还可记 0", ctx.exception.detail)
        self.assertEqual(self.counts(), before)

    def test_remaining_allowance_in_message(self):
        self.award(self.m_one, "VOL")
        self.award(self.m_one, "VOL")
        self.award(self.m_one, "VOL")
        self.award(self.m_one, "VOL")
        self.award(self.m_one, "VOL")  # 5 = cap
        with self.assertRaises(DomainError) as ctx:
            self.award(self.m_one, "VOL")
        self.assertIn("已记 5", ctx.exception.detail)

    def test_cap_is_per_period_and_per_member(self):
        for _ in range(3):
            self.award(self.m_one, "MEET", day=date(2026, 9, 30))
        self.award(self.m_one, "MEET", day=date(2026, 10, 1))  # next quarter
        self.award(self.m_zhao, "MEET", day=date(2026, 9, 30))  # another member
        self.assertEqual(PointEntry.objects.filter(member=self.m_one, period="2026Q4").count(), 1)

    def test_deduction_cap_counts_absolute_value(self):
        for _ in range(3):
            self.award(self.m_one, "ABSENT")  # -15 = cap
        with self.assertRaises(DomainError):
            self.award(self.m_one, "ABSENT")

    def test_pending_counts_rejected_frees_the_cap(self):
        for _ in range(5):
            services.entry_self_report(actor=self.zhao, rule_code="VOL", occurred_on=date(2026, 8, 1), note="敬老院")
        with self.assertRaises(DomainError):
            services.entry_self_report(actor=self.zhao, rule_code="VOL", occurred_on=date(2026, 8, 2), note="x")
        services.entry_reject(actor=self.li, entry=PointEntry.objects.filter(member=self.m_zhao).first(), note="无记录")
        services.entry_self_report(actor=self.zhao, rule_code="VOL", occurred_on=date(2026, 8, 2), note="清扫")

    def test_reversal_frees_the_cap(self):
        entries = [self.award(self.m_one, "MEET") for _ in range(3)]
        services.entry_reverse(actor=self.li, entry=entries[0], reason="重复录入")
        self.award(self.m_one, "MEET")
        self.assertEqual(selectors.cap_used(member=self.m_one, org=None, code="MEET", period="2026Q3"), D("6"))


class VersionTests(PointsTestCase):
    def test_new_version_applies_from_its_date_and_past_entries_keep_theirs(self):
        old = self.award(self.m_one, "MEET", day=date(2026, 7, 10))
        rule = PointRule.objects.get(org=self.root, code="MEET")
        v2 = services.rule_revise(actor=self.zhang, rule=rule, data={"points": "3", "cap_per_period": "9"},
                                  valid_from=date(2026, 8, 1))
        self.assertEqual(v2.version, 2)
        old.refresh_from_db()
        self.assertEqual((old.points, old.rule_version.version), (D("2"), 1))
        before = self.award(self.m_one, "MEET", day=date(2026, 7, 31))
        after = self.award(self.m_one, "MEET", day=date(2026, 8, 1))
        self.assertEqual((before.points, before.rule_version.version), (D("2"), 1))
        self.assertEqual((after.points, after.rule_version.version), (D("3"), 2))
        self.assertEqual(rule.versions.get(version=1).valid_to, date(2026, 8, 1))

    def test_version_date_must_move_forward(self):
        rule = PointRule.objects.get(org=self.root, code="MEET")
        before = self.counts()
        with self.assertRaises(DomainError) as ctx:
            services.rule_revise(actor=self.zhang, rule=rule, data={"points": "3"}, valid_from=date(2020, 1, 1))
        self.assertEqual(ctx.exception.rule, "R-POINTS-VERSION")
        self.assertEqual(self.counts(), before)

    def test_retired_rule_not_in_force(self):
        rule = PointRule.objects.get(org=self.root, code="MEET")
        services.rule_retire(actor=self.zhang, rule=rule, valid_to=date(2026, 9, 1))
        self.award(self.m_one, "MEET", day=date(2026, 8, 31))
        with self.assertRaises(DomainError) as ctx:
            self.award(self.m_one, "MEET", day=date(2026, 9, 1))
        self.assertEqual(ctx.exception.rule, "R-POINTS-INFORCE")

    def test_rule_not_yet_in_force(self):
        services.rule_create(actor=self.zhang, org=self.root, code="NEW", valid_from=date(2026, 9, 1),
                             data={"name": "新标准", "category": "duty", "points": "1"})
        with self.assertRaises(DomainError):
            self.award(self.m_one, "NEW", day=date(2026, 8, 31))
        self.award(self.m_one, "NEW", day=date(2026, 9, 1))


class OverrideTests(PointsTestCase):
    def test_branch_overrides_within_limits(self):
        services.rule_create(actor=self.li, org=self.branch_one, code="ABSENT", valid_from=date(2026, 7, 1),
                             data={"name": "无故缺席（一支部）", "category": "discipline", "points": "-3",
                                   "cap_per_period": "9"})
        self.assertEqual(self.award(self.m_one, "ABSENT").points, D("-3"))
        self.assertEqual(self.award(self.m_one, "ABSENT", day=date(2026, 6, 30)).points, D("-5"))  # before override
        self.assertEqual(self.award(self.m_two, "ABSENT", actor=self.wang).points, D("-5"))  # branch two inherits
        catalog = {v.rule.code: v for v in selectors.catalog_for(self.branch_one, day=date(2026, 8, 1))}
        self.assertEqual(catalog["ABSENT"].origin, "override")
        self.assertEqual(catalog["MEET"].origin, "inherited")

    def test_override_outside_limits_refused(self):
        before = self.counts()
        for points, cap in (("-6", "9"), ("-0.5", "9"), ("2", "9"), ("-3", "20"), ("-3", None)):
            with self.assertRaises(DomainError) as ctx:
                services.rule_create(actor=self.li, org=self.branch_one, code="ABSENT", valid_from=date(2026, 7, 1),
                                     data={"name": "x", "category": "discipline", "points": points,
                                           "cap_per_period": cap})
            self.assertEqual(ctx.exception.rule, "R-POINTS-OVERRIDE", points)
        self.assertEqual(self.counts(), before)

    def test_not_overridable_and_branch_cannot_invent_codes(self):
        with self.assertRaises(DomainError):
            services.rule_create(actor=self.li, org=self.branch_one, code="MEET", data={
                "name": "x", "category": "org_life", "points": "1", "cap_per_period": "6"})
        with self.assertRaises(DomainError):
            services.rule_create(actor=self.li, org=self.branch_one, code="MINE", data={
                "name": "x", "category": "duty", "points": "1"})

    def test_outsider_cannot_define_rules_for_branch_one(self):
        with self.assertRaises(Http404):
            services.rule_create(actor=self.wang, org=self.branch_one, code="ABSENT", data={
                "name": "x", "category": "discipline", "points": "-3", "cap_per_period": "9"})
        with self.assertRaises(Http404):  # a plain member has no org scope at all
            services.rule_create(actor=self.zhao, org=self.branch_one, code="ABSENT", data={
                "name": "x", "category": "discipline", "points": "-3", "cap_per_period": "9"})

    def test_duplicate_code_at_same_org_is_409(self):
        with self.assertRaises(Conflict):
            services.rule_create(actor=self.zhang, org=self.root, code="MEET", data=dict(
                name="x", category="org_life", points="1"))


class ReversalTests(PointsTestCase):
    def test_reverse_writes_opposite_entry_and_keeps_original(self):
        entry = self.award(self.m_one, "MEET", note="7月主题党日")
        reversal = services.entry_reverse(actor=self.li, entry=entry, reason="当天请假，误记")
        entry.refresh_from_db()
        self.assertEqual((entry.points, entry.status), (D("2"), "approved"))
        self.assertEqual((reversal.points, reversal.reverses_id, reversal.period), (D("-2"), entry.id, "2026Q3"))
        self.assertEqual(selectors.member_score(self.m_one, Q3), D("100.00"))
        self.assertTrue(AuditEvent.objects.filter(verb="points.entry_reverse", target_id=str(reversal.id)).exists())

    def test_reverse_refusals_change_nothing(self):
        entry = self.award(self.m_one, "MEET")
        reversal = services.entry_reverse(actor=self.li, entry=entry, reason="误记")
        pending = services.entry_self_report(actor=self.zhao, rule_code="VOL", occurred_on=date(2026, 8, 1), note="x")
        before = self.counts()
        for target, reason in ((entry, "再次"), (reversal, "冲正的冲正"), (pending, "未审核"), (entry, " ")):
            with self.assertRaises(DomainError):
                services.entry_reverse(actor=self.li, entry=target, reason=reason)
        with self.assertRaises(Http404):
            services.entry_reverse(actor=self.wang, entry=entry, reason="越权")
        self.assertEqual(self.counts(), before)

    def test_one_reversal_per_entry_enforced_by_database(self):
        entry = self.award(self.m_one, "MEET")
        services.entry_reverse(actor=self.li, entry=entry, reason="误记")
        with self.assertRaises(IntegrityError), transaction.atomic():
            PointEntry.objects.create(member=self.m_one, org=self.branch_one, rule_id=entry.rule_id,
                                      rule_version=entry.rule_version, rule_code="MEET", category="org_life",
                                      points=D("-2"), occurred_on=entry.occurred_on, period="2026Q3",
                                      status="approved", reverses=entry)


class ReviewTests(PointsTestCase):
    def test_self_report_pending_then_approved_by_secretary(self):
        entry = services.entry_self_report(actor=self.zhao, rule_code="VOL", occurred_on=date(2026, 8, 1),
                                           note="社区敬老院志愿服务")
        self.assertEqual((entry.status, entry.source, entry.member_id), ("pending", "self_report", self.m_zhao.id))
        self.assertEqual(selectors.member_score(self.m_zhao, Q3), D("100.00"))
        services.entry_approve(actor=self.li, entry=entry)
        self.assertEqual(selectors.member_score(self.m_zhao, Q3), D("101.00"))
        with self.assertRaises(Conflict):
            services.entry_approve(actor=self.li, entry=entry)

    def test_self_report_only_where_allowed(self):
        with self.assertRaises(DomainError) as ctx:
            services.entry_self_report(actor=self.zhao, rule_code="MEET", occurred_on=date(2026, 8, 1), note="x")
        self.assertEqual(ctx.exception.rule, "R-POINTS-SELF")
        with self.assertRaises(PermissionDenied):
            services.entry_self_report(actor=self.wang, rule_code="VOL", occurred_on=date(2026, 8, 1), note="x")

    def test_nobody_approves_their_own(self):
        entry = services.entry_self_report(actor=self.li, rule_code="VOL", occurred_on=date(2026, 8, 1), note="x")
        with self.assertRaises(DomainError) as ctx:
            services.entry_approve(actor=self.li, entry=entry)
        self.assertEqual(ctx.exception.rule, "R-POINTS-SELF")
        services.entry_approve(actor=self.deputy, entry=entry)
        honor = self.award(self.m_one, "HONOR")  # requires approval: li recorded it, the deputy approves
        self.assertEqual(honor.status, "pending")
        with self.assertRaises(DomainError):
            services.entry_approve(actor=self.li, entry=honor)
        self.assertEqual(services.entry_approve(actor=self.deputy, entry=honor).status, "approved")

    @override_settings(MEDIA_ROOT="/tmp/dangjian-points-test-media")
    def test_evidence_required_and_checked(self):
        with self.assertRaises(DomainError) as ctx:
            services.entry_self_report(actor=self.zhao, rule_code="EVID", occurred_on=date(2026, 8, 1), note="表彰")
        self.assertEqual(ctx.exception.rule, "R-POINTS-EVIDENCE")
        bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
        with self.assertRaises(DomainError):
            services.entry_self_report(actor=self.zhao, rule_code="EVID", occurred_on=date(2026, 8, 1), note="表彰",
                                       evidence=bad)
        fake = SimpleUploadedFile("证书.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")  # magic bytes only
        with self.assertRaisesMessage(DomainError, "内容与扩展名不符"):
            services.entry_self_report(actor=self.zhao, rule_code="EVID", occurred_on=date(2026, 8, 1), note="表彰",
                                       evidence=fake)
        ok = SimpleUploadedFile("证书.png", tiny_image("PNG"), content_type="image/png")
        entry = services.entry_self_report(actor=self.zhao, rule_code="EVID", occurred_on=date(2026, 8, 1),
                                           note="表彰", evidence=ok)
        self.assertTrue(entry.evidence.name.endswith(".png"))
        self.assertNotIn("证书", entry.evidence.name)

    def test_members_off_the_rolls_and_future_dates_refused(self):
        applicant = make_member(self.branch_one, "申请人", stage=Stage.APPLICANT)
        gone = make_member(self.branch_one, "转出", status=Status.TRANSFERRED_OUT)
        before = self.counts()
        for member, day in ((applicant, date(2026, 8, 1)), (gone, date(2026, 8, 1)), (self.m_one, date(2026, 10, 16))):
            with self.assertRaises(DomainError):
                self.award(member, "MEET", day=day)
        self.assertEqual(self.counts(), before)

    def test_org_subject_rule(self):
        entry = services.entry_create(actor=self.li, org=self.branch_one, rule_code="BRMISS",
                                      occurred_on=date(2026, 8, 1))
        self.assertIsNone(entry.member_id)
        with self.assertRaises(DomainError):
            self.award(self.m_one, "BRMISS")
        with self.assertRaises(DomainError):
            services.entry_create(actor=self.li, org=self.branch_one, rule_code="MEET", occurred_on=date(2026, 8, 1))


class AutomaticTests(PointsTestCase):
    def test_idempotent_per_source_event(self):
        first = services.points_award_automatic(rule_code="MEET", member=self.m_one, occurred_on=date(2026, 8, 1),
                                                source="meetings.attendance", source_event_id=42)
        again = services.points_award_automatic(rule_code="MEET", member=self.m_one, occurred_on=date(2026, 8, 1),
                                                source="meetings.attendance", source_event_id="42")
        self.assertTrue(first.created)
        self.assertFalse(again.created)
        self.assertEqual(first.entry.pk, again.entry.pk)
        self.assertEqual((first.entry.status, first.entry.source), ("approved", "automatic"))
        other = services.points_award_automatic(rule_code="MEET", member=self.m_one, occurred_on=date(2026, 8, 1),
                                                source="volunteers.hours", source_event_id=42)
        self.assertTrue(other.created)
        self.assertEqual(PointEntry.objects.filter(member=self.m_one).count(), 2)

    def test_unique_constraint_backs_idempotency(self):
        first = services.points_award_automatic(rule_code="MEET", member=self.m_one, occurred_on=date(2026, 8, 1),
                                                source="meetings.attendance", source_event_id="e1").entry
        with self.assertRaises(IntegrityError), transaction.atomic():
            PointEntry.objects.create(member=self.m_one, org=self.branch_one, rule_id=first.rule_id,
                                      rule_version=first.rule_version, rule_code="MEET", category="org_life",
                                      points=D("2"), occurred_on=first.occurred_on, period="2026Q3",
                                      source="automatic", source_app="meetings.attendance", source_event_id="e1")

    def test_refusals_come_back_without_raising(self):
        for i in range(3):
            services.points_award_automatic(rule_code="MEET", member=self.m_one, occurred_on=date(2026, 8, 1),
                                            source="meetings.attendance", source_event_id=i)
        capped = services.points_award_automatic(rule_code="MEET", member=self.m_one, occurred_on=date(2026, 8, 1),
                                                 source="meetings.attendance", source_event_id=99)
        self.assertIsNone(capped.entry)
        self.assertIn("上限", capped.refused)
        unknown = services.points_award_automatic(rule_code="NOPE", member=self.m_one, occurred_on=date(2026, 8, 1),
                                                  source="meetings.attendance", source_event_id=100)
        self.assertIn("未施行", unknown.refused)
        with self.assertRaises(ValueError):
            services.points_award_automatic(rule_code="MEET", member=self.m_one, occurred_on=date(2026, 8, 1),
                                            source="Bad Source!", source_event_id=1)
