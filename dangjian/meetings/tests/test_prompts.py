"""每周工作提示: a committee publishes, branches see and mark done, the committee sees who has not."""
from datetime import timedelta

from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient

from .. import prompts, rules
from ..models import WorkPrompt, WorkPromptDone
from .helpers import MeetingTestCase, held_meeting


class PromptTests(MeetingTestCase):
    def setUp(self):
        self.monday = rules.week_start(timezone.localdate())

    def publish(self, org=None, **extra):
        return prompts.prompt_publish(actor=self.zhang, org=org or self.community, week=self.monday,
                                      title=extra.get("title", "本周开展民情走访"), body="8 月底前走遍所有农户")

    def test_week_start_is_monday(self):
        from datetime import date

        self.assertEqual(rules.week_start(date(2026, 11, 23)), date(2026, 11, 23))  # Monday
        self.assertEqual(rules.week_start(date(2026, 11, 29)), date(2026, 11, 23))  # Sunday
        self.assertEqual(rules.week_start(date(2026, 11, 30)), date(2026, 11, 30))

    def test_publish_reaches_branches_and_status_shows_who_has_not(self):
        r = self.api_as(self.zhang).post("/work-prompts", {
            "org_id": self.community.id, "week_start": str(self.monday + timedelta(days=3)), "title": "走访"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["week_start"], str(self.monday))  # any day → its week
        pid = r.json()["id"]
        self.assertTrue(AuditEvent.objects.filter(verb="work_prompt.publish").exists())
        # li sees it for branch one and marks it done (twice: idempotent)
        r = self.api_as(self.li).get("/work-prompts", {"org_id": self.branch_one.id, "week": str(self.monday)})
        self.assertEqual([p["id"] for p in r.json()["items"]], [pid])
        for created in (True, False):
            r = self.api_as(self.li).post(f"/work-prompts/{pid}/done", {"org_id": self.branch_one.id, "note": "已走访"})
            self.assertEqual(r.status_code, 200, r.content)
            self.assertEqual(r.json()["created"], created)
        self.assertEqual(WorkPromptDone.objects.count(), 1)
        # the committee sees branch two has not
        body = self.api_as(self.zhang).get(f"/work-prompts/{pid}/status").json()
        status = {b["org_id"]: b["done"] for b in body["branches"]}
        self.assertEqual(status, {self.branch_one.id: True, self.branch_two.id: False})
        self.assertEqual(body["not_done"], 1)
        # wang sees the prompt (it reaches his branch) but only his own branch's row
        body = self.api_as(self.wang).get(f"/work-prompts/{pid}/status").json()
        self.assertEqual([b["org_id"] for b in body["branches"]], [self.branch_two.id])

    def test_outsider_and_wrong_branch(self):
        prompt = self.publish()
        api = self.api_as(self.wang)
        r = api.post(f"/work-prompts/{prompt.id}/done", {"org_id": self.branch_one.id})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(api.get("/work-prompts", {"org_id": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.post("/work-prompts", {"org_id": self.community.id, "week_start": str(self.monday),
                                                    "title": "x"}).status_code, 404)
        # a prompt of an org that neither contains nor is inside wang's scope
        elsewhere = prompts.prompt_publish(actor=self.zhang, org=self.root, week=self.monday, title="全镇")
        self.assertEqual(api.get(f"/work-prompts/{elsewhere.id}/status").status_code, 200)  # reaches him
        mine = self.root.add_child(name="另一社区党委", kind="committee", region_id=self.root.id)
        other = prompts.prompt_publish(actor=self.zhang, org=mine, week=self.monday, title="别处")
        self.assertEqual(api.get(f"/work-prompts/{other.id}/status").status_code, 404)
        self.assertEqual(api.post(f"/work-prompts/{other.id}/done", {"org_id": self.branch_two.id}).status_code, 404)
        web = self.web_as(self.wang)
        self.assertEqual(web.get(f"/meetings/prompts/{other.id}/").status_code, 404)
        self.assertEqual(web.post(f"/meetings/prompts/{prompt.id}/done/", {"org_id": self.branch_one.id})
                         .status_code, 404)
        self.assertEqual(web.get(f"/meetings/prompts/?org={self.branch_one.id}").status_code, 404)
        self.assertEqual(web.post("/meetings/prompts/publish/", {"org_id": self.community.id, "title": "x",
                                                                 "week_start": str(self.monday)}).status_code, 404)
        # a branch cannot mark a prompt of another subtree done, even in its own scope
        r = self.api_as(self.zhang).post(f"/work-prompts/{other.id}/done", {"org_id": self.branch_one.id})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(WorkPromptDone.objects.count(), 0)
        self.assertEqual(WorkPrompt.objects.filter(title="x").count(), 0)

    def test_anonymous(self):
        prompt = self.publish()
        self.assertEqual(ApiClient().get("/work-prompts", {"org_id": self.community.id}).status_code, 401)
        self.assertEqual(ApiClient().post(f"/work-prompts/{prompt.id}/done", {"org_id": 1}).status_code, 401)
        r = self.client.get("/meetings/prompts/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login/", r["Location"])

    def test_bad_input_changes_nothing(self):
        api = self.api_as(self.zhang)
        bad = [
            {"org_id": self.branch_one.id, "week_start": str(self.monday), "title": "支部不能发"},
            {"org_id": self.community.id, "week_start": str(self.monday - timedelta(days=1)), "title": "上周"},
            {"org_id": self.community.id, "week_start": str(self.monday + timedelta(weeks=60)), "title": "太远"},
            {"org_id": self.community.id, "week_start": str(self.monday), "title": "   "},
            {"org_id": self.community.id, "week_start": "2026-13-01", "title": "x"},
            {"org_id": self.community.id, "title": "x"},
        ]
        for body in bad:
            r = api.post("/work-prompts", body)
            self.assertIn(r.status_code, (400, 422), body)
        self.assertEqual(WorkPrompt.objects.count(), 0)
        prompt = self.publish()
        r = api.post(f"/work-prompts/{prompt.id}/done", {"org_id": self.community.id})  # not a branch
        self.assertEqual(r.status_code, 400)
        r = api.post(f"/work-prompts/{prompt.id}/done", {"org_id": self.branch_one.id, "note": "x" * 501})
        self.assertEqual(r.status_code, 422)
        self.assertEqual(api.get("/work-prompts/abc/status").status_code, 422)
        self.assertEqual(WorkPromptDone.objects.count(), 0)

    def test_pages(self):
        prompt = self.publish()
        web = self.web_as(self.zhang)
        r = web.get(f"/meetings/prompts/?org={self.community.id}")
        self.assertContains(r, "发布工作提示")
        self.assertContains(r, "落实 0/2")
        r = web.post("/meetings/prompts/publish/", {"org_id": self.community.id, "week_start": str(self.monday),
                                                    "title": "学习党章", "body": ""})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(WorkPrompt.objects.count(), 2)
        r = web.post("/meetings/prompts/publish/", {"org_id": self.community.id, "week_start": "", "title": "x"},
                     follow=True)
        self.assertContains(r, "请选择提示所属的周")
        self.assertEqual(WorkPrompt.objects.count(), 2)
        li = self.web_as(self.li)
        r = li.get(f"/meetings/prompts/?org={self.branch_one.id}")
        self.assertContains(r, "本周开展民情走访")
        self.assertContains(r, "标记已落实")
        self.assertNotContains(r, "发布工作提示")
        li.post(f"/meetings/prompts/{prompt.id}/done/", {"org_id": self.branch_one.id, "note": "已完成"})
        r = web.get(f"/meetings/prompts/{prompt.id}/")
        self.assertContains(r, "1 个未落实")
        self.assertContains(r, "已完成")

    def test_registry_lists_the_weeks_meetings(self):
        start = timezone.localtime(timezone.now()).replace(hour=9, minute=0, second=0, microsecond=0)
        monday_start = start - timedelta(days=start.weekday()) + timedelta(days=7)  # next Monday, 9:00
        self.new_meeting(kind="assembly", starts_in=monday_start - timezone.now())
        items = prompts.weekly_items([self.branch_one.id, self.branch_two.id], self.monday + timedelta(days=7))
        planned = [x for x in items[self.branch_one.id] if "测试会议" in x]
        self.assertEqual(len(planned), 1)
        self.assertIn("支部党员大会", planned[0])
        self.assertFalse(any("测试会议" in x for x in items[self.branch_two.id]))

    def test_registry_lists_required_meetings_closing_this_week(self):
        from datetime import date

        held_meeting(self.branch_one, "theme_day", date(2026, 3, 3))
        items = prompts.weekly_items([self.branch_one.id], date(2026, 3, 30))[self.branch_one.id]
        self.assertIn("支部党员大会：2026-Q1 尚未召开，03月31日前须召开（R-MEET-ASSEMBLY）", items)
        self.assertFalse(any(x.startswith("主题党日") for x in items))  # held
        self.assertFalse(any("2026-04" in x for x in items))  # closes after Sunday
