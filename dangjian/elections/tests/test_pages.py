"""Pages: committee and term badge, reminders, the election flow (plan → list → meeting → office → approval),
the report PDF, reminders job; scope (wang 404), anonymous redirect, bad input writes nothing."""
from datetime import date, timedelta
from unittest import mock

from dateutil.relativedelta import relativedelta

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.elections import selectors, services, tasks
from dangjian.elections.models import Candidate, Committee, Election, TermPostponement, TermSettings
from dangjian.orgs.models import Org

from .helpers import make_members


class PagesTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.full = make_members(cls.branch_one, 10)
        cls.two = make_members(cls.branch_two, 4, prefix="二支部")
        cls.today = date.today()

    def record(self, org, members, elected_on):
        duties = ["secretary", "deputy_secretary", "organizing_member", "publicity_member", "discipline_member"]
        return services.committee_record(actor=self.zhang, org=org, elected_on=elected_on,
                                         seats=list(zip([m.id for m in members], duties)))


class ElectionFlowTests(PagesTestCase):
    def test_plan_candidates_meeting_office_approval_and_report(self):
        web = self.web_as(self.li)
        base = f"/elections/org/{self.branch_one.id}/elections/"
        r = web.post(base, {"seats": 3, "planned_on": self.today.isoformat(), "title": "", "note": ""})
        self.assertEqual(r.status_code, 302, getattr(r, "context", None) and r.context["form"].errors)
        e = Election.objects.get()
        url = f"/elections/{e.id}/"
        for m in self.full[:3]:
            self.assertEqual(web.post(url + "candidates/", {"member_id": m.id}).status_code, 302)
        r = web.post(url + "candidates/", {"action": "confirm"})  # 3 seats need ≥ 4
        self.assertContains(r, "至少 4 名", status_code=400)
        self.assertEqual(Election.objects.get().state, "planned")
        web.post(url + "candidates/", {"member_id": self.full[3].id})
        self.assertEqual(web.post(url + "candidates/", {"action": "confirm"}).status_code, 302)
        votes = {f"votes_{m.id}": v for m, v in zip(self.full[:4], (9, 8, 7, 2))}
        meeting = {"held_on": self.today.isoformat(), "entitled": 10, "entitled_reason": "", "present": 8,
                   "ballots_issued": 8, "ballots_returned": 8, **votes}
        before = (AuditEvent.objects.count(), Candidate.objects.filter(votes__isnull=False).count())
        r = web.post(url + "result/", meeting)  # 8 of 10 = exactly 4/5
        self.assertContains(r, "五分之四", status_code=400)
        self.assertEqual((AuditEvent.objects.count(), Candidate.objects.filter(votes__isnull=False).count()), before)
        r = web.post(url + "result/", {**meeting, "present": 9, "ballots_issued": 9, "ballots_returned": 10})
        self.assertContains(r, "选举无效", status_code=400)
        r = web.post(url + "result/", {**meeting, "present": 9, "ballots_issued": 9, "ballots_returned": 9})
        self.assertEqual(r.status_code, 302)
        e.refresh_from_db()
        self.assertEqual(e.state, "elected")
        self.assertContains(web.get(url), "当选")
        duties = {f"duty_{m.id}": d for m, d in zip(self.full[:3], ("secretary", "organizing_member", "member"))}
        r = web.post(url + "install/", {"took_office_on": self.today.isoformat(), **duties})
        self.assertEqual(r.status_code, 302)
        c = Committee.objects.get()
        self.assertEqual((c.is_current, c.term_years, c.source), (True, 3, "election"))
        # the branch secretary cannot record the upper committee's approval; the township admin can
        approval = {"approved_on": self.today.isoformat(), "approval_org": "测试社区党委", "approval_doc": "测党〔2025〕1号"}
        self.assertEqual(web.post(f"/elections/committees/{c.id}/approve/", approval).status_code, 403)
        r = self.web_as(self.zhang).post(f"/elections/committees/{c.id}/approve/", approval)
        self.assertEqual(r.status_code, 302)
        c.refresh_from_db()
        self.assertEqual(c.approval_doc, "测党〔2025〕1号")
        self.assertEqual(Org.objects.get(pk=self.branch_one.pk).secretary, self.full[0].name)
        r = web.get(f"/elections/{e.id}/report.pdf")
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertTrue(r.content.startswith(b"%PDF"))
        r = web.get(f"/elections/org/{self.branch_one.id}/")
        self.assertContains(r, "任期内")
        self.assertContains(r, "测党〔2025〕1号")

    def test_tie_page_offers_revote(self):
        e = services.election_create(actor=self.li, org=self.branch_one, held_on=self.today, entitled=10, present=9,
                                     seats=2, ballots_issued=9, ballots_returned=9,
                                     candidates=[{"member_id": m.id, "votes": v}
                                                 for m, v in zip(self.full[:3], (8, 5, 5))])
        web = self.web_as(self.li)
        self.assertContains(web.get(f"/elections/{e.id}/"), "发起再次投票")
        self.assertEqual(web.post(f"/elections/{e.id}/install/", {"took_office_on": self.today}).status_code, 400)
        r = web.post(f"/elections/{e.id}/revote/")
        nxt = Election.objects.get(parent=e)
        self.assertRedirects(r, f"/elections/{nxt.id}/")
        self.assertEqual((nxt.state, nxt.seats, nxt.candidates.count()), ("nominated", 1, 2))
        # a report exists already for the first round
        self.assertTrue(web.get(f"/elections/{e.id}/report.pdf").content.startswith(b"%PDF"))

    def test_election_planned_form_errors(self):
        web = self.web_as(self.li)
        base = f"/elections/org/{self.branch_one.id}/elections/"
        for bad in ({"seats": 0}, {"seats": 8}, {"seats": "x"}):
            self.assertEqual(web.post(base, bad).status_code, 400, bad)
        self.assertEqual(Election.objects.count(), 0)
        e = services.election_plan(actor=self.li, org=self.branch_one, seats=3)
        r = web.post(f"/elections/{e.id}/candidates/", {"member_id": self.two[0].id})  # not of this branch
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Candidate.objects.count(), 0)


