"""The public form and tracking, without login: honeypot, per-IP hourly limit, over-long input, no leaks."""
from django.core.cache import cache
from django.test import Client

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient
from dangjian.petitions import rules
from dangjian.petitions.models import Petition, PetitionSettings
from dangjian.visits.tests.helpers import VisitsTestCase


class PublicApiTests(VisitsTestCase):
    def setUp(self):
        cache.clear()
        self.anon = ApiClient()

    def submit(self, ip="10.0.0.1", **kw):
        data = {"org_id": self.community.id, "title": "电梯常坏", "content": "5号楼电梯一周坏三次", "category": "property",
                "name": "陈女士", "phone": "13912345678", **kw}
        self.anon.client.defaults["REMOTE_ADDR"] = ip
        return self.anon.post("/petitions/public", data)

    def test_submit_lands_in_the_community_queue_with_a_code(self):
        r = self.submit()
        self.assertEqual(r.status_code, 201, r.content)
        code = r.json()["tracking_code"]
        p = Petition.objects.get(tracking_code=code)
        self.assertEqual((p.org_id, p.channel, p.created_by_id), (self.community.id, "web", None))
        self.assertEqual(AuditEvent.objects.get(verb="petition.submit_public").actor_name, "系统")
        # The community's secretary (zhang here, above it) sees it in the queue; li (a branch) does not.
        self.assertEqual(self.api_as(self.zhang).get("/petitions", {"org": self.community.id}).json()["count"], 1)
        self.assertEqual(self.api_as(self.li).get(f"/petitions/{p.id}").status_code, 404)

    def test_letter_goes_to_the_mailbox_channel(self):
        r = self.submit(org_id=self.root.id, kind="letter", allow_public=True)
        self.assertEqual(r.status_code, 201)
        self.assertEqual(Petition.objects.get().channel, "mailbox")

    def test_honeypot_refused_and_nothing_stored(self):
        r = self.submit(website="http://spam.example")
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Petition.objects.count(), 0)

    def test_rate_limit_per_ip_per_hour(self):
        for _ in range(rules.PUBLIC_PER_HOUR):
            self.assertEqual(self.submit().status_code, 201)
        r = self.submit()
        self.assertEqual((r.status_code, r.json()["rule"]), (429, "R-PET-PUBLIC"))
        self.assertEqual(Petition.objects.count(), rules.PUBLIC_PER_HOUR)
        self.assertEqual(self.submit(ip="10.0.0.2").status_code, 201)  # another address is not blocked

    def test_committee_sets_its_own_limit(self):
        PetitionSettings.objects.create(org=self.root, public_per_hour=2)
        self.assertEqual([self.submit().status_code for _ in range(3)], [201, 201, 429])

    def test_over_long_and_bad_input(self):
        for kw in [{"content": "长" * 2001}, {"title": ""}, {"title": "题" * 101}, {"phone": "abc"},
                   {"name": "名" * 51}, {"category": "x"}, {"kind": "x"}]:
            r = self.submit(**kw)
            self.assertEqual(r.status_code, 400, (kw, r.content))
        self.assertEqual(self.submit(content="x" * 6000).status_code, 422)
        self.assertEqual(self.submit(org_id=self.branch_one.id).status_code, 404)  # not a public queue
        self.assertEqual(self.submit(org_id=987654).status_code, 404)
        self.assertEqual(Petition.objects.count(), 0)

    def test_tracking_shows_no_personal_data(self):
        code = self.submit().json()["tracking_code"]
        r = self.anon.get(f"/petitions/track/{code.lower()}")
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual(body["state"], "new")
        self.assertEqual([s["step"] for s in body["steps"]], rules.STEPS)
        text = r.content.decode()
        for secret in ["陈女士", "13912345678", "电梯常坏", "5号楼"]:
            self.assertNotIn(secret, text)

    def test_unknown_code_is_a_plain_404(self):
        self.submit()
        for code in ["ABCDEFGHJKMN", "x", "ABCD-EFGH-JKMN"]:
            r = self.anon.get(f"/petitions/track/{code}")
            self.assertEqual(r.status_code, 404)
            self.assertEqual(r.json(), {"detail": "未找到"})
        self.assertEqual(self.anon.get("/petitions/track/../../etc").status_code, 404)

    def test_lookups_are_rate_limited(self):
        self.anon.client.defaults["REMOTE_ADDR"] = "10.9.9.9"
        for _ in range(rules.TRACK_LOOKUPS_PER_HOUR):
            self.anon.get("/petitions/track/ABCDEFGHJKMN")
        self.assertEqual(self.anon.get("/petitions/track/ABCDEFGHJKMN").status_code, 429)


class PublicPageTests(VisitsTestCase):
    def setUp(self):
        cache.clear()
        self.client = Client(REMOTE_ADDR="10.1.1.1")

    def form(self, **kw):
        return {"org_id": self.community.id, "kind": "demand", "category": "property", "title": "楼道堆物",
                "content": "楼道堆满杂物", "name": "吴先生", "phone": "13700001111", "website": "", **kw}

    def test_form_without_login_and_code_shown(self):
        r = self.client.get("/petitions/public/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'name="website"')
        self.assertContains(r, "测试社区党委")
        r = self.client.post("/petitions/public/", self.form())
        self.assertEqual(r.status_code, 200)
        p = Petition.objects.get()
        self.assertContains(r, p.tracking_code[:4])
        r = self.client.get("/petitions/track/", {"code": p.tracking_code})
        self.assertContains(r, "待沟通")
        self.assertNotContains(r, "吴先生")
        r = self.client.get("/petitions/track/", {"code": "ABCDEFGHJKMN"})
        self.assertContains(r, "未找到", status_code=404)

    def test_page_abuse(self):
        r = self.client.post("/petitions/public/", self.form(website="x"))
        self.assertEqual(r.status_code, 400)
        r = self.client.post("/petitions/public/", self.form(content="长" * 2001))
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "2000", status_code=400)
        self.assertEqual(Petition.objects.count(), 0)
        # The honeypot attempt counted; the over-long one never reached the queue and did not.
        for _ in range(rules.PUBLIC_PER_HOUR - 1):
            self.assertEqual(self.client.post("/petitions/public/", self.form()).status_code, 200)
        r = self.client.post("/petitions/public/", self.form())
        self.assertContains(r, "提交过于频繁", status_code=429)
        self.assertEqual(Petition.objects.count(), rules.PUBLIC_PER_HOUR - 1)
