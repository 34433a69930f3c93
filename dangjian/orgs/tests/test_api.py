from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient, PersonaTestCase
from dangjian.orgs.models import Org


class OrgApiTests(PersonaTestCase):
    def test_admin_creates_branch_under_committee(self):
        r = self.api_as(self.zhang).post("/orgs", {"parent_id": self.community.id, "name": "第三党支部",
                                                   "kind": "branch"})
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual(body["parent_id"], self.community.id)
        self.assertEqual(body["kind"], "branch")
        self.assertTrue(body["path"].startswith(self.community.path))
        org = Org.objects.get(id=body["id"])
        self.assertEqual(org.region_id, self.root.id)
        self.assertTrue(AuditEvent.objects.filter(verb="org.create", target_id=str(org.id)).exists())

    def test_get_children_and_subtree(self):
        api = self.api_as(self.zhang)
        r = api.get(f"/orgs/{self.community.id}/children")
        self.assertEqual(r.status_code, 200)
        self.assertEqual({o["name"] for o in r.json()["items"]}, {"第一党支部", "第二党支部"})
        r = api.get("/orgs", {"under": self.root.id, "page_size": 2})
        self.assertEqual(r.json()["count"], 5)
        self.assertEqual(len(r.json()["items"]), 2)
        r2 = api.get("/orgs", {"under": self.root.id, "page_size": 2, "page": 3})
        self.assertEqual(len(r2.json()["items"]), 1)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}").json()["parent_id"], self.community.id)

    def test_page_size_over_200_is_refused(self):
        r = self.api_as(self.zhang).get("/orgs", {"under": self.root.id, "page_size": 201})
        self.assertEqual(r.status_code, 422)
        self.assertIn("detail", r.json())

    def test_outsider_gets_404_everywhere(self):
        api = self.api_as(self.wang)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}").status_code, 404)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/children").status_code, 404)
        self.assertEqual(api.get("/orgs", {"under": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.get("/orgs", {"under": self.community.id}).status_code, 404)
        self.assertEqual(api.patch(f"/orgs/{self.branch_one.id}", {"name": "x"}).status_code, 404)
        r = api.get("/orgs")
        self.assertEqual([o["id"] for o in r.json()["items"]], [self.branch_two.id])
        self.assertEqual(api.get("/orgs/999999").status_code, 404)

    def test_member_sees_no_org(self):
        self.assertEqual(self.api_as(self.zhao).get(f"/orgs/{self.branch_one.id}").status_code, 404)
        self.assertEqual(self.api_as(self.zhao).get("/orgs").json()["count"], 0)

    def test_anonymous_gets_401(self):
        r = ApiClient().get(f"/orgs/{self.branch_one.id}")
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["detail"], "未登录或令牌无效")

    def test_secretary_may_not_reshape_tree(self):
        r = self.api_as(self.li).patch(f"/orgs/{self.branch_one.id}", {"name": "改名"})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(Org.objects.get(pk=self.branch_one.pk).name, "第一党支部")


class OrgBadInputTests(PersonaTestCase):
    def assert_refused(self, r, status, fragment=""):
        self.assertEqual(r.status_code, status, r.content)
        detail = r.json()["detail"]
        self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail)
        if fragment:
            self.assertIn(fragment, detail)

    def setUp(self):
        self.api = self.api_as(self.zhang)
        self.count = Org.objects.count()
        self.audits = AuditEvent.objects.count()

    def tearDown(self):
        self.assertEqual(Org.objects.count(), self.count)
        self.assertEqual(AuditEvent.objects.count(), self.audits)

    def test_unknown_parent(self):
        self.assert_refused(self.api.post("/orgs", {"parent_id": 987654, "name": "x", "kind": "branch"}), 404)

    def test_branch_under_branch(self):
        self.assert_refused(self.api.post("/orgs", {"parent_id": self.branch_one.id, "name": "x", "kind": "branch"}),
                            400, "党支部下不能设立")

    def test_committee_under_general_branch(self):
        general = Org.objects.add_child(self.root, dict(name="总支", kind=Org.Kind.GENERAL_BRANCH))
        self.count += 1
        self.assert_refused(self.api.post("/orgs", {"parent_id": general.id, "name": "x", "kind": "committee"}), 400)

    def test_unknown_kind(self):
        self.assert_refused(self.api.post("/orgs", {"parent_id": self.root.id, "name": "x", "kind": "club"}), 400)

    def test_duplicate_sibling_name(self):
        self.assert_refused(self.api.post("/orgs", {"parent_id": self.community.id, "name": "第一党支部",
                                                    "kind": "branch"}), 409, "已有名为")

    def test_blank_and_overlong_names(self):
        self.assert_refused(self.api.post("/orgs", {"parent_id": self.root.id, "name": "  ", "kind": "branch"}), 400)
        self.assert_refused(self.api.post("/orgs", {"parent_id": self.root.id, "name": "长" * 101,
                                                    "kind": "branch"}), 400, "100")
        self.assert_refused(self.api.post("/orgs", {"parent_id": self.root.id, "name": "长" * 500,
                                                    "kind": "branch"}), 422)

    def test_malformed_json_and_types(self):
        r = self.api.client.post("/api/v1/orgs", "{not json", content_type="application/json", **self.api.headers)
        self.assertIn(r.status_code, (400, 422))
        self.assert_refused(self.api.post("/orgs", {"parent_id": "abc", "name": "x", "kind": "branch"}), 422)

    def test_move_into_own_subtree_is_a_cycle(self):
        self.assert_refused(self.api.post(f"/orgs/{self.community.id}/move", {"parent_id": self.branch_one.id}), 400)
        self.assert_refused(self.api.post(f"/orgs/{self.community.id}/move", {"parent_id": self.community.id}), 400,
                            "自己")

    def test_role_outside_scope(self):
        r = self.api_as(self.li).post("/users", {"username": "newbie", "password": "Strong-pass-99",
                                                  "org_id": self.branch_two.id, "role": "member"})
        self.assert_refused(r, 404)


