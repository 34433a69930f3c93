"""R-GENERAL-50 / R-COMMITTEE-100 (RULES §2) on the org page, the committee and election pages and the API, as
warnings (never refusals); the ⚙ threshold a 党委 may set; scope, anonymous and bad input."""
from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient, PersonaTestCase
from dangjian.orgs.models import Org
from dangjian.standards import selectors
from dangjian.standards.models import SizeSettings

from .helpers import make_members


class UpgradeWarningTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        root = Org.objects.get(pk=cls.root.pk)
        cls.general = root.add_child(name="工业园区党总支", kind=Org.Kind.GENERAL_BRANCH, region_id=cls.root.pk)
        general = Org.objects.get(pk=cls.general.pk)
        cls.factory_a = general.add_child(name="甲厂党支部", kind=Org.Kind.BRANCH, region_id=cls.root.pk)
        cls.factory_b = general.add_child(name="乙厂党支部", kind=Org.Kind.BRANCH, region_id=cls.root.pk)
        cls.general = Org.objects.get(pk=cls.general.pk)

    def rules_of(self, org):
        return [w.rule for w in selectors.org_size(org).warnings]

    def test_branch_at_49_50_51(self):
        make_members(self.branch_one, 45)
        make_members(self.branch_one, 4, stage="probationary", prefix="预备")     # 49 on the rolls
        make_members(self.branch_one, 3, stage="applicant", prefix="申请人")      # not on the rolls: never counted
        self.assertNotIn("R-GENERAL-50", self.rules_of(self.branch_one))
        make_members(self.branch_one, 1, prefix="第五十")                          # 50
        self.assertIn("R-GENERAL-50", self.rules_of(self.branch_one))
        self.assertNotIn("R-BRANCH-50", self.rules_of(self.branch_one))
        make_members(self.branch_one, 1, prefix="第五十一")                        # 51
        self.assertEqual([r for r in self.rules_of(self.branch_one) if r != "R-COMMITTEE-7"],
                         ["R-BRANCH-50", "R-GENERAL-50"])

    def test_shown_on_org_committee_and_election_pages_and_api(self):
        make_members(self.branch_one, 50)
        web = self.web_as(self.li)
        for url in (f"/orgs/{self.branch_one.id}/", f"/elections/org/{self.branch_one.id}/",
                    f"/elections/org/{self.branch_one.id}/elections/"):
            r = web.get(url)
            self.assertContains(r, "R-GENERAL-50", msg_prefix=url)
        self.assertContains(web.get(f"/elections/org/{self.branch_one.id}/"), "可经上级党组织批准设立党总支")
        body = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/size-warnings").json()
        self.assertIn("R-GENERAL-50", [w["rule"] for w in body["items"][0]["warnings"]])
        # a warning, not a refusal: the branch still records its committee
        self.assertNotContains(self.web_as(self.wang).get(f"/elections/org/{self.branch_two.id}/"), "R-GENERAL-50")

    def test_general_branch_at_99_and_100(self):
        make_members(self.factory_a, 60)
        make_members(self.factory_b, 39)
        self.assertEqual(self.rules_of(self.general), [])
        self.assertEqual(self.rules_of(self.factory_a), ["R-BRANCH-50", "R-COMMITTEE-7", "R-GENERAL-50"])
        make_members(self.factory_b, 1, prefix="第一百")
        self.assertEqual(self.rules_of(self.general), ["R-COMMITTEE-100"])
        rows = {s.org.id: [w.rule for w in s.warnings] for s in selectors.size_warnings(actor=self.zhang,
                                                                                       org=self.root)}
        self.assertEqual(rows[self.general.id], ["R-COMMITTEE-100"])
        r = self.web_as(self.zhang).get(f"/standards/org/{self.root.id}/warnings/")
        self.assertContains(r, "工业园区党总支")
        self.assertContains(r, "可设基层党委（R-COMMITTEE-100）")
        self.assertContains(self.web_as(self.zhang).get(f"/orgs/{self.general.id}/"), "R-COMMITTEE-100")

    def test_committee_sets_its_own_threshold(self):
        make_members(self.factory_a, 80)
        self.assertEqual(self.rules_of(self.general), [])
        r = self.api_as(self.zhang).put(f"/orgs/{self.root.id}/size-settings", {"committee_min_members": 80})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(self.rules_of(self.general), ["R-COMMITTEE-100"])
        self.assertEqual(self.rules_of(self.factory_a)[-1], "R-COMMITTEE-100")
        self.assertTrue(AuditEvent.objects.filter(verb="standards.size_settings").exists())
        r = self.web_as(self.zhang).post(f"/standards/org/{self.root.id}/warnings/settings/",
                                         {"committee_min_members": "120"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(SizeSettings.objects.get(org=self.root).committee_min_members, 120)

    def test_bad_input_outsider_and_anonymous_change_nothing(self):
        SizeSettings.objects.create(org=self.root, committee_min_members=100)
        before = (list(SizeSettings.objects.values_list("org_id", "committee_min_members")),
                  AuditEvent.objects.count())
        zhang = self.api_as(self.zhang)
        for value, status in ((50, 400), (1001, 400), ("abc", 422), (None, 422)):
            r = zhang.put(f"/orgs/{self.root.id}/size-settings", {"committee_min_members": value})
            self.assertEqual(r.status_code, status, (value, r.content))
        r = zhang.put(f"/orgs/{self.general.id}/size-settings", {"committee_min_members": 80})
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-COMMITTEE-100"))
        self.assertEqual(self.api_as(self.wang).put(f"/orgs/{self.community.id}/size-settings",
                                                    {"committee_min_members": 80}).status_code, 404)
        self.assertEqual(self.api_as(self.li).put(f"/orgs/{self.branch_one.id}/size-settings",
                                                  {"committee_min_members": 80}).status_code, 400)
        self.assertEqual(ApiClient().put(f"/orgs/{self.root.id}/size-settings",
                                         {"committee_min_members": 80}).status_code, 401)
        web = self.web_as(self.zhang)
        self.assertEqual(web.post(f"/standards/org/{self.root.id}/warnings/settings/",
                                  {"committee_min_members": "abc"}).status_code, 400)
        self.assertContains(web.post(f"/standards/org/{self.root.id}/warnings/settings/",
                                     {"committee_min_members": "20"}), "51 到 1000", status_code=400)
        self.assertEqual(self.web_as(self.wang).post(f"/standards/org/{self.community.id}/warnings/settings/",
                                                     {"committee_min_members": "80"}).status_code, 404)
        self.assertEqual(self.web_as(self.zhao).get(f"/standards/org/{self.branch_one.id}/warnings/").status_code,
                         404)
        r = self.client.post(f"/standards/org/{self.root.id}/warnings/settings/", {"committee_min_members": "80"})
        self.assertTrue(r["Location"].startswith("/login/"))
        self.assertEqual((list(SizeSettings.objects.values_list("org_id", "committee_min_members")),
                          AuditEvent.objects.count()), before)
