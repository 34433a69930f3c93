"""Services: every refusal changes nothing; stages, join and full-member dates follow the steps."""
from datetime import date, timedelta

from django.http import Http404

from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.members.models import Member
from dangjian.orgs.models import PartyGroup, Unit
from dangjian.recruitment import rules, services
from dangjian.recruitment.models import RecruitmentRecord, StepRecord

from .helpers import START_AGO, applicant, days_ago, make_full, plan, walk


class Base(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.veterans = make_full(cls.zhang, cls.branch_one)
        cls.vids = [m.id for m in cls.veterans]
        cls.outsider = make_full(cls.zhang, cls.branch_two, names=["外支部党员"])[0]

    def counts(self):
        return (Member.objects.count(), RecruitmentRecord.objects.count(), StepRecord.objects.count(),
                AuditEvent.objects.count(), list(Member.objects.order_by("id").values_list("stage", "joined_on",
                                                                                            "full_on", "status")))

    def refuse(self, rule=None, **kw) -> DomainError:
        before = self.counts()
        with self.assertRaises(DomainError) as ctx:
            services.step_record_create(actor=kw.pop("actor", self.li), **kw)
        self.assertEqual(self.counts(), before, "a refused step must change nothing")
        if rule is not None:
            self.assertEqual(ctx.exception.rule, rule, ctx.exception.detail)
        return ctx.exception

    def person(self, upto=None, ago=START_AGO, name="王小明"):
        member = applicant(self.li, self.branch_one, name=name, applied_on=days_ago(ago))
        if upto:
            walk(self.li, member, upto=upto, sponsors=self.vids, voters=5)
        member.refresh_from_db()
        return member


class ApplicantTests(Base):
    def test_applicant_becomes_a_member_with_stage_applicant(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(3), phone="13800000000")
        self.assertEqual((member.stage, member.applied_on, member.org), ("applicant", days_ago(3), self.branch_one))
        record = member.recruitment
        self.assertEqual(list(record.steps.values_list("step", flat=True)), ["application"])
        self.assertEqual((record.due_step, record.due_on), ("application_talk", rules.add_months(days_ago(3), 1)))
        self.assertTrue(AuditEvent.objects.filter(verb="recruitment.applicant_create", target_id=str(member.id)).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="member.create", target_id=str(member.id)).exists())

    def _refuse_applicant(self, rule, actor=None, **kw):
        before = self.counts()
        kw.setdefault("applied_on", days_ago(1))
        with self.assertRaises(DomainError) as ctx:
            services.applicant_create(actor=actor or self.li, org=self.branch_one,
                                      data={"name": "少年", "gender": "M", "birth_date": kw.pop("birth")}, **kw)
        self.assertEqual(ctx.exception.rule, rule)
        self.assertEqual(self.counts(), before)

    def test_under_18_refused_and_18th_birthday_allowed(self):
        today = days_ago(0)
        birth = rules.add_years(today, -18)
        self._refuse_applicant("R-AGE", birth=birth + timedelta(days=1), applied_on=today)
        member = applicant(self.li, self.branch_one, birth=birth, applied_on=today)
        self.assertEqual(member.stage, "applicant")

    def test_age_is_checked_from_the_id_number_too(self):
        from dangjian.core.idnumber import generate_id_number

        today = days_ago(0)
        birth = date(today.year - 17, 1, 1)
        before = self.counts()
        with self.assertRaises(DomainError) as ctx:
            services.applicant_create(actor=self.li, org=self.branch_one, applied_on=today,
                                      data={"name": "少年", "id_number": generate_id_number(birth_date=birth, gender="M")})
        self.assertEqual(ctx.exception.rule, "R-AGE")
        self.assertEqual(self.counts(), before)

    def test_future_application_refused(self):
        self._refuse_applicant("R-FUTURE", birth=date(1990, 1, 1), applied_on=days_ago(-1))

    def test_outsider_and_plain_member_get_404(self):
        for actor in (self.wang, self.zhao):
            with self.assertRaises(Http404):
                services.applicant_create(actor=actor, org=self.branch_one, applied_on=days_ago(1),
                                          data={"name": "某", "gender": "M", "birth_date": date(1990, 1, 1)})


