"""Checklists (issue, evidence, verdict, coverage, yearly re-check), the API contract, size warnings; scope (wang
404), anonymous 401/redirect, bad uploads write nothing."""
import tempfile
from datetime import date

from django.test import override_settings

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.elections import services as election_services
from dangjian.standards import rules, selectors, services, tasks
from dangjian.standards.models import Evidence, StandardCheck, StandardChecklist

from .helpers import fake_png, make_members, pdf, png


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="dangjian-standards-test-"))
class StandardsTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.year = date.today().year
        cls.checklist = services.checklist_issue(actor=cls.zhang, org=cls.community, name=rules.BAYOU_NAME,
                                                 year=cls.year, items_text=rules.default_items_text(),
                                                 target_kinds=["branch"])
        cls.site = StandardCheck.objects.get(org=cls.branch_one, item__code="site")
        cls.funds = StandardCheck.objects.get(org=cls.branch_one, item__code="funds")

    def counts(self):
        return Evidence.objects.count(), AuditEvent.objects.count(), StandardCheck.objects.filter(verdict="met").count()


class ChecklistTests(StandardsTestCase):
    def test_issue_targets_the_branches_below(self):
        self.assertEqual(set(self.checklist.checks.values_list("org_id", flat=True)),
                         {self.branch_one.id, self.branch_two.id})
        self.assertEqual(self.checklist.checks.count(), 16)
        with self.assertRaises(Exception):  # the same name and year twice: 409
            services.checklist_issue(actor=self.zhang, org=self.community, name=rules.BAYOU_NAME, year=self.year,
                                     items_text=rules.default_items_text(), target_kinds=["branch"])

    def test_issue_page_and_bad_items(self):
        web = self.web_as(self.zhang)
        url = f"/standards/org/{self.root.id}/checklists/"
        self.assertContains(web.get(url), "有场所")
        before = StandardChecklist.objects.count()
        r = web.post(url, {"name": "测试清单", "year": self.year, "target_kinds": ["branch"], "items_text": "Bad 名称"})
        self.assertEqual(r.status_code, 400)
        r = web.post(url, {"name": rules.BAYOU_NAME, "year": self.year, "target_kinds": ["branch"],
                           "unit_kinds": ["enterprise"], "items_text": rules.default_items_text()})
        self.assertContains(r, "没有适用", status_code=400)  # no enterprise branches in the test tree
        self.assertEqual(StandardChecklist.objects.count(), before)
        r = web.post(url, {"name": rules.BAYOU_NAME, "year": self.year, "target_kinds": ["branch"],
                           "items_text": rules.default_items_text()})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(StandardChecklist.objects.get(org=self.root).checks.count(), 3 * 8)
        # a branch secretary issues nothing
        self.assertEqual(self.web_as(self.li).post(f"/standards/org/{self.branch_one.id}/checklists/", {
            "name": "x", "year": self.year, "target_kinds": ["branch"], "items_text": "a 甲"}).status_code, 400)

    def test_evidence_then_verdict_by_the_issuer(self):
        li, zhang = self.web_as(self.li), self.web_as(self.zhang)
        url = f"/standards/checks/{self.site.id}/"
        r = zhang.post(url + "verdict/", {"verdict": "met", "note": ""})  # no evidence yet
        self.assertContains(r, "没有佐证材料", status_code=400)
        self.assertEqual(li.post(url + "evidence/", {"kind": "photo", "file": png()}).status_code, 302)
        ev = Evidence.objects.get()
        self.assertEqual(ev.original_name, "photo.png")
        self.assertNotEqual(ev.file.name.rsplit("/", 1)[-1], "photo.png")  # stored under a random name
        r = li.get(f"/standards/evidence/{ev.id}/")
        self.assertEqual(r["Content-Type"], "image/png")
        self.assertEqual(r["X-Content-Type-Options"], "nosniff")
        self.assertEqual(li.post(url + "verdict/", {"verdict": "met"}).status_code, 403)  # no self-judging
        self.assertEqual(zhang.post(url + "verdict/", {"verdict": "met", "note": "现场查看"}).status_code, 302)
        # a figure for 有经费
        r = li.post(f"/standards/checks/{self.funds.id}/evidence/", {"kind": "figure", "figure_value": "30000",
                                                                      "figure_unit": "元"})
        self.assertEqual(r.status_code, 302)
        r = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/standards")
        items = {i["code"]: i for i in r.json()["items"]}
        self.assertEqual(list(r.json()), ["items"])
        self.assertEqual(items["site"], {"code": "site", "name": "有场所", "met": True, "evidence_count": 1})
        self.assertEqual(items["funds"], {"code": "funds", "name": "有经费", "met": False, "evidence_count": 1})
        self.assertEqual(len(items), 8)

    def test_bad_uploads_write_nothing(self):
        web = self.web_as(self.li)
        url = f"/standards/checks/{self.site.id}/evidence/"
        before = self.counts()
        for data in ({"kind": "photo", "file": fake_png()},                       # not an image inside
                     {"kind": "photo", "file": pdf()},                            # a document as a photo
                     {"kind": "photo", "file": png(extra=5 * rules.MB)},          # over 5 MB
                     {"kind": "photo"},                                           # no file
                     {"kind": "figure", "figure_value": "-3"},
                     {"kind": "virus", "file": png()}):
            self.assertEqual(web.post(url, data).status_code, 400, data)
        self.assertEqual(self.counts(), before)
        self.assertEqual(web.post(url, {"kind": "document", "file": pdf()}).status_code, 302)

    def test_coverage_page_export_and_yearly_recheck(self):
        services.evidence_add(actor=self.li, check=self.site, kind="photo", upload=png())
        services.check_judge(actor=self.zhang, check=self.site, verdict="met")
        web = self.web_as(self.zhang)
        r = web.get(f"/standards/org/{self.community.id}/coverage/")
        self.assertContains(r, "第一党支部")
        self.assertContains(r, "bg-red-lt", count=1)  # the legend; no verdict "not met" yet
        data = selectors.coverage(actor=self.zhang, org=self.community, checklist=self.checklist)
        self.assertEqual((data["met"], data["total"], data["percent"]), (1, 16, 6))
        r = web.get(f"/standards/org/{self.community.id}/coverage/?format=xlsx")
        self.assertEqual(r.status_code, 200)
        self.assertIn("spreadsheetml", r["Content-Type"])
        r = web.post(f"/standards/checklists/{self.checklist.id}/recheck/")
        new = StandardChecklist.objects.get(previous=self.checklist)
        self.assertRedirects(r, f"/standards/checklists/{new.id}/")
        self.assertEqual((new.year, new.checks.filter(verdict="pending").count()), (self.year + 1, 16))
        self.assertEqual(web.post(f"/standards/checklists/{self.checklist.id}/recheck/").status_code, 302)
        self.assertEqual(StandardChecklist.objects.filter(previous=self.checklist).count(), 1)  # once per year
        # the API follows the latest year
        r = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/standards")
        self.assertFalse(any(i["met"] for i in r.json()["items"]))

    def test_yearly_job(self):
        StandardChecklist.objects.filter(pk=self.checklist.pk).update(year=self.year - 1)
        self.assertEqual(tasks.yearly_recheck(date(self.year, 1, 5)), 1)
        self.assertIsNone(tasks.yearly_recheck(date(self.year, 1, 5)))
        self.assertEqual(StandardChecklist.objects.filter(previous=self.checklist, year=self.year).count(), 1)


