from datetime import timedelta

from django.utils import timezone

from dangjian.core.testing import ApiClient
from dangjian.duties.models import Finding, Inspection, Rectification
from dangjian.duties.rules import quarter_of

from .base import DutiesCase


class InspectionApiTests(DutiesCase):
    def setUp(self):
        self.today = timezone.localdate()
        self.zapi = self.api_as(self.zhang)
        r = self.zapi.post("/duties/inspections", {"org_id": self.community.id, "year": self.today.year,
                                                   "quarter": quarter_of(self.today), "title": "第一轮督查"})
        self.assertEqual(r.status_code, 201, r.content)
        self.inspection = r.json()
        d = self.today - timedelta(days=10)
        r = self.zapi.post(f"/duties/inspections/{self.inspection['id']}/findings", {
            "org_id": self.branch_one.id, "description": "三会一课记录不全", "severity": "medium",
            "found_on": str(d), "rectifications": [
                {"task": "补齐会议记录", "owner": "李秀英", "deadline": str(self.today - timedelta(days=1))},
                {"task": "建立台账", "owner": "李秀英", "deadline": str(self.today)},
                {"task": "组织学习", "owner": "李秀英", "deadline": str(self.today + timedelta(days=1))}]})
        self.assertEqual(r.status_code, 201, r.content)
        self.finding = r.json()
        self.rects = {x["task"]: x["id"] for x in self.finding["rectifications"]}
        r = self.zapi.post(f"/duties/inspections/{self.inspection['id']}/findings", {
            "org_id": self.branch_two.id, "description": "党费收缴不及时", "severity": "low", "found_on": str(d),
            "rectifications": [{"task": "补缴", "owner": "王坤", "deadline": str(d)}]})
        self.two = r.json()["rectifications"][0]["id"]

    def test_overdue_boundaries_in_the_list(self):
        r = self.api_as(self.li).get("/duties/rectifications", {"overdue": "true"})
        self.assertEqual([x["task"] for x in r.json()["items"]], ["补齐会议记录"])
        self.assertEqual(r.json()["items"][0]["days_overdue"], 1)
        r = self.api_as(self.li).get("/duties/rectifications")
        flags = {x["task"]: x["overdue"] for x in r.json()["items"]}
        self.assertEqual(flags, {"补齐会议记录": True, "建立台账": False, "组织学习": False})
        self.assertEqual(self.zapi.get("/duties/rectifications", {"overdue": "true"}).json()["count"], 2)

    def test_complete_then_recheck_closes(self):
        rid = self.rects["补齐会议记录"]
        r = self.api_as(self.li).post(f"/duties/rectifications/{rid}/complete",
                                      {"evidence": "会议记录已补齐，照片 3 张", "completed_on": str(self.today)})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["state"], "submitted")
        self.assertTrue(r.json()["late"])
        self.assertFalse(r.json()["overdue"])
        self.assert_refused(self.api_as(self.li).post(f"/duties/rectifications/{rid}/recheck",
                                                      {"passed": True, "rechecked_on": str(self.today)}), 403)
        r = self.zapi.post(f"/duties/rectifications/{rid}/recheck", {"passed": True, "rechecked_on": str(self.today)})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["state"], "closed")

    def test_failed_recheck_reopens_with_new_deadline(self):
        rid = self.rects["建立台账"]
        self.api_as(self.li).post(f"/duties/rectifications/{rid}/complete",
                                  {"evidence": "台账", "completed_on": str(self.today)})
        self.assert_refused(self.zapi.post(f"/duties/rectifications/{rid}/recheck",
                                           {"passed": False, "rechecked_on": str(self.today)}), 400, "复查意见")
        new = self.today + timedelta(days=15)
        r = self.zapi.post(f"/duties/rectifications/{rid}/recheck", {
            "passed": False, "rechecked_on": str(self.today), "note": "台账不完整", "new_deadline": str(new)})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual((body["state"], body["deadline"], body["rounds"], body["evidence"]),
                         ("open", str(new), 1, ""))

    def test_inspection_detail_shows_only_visible_findings(self):
        body = self.api_as(self.wang).get(f"/duties/inspections/{self.inspection['id']}").json()
        self.assertEqual([f["org_id"] for f in body["findings"]], [self.branch_two.id])
        body = self.zapi.get(f"/duties/inspections/{self.inspection['id']}").json()
        self.assertEqual(len(body["findings"]), 2)

    def test_outsider_gets_404(self):
        api = self.api_as(self.wang)
        rid = self.rects["补齐会议记录"]
        self.assertEqual(api.get(f"/duties/rectifications/{rid}").status_code, 404)
        self.assertEqual(api.post(f"/duties/rectifications/{rid}/complete",
                                  {"evidence": "x", "completed_on": str(self.today)}).status_code, 404)
        self.assertEqual(api.post(f"/duties/rectifications/{rid}/recheck",
                                  {"passed": True, "rechecked_on": str(self.today)}).status_code, 404)
        self.assertEqual(api.get("/duties/rectifications", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual([x["id"] for x in api.get("/duties/rectifications").json()["items"]], [self.two])
        self.assertEqual(api.post(f"/duties/inspections/{self.inspection['id']}/findings", {
            "org_id": self.branch_one.id, "description": "x", "severity": "low", "found_on": str(self.today)}
        ).status_code, 404)
        self.assertEqual(self.api_as(self.zhao).get("/duties/rectifications").json()["count"], 0)

    def test_anonymous_gets_401(self):
        self.assertEqual(ApiClient().get("/duties/rectifications").status_code, 401)
        self.assertEqual(ApiClient().post(f"/duties/rectifications/{self.two}/complete", {}).status_code, 401)


class InspectionBadInputTests(DutiesCase):
    def setUp(self):
        self.today = timezone.localdate()
        self.api = self.api_as(self.zhang)
        self.inspection = self.api.post("/duties/inspections", {
            "org_id": self.community.id, "year": self.today.year, "quarter": quarter_of(self.today),
            "title": "督查"}).json()
        r = self.api.post(f"/duties/inspections/{self.inspection['id']}/findings", {
            "org_id": self.branch_one.id, "description": "问题", "severity": "high", "found_on": str(self.today),
            "rectifications": [{"task": "整改", "owner": "李", "deadline": str(self.today)}]})
        self.rid = r.json()["rectifications"][0]["id"]
        self.before = self.counts(Inspection, Finding, Rectification)

    def tearDown(self):
        self.assertEqual(self.counts(Inspection, Finding, Rectification), self.before)
        self.assertEqual(Rectification.objects.get(pk=self.rid).state, "open")

    def test_completion_without_evidence(self):
        self.assert_refused(self.api_as(self.li).post(f"/duties/rectifications/{self.rid}/complete", {}), 400, "佐证")
        for evidence in ("", "   "):
            self.assert_refused(self.api_as(self.li).post(f"/duties/rectifications/{self.rid}/complete", {
                "evidence": evidence, "completed_on": str(self.today)}), 400, "佐证")

    def test_completion_in_future_or_malformed(self):
        self.assert_refused(self.api_as(self.li).post(f"/duties/rectifications/{self.rid}/complete", {
            "evidence": "x", "completed_on": str(self.today + timedelta(days=1))}), 400)
        self.assert_refused(self.api_as(self.li).post(f"/duties/rectifications/{self.rid}/complete", {
            "evidence": "x", "completed_on": "2025-02-30"}), 422)

    def test_recheck_before_completion(self):
        self.assert_refused(self.api.post(f"/duties/rectifications/{self.rid}/recheck",
                                          {"passed": True, "rechecked_on": str(self.today)}), 409)

    def test_bad_plan(self):
        body = {"org_id": self.community.id, "year": self.today.year, "quarter": 5, "title": "x"}
        self.assert_refused(self.api.post("/duties/inspections", body), 400, "季度")
        self.assert_refused(self.api.post("/duties/inspections", {**body, "quarter": 1,
                                                                  "planned_on": f"{self.today.year}-05-01"}), 400)
        self.assert_refused(self.api_as(self.li).post("/duties/inspections", {**body, "quarter": 1,
                                                                              "org_id": self.branch_one.id}), 400)

    def test_bad_findings(self):
        url = f"/duties/inspections/{self.inspection['id']}/findings"
        body = {"org_id": self.branch_one.id, "description": "x", "severity": "low", "found_on": str(self.today)}
        self.assert_refused(self.api.post(url, {**body, "severity": "fatal"}), 400, "严重程度")
        self.assert_refused(self.api.post(url, {**body, "org_id": self.other_branch.id}), 400, "下级")
        self.assert_refused(self.api.post(url, {**body, "rectifications": [
            {"task": "a", "owner": "b", "deadline": str(self.today - timedelta(days=1))}]}), 400, "期限")
        self.assert_refused(self.api.post(url, {**body, "rectifications": [
            {"task": "a", "owner": "", "deadline": str(self.today)}]}), 400, "责任人")
        self.assert_refused(self.api_as(self.li).post(url, body), 404)
