from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient
from dangjian.petitions.models import Petition
from dangjian.visits import rules
from dangjian.visits.models import (AnalysisMeeting, HelpRecord, Household, MonthlyPublication, Pairing, Resident,
                                    SpotCheck, SpotCheckItem, VisitLog, VisitPlan)

from .helpers import VisitsTestCase, make_household

TODAY = timezone.localdate


class HouseholdApiTests(VisitsTestCase):
    def payload(self, **kw):
        return {"org_id": self.branch_one.id, "name": "周奶奶", "address": "绿博家苑3号楼2单元101", "grid": "三网格",
                "phone": "13900001111", "size": 2, "circumstances": "老伴去世，独居", "tags": ["elderly_alone"],
                "residents": [{"name": "周奶奶", "relation": "head", "birth_year": 1940}], **kw}

    def test_secretary_registers_household_with_residents(self):
        r = self.api_as(self.li).post("/households", self.payload())
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual(body["tags"], ["elderly_alone"])
        self.assertEqual(body["tag_labels"], ["独居老人"])
        self.assertEqual(body["phone"], "13900001111")
        self.assertEqual(body["residents"][0]["relation"], "head")
        h = Household.objects.get(id=body["id"])
        self.assertEqual(h.region_id, self.root.id)
        ev = AuditEvent.objects.get(verb="household.create", target_id=str(h.id))
        self.assertNotIn("13900001111", str(ev.after))  # no phone in the audit trail

    def test_list_masks_phones_and_filters_by_tag(self):
        r = self.api_as(self.li).get("/households", {"org": self.branch_one.id})
        self.assertEqual(r.status_code, 200)
        items = r.json()["items"]
        self.assertEqual({i["name"] for i in items}, {"张大爷", "李阿姨"})
        self.assertTrue(all(i["phone_masked"] == "138****5678" for i in items))
        self.assertNotIn("13812345678", r.content.decode())
        r = self.api_as(self.li).get("/households", {"org": self.branch_one.id, "tag": "hardship"})
        self.assertEqual([i["name"] for i in r.json()["items"]], ["张大爷"])
        r = self.api_as(self.zhang).get("/households", {"org": self.root.id, "q": "孙"})
        self.assertEqual([i["name"] for i in r.json()["items"]], ["孙叔叔"])

    def test_outsider_gets_404(self):
        api = self.api_as(self.wang)
        self.assertEqual(api.get(f"/households/{self.h_one.id}").status_code, 404)
        self.assertEqual(api.patch(f"/households/{self.h_one.id}", {"name": "x"}).status_code, 404)
        self.assertEqual(api.get("/households", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.post("/households", self.payload()).status_code, 404)
        self.assertEqual(Household.objects.get(id=self.h_one.id).name, "张大爷")
        r = api.get("/households")
        self.assertEqual([i["name"] for i in r.json()["items"]], ["孙叔叔"])

    def test_member_and_anonymous(self):
        self.assertEqual(self.api_as(self.zhao).get(f"/households/{self.h_one.id}").status_code, 404)
        self.assertEqual(self.api_as(self.zhao).get("/households").status_code, 404)
        self.assertEqual(ApiClient().get("/households").status_code, 401)
        self.assertEqual(ApiClient().post("/households", self.payload()).status_code, 401)

    def test_patch_replaces_residents_and_audits_changes(self):
        r = self.api_as(self.li).patch(f"/households/{self.h_one.id}",
                                       {"grid": "五网格", "residents": [{"name": "张小明", "relation": "child"}]})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["grid"], "五网格")
        self.assertEqual(list(Resident.objects.filter(household=self.h_one).values_list("name", flat=True)), ["张小明"])
        ev = AuditEvent.objects.get(verb="household.update")
        self.assertEqual(ev.before, {"grid": "一网格"})


