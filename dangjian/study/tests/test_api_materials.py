from django.utils import timezone

from dangjian.core.testing import ApiClient
from dangjian.study.models import Material, MaterialProgress, StudyCredit

from .base import StudyCase, rewind


class MaterialApiTests(StudyCase):
    def setUp(self):
        self.today = timezone.localdate()
        r = self.api_as(self.zhang).post("/study/materials", {
            "org_id": self.community.id, "title": "指尖党课：学习党章", "kind": "video", "duration_seconds": 600,
            "published_on": str(self.today), "series": "weekly", "url": "https://example.org/v/1"})
        self.assertEqual(r.status_code, 201, r.content)
        self.material = r.json()
        self.zapi = self.api_as(self.zhao)

    def progress(self, seconds, api=None):
        return (api or self.zapi).post("/study/progress", {"material_id": self.material["id"], "seconds": seconds})

    def rows(self):
        return MaterialProgress.objects.filter(material_id=self.material["id"], member=self.m_zhao)

    def test_contract_and_period(self):
        iso = self.today.isocalendar()
        self.assertEqual(self.material["period"], f"{iso.year}-W{iso.week:02d}")
        ids = [m["id"] for m in self.zapi.get("/study/materials").json()["items"]]
        self.assertEqual(ids, [self.material["id"]])

    def test_credited_in_real_time_capped_and_never_twice(self):
        self.assertEqual(self.zapi.post(f"/study/materials/{self.material['id']}/open").status_code, 200)
        rewind(self.rows(), 300)
        r = self.progress(300)
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual((r.json()["credited_seconds"], r.json()["seconds"]), (300, 300))
        self.assertEqual(self.progress(300).json()["credited_seconds"], 0)        # reported again: nothing new
        rewind(self.rows(), 1000)
        r = self.progress(5000)                                                   # beyond the length: capped
        self.assertEqual((r.json()["credited_seconds"], r.json()["seconds"], r.json()["completed"]), (300, 600, True))
        rewind(self.rows(), 1000)
        self.assertEqual(self.progress(900).json()["credited_seconds"], 0)
        credits = StudyCredit.objects.filter(member=self.m_zhao)
        self.assertEqual(sum(c.seconds for c in credits), 600)
        self.assertEqual(self.zapi.get("/study/me").json()["hours"], "0.16")     # 600 s = 0.1666 h, rounded down

    def test_faster_than_real_time_is_refused_and_writes_nothing(self):
        self.zapi.post(f"/study/materials/{self.material['id']}/open")
        rewind(self.rows(), 60)
        before = self.counts(StudyCredit, MaterialProgress)
        self.assert_refused(self.progress(400), 400, "快于实际时间")
        self.assertEqual(self.counts(StudyCredit, MaterialProgress), before)
        self.assertEqual(self.rows().get().seconds, 0)

    def test_progress_without_opening_or_bad_values(self):
        before = self.counts(StudyCredit, MaterialProgress)
        self.assert_refused(self.progress(10), 400, "打开")
        self.assertEqual(self.progress(-1).status_code, 422)
        self.assertEqual(self.zapi.post("/study/progress", {"material_id": self.material["id"],
                                                            "seconds": "abc"}).status_code, 422)
        self.assertEqual(self.zapi.post("/study/progress", {"material_id": 987654, "seconds": 1}).status_code, 404)
        self.assertEqual(self.counts(StudyCredit, MaterialProgress), before)

    def test_reading_the_material_starts_the_clock(self):
        self.assertEqual(self.zapi.get(f"/study/materials/{self.material['id']}").json()["my_seconds"], 0)
        rewind(self.rows(), 120)
        self.assertEqual(self.progress(120).json()["credited_seconds"], 120)

    def test_contract_fields_only(self):
        r = self.api_as(self.li).post("/study/materials", {"org_id": self.branch_one.id, "title": "学习辅导",
                                                           "kind": "article", "duration_seconds": 1800,
                                                           "published_on": str(self.today)})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["series"], "other")

    def test_user_without_member_record(self):
        self.assert_refused(self.api_as(self.zhang).post(f"/study/materials/{self.material['id']}/open"), 403)

    def test_scope(self):
        r = self.api_as(self.li).post("/study/materials", {
            "org_id": self.branch_one.id, "title": "支部学习", "kind": "article", "duration_seconds": 300,
            "published_on": str(self.today), "body": "正文"})
        own = r.json()["id"]
        wang = self.api_as(self.wang)
        self.assertEqual(wang.get(f"/study/materials/{own}").status_code, 404)
        self.assertEqual(wang.post(f"/study/materials/{own}/open").status_code, 404)
        self.assertEqual(wang.post("/study/progress", {"material_id": own, "seconds": 1}).status_code, 404)
        self.assertEqual(wang.get("/study/materials", {"org": self.branch_one.id}).status_code, 404)
        self.assertNotIn(own, [m["id"] for m in wang.get("/study/materials").json()["items"]])
        self.assertIn(self.material["id"], [m["id"] for m in wang.get("/study/materials").json()["items"]])
        self.assertEqual(ApiClient().get("/study/materials").status_code, 401)
        self.assertEqual(ApiClient().post("/study/progress", {"material_id": own, "seconds": 1}).status_code, 401)

    def test_future_material_is_not_yet_visible_to_members(self):
        r = self.api_as(self.li).post("/study/materials", {
            "org_id": self.branch_one.id, "title": "下周", "kind": "article", "duration_seconds": 300,
            "published_on": str(self.today + timezone.timedelta(days=7)), "body": "正文"})
        self.assertEqual(self.zapi.get(f"/study/materials/{r.json()['id']}").status_code, 404)

    def test_bad_material_writes_nothing(self):
        api = self.api_as(self.li)
        before = self.counts(Material)
        body = {"org_id": self.branch_one.id, "title": "x", "kind": "video", "duration_seconds": 600,
                "published_on": str(self.today), "url": "https://example.org"}
        for changes, status, fragment in [({"duration_seconds": 0}, 400, "学习时长"), ({"kind": "podcast"}, 400, "类型"),
                                          ({"duration_seconds": 24 * 3600 + 1}, 400, "学习时长"),
                                          ({"url": "javascript:alert(1)"}, 400, "http"),
                                          ({"series": "daily"}, 400, "栏目"), ({"title": " "}, 400, "标题"),
                                          ({"published_on": "2025-13-01"}, 422, ""),
                                          ({"org_id": self.branch_two.id}, 404, "")]:
            self.assert_refused(api.post("/study/materials", {**body, **changes}), status, fragment)
        self.assert_refused(self.zapi.post("/study/materials", body), 404)
        self.assertEqual(self.counts(Material), before)
