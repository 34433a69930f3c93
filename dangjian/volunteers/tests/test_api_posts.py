from datetime import timedelta

from django.test import Client
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.volunteers.models import Post, PostClaim

from .base import VolunteerTestCase


class PostClaimApiTests(VolunteerTestCase):
    def claim(self, user, post, **body):
        return self.api_as(user).post(f"/volunteers/posts/{post.id}/claims", body)

    def test_member_claims_and_community_confirms(self):
        r = self.claim(self.zhao, self.post_one, pledge="每周六上午巡查楼院")
        self.assertEqual(r.status_code, 201, r.content)
        claim = r.json()
        self.assertEqual((claim["state"], claim["member_name"]), ("pending", "赵志强"))
        self.assert_refused(self.claim(self.zhao, self.post_one), 409, "已认领")
        r = self.api_as(self.li).post(f"/volunteers/claims/{claim['id']}/confirm")
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        today = timezone.localdate()
        self.assertEqual((body["state"], body["starts_on"]), ("confirmed", str(today)))
        self.assertEqual(body["ends_on"], str(today.replace(year=today.year + 1) - timedelta(days=1))
                         if (today.month, today.day) != (2, 29) else body["ends_on"])
        self.assertTrue(body["agreement_no"].startswith(f"LG{today.year}-"))
        self.assertTrue(AuditEvent.objects.filter(verb="post.claim_confirm", target_id=str(claim["id"])).exists())
        self.assertEqual(self.api_as(self.li).get(f"/volunteers/posts/{self.post_one.id}").json()["held"], 1)
        # zhao sees his own claim, not others'.
        self.assertEqual(self.api_as(self.zhao).get(f"/volunteers/claims/{claim['id']}").status_code, 200)
        self.assertEqual(self.api_as(self.zhao).get("/volunteers/claims").json()["count"], 1)

    def test_claim_beyond_capacity_is_409(self):
        first = self.claim(self.zhao, self.post_one).json()
        self.api_as(self.zhang).post(f"/volunteers/claims/{first['id']}/confirm")
        before = self.counts()
        r = self.claim(self.li, self.post_one)
        self.assert_refused(r, 409, "已满", rule="R-VOL-CLAIM-CAP")
        self.assertEqual(self.counts(), before)

    def test_confirming_beyond_capacity_is_409(self):
        a = self.claim(self.zhao, self.post_one).json()
        b = self.api_as(self.li).post(f"/volunteers/posts/{self.post_one.id}/claims",
                                      {"member_id": self.one_member.id}).json()
        self.assertEqual(self.api_as(self.li).post(f"/volunteers/claims/{a['id']}/confirm").status_code, 200)
        self.assert_refused(self.api_as(self.li).post(f"/volunteers/claims/{b['id']}/confirm"), 409,
                            rule="R-VOL-CLAIM-CAP")
        self.assertEqual(PostClaim.objects.get(pk=b["id"]).state, "pending")

    def test_confirming_your_own_claim_is_refused(self):
        post = Post.objects.create(org=self.branch_one, title="政策宣传岗", capacity=3)
        claim = self.claim(self.li, post).json()
        before = self.counts()
        self.assert_refused(self.api_as(self.li).post(f"/volunteers/claims/{claim['id']}/confirm"), 403, "本人",
                            rule="R-VOL-CLAIM-SELF")
        self.assert_refused(self.api_as(self.li).post(f"/volunteers/claims/{claim['id']}/decline",
                                                      {"reason": "x"}), 403, rule="R-VOL-CLAIM-SELF")
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.api_as(self.zhang).post(f"/volunteers/claims/{claim['id']}/confirm").status_code, 200)

    def test_member_cannot_confirm_and_declines_need_a_reason(self):
        claim = self.claim(self.zhao, self.post_one).json()
        self.assertEqual(self.api_as(self.zhao).post(f"/volunteers/claims/{claim['id']}/confirm").status_code, 404)
        self.assert_refused(self.api_as(self.li).post(f"/volunteers/claims/{claim['id']}/decline", {}), 400, "原因")
        r = self.api_as(self.li).post(f"/volunteers/claims/{claim['id']}/decline", {"reason": "该岗位需要医护背景"})
        self.assertEqual(r.json()["state"], "declined")
        self.assert_refused(self.api_as(self.li).post(f"/volunteers/claims/{claim['id']}/confirm"), 409)
        # After a decline he may claim again.
        self.assertEqual(self.claim(self.zhao, self.post_one).status_code, 201)

    def test_withdraw_end_and_renew(self):
        claim = self.claim(self.zhao, self.post_one).json()
        self.assertEqual(self.api_as(self.zhao).post(f"/volunteers/claims/{claim['id']}/withdraw").json()["state"],
                         "withdrawn")
        claim = self.claim(self.zhao, self.post_one).json()
        self.api_as(self.li).post(f"/volunteers/claims/{claim['id']}/confirm")
        self.assert_refused(self.api_as(self.li).post(f"/volunteers/claims/{claim['id']}/renew"), 400, "60 天",
                            rule="R-VOL-CLAIM-TERM")
        soon = timezone.localdate() + timedelta(days=30)
        PostClaim.objects.filter(pk=claim["id"]).update(ends_on=soon)
        r = self.api_as(self.li).post(f"/volunteers/claims/{claim['id']}/renew")
        self.assertEqual(r.status_code, 201, r.content)
        new = r.json()
        self.assertEqual((new["state"], new["starts_on"]), ("confirmed", str(soon + timedelta(days=1))))
        self.assertEqual(PostClaim.objects.get(pk=claim["id"]).state, "ended")
        self.assertNotEqual(new["agreement_no"], "")
        r = self.api_as(self.li).post(f"/volunteers/claims/{new['id']}/end", {"reason": "搬离社区"})
        self.assertEqual(r.json()["state"], "ended")
        self.assertEqual(self.api_as(self.li).get(f"/volunteers/posts/{self.post_one.id}").json()["held"], 0)

    def test_a_lapsed_claim_frees_its_seat(self):
        claim = self.claim(self.zhao, self.post_one).json()
        self.api_as(self.li).post(f"/volunteers/claims/{claim['id']}/confirm")
        PostClaim.objects.filter(pk=claim["id"]).update(ends_on=timezone.localdate() - timedelta(days=1))
        self.assertEqual(self.api_as(self.li).post(f"/volunteers/posts/{self.post_one.id}/claims",
                                                   {"member_id": self.one_member.id}).status_code, 201)

    def test_post_bad_input_writes_nothing(self):
        api = self.api_as(self.li)
        before = self.counts()
        for body, status in [({"org_id": self.branch_one.id, "title": "岗", "capacity": 0}, 400),
                             ({"org_id": self.branch_one.id, "title": "", "capacity": 1}, 400),
                             ({"org_id": self.branch_one.id, "title": "岗", "capacity": 501}, 400),
                             ({"org_id": self.branch_one.id, "title": "岗"}, 422),
                             ({"org_id": self.branch_two.id, "title": "岗", "capacity": 1}, 404)]:
            with self.subTest(body=body):
                self.assert_refused(api.post("/volunteers/posts", body), status)
        self.assert_refused(self.api_as(self.zhao).post("/volunteers/posts", {"org_id": self.branch_one.id,
                                                                              "title": "岗", "capacity": 1}), 404)
        self.assertEqual(self.counts(), before)
        r = api.post("/volunteers/posts", {"org_id": self.branch_one.id, "title": "卫生监督岗", "capacity": 2,
                                           "duty": "督促垃圾分类", "place": "5号楼", "schedule": "每周三"})
        self.assertEqual(r.status_code, 201, r.content)

    def test_capacity_cannot_drop_below_holders(self):
        claim = self.claim(self.zhao, Post.objects.create(org=self.branch_one, title="岗A", capacity=2)).json()
        self.api_as(self.li).post(f"/volunteers/claims/{claim['id']}/confirm")
        post_id = claim["post_id"]
        self.assertEqual(self.api_as(self.li).patch(f"/volunteers/posts/{post_id}", {"capacity": 1}).status_code, 200)
        self.assert_refused(self.api_as(self.li).patch(f"/volunteers/posts/{post_id}", {"capacity": 0}), 400)

    def test_outsider_gets_404(self):
        claim = self.claim(self.zhao, self.post_one).json()
        api = self.api_as(self.wang)
        self.assertEqual(api.get(f"/volunteers/posts/{self.post_one.id}").status_code, 404)
        self.assertEqual(api.patch(f"/volunteers/posts/{self.post_one.id}", {"capacity": 9}).status_code, 404)
        self.assertEqual(api.get("/volunteers/posts", {"org_id": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.get("/volunteers/claims", {"org_id": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.get(f"/volunteers/claims/{claim['id']}").status_code, 404)
        for action in ("confirm", "decline", "withdraw", "end", "renew"):
            self.assertEqual(api.post(f"/volunteers/claims/{claim['id']}/{action}", {"reason": "x"}).status_code, 404)
        self.assertEqual(api.post(f"/volunteers/posts/{self.post_one.id}/claims",
                                  {"member_id": self.two_member.id}).status_code, 404)
        self.assertEqual(PostClaim.objects.get(pk=claim["id"]).state, "pending")
        # zhao may not claim branch two's post either.
        self.assertEqual(self.claim(self.zhao, self.post_two).status_code, 404)


class AgreementPageTests(VolunteerTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from dangjian.volunteers import services

        claim = services.claim_create(actor=cls.zhao, post=cls.post_one, member=cls.zhao_member, pledge="按时到岗")
        cls.claim = services.claim_confirm(actor=cls.li, claim=claim)
        cls.pending = services.claim_create(actor=cls.li, post=Post.objects.create(org=cls.branch_one, title="岗B",
                                                                                    capacity=2),
                                            member=cls.one_member)

    def test_print_view(self):
        for user in (self.li, self.zhao, self.zhang):
            r = self.web_as(user).get(f"/volunteers/claims/{self.claim.id}/agreement/")
            self.assertEqual(r.status_code, 200)
            self.assertContains(r, "党员领岗协议书")
            self.assertContains(r, "赵志强")
            self.assertContains(r, self.claim.agreement_no)
        self.assertEqual(self.web_as(self.wang).get(f"/volunteers/claims/{self.claim.id}/agreement/").status_code, 404)
        self.assertEqual(self.web_as(self.li).get(f"/volunteers/claims/{self.pending.id}/agreement/").status_code, 404)
        r = Client().get(f"/volunteers/claims/{self.claim.id}/agreement/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login/", r["Location"])

    def test_pdf(self):
        r = self.web_as(self.li).get(f"/volunteers/claims/{self.claim.id}/agreement.pdf")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertTrue(r.content.startswith(b"%PDF"))
        self.assertEqual(self.web_as(self.wang).get(f"/volunteers/claims/{self.claim.id}/agreement.pdf").status_code,
                         404)

    def test_public_list_for_supervision(self):
        r = Client().get(f"/volunteers/public/{self.community.id}/posts/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "党员领岗公示")
        self.assertContains(r, "赵志强")
        self.assertContains(r, "楼院环境巡查岗")
        self.assertNotContains(r, "孙一")  # pending claims are not published
        self.assertEqual(Client().get("/volunteers/public/987654/posts/").status_code, 404)