class HouseholdBadInputTests(VisitsTestCase):
    def setUp(self):
        self.counts = (Household.objects.count(), Resident.objects.count(), AuditEvent.objects.count())

    def tearDown(self):
        self.assertEqual((Household.objects.count(), Resident.objects.count(), AuditEvent.objects.count()),
                         self.counts)

    def post(self, **kw):
        data = {"org_id": self.branch_one.id, "name": "周奶奶", "address": "3号楼", **kw}
        return self.api_as(self.li).post("/households", data)

    def test_refusals(self):
        for kw, field in [({"name": ""}, "name"), ({"name": "长" * 51}, "name"), ({"address": "址" * 201}, "address"),
                          ({"tags": ["rich"]}, "tags"), ({"size": 0}, "size"), ({"phone": "abc"}, "phone"),
                          ({"residents": [{"name": ""}]}, "residents"),
                          ({"residents": [{"name": "甲", "birth_year": 1800}]}, "residents")]:
            r = self.post(**kw)
            self.assertEqual(r.status_code, 400, (kw, r.content))
            self.assertIn(field, [e["field"] for e in r.json()["errors"]], kw)

    def test_malformed_json_types(self):
        self.assertEqual(self.post(size="many").status_code, 422)
        self.assertEqual(self.post(tags="x" * 6000).status_code, 422)
        r = self.api_as(self.li).patch(f"/households/{self.h_one.id}", {"tags": ["nope"]})
        self.assertEqual(r.status_code, 400)


