from datetime import date

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient, PersonaTestCase
from dangjian.members import services
from dangjian.members.models import ChangeRequest, Member

from .helpers import member_data


def iso(d):
    return d.isoformat() if isinstance(d, date) else d


def payload(org, **kw):
    return {k: iso(v) for k, v in {**member_data(**kw), "org_id": org.id}.items()}


class MemberApiTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m1 = services.member_create(actor=cls.li, org=cls.branch_one, data=member_data(name="刘德明"))
        cls.m2 = services.member_create(actor=cls.wang, org=cls.branch_two, data=member_data(name="单雄信"))

    def test_create_returns_masked_id_and_derived_fields(self):
        body = payload(self.branch_one, name="王芳", gender="F", birth=date(1990, 2, 3), joined_on=date(2012, 7, 1),
                       full_on=date(2013, 7, 1))
        body.pop("birth_date")
        r = self.api_as(self.li).post("/members", body)
        self.assertEqual(r.status_code, 201, r.content)
        out = r.json()
        self.assertEqual(out["birth_date"], "1990-02-03")
        self.assertEqual(out["gender"], "F")
        self.assertRegex(out["id_number"], r"^\d{4}\*{10}[\dX]{4}$")
        m = Member.objects.get(id=out["id"])
        self.assertEqual(m.name_initials, "wf")
        # Encrypted at rest: the raw column holds ciphertext, not the number.
        from django.db import connection

        with connection.cursor() as c:
            c.execute("SELECT id_number FROM members_member WHERE id = %s", [m.id])
            raw = c.fetchone()[0]
        self.assertTrue(raw.startswith("v1:"))
        self.assertNotIn(body["id_number"], raw)
        self.assertTrue(AuditEvent.objects.filter(verb="member.create", target_id=str(m.id)).exists())

    def test_list_search_by_name_pinyin_initials_phone_and_id(self):
        api = self.api_as(self.zhang)
        for q in ["刘德", "liude", "ldm", "8000"]:
            r = api.get("/members", {"org": self.root.id, "q": q})
            self.assertIn(self.m1.id, [m["id"] for m in r.json()["items"]], q)
        r = api.get("/members", {"org": self.root.id, "q": self.m2.id_number})
        self.assertEqual([m["id"] for m in r.json()["items"]], [self.m2.id])
        r = api.get("/members", {"org": self.root.id, "q": "shan"})  # 单 as a surname reads shan
        self.assertIn(self.m2.id, [m["id"] for m in r.json()["items"]])

    def test_list_is_scoped(self):
        r = self.api_as(self.wang).get("/members", {"org": self.branch_one.id})
        self.assertEqual(r.status_code, 404)
        r = self.api_as(self.wang).get("/members", {"org": self.branch_two.id})
        self.assertEqual([m["id"] for m in r.json()["items"]], [self.m2.id])
        r = self.api_as(self.zhang).get("/members", {"org": self.community.id, "stage": "full"})
        self.assertEqual(r.json()["count"], 2)

    def test_outsider_404_on_every_member_endpoint(self):
        api = self.api_as(self.wang)
        mid = self.m1.id
        self.assertEqual(api.get(f"/members/{mid}").status_code, 404)
        self.assertEqual(api.patch(f"/members/{mid}", {"phone": "13900000000"}).status_code, 404)
        self.assertEqual(api.post(f"/members/{mid}/reveal-id").status_code, 404)
        self.assertEqual(api.post(f"/members/{mid}/account", {"username": "x1", "password": "Strong-pass-99"}).status_code, 404)
        self.assertEqual(api.post("/transfers", {"member_id": mid, "to_org_id": self.branch_two.id}).status_code, 404)
        self.assertEqual(api.post("/members", payload(self.branch_one)).status_code, 404)
        self.assertEqual(Member.objects.get(id=mid).phone, "13800138000")

    def test_anonymous_401(self):
        self.assertEqual(ApiClient().get(f"/members/{self.m1.id}").status_code, 401)

    def test_patch_and_audit_before_after(self):
        r = self.api_as(self.li).patch(f"/members/{self.m1.id}", {"phone": "13912345678"})
        self.assertEqual(r.status_code, 200, r.content)
        ev = AuditEvent.objects.filter(verb="member.update").latest("id")
        self.assertEqual(ev.before, {"phone": "13800138000"})
        self.assertEqual(ev.after, {"phone": "13912345678"})

    def test_reveal_is_audited_and_limited(self):
        r = self.api_as(self.li).post(f"/members/{self.m1.id}/reveal-id")
        self.assertEqual(r.json()["id_number"], self.m1.id_number)
        self.assertTrue(AuditEvent.objects.filter(verb="member.reveal_id", target_id=str(self.m1.id)).exists())
        from dangjian.accounts.models import Role
        from dangjian.core.testing import make_user

        committee_member = make_user("cm", self.branch_one, Role.Kind.COMMITTEE_MEMBER)
        self.assertEqual(self.api_as(committee_member).post(f"/members/{self.m1.id}/reveal-id").status_code, 403)

    def test_duplicate_id_names_the_holder_only_inside_scope(self):
        body = payload(self.branch_one, id_number=self.m1.id_number, birth=self.m1.birth_date)
        r = self.api_as(self.li).post("/members", body)
        self.assertEqual(r.status_code, 409)
        self.assertIn("第一党支部", r.json()["detail"])
        body = payload(self.branch_two, id_number=self.m1.id_number, birth=self.m1.birth_date)
        r = self.api_as(self.wang).post("/members", body)
        self.assertEqual(r.status_code, 409)
        self.assertNotIn("第一党支部", r.json()["detail"])
        self.assertNotIn(self.m1.name, r.json()["detail"])

    def test_self_service_account_and_correction_flow(self):
        r = self.api_as(self.li).post(f"/members/{self.m1.id}/account", {"username": "liudeming",
                                                                         "password": "Strong-pass-99"})
        self.assertEqual(r.status_code, 201, r.content)
        me = ApiClient()
        token = me.post("/auth/token", {"username": "liudeming", "password": "Strong-pass-99"}).json()["token"]
        me.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        self.assertEqual(me.get("/me/member").json()["id"], self.m1.id)
        self.assertEqual(me.get(f"/members/{self.m1.id}").status_code, 200)
        self.assertEqual(me.get(f"/members/{self.m2.id}").status_code, 404)
        self.assertEqual(me.get("/members", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(me.patch(f"/members/{self.m1.id}", {"phone": "13700000000"}).status_code, 403)
        r = me.post("/me/change-requests", {"field": "phone", "new_value": "13700000000"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(Member.objects.get(id=self.m1.id).phone, "13800138000")  # nothing changes yet
        self.assertEqual(me.post(f"/change-requests/{r.json()['id']}/decide", {"approve": True}).status_code, 404)
        r2 = self.api_as(self.li).post(f"/change-requests/{r.json()['id']}/decide", {"approve": True})
        self.assertEqual(r2.json()["state"], "approved")
        self.assertEqual(Member.objects.get(id=self.m1.id).phone, "13700000000")
        self.assertEqual(me.post("/me/change-requests", {"field": "name", "new_value": "x"}).status_code, 400)
        self.assertEqual(me.post("/me/change-requests", {"field": "phone", "new_value": "123"}).status_code, 400)


class MemberBadInputTests(PersonaTestCase):
    def setUp(self):
        self.api = self.api_as(self.li)
        self.before = (Member.objects.count(), AuditEvent.objects.count())

    def tearDown(self):
        self.assertEqual((Member.objects.count(), AuditEvent.objects.count()), self.before)

    def refused(self, body, status=400, field=None):
        r = self.api.post("/members", body)
        self.assertEqual(r.status_code, status, r.content)
        detail = r.json()["detail"]
        self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in str(detail)), detail)
        if field:
            self.assertIn(field, [e["field"] for e in r.json().get("errors", [{"field": r.json().get("field")}])])
        return r.json()

    def test_invalid_id_number(self):
        body = payload(self.branch_one)
        body["id_number"] = body["id_number"][:-1] + ("1" if body["id_number"][-1] != "1" else "2")
        self.refused(body, field="id_number")
        self.refused(payload(self.branch_one, id_number="1.10105E+17"), field="id_number")

    def test_birth_date_contradicts_id(self):
        body = payload(self.branch_one)
        body["birth_date"] = "1981-05-17"
        self.refused(body, field="birth_date")

    def test_join_before_18_or_in_future(self):
        self.refused(payload(self.branch_one, joined_on=date(1998, 5, 16), full_on=date(1999, 5, 16)), field="joined_on")
        self.refused(payload(self.branch_one, joined_on=date(2099, 1, 1), full_on=None, stage="probationary"),
                     field="joined_on")

    def test_full_date_not_after_join(self):
        self.refused(payload(self.branch_one, joined_on=date(2005, 7, 1), full_on=date(2005, 7, 1)), field="full_on")

    def test_unknown_org_and_non_branch(self):
        r = self.api_as(self.zhang).post("/members", {**payload(self.branch_one), "org_id": 999999})
        self.assertEqual(r.status_code, 404)
        r = self.api_as(self.zhang).post("/members", {**payload(self.branch_one), "org_id": self.community.id})
        self.assertEqual(r.status_code, 400)

    def test_malformed_types(self):
        self.refused({**payload(self.branch_one), "birth_date": "2021年13月1日"}, status=422)
        self.refused({**payload(self.branch_one), "stage": "king"}, field="stage")
        self.refused({**payload(self.branch_one), "phone": "12345"}, field="phone")
        self.refused({**payload(self.branch_one), "name": ""}, field="name")

    def test_patch_bad_input_changes_nothing(self):
        m = services.member_create(actor=self.li, org=self.branch_one, data=member_data())
        self.before = (Member.objects.count(), AuditEvent.objects.count())
        r = self.api.patch(f"/members/{m.id}", {"full_on": "2004-01-01"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Member.objects.get(id=m.id).full_on, date(2006, 7, 1))
        r = self.api.patch(f"/members/{m.id}", {"org_id": self.branch_two.id})
        self.assertIn(r.status_code, (400, 422))


class ChangeRequestModelTests(PersonaTestCase):
    def test_rejected_request_changes_nothing(self):
        m = services.member_create(actor=self.li, org=self.branch_one, data=member_data())
        services.member_update(actor=self.li, member=m, data={})
        m.user = self.zhao
        m.save()
        req = services.change_request_create(actor=self.zhao, member=m, field="address", new_value="绿博家苑3号楼")
        services.change_request_decide(actor=self.li, request=req, approve=False, note="地址不符")
        m.refresh_from_db()
        self.assertEqual(m.address, "")
        self.assertEqual(ChangeRequest.objects.get(id=req.id).state, "rejected")
