"""预警 → 处置 (R-POINTS-WARN): the list per period, the secretary's notice, disposals from a warning."""
from datetime import date
from unittest import mock

from django.test import Client, SimpleTestCase

from dangjian.core.errors import Conflict, DomainError
from dangjian.core.models import JobRun
from dangjian.core.testing import ApiClient
from dangjian.members.models import Disposal
from dangjian.notify.models import Notification
from dangjian.points import rules, services, tasks
from dangjian.points.models import PointWarning

from .helpers import D, LONG_AGO, PointsTestCase


class WarningLevelTests(SimpleTestCase):
    def level(self, score, worst=None):
        return rules.warning_level(score=D(score), warn_below=D("80"), unqualified_below=D("60"),
                                   worst=D(worst) if worst is not None else None)

    def test_lines_are_not_below_themselves(self):
        self.assertEqual(self.level("80.00"), "")
        self.assertEqual(self.level("79.99"), "warn")
        self.assertEqual(self.level("60.00"), "warn")
        self.assertEqual(self.level("59.99"), "unqualified")

    def test_grave_deduction(self):
        self.assertEqual(self.level("95", "-9.99"), "")
        self.assertEqual(self.level("95", "-10"), "grave")
        self.assertEqual(self.level("70", "-10"), "grave")
        self.assertEqual(self.level("59", "-20"), "unqualified")


