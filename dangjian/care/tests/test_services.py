"""Funds (append-only, never negative), relief, visits, greetings and the daily job."""
import io
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from PIL import Image

from dangjian.care import selectors, services
from dangjian.care.models import CareVisit, Fund, FundLedger, Greeting, Relief
from dangjian.care.tasks import JOB, daily_anniversaries
from dangjian.core.errors import Conflict, DomainError
from dangjian.core.models import AuditEvent, JobRun
from dangjian.core.testing import PersonaTestCase

from .helpers import make_member

TODAY = date(2026, 7, 1)


class CareTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.old = make_member(cls.branch_one, "姚国俊", joined_on=date(1976, 7, 1), birth_date=date(1944, 2, 29),
                              is_retired=True, in_hardship=True)
        cls.young = make_member(cls.branch_one, "孙晓东", joined_on=date(2016, 7, 3), birth_date=date(1992, 7, 2),
                                work_started_on=date(2014, 7, 1))
        cls.outsider = make_member(cls.branch_two, "钱立平", joined_on=date(2006, 7, 1))
        cls.fund = Fund.objects.create(org=cls.branch_one, name="第一支部帮扶基金", kind="assistance",
                                       approval_threshold=Decimal("5000"))


class FundTests(CareTestCase):
    def income(self, amount="1000.00", actor=None):
        return services.fund_income(actor=actor or self.li, fund=self.fund, amount=amount, purpose="镇党委拨付",
                                    today=TODAY)

    def test_balance_never_negative(self):
        self.income("100.00")
        with self.assertRaises(DomainError) as ctx:
            services.fund_disburse(actor=self.li, fund=self.fund, amount="100.01", purpose="慰问", today=TODAY)
        self.assertEqual(ctx.exception.rule, "R-FUND-BALANCE")
        entry = services.fund_disburse(actor=self.li, fund=self.fund, amount="100.00", purpose="慰问",
                                       member=self.old, today=TODAY)
        self.assertEqual((entry.amount, entry.balance_after), (Decimal("-100.00"), Decimal("0.00")))
        self.assertEqual(Fund.objects.get(pk=self.fund.pk).balance, Decimal("0.00"))
        self.assertEqual(FundLedger.objects.count(), 2)

    def test_database_refuses_a_negative_balance_too(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            FundLedger.objects.create(fund=self.fund, seq=1, kind="disbursement", category="other",
                                      amount=Decimal("-1"), balance_after=Decimal("-1"), entry_on=TODAY, purpose="x")

    def test_reversals(self):
        income = self.income("500.00")
        spend = services.fund_disburse(actor=self.li, fund=self.fund, amount="300.00", purpose="活动", today=TODAY,
                                       category="activity")
        with self.assertRaises(DomainError) as ctx:  # reversing the income would overdraw
            services.fund_reverse(actor=self.li, entry=income, reason="拨付有误", today=TODAY)
        self.assertEqual(ctx.exception.rule, "R-FUND-BALANCE")
        back = services.fund_reverse(actor=self.li, entry=spend, reason="活动取消", today=TODAY)
        self.assertEqual((back.amount, back.balance_after), (Decimal("300.00"), Decimal("500.00")))
        with self.assertRaises(Conflict):
            services.fund_reverse(actor=self.li, entry=spend, reason="再冲", today=TODAY)
        with self.assertRaises(DomainError):
            services.fund_reverse(actor=self.li, entry=back, reason="冲冲销", today=TODAY)
        report = selectors.fund_report(self.fund, year=2026)
        self.assertEqual((report.income, report.spending, report.closing),
                         (Decimal("500.00"), Decimal("0.00"), Decimal("500.00")))

    def test_ledger_is_append_only(self):
        entry = self.income()
        entry.amount = Decimal("1")
        with self.assertRaises(TypeError):
            entry.save()
        with self.assertRaises(TypeError):
            entry.delete()
        with self.assertRaises(TypeError):
            FundLedger.objects.filter(fund=self.fund).update(amount=0)
        with self.assertRaises(TypeError):
            FundLedger.objects.all().delete()

    def test_approval_above_threshold(self):
        self.income("20000.00")
        with self.assertRaises(DomainError) as ctx:
            services.fund_disburse(actor=self.li, fund=self.fund, amount="5000.01", purpose="大病", today=TODAY,
                                   approval_ref="镇党委同意")
        self.assertEqual(ctx.exception.rule, "R-FUND-APPROVAL")
        services.fund_disburse(actor=self.li, fund=self.fund, amount="5000.00", purpose="大病", today=TODAY)
        with self.assertRaises(DomainError):
            services.fund_disburse(actor=self.zhang, fund=self.fund, amount="6000", purpose="大病", today=TODAY)
        services.fund_disburse(actor=self.zhang, fund=self.fund, amount="6000", purpose="大病", today=TODAY,
                               approval_ref="刘集党发〔2026〕12号")

    def test_relief_links_a_disbursement(self):
        self.income("10000.00")
        relief = services.relief_grant(actor=self.li, fund=self.fund, member=self.old, kind="major_illness_relief",
                                       amount="3500", reason="脑梗住院", today=TODAY)
        self.assertEqual((relief.amount, relief.ledger_entry.amount, relief.ledger_entry.category),
                         (Decimal("3500.00"), Decimal("-3500.00"), "major_illness_relief"))
        self.assertTrue(AuditEvent.objects.filter(verb="care.relief_grant").exists())
        with self.assertRaises(DomainError):  # a member of another branch
            services.relief_grant(actor=self.zhang, fund=self.fund, member=self.outsider, kind="relief",
                                  amount="100", reason="x", today=TODAY)
        self.assertEqual(Relief.objects.count(), 1)

    def test_bad_input_writes_nothing(self):
        self.income("100.00")
        before = (FundLedger.objects.count(), AuditEvent.objects.count())
        for kw in ({"amount": "-5"}, {"amount": "abc"}, {"amount": "1.001"}, {"amount": "0"},
                   {"amount": "10", "purpose": ""}, {"amount": "10", "category": "party"}):
            with self.subTest(**kw), self.assertRaises(DomainError):
                services.fund_disburse(actor=self.li, fund=self.fund, **{"purpose": "x", **kw}, today=TODAY)
        self.assertEqual((FundLedger.objects.count(), AuditEvent.objects.count()), before)

    def test_outsider(self):
        with self.assertRaises(Http404):
            services.fund_income(actor=self.wang, fund=self.fund, amount="1", purpose="x", today=TODAY)
        with self.assertRaises(Http404):
            selectors.fund_get(actor=self.wang, fund_id=self.fund.id)


class VisitTests(CareTestCase):
    def test_visit_with_fund_money(self):
        services.fund_income(actor=self.li, fund=self.fund, amount="1000", purpose="拨付", today=TODAY)
        plan = services.care_plan_create(actor=self.li, org=self.branch_one, title="七一慰问", occasion="party_day",
                                         starts_on=TODAY, ends_on=TODAY + timedelta(days=5), budget="2000",
                                         fund=self.fund, today=TODAY)
        due = selectors.due_list(actor=self.li, org=self.branch_one, plan=plan, on=TODAY)
        self.assertEqual([r.member.id for r in due], [self.old.id])
        self.assertEqual({x.code for x in due[0].reasons}, {"veteran", "in_hardship"})
        visit = services.care_visit_record(actor=self.li, member=self.old, plan=plan, occasion="", visited_on=TODAY,
                                           visitors="李秀英", gifts="米、油", money="500.00", today=TODAY)
        self.assertEqual(visit.fund_entry.amount, Decimal("-500.00"))
        self.assertEqual(Fund.objects.get(pk=self.fund.pk).balance, Decimal("500.00"))
        self.assertTrue(selectors.due_list(actor=self.li, org=self.branch_one, plan=plan, on=TODAY)[0].visits)

    def test_bad_visit_writes_nothing(self):
        services.fund_income(actor=self.li, fund=self.fund, amount="100", purpose="拨付", today=TODAY)
        before = (CareVisit.objects.count(), FundLedger.objects.count())
        ok = dict(member=self.old, occasion="spring_festival", visited_on=TODAY, visitors="李秀英", today=TODAY)
        bad_photo = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        magic_only = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
        for kw in ({"visitors": ""}, {"occasion": "birthday"}, {"money": "-1"}, {"visited_on": TODAY + timedelta(1)},
                   {"money": "200", "fund": self.fund}, {"photo": bad_photo}, {"photo": magic_only}):
            with self.subTest(**{k: str(v) for k, v in kw.items()}), self.assertRaises(DomainError):
                services.care_visit_record(actor=self.li, **{**ok, **kw})
        self.assertEqual((CareVisit.objects.count(), FundLedger.objects.count()), before)

    def test_photo_accepted(self):
        buf = io.BytesIO()
        Image.new("RGB", (4, 4), (200, 30, 30)).save(buf, "PNG")
        png = buf.getvalue()
        v = services.care_visit_record(actor=self.li, member=self.old, occasion="illness", visited_on=TODAY,
                                       visitors="李秀英", photo=SimpleUploadedFile("a.png", png, "image/png"),
                                       today=TODAY)
        self.assertTrue(v.photo.name.endswith(".png"))
        v.photo.delete(save=False)


class GreetingTests(CareTestCase):
    def test_give_once_with_text_from_template(self):
        g = services.greeting_give(actor=self.li, member=self.old, kind="party_anniversary",
                                   occasion_date=date(2026, 7, 1), gifts=["card", "badge", "book", "plaque",
                                                                         "message"], today=TODAY)
        self.assertEqual(g.years, 50)
        self.assertIn("姚国俊同志", g.text)
        self.assertIn("入党50周年", g.text)
        with self.assertRaises(Conflict):
            services.greeting_give(actor=self.li, member=self.old, kind="party_anniversary",
                                   occasion_date=date(2026, 7, 1), today=TODAY)

    def test_wrong_date_refused_and_29_february(self):
        with self.assertRaises(DomainError):
            services.greeting_give(actor=self.li, member=self.old, kind="party_anniversary",
                                   occasion_date=date(2026, 7, 2), today=TODAY)
        g = services.greeting_give(actor=self.li, member=self.old, kind="birthday", occasion_date=date(2026, 2, 28),
                                   today=date(2026, 2, 27))
        self.assertEqual(g.years, 82)
        with self.assertRaises(DomainError):
            services.greeting_give(actor=self.li, member=self.old, kind="birthday", occasion_date=date(2026, 7, 1),
                                   gifts=["gold"], today=TODAY)
        self.assertEqual(Greeting.objects.count(), 1)

    def test_org_template_overrides(self):
        services.greeting_template_set(actor=self.li, org=self.branch_one, kind="birthday",
                                       text="{name}，生日快乐！——{org}")
        g = services.greeting_give(actor=self.li, member=self.young, kind="birthday", occasion_date=date(2026, 7, 2),
                                   today=TODAY)
        self.assertEqual(g.text, "孙晓东，生日快乐！——第一党支部")
        with self.assertRaises(DomainError):
            services.greeting_template_set(actor=self.li, org=self.branch_one, kind="birthday", text="{name.x}")

    def test_calendar_and_medal(self):
        items = selectors.anniversaries(actor=self.li, org=self.branch_one, start=TODAY, end=TODAY + timedelta(days=3))
        got = [(a.member.name, a.kind, a.date, a.years, a.milestone) for a in items]
        self.assertEqual(got, [("姚国俊", "party_anniversary", date(2026, 7, 1), 50, True),
                               ("孙晓东", "work_anniversary", date(2026, 7, 1), 12, False),
                               ("孙晓东", "birthday", date(2026, 7, 2), 34, False),
                               ("孙晓东", "party_anniversary", date(2026, 7, 3), 10, True)])
        medal = selectors.medal50(actor=self.zhang, org=self.root, year=2026)
        self.assertEqual([(r.member.name, r.new) for r in medal], [("姚国俊", True)])
        with self.assertRaises(Http404):
            selectors.anniversaries(actor=self.wang, org=self.branch_one, start=TODAY, end=TODAY)


class DailyJobTests(CareTestCase):
    def test_job_lists_due_greetings_once(self):
        result = daily_anniversaries(TODAY)
        # 7-01 ×3 (two 政治生日, one work anniversary), 7-02, 7-03: three days ahead by default ⚙
        self.assertEqual(result["pending_created"], 5)
        self.assertEqual(Greeting.objects.filter(state="pending").count(), 5)
        self.assertIsNone(daily_anniversaries(TODAY))  # same date: nothing
        self.assertEqual(JobRun.objects.filter(job=JOB, run_on=TODAY).count(), 1)
        # next day: overlapping window, nothing duplicated; 7-04 has nothing new
        daily_anniversaries(TODAY + timedelta(days=1))
        self.assertEqual(Greeting.objects.count(), 5)
        # giving a listed greeting turns it into "given" without a second row
        services.greeting_give(actor=self.li, member=self.old, kind="party_anniversary",
                               occasion_date=date(2026, 7, 1), today=TODAY)
        self.assertEqual(Greeting.objects.filter(state="given").count(), 1)
        self.assertEqual(Greeting.objects.count(), 5)

    def test_29_february_listed_on_28th_in_common_year(self):
        daily_anniversaries(date(2026, 2, 27))
        self.assertTrue(Greeting.objects.filter(member=self.old, kind="birthday", occasion_date=date(2026, 2, 28))
                        .exists())

    def test_notice_days_are_configurable(self):
        from dangjian.care.models import CareSettings

        CareSettings.objects.create(org=self.community, notice_days_ahead=0)
        daily_anniversaries(TODAY)
        self.assertEqual(set(Greeting.objects.values_list("occasion_date", flat=True)), {TODAY})


class GreetingNoticeTests(CareTestCase):
    """R-CARE-NOTICE ⚙: the daily job tells the branch secretary N days ahead, exactly once per anniversary."""

    def notes(self, user=None):
        from dangjian.notify.models import Notification

        return Notification.objects.filter(kind="care.greeting", **({"user": user} if user else {}))

    def test_secretary_notified_n_days_ahead_exactly_once(self):
        result = daily_anniversaries(TODAY)
        self.assertEqual(result["notified"], 5)
        self.assertEqual(self.notes(self.li).count(), 4)
        # wang hears of his own member only, nothing of branch one's
        self.assertEqual(list(self.notes(self.wang).values_list("title", flat=True)),
                         ["今天（7月1日）钱立平入党20周年（政治生日）·逢十"])
        titles = sorted(self.notes(self.li).values_list("title", flat=True))
        self.assertIn("2天后（7月3日）孙晓东入党10周年（政治生日）·逢十", titles)
        self.assertIn("今天（7月1日）姚国俊入党50周年（政治生日）·逢十", titles)
        self.assertTrue(all(k.startswith("care.greeting:") for k in self.notes().values_list("dedupe_key", flat=True)))
        self.assertFalse(Greeting.objects.filter(notified_at__isnull=True).exists())
        daily_anniversaries(TODAY)  # same day: the job does not run again
        daily_anniversaries(TODAY + timedelta(days=1))  # overlapping window: nothing new to tell
        self.assertEqual(self.notes().count(), 5)
        # even if the marks were lost and the day re-run, the dedupe key sends nothing twice
        Greeting.objects.update(notified_at=None)
        JobRun.objects.filter(job=JOB).delete()
        self.assertEqual(daily_anniversaries(TODAY)["notified"], 0)
        self.assertEqual(self.notes().count(), 5)

    def test_notice_days_configurable(self):
        from dangjian.care.models import CareSettings

        CareSettings.objects.create(org=self.branch_one, notice_days_ahead=1)
        daily_anniversaries(TODAY)
        self.assertEqual(self.notes(self.li).count(), 3)  # 7-01 ×2 and 7-02; 7-03 is two days ahead
        self.assertEqual(self.notes(self.wang).count(), 1)  # branch two keeps the default 3 days
        daily_anniversaries(TODAY + timedelta(days=2))
        self.assertEqual(self.notes(self.li).count(), 4)  # 孙晓东's 政治生日 on 7-03 once it is one day ahead

    def test_given_greeting_is_not_announced_and_records_gifts(self):
        g = services.greeting_give(actor=self.li, member=self.young, kind="birthday", occasion_date=date(2026, 7, 2),
                                   gifts=["card", "cake"], today=TODAY)
        daily_anniversaries(TODAY)
        self.assertEqual(self.notes(self.li).count(), 3)
        g.refresh_from_db()
        self.assertEqual((g.state, g.gifts, g.given_by), ("given", ["card", "cake"], self.li))

    def test_branch_without_secretary_goes_to_the_nearest_one_above(self):
        from dangjian.accounts.models import Role
        from dangjian.core.testing import make_user

        boss = make_user("sun", self.community, Role.Kind.SECRETARY)
        make_member(self.other_branch, "周其", joined_on=date(2000, 7, 1))  # 机关党支部: no secretary, root has none
        make_member(self.branch_two, "吴二", joined_on=date(2001, 7, 2))   # 第二党支部: wang
        daily_anniversaries(TODAY)
        self.assertEqual(self.notes(self.wang).count(), 2)  # 钱立平 and 吴二
        self.assertEqual(self.notes(boss).count(), 0)  # branch one has li; 机关党支部 is not under the community
        self.assertEqual(Greeting.objects.get(member__name="周其").notified_users, 0)
