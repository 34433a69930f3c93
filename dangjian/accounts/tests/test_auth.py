from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings

from dangjian.accounts.models import Role
from dangjian.core.models import AuditEvent
from dangjian.core.testing import PASSWORD, ApiClient, PersonaTestCase

User = get_user_model()


class TokenTests(PersonaTestCase):
    def test_token_and_me(self):
        r = ApiClient().post("/auth/token", {"username": "li", "password": PASSWORD})
        self.assertEqual(r.status_code, 200, r.content)
        token = r.json()["token"]
        r = ApiClient().client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(r.json(), {"username": "li", "roles": [{"org_id": self.branch_one.id, "role": "secretary"}]})

    def test_wrong_password_is_401(self):
        r = ApiClient().post("/auth/token", {"username": "li", "password": "nope"})
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["detail"], "用户名或密码错误")

    def test_bad_token_is_401(self):
        r = ApiClient().client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer forged")
        self.assertEqual(r.status_code, 401)

    def test_lockout_after_five_failures(self):
        for _ in range(4):
            self.assertEqual(ApiClient().post("/auth/token", {"username": "wang", "password": "bad"}).status_code, 401)
        # The fifth failure locks; from then on even the right password is refused.
        self.assertEqual(ApiClient().post("/auth/token", {"username": "wang", "password": "bad"}).status_code, 429)
        r = ApiClient().post("/auth/token", {"username": "wang", "password": PASSWORD})
        self.assertIn(r.status_code, (403, 429))
        self.assertIn("锁定", r.json()["detail"])

    def test_login_page_lockout(self):
        from django.test import Client

        c = Client()
        for _ in range(5):
            c.post("/login/", {"username": "zhang", "password": "bad"})
        r = c.post("/login/", {"username": "zhang", "password": PASSWORD})
        self.assertEqual(r.status_code, 429)
        self.assertContains(r, "锁定", status_code=429)


class UserApiTests(PersonaTestCase):
    def test_admin_creates_user_in_scope(self):
        r = self.api_as(self.zhang).post("/users", {"username": "sun", "password": "Strong-pass-99",
                                                    "org_id": self.branch_two.id, "role": "secretary"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertTrue(Role.objects.filter(user__username="sun", org=self.branch_two, role="secretary").exists())
        self.assertTrue(AuditEvent.objects.filter(verb="user.create").exists())

    def test_secretary_cannot_create_admin(self):
        r = self.api_as(self.li).post("/users", {"username": "sun", "password": "Strong-pass-99",
                                                 "org_id": self.branch_one.id, "role": "admin"})
        self.assertEqual(r.status_code, 403)
        self.assertFalse(User.objects.filter(username="sun").exists())

    def test_weak_password_and_duplicates_refused(self):
        api = self.api_as(self.zhang)
        r = api.post("/users", {"username": "sun", "password": "12345", "org_id": self.root.id, "role": "admin"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("密码", r.json()["detail"])
        r = api.post("/users", {"username": "LI", "password": "Strong-pass-99", "org_id": self.root.id,
                                "role": "admin"})
        self.assertEqual(r.status_code, 409)
        r = api.post("/users", {"username": "x y", "password": "Strong-pass-99", "org_id": self.root.id,
                                "role": "admin"})
        self.assertEqual(r.status_code, 400)
        r = api.post("/users", {"username": "ok", "password": "Strong-pass-99", "org_id": self.root.id,
                                "role": "king"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(User.objects.count(), 4)


class PageScopeTests(PersonaTestCase):
    def test_wang_cannot_open_li_branch_page(self):
        self.assertEqual(self.web_as(self.wang).get(f"/orgs/{self.branch_one.id}/").status_code, 404)
        self.assertEqual(self.web_as(self.wang).get(f"/orgs/{self.branch_two.id}/").status_code, 200)

    def test_tree_page_and_menu(self):
        r = self.web_as(self.zhang).get(f"/orgs/{self.root.id}/")
        self.assertContains(r, "测试社区党委")
        self.assertContains(r, "组织架构")
        self.assertContains(r, "用户与角色")
        r = self.web_as(self.li).get("/")
        self.assertNotContains(r, "用户与角色")

    def test_create_rename_move_through_pages(self):
        c = self.web_as(self.zhang)
        r = c.post(f"/orgs/{self.community.id}/new/", {"name": "第三党支部", "kind": "branch"})
        self.assertEqual(r.status_code, 302)
        org = self.community.get_children().get(name="第三党支部")
        r = c.post(f"/orgs/{org.id}/edit/", {"name": "第三支部"})
        self.assertEqual(r.status_code, 302)
        r = c.post(f"/orgs/{org.id}/move/", {"parent_id": self.root.id})
        self.assertEqual(r.status_code, 302)
        org.refresh_from_db()
        self.assertEqual(org.get_parent().pk, self.root.pk)
        # Duplicate name through the page: shown on the form, nothing written.
        r = c.post(f"/orgs/{self.community.id}/new/", {"name": "第一党支部", "kind": "branch"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "已有名为")

    def test_pages_outsiders_404(self):
        c = self.web_as(self.wang)
        for url in [f"/orgs/{self.branch_one.id}/edit/", f"/orgs/{self.branch_one.id}/move/",
                    f"/orgs/{self.community.id}/new/"]:
            self.assertEqual(c.get(url).status_code, 404, url)
        self.assertEqual(c.get(f"/accounts/users/{self.li.id}/").status_code, 404)
        self.assertEqual(c.get("/accounts/users/").status_code, 404)

    def test_audit_page_scoped(self):
        from dangjian.core.audit import audit

        audit(actor=self.zhang, verb="org.test_one", target=self.branch_one)
        audit(actor=self.zhang, verb="org.test_two", target=self.branch_two)
        r = self.web_as(self.wang).get("/accounts/audit/")
        self.assertContains(r, "org.test_two")
        self.assertNotContains(r, "org.test_one")

    def test_anonymous_redirected_to_login(self):
        from django.test import Client

        r = Client().get(f"/orgs/{self.branch_one.id}/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login/", r["Location"])
        self.assertEqual(Client().get("/login/").status_code, 200)

    def test_users_page_create_user(self):
        c = self.web_as(self.zhang)
        r = c.post("/accounts/users/new/", {"username": "qian", "password": "Strong-pass-99",
                                            "org_id": self.branch_two.id, "role": "committee_member"})
        self.assertEqual(r.status_code, 302, r.content.decode()[:500])
        self.assertContains(c.get("/accounts/users/"), "qian")

    def test_org_picker_limited_to_scope(self):
        c = self.web_as(self.wang)
        self.assertEqual(c.post("/pick-org/", {"org_id": self.branch_one.id}).status_code, 404)
        r = c.get("/orgs/pick/")
        self.assertNotContains(r, "第一党支部")