class PairingApiTests(VisitsTestCase):
    def test_pair_help_and_end(self):
        api = self.api_as(self.li)
        r = api.post("/pairings", {"member_id": self.m_li.id, "household_id": self.h_one.id, "note": "每月上门"})
        self.assertEqual(r.status_code, 201, r.content)
        pid = r.json()["id"]
        r = api.post("/pairings", {"member_id": self.m_li.id, "household_id": self.h_one.id})
        self.assertEqual(r.status_code, 409)
        r = api.post(f"/pairings/{pid}/help", {"given_on": str(TODAY()), "kind": "goods", "amount": "100.005",
                                               "description": "米面油"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(HelpRecord.objects.get().amount, Decimal("100.01"))  # half-up to the fen
        for bad in [{"amount": "-1"}, {"amount": "abc"}, {"kind": "cash"}, {"description": ""},
                    {"given_on": str(TODAY() + timedelta(days=1))}]:
            data = {"given_on": str(TODAY()), "kind": "goods", "amount": "1", "description": "x", **bad}
            self.assertEqual(api.post(f"/pairings/{pid}/help", data).status_code, 400, bad)
        self.assertEqual(HelpRecord.objects.count(), 1)
        r = api.get("/pairings", {"org": self.branch_one.id})
        self.assertEqual(r.json()["items"][0]["help_total"], "100.01")
        self.assertEqual(api.post(f"/pairings/{pid}/end", {"reason": ""}).status_code, 400)
        r = api.post(f"/pairings/{pid}/end", {"reason": "已脱困"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["ended_on"], str(TODAY()))
        # Ended: the same pair may start again.
        self.assertEqual(api.post("/pairings", {"member_id": self.m_li.id, "household_id": self.h_one.id}).status_code,
                         201)

    def test_outsider_and_member(self):
        p = Pairing.objects.create(org=self.branch_one, member=self.m_li, household=self.h_one, started_on=TODAY())
        wang = self.api_as(self.wang)
        self.assertEqual(wang.post("/pairings", {"member_id": self.m_li.id, "household_id": self.h_two.id}).status_code,
                         404)
        self.assertEqual(wang.post("/pairings", {"member_id": self.m_wang.id, "household_id": self.h_one.id}).status_code,
                         404)
        self.assertEqual(wang.post(f"/pairings/{p.id}/end", {"reason": "x"}).status_code, 404)
        self.assertEqual(wang.post(f"/pairings/{p.id}/help", {"given_on": str(TODAY()), "kind": "goods",
                                                              "description": "x"}).status_code, 404)
        self.assertEqual(wang.get("/pairings", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(self.api_as(self.zhao).post("/pairings", {"member_id": self.m_zhao.id,
                                                                   "household_id": self.h_one.id}).status_code, 404)
        self.assertEqual(Pairing.objects.count(), 1)

    def test_coverage_lists_unpaired_members_and_hardship_households(self):
        Pairing.objects.create(org=self.branch_one, member=self.m_li, household=self.h_one_b, started_on=TODAY())
        r = self.api_as(self.li).get("/visits/coverage", {"org": self.branch_one.id})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual([m["name"] for m in body["members_without_pairing"]], ["赵志强"])
        self.assertEqual([h["name"] for h in body["hardship_without_pairing"]], ["张大爷"])
        self.assertEqual((body["members_total"], body["members_paired"]), (2, 1))
        self.assertEqual(self.api_as(self.li).get("/visits/coverage", {"month": "2024-13"}).status_code, 400)
        self.assertEqual(self.api_as(self.wang).get("/visits/coverage", {"org": self.branch_one.id}).status_code, 404)


class VisitLogApiTests(VisitsTestCase):
    def log(self, api, **kw):
        data = {"member_id": self.m_li.id, "household_id": self.h_one.id, "visited_on": str(TODAY()),
                "notes": "老人腿脚不便，希望有人帮忙买菜", **kw}
        return api.post("/visits", data)

    def test_log_visit_and_raise_petition(self):
        r = self.log(self.api_as(self.li), needs="楼道灯坏了", create_petition=True)
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual(len(body["petition_ids"]), 1)
        p = Petition.objects.get(id=body["petition_ids"][0])
        self.assertEqual((p.channel, p.org_id, p.household_id, p.title), ("visit", self.branch_one.id,
                                                                          self.h_one.id, "楼道灯坏了"))
        self.assertEqual(p.visit_log_id, body["id"])

    def test_future_date_and_off_area_refused(self):
        api = self.api_as(self.zhang)
        before = (VisitLog.objects.count(), AuditEvent.objects.count())
        r = self.log(api, visited_on=str(TODAY() + timedelta(days=1)))
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-VISIT-DATE"))
        r = self.log(api, household_id=self.h_two.id)
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-VISIT-AREA"))
        r = self.log(api, notes="")
        self.assertEqual(r.status_code, 400)
        r = self.log(api, notes="长" * 2001)
        self.assertEqual(r.status_code, 400)
        r = self.log(api, create_petition=True)  # no needs to turn into a petition
        self.assertEqual(r.status_code, 400)
        self.assertEqual((VisitLog.objects.count(), AuditEvent.objects.count()), before)
        r = self.log(api, household_id=self.h_two.id, reason="随社区书记联合走访")
        self.assertEqual(r.status_code, 201, r.content)

    def test_member_writes_own_log_only_in_area(self):
        api = self.api_as(self.zhao)
        r = self.log(api, member_id=self.m_zhao.id)
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(self.log(api, member_id=self.m_zhao.id, household_id=self.h_two.id,
                                  reason="x").status_code, 404)
        self.assertEqual(self.log(api, member_id=self.m_li.id).status_code, 404)  # not himself
        self.assertEqual(api.get(f"/visits/{r.json()['id']}").status_code, 200)
        self.assertEqual(api.get("/visits").status_code, 404)  # no org scope for a list

    def test_outsider_sees_no_log(self):
        log = VisitLog.objects.create(org=self.branch_one, member=self.m_li, household=self.h_one,
                                      visited_on=TODAY(), notes="x")
        wang = self.api_as(self.wang)
        self.assertEqual(wang.get(f"/visits/{log.id}").status_code, 404)
        self.assertEqual(wang.get("/visits", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(wang.get("/visits").json()["count"], 0)
        self.assertEqual(self.log(wang).status_code, 404)
        self.assertEqual(ApiClient().get(f"/visits/{log.id}").status_code, 401)
        r = self.api_as(self.li).get("/visits", {"org": self.branch_one.id, "month": rules.month_of(TODAY())})
        self.assertEqual(r.json()["count"], 1)
        self.assertEqual(self.api_as(self.li).get("/visits", {"month": "junk"}).status_code, 400)


class PlanApiTests(VisitsTestCase):
    def test_plan_and_progress(self):
        month = rules.month_of(TODAY())
        api = self.api_as(self.li)
        r = api.post("/visit-plans", {"member_id": self.m_li.id, "month": month,
                                      "household_ids": [self.h_one.id, self.h_one_b.id]})
        self.assertEqual(r.status_code, 201, r.content)
        VisitLog.objects.create(org=self.branch_one, member=self.m_li, household=self.h_one, visited_on=TODAY(),
                                notes="x")
        r = api.get(f"/visit-plans/{r.json()['id']}")
        self.assertEqual(r.json()["visited_ids"], [self.h_one.id])
        # Saving again replaces the households (one plan per member and month).
        r = api.post("/visit-plans", {"member_id": self.m_li.id, "month": month, "household_ids": [self.h_one_b.id]})
        self.assertEqual(r.status_code, 201)
        self.assertEqual(VisitPlan.objects.count(), 1)
        self.assertEqual(r.json()["household_ids"], [self.h_one_b.id])

    def test_plan_refusals(self):
        zhang = self.api_as(self.zhang)
        r = zhang.post("/visit-plans", {"member_id": self.m_li.id, "month": "2024-09", "household_ids": [self.h_two.id]})
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-VISIT-AREA"))
        r = zhang.post("/visit-plans", {"member_id": self.m_li.id, "month": "2024-9", "household_ids": [self.h_one.id]})
        self.assertEqual(r.status_code, 400)
        r = zhang.post("/visit-plans", {"member_id": self.m_li.id, "month": "2024-09", "household_ids": []})
        self.assertEqual(r.status_code, 400)
        r = self.api_as(self.wang).post("/visit-plans", {"member_id": self.m_li.id, "month": "2024-09",
                                                         "household_ids": [self.h_one.id]})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(VisitPlan.objects.count(), 0)


class MeetingPublicationApiTests(VisitsTestCase):
    def test_analysis_meeting_links_logs(self):
        log = VisitLog.objects.create(org=self.branch_one, member=self.m_li, household=self.h_one,
                                      visited_on=TODAY() - timedelta(days=2), notes="x")
        other = VisitLog.objects.create(org=self.branch_two, member=self.m_wang, household=self.h_two,
                                        visited_on=TODAY(), notes="y")
        api = self.api_as(self.li)
        data = {"org_id": self.branch_one.id, "held_on": str(TODAY()), "topic": "本周民情分析", "log_ids": [log.id]}
        r = api.post("/analysis-meetings", data)
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["log_ids"], [log.id])
        self.assertEqual(api.post("/analysis-meetings", {**data, "log_ids": [other.id]}).status_code, 404)
        self.assertEqual(api.post("/analysis-meetings", {**data, "held_on": str(TODAY() - timedelta(days=3))}
                                  ).status_code, 400)  # a log after the meeting
        self.assertEqual(api.post("/analysis-meetings", {**data, "topic": ""}).status_code, 400)
        self.assertEqual(AnalysisMeeting.objects.count(), 1)

    def test_publication_only_after_month_end(self):
        api = self.api_as(self.li)
        this_month = rules.month_of(TODAY())
        last_month = rules.month_of(TODAY().replace(day=1) - timedelta(days=1))
        VisitLog.objects.create(org=self.branch_one, member=self.m_li, household=self.h_one,
                                visited_on=TODAY().replace(day=1) - timedelta(days=1), notes="x", needs="修路")
        r = api.post("/visit-publications", {"org_id": self.branch_one.id, "month": this_month})
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-VISIT-PUBLISH"))
        r = api.post("/visit-publications", {"org_id": self.branch_one.id, "month": last_month})
        self.assertEqual(r.status_code, 201, r.content)
        figures = r.json()["figures"]
        self.assertEqual((figures["visits"], figures["needs_raised"], figures["households_visited"]), (1, 1, 1))
        self.assertEqual(api.post("/visit-publications", {"org_id": self.branch_one.id,
                                                          "month": last_month}).status_code, 409)
        self.assertEqual(self.api_as(self.wang).post("/visit-publications", {"org_id": self.branch_one.id,
                                                                             "month": last_month}).status_code, 404)
        self.assertEqual(MonthlyPublication.objects.count(), 1)


class SpotCheckApiTests(VisitsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        first = (TODAY().replace(day=1) - relativedelta(months=1))
        cls.month = rules.month_of(first)
        cls.logs = [VisitLog.objects.create(org=cls.branch_one, member=cls.m_li, household=cls.h_one,
                                            visited_on=first + timedelta(days=i % 28), notes=f"第{i}篇")
                    for i in range(12)]

    def test_seeded_sample_is_reproducible_and_recorded(self):
        api = self.api_as(self.li)
        data = {"org_id": self.branch_one.id, "month": self.month, "sample_size": 4, "seed": 20240930}
        a = api.post("/spot-checks", data).json()
        b = api.post("/spot-checks", data).json()
        self.assertEqual([i["log_id"] for i in a["items"]], [i["log_id"] for i in b["items"]])
        self.assertEqual((a["seed"], a["population"], len(a["items"])), (20240930, 12, 4))
        expected = rules.spot_check_sample([x.id for x in self.logs], size=4, seed=20240930)
        self.assertEqual([i["log_id"] for i in a["items"]], expected)
        check = SpotCheck.objects.get(id=a["id"])
        from dangjian.visits.selectors import spot_check_redraw

        self.assertEqual(spot_check_redraw(check), list(check.items.values_list("log_id", flat=True)))
        ev = AuditEvent.objects.filter(verb="spot_check.create").first()
        self.assertEqual(ev.after["seed"], 20240930)

    def test_seed_drawn_when_missing_and_default_size(self):
        r = self.api_as(self.li).post("/spot-checks", {"org_id": self.branch_one.id, "month": self.month})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(len(r.json()["items"]), rules.SPOT_CHECK_DEFAULT_SIZE)
        self.assertTrue(0 <= r.json()["seed"] <= rules.SEED_MAX)

    def test_record_results(self):
        api = self.api_as(self.li)
        c = api.post("/spot-checks", {"org_id": self.branch_one.id, "month": self.month, "sample_size": 2,
                                      "seed": 1}).json()
        item = c["items"][0]
        url = f"/spot-checks/{c['id']}/items/{item['id']}"
        self.assertEqual(api.post(url, {"confirmed": False}).status_code, 400)  # not confirmed needs a remark
        r = api.post(url, {"confirmed": False, "remark": "户主称本月无人上门"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(SpotCheckItem.objects.get(id=item["id"]).confirmed, False)
        self.assertEqual(self.api_as(self.wang).post(url, {"confirmed": True}).status_code, 404)
        self.assertEqual(self.api_as(self.wang).get(f"/spot-checks/{c['id']}").status_code, 404)

    def test_refusals_write_nothing(self):
        api = self.api_as(self.li)
        base = {"org_id": self.branch_one.id, "month": self.month}
        for bad in [{"sample_size": 0}, {"sample_size": 51}, {"seed": -1}, {"month": "2099-01"}, {"month": "x"},
                    {"month": "2001-01"}]:
            r = api.post("/spot-checks", {**base, **bad})
            self.assertEqual(r.status_code, 400, (bad, r.content))
        self.assertEqual(self.api_as(self.wang).post("/spot-checks", base).status_code, 404)
        self.assertEqual(SpotCheck.objects.count(), 0)

    def test_other_household_in_community(self):
        # A household registered at the community level is in every branch member's area (R-VISIT-AREA).
        h = make_household(self.community, "社区直管户")
        r = self.api_as(self.zhang).post("/visits", {"member_id": self.m_li.id, "household_id": h.id,
                                                     "visited_on": str(TODAY()), "notes": "x"})
        self.assertEqual(r.status_code, 201, r.content)
        # li's scope is the branch: the community's register is outside it.
        r = self.api_as(self.li).post("/visits", {"member_id": self.m_li.id, "household_id": h.id,
                                                  "visited_on": str(TODAY()), "notes": "x"})
        self.assertEqual(r.status_code, 404)
