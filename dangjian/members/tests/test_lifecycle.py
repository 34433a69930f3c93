from datetime import date, timedelta

from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.members import lifecycle, services
from dangjian.members.models import Disposal, Member, MobileRecord, Transfer

from .helpers import member_data


class TransferTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m = services.member_create(actor=cls.li, org=cls.branch_one, data=member_data(name="周建军"))

    def test_member_moves_only_on_acceptance(self):
        r = self.api_as(self.li).post("/transfers", {"member_id": self.m.id, "to_org_id": self.branch_two.id,
                                                     "letter_no": "中组转字 001"})
        self.assertEqual(r.status_code, 201, r.content)
        tid = r.json()["id"]
        self.assertEqual(Member.objects.get(id=self.m.id).org_id, self.branch_one.id)
        self.assertEqual(r.json()["report_by"], (timezone.localdate().replace(day=1) and
                                                 lifecycle.rules.letter_report_by(issued_on=timezone.localdate(),
                                                                                  cross_province=False)).isoformat())
        # Both sides see it; the sender cannot accept on the receiver's behalf.
        self.assertEqual(self.api_as(self.wang).get("/transfers", {"org": self.branch_two.id}).json()["count"], 1)
        self.assertEqual(self.api_as(self.li).post(f"/transfers/{tid}/accept").status_code, 403)
        r = self.api_as(self.wang).post(f"/transfers/{tid}/accept")
        self.assertEqual(r.json()["state"], "accepted")
        self.assertEqual(Member.objects.get(id=self.m.id).org_id, self.branch_two.id)
        self.assertEqual(self.api_as(self.wang).post(f"/transfers/{tid}/accept").status_code, 409)

    def test_reject_needs_a_reason(self):
        t = lifecycle.transfer_out(actor=self.li, member=self.m, to_org=self.branch_two)
        r = self.api_as(self.wang).post(f"/transfers/{t.id}/reject", {"reason": "  "})
        self.assertEqual(r.status_code, 400)
        r = self.api_as(self.wang).post(f"/transfers/{t.id}/reject", {"reason": "查无此人"})
        self.assertEqual(r.json()["state"], "rejected")
        self.assertEqual(Member.objects.get(id=self.m.id).org_id, self.branch_one.id)

    def test_external_transfer_and_overdue_flag(self):
        r = self.api_as(self.li).post("/transfers", {"member_id": self.m.id, "to_external": {
            "org_name": "北京市某街道党工委", "letter_no": "京转 9", "cross_province": True}})
        self.assertEqual(r.status_code, 201, r.content)
        Transfer.objects.filter(id=r.json()["id"]).update(report_by=timezone.localdate() - timedelta(days=1))
        r2 = self.api_as(self.li).get("/transfers", {"org": self.branch_one.id, "overdue": True})
        self.assertEqual(r2.json()["items"][0]["overdue"], True)
        self.api_as(self.li).post(f"/transfers/{r.json()['id']}/accept")
        self.assertEqual(Member.objects.get(id=self.m.id).status, "transferred_out")

    def test_bad_transfers(self):
        api = self.api_as(self.li)
        before = Transfer.objects.count()
        self.assertEqual(api.post("/transfers", {"member_id": self.m.id}).status_code, 400)
        self.assertEqual(api.post("/transfers", {"member_id": self.m.id, "to_org_id": self.branch_one.id}).status_code, 400)
        self.assertEqual(api.post("/transfers", {"member_id": self.m.id, "to_org_id": self.community.id}).status_code, 400)
        self.assertEqual(api.post("/transfers", {"member_id": self.m.id, "to_org_id": 999999}).status_code, 404)
        self.assertEqual(Transfer.objects.count(), before)
        lifecycle.transfer_out(actor=self.li, member=self.m, to_org=self.branch_two)
        self.assertEqual(api.post("/transfers", {"member_id": self.m.id, "to_org_id": self.other_branch.id}).status_code, 409)

    def test_outsider_cannot_touch_transfer(self):
        t = lifecycle.transfer_out(actor=self.li, member=self.m, to_org=self.other_branch)
        self.assertEqual(self.api_as(self.wang).post(f"/transfers/{t.id}/accept").status_code, 404)
        self.assertEqual(self.api_as(self.wang).post(f"/transfers/{t.id}/reject", {"reason": "x"}).status_code, 404)


class MobileAndDisposalTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m = services.member_create(actor=cls.li, org=cls.branch_one, data=member_data(name="吴海涛"))

    def test_mobile_outflow_sets_status_and_stale_contact(self):
        since = timezone.localdate() - timedelta(days=200)
        r = self.api_as(self.li).post("/mobile-members", {"member_id": self.m.id, "direction": "out",
                                                          "place": "广东省深圳市", "since": since.isoformat()})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(Member.objects.get(id=self.m.id).status, "mobile")
        self.assertTrue(r.json()["contact_stale"])
        rid = r.json()["id"]
        r = self.api_as(self.li).post(f"/mobile-members/{rid}/contact", {"on": timezone.localdate().isoformat()})
        self.assertFalse(r.json()["contact_stale"])
        self.assertEqual(self.api_as(self.wang).post(f"/mobile-members/{rid}/end",
                                                     {"on": timezone.localdate().isoformat()}).status_code, 404)
        self.api_as(self.li).post(f"/mobile-members/{rid}/end", {"on": timezone.localdate().isoformat()})
        self.assertEqual(Member.objects.get(id=self.m.id).status, "normal")

    def test_mobile_bad_input(self):
        before = MobileRecord.objects.count()
        api = self.api_as(self.li)
        self.assertEqual(api.post("/mobile-members", {"member_id": self.m.id, "direction": "up", "place": "x",
                                                      "since": "2026-01-01"}).status_code, 400)
        self.assertEqual(api.post("/mobile-members", {"member_id": self.m.id, "direction": "out", "place": " ",
                                                      "since": "2026-01-01"}).status_code, 400)
        self.assertEqual(api.post("/mobile-members", {"member_id": self.m.id, "direction": "out", "place": "x",
                                                      "since": "2099-01-01"}).status_code, 400)
        self.assertEqual(MobileRecord.objects.count(), before)

    def test_disposals_kept_and_status_follows(self):
        api = self.api_as(self.li)
        today = timezone.localdate()
        r = api.post("/disposals", {"member_id": self.m.id, "kind": "rectify", "reason": "连续三个月未参加组织生活",
                                    "decided_on": today.isoformat(),
                                    "deadline": (today + timedelta(days=400)).isoformat()})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["rule"], "R-RECTIFY-1Y")
        r = api.post("/disposals", {"member_id": self.m.id, "kind": "rectify", "reason": "连续三个月未参加组织生活",
                                    "decided_on": today.isoformat(), "deadline": (today + timedelta(days=180)).isoformat()})
        self.assertEqual(r.json()["state"], "open")
        r = api.post("/disposals", {"member_id": self.m.id, "kind": "suspended", "reason": "失联六个月",
                                    "decided_on": today.isoformat()})
        self.assertEqual(Member.objects.get(id=self.m.id).status, "suspended")
        api.post("/disposals", {"member_id": self.m.id, "kind": "restored", "reason": "已取得联系",
                                "decided_on": today.isoformat()})
        self.assertEqual(Member.objects.get(id=self.m.id).status, "normal")
        self.assertEqual(Disposal.objects.filter(member=self.m).count(), 3)
        self.assertEqual(self.api_as(self.wang).get("/disposals", {"org": self.branch_one.id}).status_code, 404)
        self.assertTrue(AuditEvent.objects.filter(verb="member.disposal.suspended").exists())
        self.assertEqual(api.post("/disposals", {"member_id": self.m.id, "kind": "restored", "reason": "x",
                                                 "decided_on": today.isoformat()}).status_code, 400)
