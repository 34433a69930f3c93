from datetime import datetime, timedelta

from django.utils import timezone

from dangjian.volunteers import services
from dangjian.volunteers.models import Demand

from .base import VolunteerTestCase, make_volunteer


def next_saturday(hour):
    today = timezone.localdate()
    day = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


class NeedApiTests(VolunteerTestCase):
    def payload(self, **change):
        start = next_saturday(9)
        return {"org_id": self.branch_one.id, "title": "上门量血压", "skills": ["医疗"],
                "starts_at": timezone.localtime(start).isoformat(),
                "ends_at": timezone.localtime(start + timedelta(hours=1)).isoformat(), "grid": "3网格",
                "urgency": "high", "requester_name": "刘奶奶", "requester_phone": "13900002222", **change}

    def test_create_need(self):
        r = self.api_as(self.li).post("/volunteers/needs", self.payload())
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual((r.json()["state"], r.json()["source"], r.json()["urgency"]), ("open", "staff", "high"))
        r = self.api_as(self.li).post("/volunteers/needs", self.payload(skills=[], description="帮忙搬运家具"))
        self.assertEqual(r.status_code, 201, r.content)

    def test_bad_input_writes_nothing(self):
        api = self.api_as(self.li)
        before = self.counts()
        start = next_saturday(9)
        for change, status, fragment in [
            ({"skills": [], "description": ""}, 400, "特长或需求说明"),
            ({"skills": [], "description": "   "}, 400, "特长或需求说明"),
            ({"ends_at": timezone.localtime(start).isoformat()}, 400, "晚于"),
            ({"starts_at": None}, 400, "起止时间"),
            ({"starts_at": "下周六"}, 400, "格式"),
            ({"urgency": "asap"}, 400, "紧急程度"),
            ({"requester_phone": "110"}, 400, "手机号"),
            ({"title": ""}, 400, "需求"),
            ({"skills": "医疗"}, 422, ""),
            ({"org_id": self.branch_two.id}, 404, ""),
        ]:
            with self.subTest(change=change):
                r = api.post("/volunteers/needs", self.payload(**change))
                self.assert_refused(r, status, fragment)
                if status == 400 and "特长" in fragment:
                    self.assertEqual(r.json()["rule"], "R-VOL-NEED")
        self.assertEqual(self.counts(), before)

    def test_matches_rank_skill_and_time(self):
        # v_one: 医疗, every day, 1网格. Add crafted volunteers in branch one.
        near = make_volunteer(self.branch_one, "同网格医生", skills=["医疗"], grid="3网格",
                              availability=[{"weekday": 6, "start": "08:00", "end": "12:00"}])
        make_volunteer(self.branch_one, "周一有空的医生", skills=["医疗"], grid="3网格",
                       availability=[{"weekday": 1, "start": "08:00", "end": "12:00"}])
        make_volunteer(self.branch_one, "律师", skills=["法律"], grid="3网格",
                       availability=[{"weekday": 6, "start": "08:00", "end": "12:00"}])
        need = self.api_as(self.li).post("/volunteers/needs", self.payload()).json()
        r = self.api_as(self.li).get(f"/volunteers/needs/{need['id']}/matches")
        self.assertEqual(r.status_code, 200, r.content)
        items = r.json()["items"]
        self.assertEqual([i["volunteer_id"] for i in items], [near.id, self.v_one.id])
        self.assertGreater(items[0]["score"], items[1]["score"])
        self.assertIn("同一网格（3网格）", items[0]["reasons"])
        self.assertTrue(any("特长匹配" in x for x in items[0]["reasons"]))
        # wang's volunteer (also 医疗, every day) is not offered for li's need.
        self.assertNotIn(self.v_two.id, [i["volunteer_id"] for i in items])

    def test_match_assign_done_with_feedback(self):
        need = self.api_as(self.li).post("/volunteers/needs", self.payload()).json()
        api = self.api_as(self.li)
        self.assert_refused(api.post(f"/volunteers/needs/{need['id']}/complete", {"rating": 5}), 409)
        r = api.post(f"/volunteers/needs/{need['id']}/assign", {"volunteer_id": self.v_one.id})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual(body["state"], "assigned")
        self.assertIsNotNone(body["match_score"])
        self.assertTrue(body["match_reasons"])
        self.assert_refused(api.post(f"/volunteers/needs/{need['id']}/assign", {"volunteer_id": self.v_one.id}), 409)
        # The assignment is load for the next match.
        other = api.post("/volunteers/needs", self.payload(title="再量一次")).json()
        reasons = api.get(f"/volunteers/needs/{other['id']}/matches").json()["items"][0]["reasons"]
        self.assertIn("当前承接 1 项需求", reasons)
        for bad in (0, 6):
            self.assert_refused(api.post(f"/volunteers/needs/{need['id']}/complete", {"rating": bad}), 400, "满意度")
        r = api.post(f"/volunteers/needs/{need['id']}/complete", {"rating": 5, "feedback": "小伙子很耐心"})
        self.assertEqual((r.json()["state"], r.json()["rating"]), ("done", 5))
        self.assert_refused(api.post(f"/volunteers/needs/{need['id']}/cancel", {"reason": "x"}), 409)
        # The volunteer (a member with an account) sees the need assigned to him.
        zhao_v = make_volunteer(self.branch_one, "", member=self.zhao_member, skills=["医疗"],
                                availability=[{"weekday": 6, "start": "00:00", "end": "24:00"}])
        services.demand_assign(actor=self.li, demand=Demand.objects.get(pk=other["id"]), volunteer=zhao_v)
        self.assertEqual(self.api_as(self.zhao).get(f"/volunteers/needs/{other['id']}").status_code, 200)
        self.assertEqual(self.api_as(self.zhao).get(f"/volunteers/needs/{need['id']}").status_code, 404)

    def test_manual_assignment_outside_the_list_is_marked(self):
        resident = make_volunteer(self.branch_one, "居民老李", skills=["维修"])
        need = self.api_as(self.li).post("/volunteers/needs", self.payload()).json()
        r = self.api_as(self.li).post(f"/volunteers/needs/{need['id']}/assign", {"volunteer_id": resident.id})
        self.assertEqual(r.json()["match_reasons"], ["人工指派（不在推荐名单中）"])
        self.assertIsNone(r.json()["match_score"])

    def test_cancel_needs_reason(self):
        api = self.api_as(self.li)
        self.assert_refused(api.post(f"/volunteers/needs/{self.need_one.id}/cancel", {}), 400, "原因")
        self.assertEqual(api.post(f"/volunteers/needs/{self.need_one.id}/cancel", {"reason": "居民已自行解决"})
                         .json()["state"], "cancelled")

    def test_outsider_gets_404(self):
        api = self.api_as(self.wang)
        n = self.need_one.id
        self.assertEqual(api.get(f"/volunteers/needs/{n}").status_code, 404)
        self.assertEqual(api.get(f"/volunteers/needs/{n}/matches").status_code, 404)
        self.assertEqual(api.get("/volunteers/needs", {"org_id": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.post(f"/volunteers/needs/{n}/assign", {"volunteer_id": self.v_two.id}).status_code, 404)
        self.assertEqual(api.post(f"/volunteers/needs/{n}/complete", {"rating": 5}).status_code, 404)
        self.assertEqual(api.post(f"/volunteers/needs/{n}/cancel", {"reason": "x"}).status_code, 404)
        # li may not hand her need to wang's volunteer: she cannot see him.
        self.assertEqual(self.api_as(self.li).post(f"/volunteers/needs/{n}/assign",
                                                   {"volunteer_id": self.v_two.id}).status_code, 404)
        # zhang sees both, but branch two's volunteer is not under branch one's need.
        self.assert_refused(self.api_as(self.zhang).post(f"/volunteers/needs/{n}/assign",
                                                         {"volunteer_id": self.v_two.id}), 400, rule="R-VOL-MATCH")
        self.assertEqual([x["id"] for x in api.get("/volunteers/needs").json()["items"]], [self.need_two.id])
        self.assertEqual(Demand.objects.get(pk=n).state, "open")
        self.assertEqual(self.api_as(self.zhao).get("/volunteers/needs").json()["count"], 0)
        self.assertEqual(self.api_as(self.zhao).get(f"/volunteers/needs/{n}/matches").status_code, 404)

    def test_resident_submission_for_the_portal(self):
        start = next_saturday(9)
        data = {"title": "孩子作业辅导", "skills": ["助学"], "starts_at": start, "ends_at": start + timedelta(hours=2)}
        from dangjian.core.errors import DomainError

        with self.assertRaises(DomainError):
            services.demand_submit(org=self.branch_one, data=data)
        d = services.demand_submit(org=self.branch_one, data={**data, "requester_name": "陈女士",
                                                               "requester_phone": "13700001234"})
        self.assertEqual((d.source, d.state), ("portal", "open"))