class StepTests(Base):
    def test_out_of_order_refused(self):
        m = self.person()
        self.refuse("R-ORDER", member=m, step="activist_recommendation", on=days_ago(1),
                    data={"method": "member_recommendation"})
        self.refuse("R-ORDER", member=m, step="admission_vote", on=days_ago(1), data={})

    def test_before_waiting_period_refused(self):
        m = self.person("activist_assessment")
        err = self.refuse("R-ACTIVIST-1Y", member=m, step="candidate_designation", on=m.applied_on + timedelta(days=300))
        self.assertIn("最早可于", err.detail)

    def test_after_deadline_needs_a_late_reason_and_is_shown_late(self):
        m = self.person(ago=60)
        self.refuse("R-TALK-1M", member=m, step="application_talk", on=days_ago(1), data={"talker_name": "书记"})
        row, _ = services.step_record_create(actor=self.li, member=m, step="application_talk", on=days_ago(1),
                                             data={"talker_name": "书记"}, late_reason="书记住院")
        self.assertTrue(row.is_late)
        self.assertEqual(m.recruitment.steps.filter(is_late=True).count(), 1)
        m.recruitment.refresh_from_db()
        self.assertEqual(m.recruitment.late_count, 1)

    def test_future_date_refused(self):
        m = self.person(ago=3)
        self.refuse("R-FUTURE", member=m, step="application_talk", on=days_ago(-1), data={"talker_name": "书记"})

    def test_sponsors(self):
        m = self.person("activist_recommendation")
        on = m.applied_on + timedelta(days=45)
        self.refuse("R-SPONSORS", member=m, step="sponsors_assigned", on=on, data={"sponsor_ids": self.vids[:3]})
        self.refuse("R-SPONSORS", member=m, step="sponsors_assigned", on=on, data={"sponsor_ids": [m.id]})
        self.refuse("R-SPONSORS", member=m, step="sponsors_assigned", on=on, data={"sponsor_ids": [self.outsider.id]})
        probationary = make_full(self.zhang, self.branch_one, names=["预备甲"])[0]
        Member.objects.filter(pk=probationary.pk).update(stage="probationary", full_on=None)
        self.refuse("R-SPONSORS", member=m, step="sponsors_assigned", on=on, data={"sponsor_ids": [probationary.id]})
        self.refuse(None, member=m, step="sponsors_assigned", on=on, data={"sponsor_ids": "abc"})
        services.step_record_create(actor=self.li, member=m, step="sponsors_assigned", on=on,
                                    data={"sponsor_ids": self.vids[:2]})

    def test_outsider_cannot_record(self):
        m = self.person()
        before = self.counts()
        with self.assertRaises(Http404):
            services.step_record_create(actor=self.wang, member=m, step="application_talk", on=days_ago(1),
                                        data={"talker_name": "书记"})
        self.assertEqual(self.counts(), before)

    def test_votes(self):
        m = self.person("application_form")
        vote_on = m.applied_on + timedelta(days=460)
        self.refuse("R-QUORUM", member=m, step="admission_vote", on=vote_on,
                    data={"present": 2, "for": 2, "against": 0, "abstain": 0})
        self.refuse("R-MAJORITY", member=m, step="admission_vote", on=vote_on,
                    data={"present": 5, "for": 3, "against": 1, "abstain": 0})
        self.refuse("R-MAJORITY", member=m, step="admission_vote", on=vote_on,
                    data={"present": 4, "for": 2, "against": 2, "abstain": 0, "passed": True})
        self.refuse("R-VOTERS", member=m, step="admission_vote", on=vote_on,
                    data={"entitled": 4, "present": 4, "for": 4, "against": 0, "abstain": 0})
        row, _ = services.step_record_create(actor=self.li, member=m, step="admission_vote", on=vote_on,
                                             data={"present": 4, "for": 2, "against": 2, "abstain": 0})
        self.assertEqual((row.passed, row.data["entitled"]), (False, 5))  # prefilled: 5 full members in branch
        m.refresh_from_db()
        self.assertEqual((m.stage, m.joined_on), ("candidate", None))
        row, _ = services.step_record_create(actor=self.li, member=m, step="admission_vote", on=vote_on,
                                             data={"present": 4, "for": 3, "against": 1, "abstain": 0})
        self.assertTrue(row.passed)

    def test_full_path_sets_stage_join_and_full_dates(self):
        m = self.person()
        seen = []
        for code, on, data in plan(m.applied_on, self.vids, 5):
            services.step_record_create(actor=self.li, member=m, step=code, on=on, data=data)
            m.refresh_from_db()
            seen.append(m.stage)
            if code == "admission_vote":
                vote_on = on
                self.assertEqual((m.stage, m.joined_on), ("candidate", None))
            if code == "admission_approval":
                self.assertEqual((m.stage, m.joined_on, m.full_on), ("probationary", vote_on, None))
        self.assertEqual([s for i, s in enumerate(seen) if i == 0 or seen[i - 1] != s],
                         ["applicant", "activist", "candidate", "probationary", "full"])
        self.assertEqual((m.joined_on, m.full_on), (vote_on, rules.add_years(vote_on, 1)))
        m.recruitment.refresh_from_db()
        self.assertEqual(m.recruitment.state, "completed")
        self.assertEqual(AuditEvent.objects.filter(verb="recruitment.step", target_id=str(m.id)).count(), 26)  # steps 2–25, two assessed twice

    def test_cancellation_takes_the_person_off_the_rolls(self):
        m = self.person("conversion_application")
        conv = m.recruitment.steps.get(step="conversion_application").date
        services.step_record_create(actor=self.li, member=m, step="conversion_vote", on=conv + timedelta(days=1),
                                    data={"outcome": "cancel", "present": 5, "for": 5, "against": 0, "abstain": 0})
        services.step_record_create(actor=self.li, member=m, step="conversion_approval", on=conv + timedelta(days=5),
                                    data={"approved": True})
        m.refresh_from_db()
        self.assertEqual((m.status, m.recruitment.state), (services.CANCELLED_STATUS, "cancelled"))

    def test_approver_must_be_a_committee_that_may_approve(self):
        m = self.person("approval_talk")
        vote_on = m.recruitment.steps.get(step="admission_vote").date
        unit = Unit.objects.create(name="测试社区", kind=Unit.Kind.COMMUNITY)
        type(self.community).objects.filter(pk=self.community.pk).update(unit=unit)
        self.refuse("R-APPROVER", member=m, step="admission_approval", on=vote_on + timedelta(days=10),
                    data={"approved": True, "approver_org_id": self.community.id})
        row, _ = services.step_record_create(actor=self.li, member=m, step="admission_approval",
                                             on=vote_on + timedelta(days=10), data={"approved": True})
        self.assertEqual(row.data["approver_org_id"], self.root.id)

    def test_group_assignment_sets_the_party_group(self):
        m = self.person("admission_approval")
        on = m.recruitment.steps.get(step="admission_approval").date
        mine = PartyGroup.objects.create(org=self.branch_one, name="第一党小组")
        theirs = PartyGroup.objects.create(org=self.branch_two, name="他组")
        self.refuse(None, member=m, step="group_assignment", on=on, data={"party_group_id": theirs.id})
        services.step_record_create(actor=self.li, member=m, step="group_assignment", on=on,
                                    data={"party_group_id": mine.id})
        m.refresh_from_db()
        self.assertEqual(m.party_group, mine)

    def test_leaving_warning(self):
        m = self.person("candidate_training")
        services.record_set_leaving(actor=self.li, member=m, leaving_on=days_ago(-30))
        on = m.applied_on + timedelta(days=430)
        _, warnings = services.step_record_create(actor=self.li, member=m, step="branch_review", on=on)
        self.assertEqual([w.rule for w in warnings], [])  # 3 months after the step date, not from today
        m2 = self.person("candidate_training", name="李小明")
        services.record_set_leaving(actor=self.li, member=m2, leaving_on=on + timedelta(days=60))
        _, warnings = services.step_record_create(actor=self.li, member=m2, step="branch_review", on=on)
        self.assertEqual([w.rule for w in warnings], ["R-LEAVING"])