class CommitteePageTests(PagesTestCase):
    def test_record_postpone_and_badges(self):
        web = self.web_as(self.li)
        url = f"/elections/org/{self.branch_one.id}/"
        self.assertContains(web.get(url), "未登记班子")
        m = self.full
        elected_on = self.today - relativedelta(years=3) + timedelta(days=30)  # ends in 30 days
        r = web.post(url + "record/", {"elected_on": elected_on.isoformat(), "secretary": m[0].id,
                                       "organizing_member": m[1].id, "members": [m[2].id]})
        self.assertEqual(r.status_code, 302)
        c = Committee.objects.get()
        self.assertContains(web.get(url), "即将到期")
        r = web.post(url + "record/", {"elected_on": self.today.isoformat(), "secretary": m[0].id,
                                       "deputy_secretary": m[0].id})
        self.assertEqual(r.status_code, 400)  # one person, two duties
        self.assertEqual(Committee.objects.count(), 1)
        too_far = c.term_ends_on + relativedelta(years=1) + timedelta(days=1)
        post = {"new_expires_on": too_far.isoformat(), "approved_on": self.today.isoformat(),
                "approval_org": "测试社区党委", "approval_doc": "", "reason": "村庄拆迁"}
        r = web.post(f"/elections/committees/{c.id}/postpone/", post)
        self.assertContains(r, "最长不超过1年", status_code=400)
        self.assertEqual(TermPostponement.objects.count(), 0)
        r = web.post(f"/elections/committees/{c.id}/postpone/", {**post, "new_expires_on": (too_far - timedelta(days=1)).isoformat()})
        self.assertEqual(r.status_code, 302)
        self.assertContains(web.get(url), "已批准延期")

    def test_terms_page_lists_expiring_and_overdue(self):
        self.record(self.branch_one, self.full[:3], self.today - relativedelta(years=3) + timedelta(days=10))
        self.record(self.branch_two, self.two[:2], self.today - relativedelta(years=3) - timedelta(days=5))
        r = self.web_as(self.zhang).get(f"/elections/org/{self.root.id}/terms/")
        self.assertContains(r, "第一党支部")
        self.assertContains(r, "剩")
        self.assertContains(r, "5 天")  # overdue by 5 days
        terms = {t.org.id: t.state for t in selectors.terms_in_subtree(self.root)}
        self.assertEqual((terms[self.branch_one.id], terms[self.branch_two.id]), ("expiring", "overdue"))
        cards = {c["label"]: c["value"] for c in selectors.home_cards(actor=self.zhang, org=self.root)}
        self.assertEqual((cards["班子即将到期"], cards["班子已到期未换届"]), (1, 1))

    def test_lists_take_constant_queries(self):
        self.record(self.branch_one, self.full[:3], self.today - timedelta(days=10))
        self.record(self.branch_two, self.two[:2], self.today - timedelta(days=20))
        with self.assertNumQueries(3):  # orgs, current committees with seat counts, settings
            selectors.terms_in_subtree(self.root)

    def test_settings_change_window(self):
        self.record(self.branch_one, self.full[:3], self.today - relativedelta(years=3) + timedelta(days=100))
        self.assertEqual(selectors.term_of(self.branch_one).state, "ok")
        web = self.web_as(self.zhang)
        self.assertEqual(web.post(f"/elections/org/{self.root.id}/settings/", {"remind_days": 0}).status_code, 400)
        self.assertEqual(web.post(f"/elections/org/{self.root.id}/settings/", {"remind_days": 120}).status_code, 302)
        self.assertEqual(TermSettings.objects.get().remind_days, 120)
        self.assertEqual(selectors.term_of(self.branch_one).state, "expiring")
        # a branch secretary cannot change the township's window
        self.assertEqual(self.web_as(self.li).post(f"/elections/org/{self.branch_one.id}/settings/",
                                                   {"remind_days": 10}).status_code, 400)

    def test_reminder_job_once_per_term_and_state(self):
        self.record(self.branch_one, self.full[:3], self.today - relativedelta(years=3) + timedelta(days=10))
        from dangjian.notify.models import Notification

        with self.captureOnCommitCallbacks(execute=False):
            result = tasks.term_reminders(self.today)
        self.assertEqual(result["expiring"], 1)
        users = set(Notification.objects.filter(kind="elections.term").values_list("user__username", flat=True))
        self.assertEqual(users, {"li"})
        with self.captureOnCommitCallbacks(execute=False):
            self.assertIsNone(tasks.term_reminders(self.today))              # once per date
            again = tasks.send_term_reminders(self.today + timedelta(days=1))  # once per term and state
        self.assertEqual(again["expiring"], 0)
        self.assertEqual(Notification.objects.filter(kind="elections.term").count(), 1)