class WarningTestCase(PointsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.rule_create(actor=cls.zhang, org=cls.root, code="GRAVE", valid_from=LONG_AGO, data={
            "name": "受到党纪处分", "category": "discipline", "points": "-20"})
        services.rule_create(actor=cls.zhang, org=cls.root, code="SMALL", valid_from=LONG_AGO, data={
            "name": "轻微违规", "category": "discipline", "points": "-3"})
        services.scheme_save(actor=cls.zhang, org=cls.root, data={"warn_below": "90", "unqualified_below": "70"})

    def setUp(self):
        super().setUp()
        # 钱一: 100 − 20 − 20 = 60 (不合格); 赵: 100 − 3 × 5 … use SMALL ×4 = 88 (预警); 孙二 (branch two): −20 = 80
        self.award(self.m_one, "GRAVE", date(2026, 7, 10))
        self.award(self.m_one, "GRAVE", date(2026, 7, 11))
        for d in (1, 2, 3, 4):
            self.award(self.m_zhao, "SMALL", date(2026, 8, d))
        self.award(self.m_two, "GRAVE", date(2026, 8, 1), actor=self.wang)

    def scan(self, org=None, period="2026Q3", actor=None):
        return services.warnings_scan(actor=actor or self.zhang, org=org or self.root, period=period)


class WarningScanTests(WarningTestCase):
    def test_list_levels_and_notices_once(self):
        c = self.scan()
        self.assertEqual((c["created"], c["updated"], c["cleared"]), (3, 0, 0))
        got = {w.member.name: (w.level, w.score) for w in PointWarning.objects.select_related("member")}
        self.assertEqual(got, {"钱一": ("unqualified", D("60.00")), "赵志强": ("warn", D("88.00")),
                               "孙二": ("grave", D("80.00"))})
        # li is notified of her branch's two, wang of his one; a second scan sends nothing new
        self.assertEqual(Notification.objects.filter(user=self.li, kind="points.warning").count(), 2)
        self.assertEqual(Notification.objects.filter(user=self.wang, kind="points.warning").count(), 1)
        self.assertEqual(self.scan()["created"], 0)
        self.assertEqual(Notification.objects.filter(kind="points.warning").count(), 3)
        self.assertEqual(PointWarning.objects.count(), 3)

    def test_recovery_clears_and_reversal_removes_grave(self):
        self.scan()
        zhao_entry = self.m_zhao.point_entries.first()
        services.entry_reverse(actor=self.li, entry=zhao_entry, reason="核实后撤销")  # 91: above the line
        grave = self.m_two.point_entries.first()
        services.entry_reverse(actor=self.wang, entry=grave, reason="处分已撤销")
        c = self.scan()
        self.assertEqual(c["cleared"], 2)
        self.assertEqual(PointWarning.objects.get(member=self.m_one).state, "open")
        self.assertEqual(set(PointWarning.objects.filter(state="cleared").values_list("member__name", flat=True)),
                         {"赵志强", "孙二"})

    def test_scope_and_refusals(self):
        self.assertEqual(self.scan(org=self.branch_one, actor=self.li)["created"], 2)  # only her branch
        self.assertFalse(PointWarning.objects.filter(member=self.m_two).exists())
        before = (PointWarning.objects.count(), self.counts())
        from django.http import Http404
        with self.assertRaises(Http404):
            self.scan(org=self.branch_one, actor=self.wang)
        for period in ("2026Q4", "2026Q5", "2026-07", ""):  # running, malformed, wrong kind
            with self.assertRaises(DomainError):
                self.scan(period=period)
        self.assertEqual((PointWarning.objects.count(), self.counts()), before)

    def test_periodic_job_runs_once_a_day(self):
        with mock.patch("dangjian.points.selectors.today", return_value=date(2026, 10, 15)):
            out = tasks.warnings_job(date(2026, 10, 15))
        self.assertEqual(out[str(self.root.id)]["created"], 3)
        self.assertIsNone(tasks.warnings_job(date(2026, 10, 15)))
        self.assertEqual(JobRun.objects.filter(job=tasks.JOB).count(), 1)


class WarningDisposalTests(WarningTestCase):
    def test_secretary_opens_rectify_from_a_warning(self):
        self.scan()
        w = PointWarning.objects.get(member=self.m_one)
        w = services.warning_dispose(actor=self.li, warning=w, kind="rectify", reason="先锋指数低于不合格线",
                                     decided_on=date(2026, 10, 15), deadline=date(2027, 4, 15))
        d = Disposal.objects.get()
        self.assertEqual((w.state, w.disposal_id, d.kind, d.source, d.member_id),
                         ("disposed", d.id, "rectify", f"points:{w.id}", self.m_one.id))
        with self.assertRaises(Conflict):
            services.warning_dispose(actor=self.li, warning=w, kind="rectify", reason="再次",
                                     decided_on=date(2026, 10, 15), deadline=date(2027, 4, 15))
        self.assertEqual(self.scan()["updated"], 0)  # a disposed warning stays as it is
        self.assertEqual(PointWarning.objects.get(pk=w.pk).state, "disposed")

    def test_bad_disposals_write_nothing(self):
        self.scan()
        w = PointWarning.objects.get(member=self.m_one)
        before = (Disposal.objects.count(), self.counts())
        for kwargs in ({"kind": "deceased"}, {"kind": "rectify", "deadline": None},
                       {"kind": "rectify", "deadline": date(2028, 1, 1)}, {"reason": ""},
                       {"decided_on": "2026-10-15"}):
            with self.assertRaises(DomainError):
                services.warning_dispose(actor=self.li, warning=w, **{
                    "kind": "rectify", "reason": "低于不合格线", "decided_on": date(2026, 10, 15),
                    "deadline": date(2027, 4, 15), **kwargs})
        self.assertEqual((Disposal.objects.count(), self.counts()), before)
        self.assertEqual(PointWarning.objects.get(pk=w.pk).state, "open")

    def test_handle_with_a_note(self):
        self.scan()
        w = PointWarning.objects.get(member=self.m_zhao)
        with self.assertRaises(DomainError):
            services.warning_handle(actor=self.li, warning=w, note=" ")
        w = services.warning_handle(actor=self.li, warning=w, note="10月16日书记谈心谈话")
        self.assertEqual(w.state, "cleared")
        self.assertEqual(self.scan()["updated"], 0)  # a handled warning is not reopened
        self.assertEqual(PointWarning.objects.get(pk=w.pk).state, "cleared")


class WarningApiTests(WarningTestCase):
    def test_flow(self):
        api = self.api_as(self.li)
        r = api.post("/points/warnings/scan", {"org_id": self.branch_one.id, "period": "2026Q3"})
        self.assertEqual((r.status_code, r.json()["created"]), (200, 2))
        r = api.get("/points/warnings", {"org": self.branch_one.id, "period": "2026Q3"})
        items = {i["member_name"]: i for i in r.json()["items"]}
        self.assertEqual(set(items), {"钱一", "赵志强"})
        wid = items["钱一"]["id"]
        r = api.post(f"/points/warnings/{wid}/disposal", {"kind": "rectify", "reason": "低于不合格线",
                                                          "decided_on": "2026-10-15", "deadline": "2027-01-15"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["state"], "disposed")
        self.assertEqual(Disposal.objects.get().source, f"points:{wid}")
        r = api.post(f"/points/warnings/{items['赵志强']['id']}/handle", {"note": "已谈心谈话"})
        self.assertEqual((r.status_code, r.json()["state"]), (200, "cleared"))

    def test_outsider_member_anonymous_and_malformed(self):
        self.scan()
        w = PointWarning.objects.get(member=self.m_one)
        before = (PointWarning.objects.count(), Disposal.objects.count(), self.counts())
        wang, zhao, anon = self.api_as(self.wang), self.api_as(self.zhao), ApiClient()
        body = {"kind": "rectify", "reason": "x", "decided_on": "2026-10-15", "deadline": "2027-01-15"}
        for client, code in ((wang, 404), (zhao, 404), (anon, 401)):
            self.assertEqual(client.get(f"/points/warnings/{w.id}").status_code, code)
            self.assertEqual(client.post(f"/points/warnings/{w.id}/disposal", body).status_code, code)
            self.assertEqual(client.post(f"/points/warnings/{w.id}/handle", {"note": "谈过了"}).status_code, code)
        for client, code in ((wang, 404), (anon, 401)):
            self.assertEqual(client.get("/points/warnings", {"org": self.branch_one.id}).status_code, code)
            self.assertEqual(client.post("/points/warnings/scan", {"org_id": self.branch_one.id,
                                                                   "period": "2026Q3"}).status_code, code)
        names = [i["member_name"] for i in wang.get("/points/warnings", {"org": self.branch_two.id}).json()["items"]]
        self.assertEqual(names, ["孙二"])
        api = self.api_as(self.li)
        self.assertEqual(api.post("/points/warnings/scan", {"org_id": self.branch_one.id,
                                                            "period": "2026Q5"}).status_code, 400)
        self.assertEqual(api.get("/points/warnings", {"org": self.branch_one.id, "period": "Q3"}).status_code, 400)
        r = api.post(f"/points/warnings/{w.id}/disposal", {**body, "kind": "expel"})
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-POINTS-WARN"))
        self.assertEqual(api.post(f"/points/warnings/{w.id}/disposal", {**body, "deadline": "2030-01-01"}).status_code,
                         400)
        self.assertIn(api.post(f"/points/warnings/{w.id}/disposal", {**body, "decided_on": "昨天"}).status_code,
                      (400, 422))
        self.assertEqual((PointWarning.objects.count(), Disposal.objects.count(), self.counts()), before)


class WarningPageTests(WarningTestCase):
    def test_secretary_scans_and_disposes(self):
        web = self.web_as(self.li)
        r = web.post("/points/warnings/", {"org": self.branch_one.id, "period": "2026Q3"})
        self.assertEqual(r.status_code, 302)
        r = web.get("/points/warnings/", {"org": self.branch_one.id, "period": "2026Q3"})
        self.assertContains(r, "钱一")
        self.assertContains(r, "低于不合格线")
        w = PointWarning.objects.get(member=self.m_one)
        r = web.get(f"/points/warnings/{w.id}/")
        self.assertContains(r, "启动处置")
        r = web.post(f"/points/warnings/{w.id}/", {"action": "dispose", "kind": "rectify", "reason": "低于不合格线",
                                                   "decided_on": "2026-10-15", "deadline": ""})
        self.assertContains(r, "限期改正须填写改正期限", status_code=400)
        self.assertFalse(Disposal.objects.exists())
        r = web.post(f"/points/warnings/{w.id}/", {"action": "dispose", "kind": "rectify", "reason": "低于不合格线",
                                                   "decided_on": "2026-10-15", "deadline": "2027-03-01"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(PointWarning.objects.get(pk=w.pk).state, "disposed")

    def test_outsider_anonymous_member_and_bad_input(self):
        self.scan()
        w = PointWarning.objects.get(member=self.m_one)
        before = (PointWarning.objects.count(), Disposal.objects.count(), self.counts())
        wang = self.web_as(self.wang)
        for url in (f"/points/warnings/?org={self.branch_one.id}", f"/points/warnings/{w.id}/"):
            self.assertEqual(wang.get(url).status_code, 404, url)
            self.assertEqual(self.web_as(self.zhao).get(url).status_code in (403, 404), True, url)
            r = Client().get(url)
            self.assertEqual(r.status_code, 302)
            self.assertIn("/login/", r["Location"])
        self.assertEqual(wang.post("/points/warnings/", {"org": self.branch_one.id, "period": "2026Q3"}).status_code,
                         404)
        self.assertEqual(wang.post(f"/points/warnings/{w.id}/", {"action": "handle", "note": "越权"}).status_code, 404)
        web = self.web_as(self.li)
        self.assertEqual(web.get("/points/warnings/", {"org": self.branch_one.id, "period": "2026Q9"}).status_code,
                         400)
        self.assertEqual(web.post("/points/warnings/", {"org": self.branch_one.id, "period": "2026Q4"}).status_code,
                         400)
        self.assertEqual(web.post(f"/points/warnings/{w.id}/", {"action": "handle", "note": ""}).status_code, 400)
        self.assertEqual((PointWarning.objects.count(), Disposal.objects.count(), self.counts()), before)