class VoidTests(Base):
    def test_void_the_last_step_reverts_the_stage(self):
        m = self.person("activist_recommendation")
        self.assertEqual(m.stage, "activist")
        rec = m.recruitment.steps.get(step="activist_recommendation")
        talk = m.recruitment.steps.get(step="application_talk")
        before = self.counts()
        with self.assertRaises(DomainError):
            services.step_record_void(actor=self.li, member=m, step_record_id=talk.id, reason="录错")
        with self.assertRaises(DomainError):
            services.step_record_void(actor=self.li, member=m, step_record_id=rec.id, reason=" ")
        self.assertEqual(self.counts(), before)
        void = services.step_record_void(actor=self.li, member=m, step_record_id=rec.id, reason="日期录错")
        m.refresh_from_db()
        self.assertEqual(m.stage, "applicant")
        self.assertEqual(void.voids, rec)
        self.assertTrue(StepRecord.objects.filter(pk=rec.pk).exists())  # kept, not deleted
        with self.assertRaises(DomainError):
            services.step_record_void(actor=self.li, member=m, step_record_id=rec.id, reason="再作废")
        services.step_record_create(actor=self.li, member=m, step="activist_recommendation",
                                    on=rec.date + timedelta(days=1), data={"method": "mass_org_recommendation"})
        m.refresh_from_db()
        self.assertEqual(m.stage, "activist")

    def test_void_conversion_reverts_full_on(self):
        m = self.person("conversion_approval")
        self.assertEqual(m.stage, "full")
        row = m.recruitment.steps.get(step="conversion_approval")
        services.step_record_void(actor=self.li, member=m, step_record_id=row.id, reason="审批日期有误")
        m.refresh_from_db()
        self.assertEqual((m.stage, m.full_on), ("probationary", None))

    def test_application_cannot_be_voided_and_rows_are_append_only(self):
        m = self.person(ago=2)
        row = m.recruitment.steps.get()
        with self.assertRaises(DomainError):
            services.step_record_void(actor=self.li, member=m, step_record_id=row.id, reason="x")
        with self.assertRaises(TypeError):
            row.save()
        with self.assertRaises(TypeError):
            row.delete()