class SizeWarningTests(StandardsTestCase):
    def test_warnings_selector_page_api_and_cards(self):
        make_members(self.branch_one, 49)
        make_members(self.branch_one, 2, stage="probationary", prefix="预备")   # 51 on the rolls
        make_members(self.branch_two, 2)                                       # below 3 full
        make_members(self.other_branch, 7)                                     # 7 full, no committee
        rows = {s.org.id: [w.rule for w in s.warnings] for s in selectors.size_warnings(actor=self.zhang, org=self.root)}
        self.assertEqual(rows, {self.branch_one.id: ["R-BRANCH-50", "R-COMMITTEE-7", "R-GENERAL-50"],
                                self.branch_two.id: ["R-BRANCH-3"], self.other_branch.id: ["R-COMMITTEE-7"]})
        members = list(self.other_branch.members.order_by("id")[:3])
        election_services.committee_record(actor=self.zhang, org=self.other_branch, elected_on=date(2024, 1, 1),
                                           seats=[(members[0].id, "secretary"), (members[1].id, "organizing_member"),
                                                  (members[2].id, "publicity_member")])
        rows = {s.org.id for s in selectors.size_warnings(actor=self.zhang, org=self.root)}
        self.assertNotIn(self.other_branch.id, rows)
        r = self.web_as(self.zhang).get(f"/standards/org/{self.root.id}/warnings/")
        self.assertContains(r, "R-BRANCH-50")
        self.assertContains(r, "R-BRANCH-3")
        r = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/size-warnings")
        self.assertEqual([w["rule"] for w in r.json()["items"][0]["warnings"]],
                         ["R-BRANCH-50", "R-COMMITTEE-7", "R-GENERAL-50"])
        cards = {c["label"]: c["value"] for c in selectors.home_cards(actor=self.zhang, org=self.root)}
        self.assertEqual(cards["支部规模预警"], 2)
        with self.assertNumQueries(4):
            selectors.size_report(self.root)


class ScopeTests(StandardsTestCase):
    def test_outsider_404_member_404_anonymous(self):
        ev = services.evidence_add(actor=self.li, check=self.site, kind="photo", upload=png())
        before = self.counts()
        wang, zhao = self.web_as(self.wang), self.web_as(self.zhao)
        gets = [f"/standards/org/{self.branch_one.id}/", f"/standards/org/{self.branch_one.id}/coverage/",
                f"/standards/org/{self.branch_one.id}/warnings/", f"/standards/checks/{self.site.id}/",
                f"/standards/evidence/{ev.id}/", f"/standards/checklists/{self.checklist.id}/",
                f"/standards/org/{self.branch_one.id}/coverage/?format=xlsx"]
        for url in gets:
            self.assertEqual(wang.get(url).status_code, 404, url)
            self.assertEqual(zhao.get(url).status_code, 404, url)
            self.assertTrue(self.client.get(url)["Location"].startswith("/login/"), url)
        for url in (f"/standards/checks/{self.site.id}/evidence/", f"/standards/checks/{self.site.id}/verdict/",
                    f"/standards/checklists/{self.checklist.id}/recheck/"):
            self.assertEqual(wang.post(url, {"kind": "photo", "file": png(), "verdict": "met"}).status_code, 404, url)
        self.assertEqual(self.counts(), before)
        api = self.api_as(self.wang)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/standards").status_code, 404)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/size-warnings").status_code, 404)
        self.assertEqual(self.api_as(None).get(f"/orgs/{self.branch_one.id}/standards").status_code, 401)
        # wang sees his own branch's row only
        data = selectors.coverage(actor=self.wang, org=self.branch_two, checklist=self.checklist)
        self.assertEqual([r.org.id for r in data["rows"]], [self.branch_two.id])