class OrgMoveTests(PersonaTestCase):
    def test_move_subtree_keeps_descendants_and_audits(self):
        target = Org.objects.add_child(self.root, dict(name="新社区党委", kind=Org.Kind.COMMITTEE, region_id=self.root.id))
        county = Org.objects.get(pk=target.pk)
        r = self.api_as(self.zhang).post(f"/orgs/{self.community.id}/move", {"parent_id": county.id})
        self.assertEqual(r.status_code, 200, r.content)
        community = Org.objects.get(pk=self.community.pk)
        self.assertTrue(community.path.startswith(county.path))
        self.assertEqual(Org.objects.in_subtree(community).count(), 3)
        self.assertTrue(Org.objects.get(pk=self.branch_one.pk).path.startswith(community.path))
        ev = AuditEvent.objects.get(verb="org.move")
        self.assertEqual(ev.after["parent_id"], county.id)
        # li still sees branch one (scope follows the org, not a stale path).
        self.assertEqual(self.api_as(self.li).get(f"/orgs/{self.branch_one.id}").status_code, 200)

    def test_move_under_region_updates_region_ids(self):
        county = Org.objects.add_child(self.root, dict(name="某县", kind=Org.Kind.COMMITTEE, is_region=True))
        self.api_as(self.zhang).post(f"/orgs/{self.community.id}/move", {"parent_id": county.id})
        Org.objects.filter(pk=county.pk).update(region_id=county.pk)
        from dangjian.orgs.services import org_recompute_regions

        org_recompute_regions(root=Org.objects.get(pk=county.pk))
        self.assertEqual(Org.objects.get(pk=self.branch_two.pk).region_id, county.pk)

    def test_members_follow_their_org_into_a_new_region_and_stay_on_the_roster(self):
        from dangjian.members import services as member_services
        from dangjian.members.models import Member
        from dangjian.members.tests.helpers import member_data
        from dangjian.orgs.services import org_create

        m = member_services.member_create(actor=self.li, org=self.branch_one, data=member_data(name="刘德明"))
        county = org_create(actor=self.zhang, parent=self.root, name="某县委", kind="committee", is_region=True)
        r = self.api_as(self.zhang).post(f"/orgs/{self.community.id}/move", {"parent_id": county.id})
        self.assertEqual(r.status_code, 200, r.content)
        county = Org.objects.get(pk=county.pk)
        self.assertEqual(county.region_id, county.pk)
        self.assertEqual(Member.objects.get(pk=m.pk).region_id, county.pk)
        r = self.api_as(self.zhang).get("/members", {"org": county.id, "q": "liude"})
        self.assertEqual([x["id"] for x in r.json()["items"]], [m.id])
