from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient
from dangjian.volunteers import selectors
from dangjian.volunteers.models import UnitMembership, VolunteerProfile, VolunteerUnit

from .base import SAT_MORNING, VolunteerTestCase, make_member


class UnitApiTests(VolunteerTestCase):
    def test_three_levels_station_substation_team(self):
        api = self.api_as(self.zhang)
        r = api.post("/volunteers/units", {"org_id": self.root.id, "name": "镇志愿服务总站", "level": "station"})
        self.assertEqual(r.status_code, 201, r.content)
        station = r.json()["id"]
        r = api.post("/volunteers/units", {"org_id": self.community.id, "name": "社区分站", "level": "substation",
                                           "parent_id": station})
        self.assertEqual(r.status_code, 201, r.content)
        sub = r.json()["id"]
        r = self.api_as(self.li).post("/volunteers/units", {"org_id": self.branch_one.id, "name": "法律服务队",
                                                            "level": "team", "specialty": "legal", "parent_id": sub})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["level_label"], "志愿服务队")
        self.assertTrue(AuditEvent.objects.filter(verb="volunteer_unit.create", target_id=str(r.json()["id"])).exists())
        tree = selectors.unit_tree(actor=self.zhang, org=self.root)
        names = [(row["unit"].name, row["depth"]) for row in tree]
        self.assertIn(("法律服务队", 2), names)

    def test_team_under_team_is_refused_and_nothing_written(self):
        before = self.counts()
        r = self.api_as(self.li).post("/volunteers/units", {"org_id": self.branch_one.id, "name": "小分队",
                                                            "level": "team", "parent_id": self.team_one.id})
        self.assert_refused(r, 400, "服务队", rule="R-VOL-LEVELS")
        r = self.api_as(self.zhang).post("/volunteers/units", {"org_id": self.branch_one.id, "name": "分站",
                                                               "level": "substation", "parent_id": self.team_one.id})
        self.assert_refused(r, 400, rule="R-VOL-LEVELS")
        r = self.api_as(self.zhang).post("/volunteers/units", {"org_id": self.branch_one.id, "name": "总站2",
                                                               "level": "station", "parent_id": self.station.id})
        self.assert_refused(r, 400, rule="R-VOL-LEVELS")
        r = self.api_as(self.li).post("/volunteers/units", {"org_id": self.branch_one.id, "name": "x",
                                                            "level": "brigade"})
        self.assert_refused(r, 400, rule="R-VOL-LEVELS")
        r = self.api_as(self.li).post("/volunteers/units", {"org_id": self.branch_one.id, "name": "  ",
                                                            "level": "team"})
        self.assert_refused(r, 400, "名称")
        r = self.api_as(self.li).post("/volunteers/units", {"org_id": self.branch_one.id, "name": "一支部医疗队",
                                                            "level": "team"})
        self.assert_refused(r, 409)
        self.assertEqual(self.counts(), before)

    def test_parent_must_be_above_the_org(self):
        before = self.counts()
        # zhang sees both branches, but branch two's team cannot parent a unit of branch one.
        sub = VolunteerUnit.objects.create(org=self.branch_two, name="二支部分站", level="substation")
        before = self.counts()
        r = self.api_as(self.zhang).post("/volunteers/units", {"org_id": self.branch_one.id, "name": "队",
                                                               "level": "team", "parent_id": sub.id})
        self.assert_refused(r, 400, "上级", rule="R-VOL-LEVELS")
        # li does not see branch two at all: 404.
        r = self.api_as(self.li).post("/volunteers/units", {"org_id": self.branch_one.id, "name": "队",
                                                            "level": "team", "parent_id": sub.id})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(self.counts(), before)

    def test_members_may_be_residents(self):
        api = self.api_as(self.li)
        r = api.post("/volunteers/profiles", {"org_id": self.branch_one.id, "name": "居民王阿姨",
                                              "phone": "13800001111", "skills": ["理发"]})
        self.assertEqual(r.status_code, 201, r.content)
        resident = r.json()
        self.assertFalse(resident["is_member"])
        r = api.post(f"/volunteers/units/{self.team_one.id}/members", {"volunteer_id": resident["id"],
                                                                        "role": "leader"})
        self.assertEqual(r.status_code, 201, r.content)
        r = api.post(f"/volunteers/units/{self.team_one.id}/members", {"volunteer_id": self.v_one.id})
        self.assertEqual(r.status_code, 201)
        detail = api.get(f"/volunteers/units/{self.team_one.id}").json()
        self.assertEqual({(m["name"], m["role"]) for m in detail["members"]}, {("居民王阿姨", "leader"), ("孙一", "member")})
        self.assert_refused(api.post(f"/volunteers/units/{self.team_one.id}/members",
                                     {"volunteer_id": self.v_one.id}), 409)
        self.assertEqual(api.delete(f"/volunteers/units/{self.team_one.id}/members/{self.v_one.id}").status_code, 204)
        self.assertEqual(UnitMembership.objects.filter(unit=self.team_one).count(), 1)

    def test_outsider_gets_404(self):
        api = self.api_as(self.wang)
        self.assertEqual(api.get(f"/volunteers/units/{self.team_one.id}").status_code, 404)
        self.assertEqual(api.get("/volunteers/units", {"org_id": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.patch(f"/volunteers/units/{self.team_one.id}", {"name": "x"}).status_code, 404)
        self.assertEqual(api.post(f"/volunteers/units/{self.team_one.id}/members",
                                  {"volunteer_id": self.v_two.id}).status_code, 404)
        self.assertEqual(api.post(f"/volunteers/units/{self.team_two.id}/members",
                                  {"volunteer_id": self.v_one.id}).status_code, 404)
        self.assertEqual(api.post("/volunteers/units", {"org_id": self.branch_one.id, "name": "x",
                                                        "level": "team"}).status_code, 404)
        r = api.get("/volunteers/units", {"org_id": self.branch_two.id})
        self.assertEqual([u["id"] for u in r.json()["items"]], [self.team_two.id])
        self.assertEqual(VolunteerUnit.objects.get(pk=self.team_one.pk).name, "一支部医疗队")

    def test_member_may_not_create_units_and_anonymous_gets_401(self):
        self.assertEqual(self.api_as(self.zhao).post("/volunteers/units", {"org_id": self.branch_one.id,
                                                                           "name": "x", "level": "team"}).status_code,
                         404)
        self.assertEqual(ApiClient().get("/volunteers/units", {"org_id": self.branch_one.id}).status_code, 401)
        self.assertEqual(ApiClient().post("/volunteers/profiles", {}).status_code, 401)

    def test_patch_unit(self):
        r = self.api_as(self.li).patch(f"/volunteers/units/{self.team_one.id}", {"description": "每月义诊",
                                                                                 "specialty": "arts"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["specialty"], "arts")
        r = self.api_as(self.zhang).patch(f"/volunteers/units/{self.station.id}", {"specialty": "arts"})
        self.assert_refused(r, 400, rule="R-VOL-LEVELS")


class ProfileApiTests(VolunteerTestCase):
    def test_member_self_registers_on_a_phone(self):
        api = self.api_as(self.zhao)
        payload = {"skills": ["医疗", "理发"], "interests": ["书法"], "capacity": "可上门服务",
                   "availability": [{"weekday": 6, "start": "08:00", "end": "12:00"},
                                    {"weekday": 7, "start": "14:00", "end": "17:00"}], "grid": "3网格"}
        r = api.post("/volunteers/profiles", payload)
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual((body["name"], body["registered_via"], body["member_id"]),
                         ("赵志强", "self", self.zhao_member.id))
        self.assertEqual(api.get("/volunteers/me").json()["id"], body["id"])
        self.assertEqual(api.get(f"/volunteers/profiles/{body['id']}").status_code, 200)
        r = api.patch(f"/volunteers/profiles/{body['id']}", {"skills": ["医疗"], "grid": "4网格"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["grid"], "4网格")
        self.assert_refused(api.post("/volunteers/profiles", payload), 409, "已登记")
        # He sees no one else and cannot register anyone else.
        self.assertEqual(api.get(f"/volunteers/profiles/{self.v_one.id}").status_code, 404)
        self.assertEqual(api.post("/volunteers/profiles", {"member_id": self.one_member.id}).status_code, 404)
        self.assertEqual(api.get("/volunteers/profiles", {"org_id": self.branch_one.id}).status_code, 404)

    def test_secretary_registers_a_member_and_searches(self):
        api = self.api_as(self.li)
        r = api.post("/volunteers/profiles", {"member_id": self.li_member.id, "skills": ["法律"],
                                              "availability": SAT_MORNING})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["registered_via"], "self")  # li is registering herself
        r = api.post("/volunteers/profiles", {"member_id": self.zhao_member.id, "skills": ["法律", "医疗"]})
        self.assertEqual(r.json()["registered_via"], "staff")
        names = lambda **p: sorted(v["name"] for v in api.get("/volunteers/profiles",  # noqa: E731
                                                               {"org_id": self.branch_one.id, **p}).json()["items"])
        self.assertEqual(names(skill="法律"), ["李秀英", "赵志强"])
        self.assertEqual(names(skill="医疗"), ["孙一", "赵志强"])
        self.assertEqual(names(weekday=6), ["孙一", "李秀英"])
        self.assertEqual(names(q="zzq"), ["赵志强"])
        self.assertEqual(names(q="孙"), ["孙一"])
        self.assertEqual(names(kind="resident"), [])

    def test_bad_input_writes_nothing(self):
        api = self.api_as(self.li)
        before = self.counts()
        cases = [
            ({"member_id": self.zhao_member.id, "availability": [{"weekday": 8, "start": "08:00", "end": "09:00"}]},
             400, "星期"),
            ({"member_id": self.zhao_member.id, "availability": [{"weekday": 1, "start": "10:00", "end": "09:00"}]},
             400, "早于"),
            ({"member_id": self.zhao_member.id, "availability": [{"weekday": 1, "start": "上午", "end": "09:00"}]},
             400, "HH:MM"),
            ({"member_id": self.zhao_member.id, "phone": "12345"}, 400, "手机号"),
            ({"member_id": self.zhao_member.id, "skills": ["很长" * 11]}, 400, "过长"),
            ({"member_id": self.zhao_member.id, "max_load": 0}, 400, "上限"),
            ({"member_id": self.one_member.id}, 409, "已登记"),
            ({"org_id": self.branch_one.id}, 400, "姓名"),
            ({"member_id": 987654}, 404, ""),
            ({"member_id": "abc"}, 422, ""),
            ({"member_id": self.zhao_member.id, "availability": "周六上午"}, 422, ""),
        ]
        for payload, status, fragment in cases:
            with self.subTest(payload=payload):
                self.assert_refused(api.post("/volunteers/profiles", payload), status, fragment)
        self.assertEqual(self.counts(), before)

    def test_outsider_gets_404(self):
        api = self.api_as(self.wang)
        self.assertEqual(api.get(f"/volunteers/profiles/{self.v_one.id}").status_code, 404)
        self.assertEqual(api.patch(f"/volunteers/profiles/{self.v_one.id}", {"grid": "x"}).status_code, 404)
        self.assertEqual(api.post("/volunteers/profiles", {"member_id": self.zhao_member.id}).status_code, 404)
        self.assertEqual(api.post("/volunteers/profiles", {"org_id": self.branch_one.id, "name": "x"}).status_code, 404)
        self.assertEqual(api.get("/volunteers/profiles", {"org_id": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.get("/volunteers/registration", {"org_id": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.get("/volunteers/me").status_code, 404)
        self.assertEqual(VolunteerProfile.objects.get(pk=self.v_one.pk).grid, "1网格")

    def test_registration_rate(self):
        make_member(self.branch_one, "老病号", is_exempt=True)      # 送学上门: not eligible
        make_member(self.branch_one, "退休老刘", is_retired=True)    # eligible, but not 在职
        make_member(self.branch_one, "积极分子", stage="activist")   # not on the rolls
        r = self.api_as(self.li).get("/volunteers/registration", {"org_id": self.branch_one.id})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual((body["all"]["registered"], body["all"]["eligible"]), (1, 4))
        self.assertEqual(body["all"]["rate"], "0.2500")
        self.assertEqual(body["employed"]["eligible"], 3)
        self.assertEqual(body["target"], "0.80")
        self.api_as(self.zhao).post("/volunteers/profiles", {"skills": ["医疗"]})
        stats = selectors.registration_stats(org=self.community)
        self.assertEqual((stats["registered"], stats["eligible"]), (3, 5))
        cards = selectors.home_cards(actor=self.zhang, org=self.community)
        self.assertEqual(cards[0]["label"], "志愿者注册率")
        self.assertEqual(cards[0]["value"], "60.0%")
        by_org = {r["org_name"]: r for r in self.api_as(self.zhang).get(
            "/volunteers/registration", {"org_id": self.community.id}).json()["by_org"]}
        self.assertEqual((by_org["第二党支部"]["registered"], by_org["第二党支部"]["eligible"]), (1, 1))
