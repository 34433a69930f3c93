from datetime import date, timedelta
from unittest.mock import patch

from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient
from dangjian.petitions.models import Escalation, Petition, PetitionSettings, PetitionStep, PetitionTransfer
from dangjian.petitions.services import petitions_escalate_overdue
from dangjian.visits.tests.helpers import VisitsTestCase

TODAY = timezone.localdate


def on(day: date):
    """Freeze the petitions' notion of today."""
    return patch("dangjian.petitions.services._today", return_value=day)


class PetitionApiTests(VisitsTestCase):
    def create(self, api=None, **kw):
        data = {"org_id": self.branch_one.id, "channel": "wechat", "title": "小区路灯不亮", "category": "infrastructure",
                "content": "3号楼前路灯坏了一周", "resident": {"name": "张大爷", "phone": "13812345678"}, **kw}
        return (api or self.api_as(self.li)).post("/petitions", data)

    def test_create_gives_code_and_working_day_deadlines(self):
        with on(date(2024, 10, 10)):
            r = self.create(received_on="2024-09-30")
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual(len(body["tracking_code"]), 12)
        self.assertEqual(body["deadlines"], {"contact": "2024-10-08", "accept": "2024-10-09",
                                             "handle": "2024-10-29", "feedback": "2024-11-01"})
        p = Petition.objects.get(id=body["id"])
        self.assertEqual((p.state, p.current_due, p.region_id), ("new", date(2024, 10, 8), self.root.id))
        self.assertTrue(AuditEvent.objects.filter(verb="petition.create", target_id=str(p.id)).exists())

    def test_committee_setting_applies_to_subtree(self):
        PetitionSettings.objects.create(org=self.community, contact_days=2, accept_days=3, handle_days=10,
                                        feedback_days=2)
        with on(date(2024, 10, 10)):
            body = self.create(received_on="2024-09-30").json()
        self.assertEqual(body["deadlines"]["contact"], "2024-10-09")
        self.assertEqual(body["deadlines"]["accept"], "2024-10-10")

    def test_steps_in_order_with_refusals(self):
        with on(date(2024, 10, 8)):
            pid = self.create(received_on="2024-09-30").json()["id"]
            api = self.api_as(self.li)
            url = f"/petitions/{pid}/steps"
            r = api.post(url, {"step": "accept", "note": "x"})
            self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-PET-ORDER"))
            self.assertIn("沟通", r.json()["detail"])
            self.assertEqual(api.post(url, {"step": "feedback"}).status_code, 400)  # no closing without handling
            self.assertEqual(api.post(url, {"step": "close"}).status_code, 400)
            r = api.post(url, {"step": "contact", "note": "电话联系了张大爷"})
            self.assertEqual(r.status_code, 201, r.content)
            self.assertEqual(r.json()["state"], "contacted")
            self.assertEqual(api.post(url, {"step": "contact"}).status_code, 400)  # twice
            r = api.post(url, {"step": "accept", "done_on": "2024-10-07"})  # before the contact
            self.assertEqual(r.status_code, 400)
            r = api.post(url, {"step": "accept", "done_on": "2024-10-09"})  # in the future
            self.assertEqual(r.status_code, 400)
            r = api.post(url, {"step": "accept"})
            self.assertEqual(r.status_code, 201)
            # handling is now counted from the actual acceptance (10-08), not the deadline (10-09)
            self.assertEqual(r.json()["deadlines"]["handle"], "2024-10-28")
        with on(date(2024, 10, 14)):
            r = api.post(url, {"step": "handle", "note": "已更换灯泡", "resolved": True})
            self.assertEqual(r.status_code, 201)
            self.assertEqual(r.json()["deadlines"]["feedback"], "2024-10-17")
            r = api.post(url, {"step": "feedback", "satisfaction": "great"})
            self.assertEqual(r.status_code, 400)
            r = api.post(url, {"step": "feedback", "satisfaction": "satisfied", "note": "回访满意"})
            self.assertEqual(r.status_code, 201)
            self.assertEqual((r.json()["state"], r.json()["satisfaction"]), ("closed", "satisfied"))
            self.assertEqual(api.post(url, {"step": "feedback"}).status_code, 400)
        p = Petition.objects.get(id=pid)
        self.assertEqual((p.owner_id, p.closed_on, p.current_due, p.resolved), (self.li.id, date(2024, 10, 14), None,
                                                                                 True))
        self.assertEqual(PetitionStep.objects.filter(petition=p).count(), 4)

    def test_late_step_needs_a_reason(self):
        with on(date(2024, 10, 9)):
            pid = self.create(received_on="2024-09-30").json()["id"]
            url = f"/petitions/{pid}/steps"
            api = self.api_as(self.li)
            r = api.post(url, {"step": "contact"})
            self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-PET-LATE"))
            r = api.post(url, {"step": "contact", "done_on": "2024-10-08"})  # on the due date: on time
            self.assertEqual(r.status_code, 201)
            r = api.post(url, {"step": "accept", "done_on": "2024-10-09"})
            self.assertEqual(r.status_code, 201)
        self.assertEqual(list(PetitionStep.objects.values_list("late", flat=True)), [False, False])

    def test_overdue_list(self):
        with on(date(2024, 10, 8)):
            late = self.create(received_on="2024-09-30", title="逾期的").json()["id"]
        self.create(title="今天的")
        r = self.api_as(self.li).get("/petitions", {"org": self.branch_one.id, "overdue": "true"})
        self.assertEqual([p["id"] for p in r.json()["items"]], [late])
        self.assertTrue(r.json()["items"][0]["overdue"])
        self.assertEqual(r.json()["items"][0]["sla"]["tone"], "danger")
        r = self.api_as(self.li).get("/petitions", {"org": self.branch_one.id})
        self.assertEqual(r.json()["count"], 2)

    def test_transfer_with_reason(self):
        pid = self.create().json()["id"]
        api = self.api_as(self.li)
        self.assertEqual(api.post(f"/petitions/{pid}/transfer", {"to_org_id": self.branch_two.id,
                                                                 "reason": ""}).status_code, 400)
        self.assertEqual(api.post(f"/petitions/{pid}/transfer", {"to_org_id": 999999,
                                                                 "reason": "x"}).status_code, 404)
        r = api.post(f"/petitions/{pid}/transfer", {"to_org_id": self.branch_two.id, "reason": "属第二支部网格"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(api.get(f"/petitions/{pid}").status_code, 404)  # now wang's
        self.assertEqual(self.api_as(self.wang).get(f"/petitions/{pid}").json()["transfers"][0]["reason"],
                         "属第二支部网格")
        self.assertEqual(PetitionTransfer.objects.count(), 1)

    def test_outsider_member_anonymous(self):
        pid = self.create().json()["id"]
        wang = self.api_as(self.wang)
        self.assertEqual(wang.get(f"/petitions/{pid}").status_code, 404)
        self.assertEqual(wang.post(f"/petitions/{pid}/steps", {"step": "contact"}).status_code, 404)
        self.assertEqual(wang.post(f"/petitions/{pid}/transfer", {"to_org_id": self.branch_two.id,
                                                                  "reason": "x"}).status_code, 404)
        self.assertEqual(wang.get("/petitions", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(wang.get("/petitions").json()["count"], 0)
        self.assertEqual(self.create(api=wang).status_code, 404)
        self.assertEqual(self.api_as(self.zhao).get(f"/petitions/{pid}").status_code, 404)
        self.assertEqual(ApiClient().get(f"/petitions/{pid}").status_code, 401)
        self.assertEqual(ApiClient().get("/petitions").status_code, 401)
        self.assertEqual(PetitionStep.objects.count(), 0)

    def test_bad_input_writes_nothing(self):
        before = (Petition.objects.count(), AuditEvent.objects.count())
        for kw in [{"channel": "fax"}, {"title": ""}, {"content": "长" * 2001}, {"title": "题" * 101},
                   {"category": "x"}, {"kind": "complaint"}, {"resident": {"phone": "12ab"}},
                   {"received_on": str(TODAY() + timedelta(days=1))},
                   {"received_on": str(TODAY() - timedelta(days=400))}]:
            r = self.create(**kw)
            self.assertEqual(r.status_code, 400, (kw, r.content))
            self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"]))
        self.assertEqual(self.create(received_on="2024-02-30").status_code, 422)
        self.assertEqual(self.create(content="x" * 6000).status_code, 422)
        self.assertEqual((Petition.objects.count(), AuditEvent.objects.count()), before)

    def test_anonymous_resident_keeps_no_contact(self):
        r = self.create(resident={"name": "某居民", "phone": "13800000000", "anonymous": True})
        p = Petition.objects.get(id=r.json()["id"])
        self.assertEqual((p.submitter_name, p.submitter_phone, p.anonymous), ("", "", True))


class EscalationTests(VisitsTestCase):
    def test_escalates_once_per_overdue_step(self):
        api = self.api_as(self.li)
        with on(date(2024, 10, 8)):
            pid = api.post("/petitions", {"org_id": self.branch_one.id, "channel": "phone", "title": "噪音",
                                          "content": "夜间施工", "received_on": "2024-09-30"}).json()["id"]
        self.assertEqual(petitions_escalate_overdue(today=date(2024, 10, 8)), 0)   # due today: not yet
        self.assertEqual(petitions_escalate_overdue(today=date(2024, 10, 9)), 1)
        self.assertEqual(petitions_escalate_overdue(today=date(2024, 10, 9)), 0)   # run twice: once
        self.assertEqual(petitions_escalate_overdue(today=date(2024, 10, 10)), 0)  # next day: still once
        e = Escalation.objects.get()
        self.assertEqual((e.step, e.due, e.to_org_id), ("contact", date(2024, 10, 8), self.community.id))
        with on(date(2024, 10, 10)):
            api.post(f"/petitions/{pid}/steps", {"step": "contact", "note": "联系晚了"})
        # accept was due 10-09: the next run raises that step, once
        self.assertEqual(petitions_escalate_overdue(today=date(2024, 10, 11)), 1)
        self.assertEqual(petitions_escalate_overdue(today=date(2024, 10, 11)), 0)
        self.assertEqual(list(Escalation.objects.order_by("id").values_list("step", flat=True)), ["contact", "accept"])
        self.assertEqual(AuditEvent.objects.filter(verb="petition.escalate").count(), 2)
        r = api.get("/petitions", {"org": self.branch_one.id, "escalated": "true"})
        self.assertEqual(r.json()["count"], 1)

    def test_the_periodic_task_runs_once_a_day(self):
        from dangjian.core.models import JobRun
        from dangjian.petitions.tasks import escalate_overdue_once

        with on(date(2024, 10, 8)):
            self.api_as(self.li).post("/petitions", {"org_id": self.branch_one.id, "channel": "qq", "title": "x",
                                                     "content": "y", "received_on": "2024-09-30"})
        self.assertEqual(escalate_overdue_once(today=date(2024, 10, 9)), 1)
        self.assertIsNone(escalate_overdue_once(today=date(2024, 10, 9)))  # the day's run already happened
        self.assertEqual(JobRun.objects.filter(job="petitions.escalate").count(), 1)
