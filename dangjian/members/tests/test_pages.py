from datetime import date

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.members import services
from dangjian.members.models import Member

from .helpers import member_data


class MemberPageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m1 = services.member_create(actor=cls.li, org=cls.branch_one, data=member_data(name="刘德明"))
        cls.m2 = services.member_create(actor=cls.wang, org=cls.branch_two, data=member_data(name="孙丽"))

    def test_roster_search_and_filters(self):
        c = self.web_as(self.zhang)
        r = c.get("/members/", {"org": self.root.id, "q": "ldm"})
        self.assertContains(r, "刘德明")
        self.assertNotContains(r, "孙丽")
        r = c.get("/members/", {"org": self.root.id, "age_band": "gt65"})
        self.assertContains(r, "没有符合条件的党员")
        r = c.get("/members/", {"org": self.root.id, "page": "junk", "party_group": "x"})
        self.assertEqual(r.status_code, 200)

    def test_outsider_404_on_pages(self):
        c = self.web_as(self.wang)
        for url in [f"/members/?org={self.branch_one.id}", f"/members/{self.m1.id}/", f"/members/{self.m1.id}/edit/",
                    f"/members/{self.m1.id}/transfer/", f"/members/{self.m1.id}/mobile/",
                    f"/members/{self.m1.id}/disposal/", f"/members/export/?org={self.branch_one.id}",
                    f"/members/transfers/?org={self.branch_one.id}", f"/members/cases/?org={self.branch_one.id}",
                    f"/members/new/?org={self.branch_one.id}", f"/members/import/?org={self.branch_one.id}"]:
            self.assertEqual(c.get(url).status_code, 404, url)
        self.assertEqual(c.post(f"/members/{self.m1.id}/reveal-id/").status_code, 404)

    def test_create_through_form_shows_errors_inline(self):
        c = self.web_as(self.li)
        data = member_data(name="新党员", ethnicity="汉族")
        data["joined_on"] = date(1990, 1, 1)
        r = c.post(f"/members/new/?org={self.branch_one.id}", {k: v for k, v in data.items() if v is not None})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "18 周岁")
        self.assertFalse(Member.objects.filter(name="新党员").exists())
        data = member_data(name="新党员", ethnicity="汉族")
        r = c.post(f"/members/new/?org={self.branch_one.id}", {k: v for k, v in data.items() if v is not None})
        self.assertEqual(r.status_code, 302)

    def test_profile_reveal_and_timeline(self):
        c = self.web_as(self.li)
        r = c.get(f"/members/{self.m1.id}/")
        self.assertContains(r, self.m1.id_masked)
        self.assertNotContains(r, self.m1.id_number)
        self.assertContains(r, "member.create")
        r = c.post(f"/members/{self.m1.id}/reveal-id/")
        self.assertContains(r, self.m1.id_number)
        self.assertTrue(AuditEvent.objects.filter(verb="member.reveal_id").exists())

    def test_export_xlsx_is_audited_and_masked(self):
        import io

        from openpyxl import load_workbook

        r = self.web_as(self.li).get(f"/members/export/?org={self.branch_one.id}")
        self.assertEqual(r.status_code, 200)
        text = " ".join(str(c.value) for row in load_workbook(io.BytesIO(r.content)).active.iter_rows() for c in row)
        self.assertIn("刘德明", text)
        self.assertNotIn(self.m1.id_number, text)
        self.assertNotIn("孙丽", text)
        self.assertTrue(AuditEvent.objects.filter(verb="member.export").exists())

    def test_member_self_service_page(self):
        self.m1.user = self.zhao
        self.m1.save()
        c = self.web_as(self.zhao)
        r = c.get("/members/me/")
        self.assertContains(r, "刘德明")
        r = c.post("/members/me/", {"field": "phone", "new_value": "13912341234"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Member.objects.get(id=self.m1.id).phone, "13800138000")
        self.assertEqual(c.get(f"/members/{self.m2.id}/").status_code, 404)
        self.assertEqual(c.get("/members/").status_code, 404)
        r = self.web_as(self.li).get(f"/members/change-requests/?org={self.branch_one.id}")
        self.assertContains(r, "13912341234")

    def test_anonymous_redirect(self):
        from django.test import Client

        self.assertEqual(Client().get("/members/").status_code, 302)