class ScopeTests(PagesTestCase):
    def test_outsider_404_and_anonymous_redirect(self):
        c = self.record(self.branch_one, self.full[:3], self.today - timedelta(days=100))
        e = services.election_create(actor=self.li, org=self.branch_one, held_on=self.today, entitled=10, present=9,
                                     seats=1, ballots_issued=9, ballots_returned=9,
                                     candidates=[{"member_id": m.id, "votes": v} for m, v in zip(self.full[:2], (7, 2))])
        wang = self.web_as(self.wang)
        gets = [f"/elections/org/{self.branch_one.id}/", f"/elections/org/{self.branch_one.id}/terms/",
                f"/elections/org/{self.branch_one.id}/elections/", f"/elections/{e.id}/", f"/elections/{e.id}/report.pdf"]
        posts = [f"/elections/org/{self.branch_one.id}/record/", f"/elections/org/{self.branch_one.id}/settings/",
                 f"/elections/org/{self.branch_one.id}/elections/", f"/elections/committees/{c.id}/postpone/",
                 f"/elections/committees/{c.id}/approve/", f"/elections/{e.id}/candidates/",
                 f"/elections/{e.id}/result/", f"/elections/{e.id}/revote/", f"/elections/{e.id}/install/"]
        before = (AuditEvent.objects.count(), Election.objects.count(), Committee.objects.count())
        for url in gets:
            self.assertEqual(wang.get(url).status_code, 404, url)
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertTrue(r["Location"].startswith("/login/"), url)
        for url in posts:
            self.assertEqual(wang.post(url, {"seats": 1, "member_id": self.full[5].id}).status_code, 404, url)
            self.assertEqual(self.web_as(self.zhao).post(url, {}).status_code, 404, url)
        self.assertEqual((AuditEvent.objects.count(), Election.objects.count(), Committee.objects.count()), before)

    def test_index_redirects_to_current_org(self):
        r = self.web_as(self.li).get("/elections/")
        self.assertRedirects(r, f"/elections/org/{self.branch_one.id}/")
        self.assertEqual(self.web_as(self.zhao).get("/elections/").status_code, 404)
        self.assertTrue(self.web_as(self.li).get("/elections/terms/")["Location"].endswith("/terms/"))
