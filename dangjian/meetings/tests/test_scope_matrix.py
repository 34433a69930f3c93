"""On the 刘集镇 demo, wang (绿博家苑第二党支部) gets 404 for every meetings page and API operation that
names an object of 绿博家苑第一党支部; the operations are read from the URL conf and the OpenAPI schema, so a
new endpoint must be added here (with a body) or the test fails."""
import json
import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from dangjian.core.demo import seed_orgs
from dangjian.core.testing import ApiClient
from dangjian.members import demo as members_demo
from dangjian.orgs.models import Org

from .. import demo, signin
from ..models import LeaveRequest, Makeup, Meeting, MeetingAttachment, Review, WorkPrompt

User = get_user_model()
PARAM = re.compile(r"<(?:int:|str:)?(\w+)>")
API_PARAM = re.compile(r"\{(\w+)\}")


def meetings_patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from meetings_patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and prefix.startswith("meetings/"):
            yield prefix + str(p.pattern), p.name


class MeetingsScopeMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ctx = seed_orgs()
        members_demo.seed(ctx)
        demo.seed(ctx)
        cls.li, cls.wang = User.objects.get(username="li"), User.objects.get(username="wang")
        cls.branch = Org.objects.get(name="绿博家苑第一党支部")
        meeting = Meeting.objects.filter(org=cls.branch, state="planned").first()
        member = meeting.attendances.first().member
        leave = LeaveRequest.objects.create(meeting=meeting, member=member, reason="出差")
        attachment = MeetingAttachment.objects.create(meeting=meeting, file="meetings/x.png", name="x.png", size=1,
                                                      content_type="image/png")
        review, _ = Review.objects.get_or_create(org=cls.branch, year=timezone.localdate().year)
        elsewhere = Org.objects.get(name="刘集社区党委")  # above neither wang's branch nor inside it
        prompt = WorkPrompt.objects.create(org=elsewhere, week_start=timezone.localdate(), title="别处的提示")
        cls.values = {"review_id": review.id, "prompt_id": prompt.id, "member_id": member.id,
                      "meeting_id": meeting.id, "makeup_id": Makeup.objects.filter(meeting__org=cls.branch).first().id,
                      "request_id": leave.id, "attachment_id": attachment.id, "org_id": cls.branch.id,
                      "token": signin.make_token(meeting.id)}
        cls.member_id = member.id

    def test_demo_has_a_year_with_gaps(self):
        self.assertGreater(Meeting.objects.filter(org=self.branch, state="held").count(), 50)
        from .. import selectors

        body = selectors.compliance(actor=self.li, org=self.branch, year=timezone.localdate().year)
        self.assertGreater(body["branches"][0]["missing"], 0)

    def test_wang_gets_404_for_every_page_of_branch_one(self):
        web = Client()
        web.force_login(self.wang, backend="django.contrib.auth.backends.ModelBackend")
        checked = 0
        for path, name in meetings_patterns():
            params = PARAM.findall(path)
            if not params or name == "checkin":  # the check-in link is the token itself (tested separately)
                continue
            url = "/" + PARAM.sub(lambda m: str(self.values[m.group(1)]), path)
            for method in ("get", "post"):
                r = getattr(web, method)(url)
                self.assertIn(r.status_code, (404, 405), f"{method.upper()} {url} ({name}) → {r.status_code}")
            checked += 1
        self.assertGreaterEqual(checked, 14)
        for name in ("", "plan/", "compliance/", "attendance/", "talks/", "new/", "reviews/", "prompts/", "cadres/"):
            url = f"/meetings/{name}?org={self.branch.id}"
            self.assertEqual(web.get(url).status_code, 404, url)
        self.assertEqual(web.get(f"/meetings/cadres/?org={self.branch.id}&format=xlsx").status_code, 404)

    def test_wang_gets_404_for_every_api_operation_on_branch_one(self):
        start = timezone.now() + timedelta(days=1)
        bodies = {
            ("post", "/api/v1/meetings"): {"org_id": self.branch.id, "kind": "theme_day", "title": "x",
                                           "starts_at": start.isoformat(),
                                           "ends_at": (start + timedelta(hours=1)).isoformat()},
            ("get", "/api/v1/meetings"): {"org_id": self.branch.id},
            ("patch", "/api/v1/meetings/{meeting_id}"): {"title": "x"},
            ("post", "/api/v1/meetings/{meeting_id}/attendance"): {"member_id": self.member_id, "status": "present"},
            ("post", "/api/v1/meetings/{meeting_id}/leave-requests"): {"reason": "x"},
            ("post", "/api/v1/leave-requests/{request_id}/decide"): {"approve": True},
            ("post", "/api/v1/makeups/{makeup_id}/complete"): {"note": "x"},
            ("put", "/api/v1/orgs/{org_id}/meeting-settings"): {"checkin_lead_minutes": 5},
            ("post", "/api/v1/heart-talks"): {"member_id": self.member_id, "talker_name": "王", "topic": "x",
                                              "talked_on": str(timezone.localdate())},
            ("get", "/api/v1/heart-talks"): {"org_id": self.branch.id},
            ("post", "/api/v1/orgs/{org_id}/reviews"): {"year": timezone.localdate().year},
            ("post", "/api/v1/reviews/{review_id}/grades"): {"grades": [{"member_id": self.member_id,
                                                                          "grade": "excellent"}]},
            ("post", "/api/v1/work-prompts"): {"org_id": self.branch.id, "title": "x",
                                               "week_start": str(timezone.localdate())},
            ("get", "/api/v1/work-prompts"): {"org_id": self.branch.id},
            ("post", "/api/v1/work-prompts/{prompt_id}/done"): {"org_id": self.branch.id},
        }
        # The member's own (no object of branch one in the path) and the token-bearing check-in.
        own = {("get", "/api/v1/my/meetings"), ("post", "/api/v1/meetings/{meeting_id}/check-in")}
        schema = Client().get("/api/v1/openapi.json").json()
        api = ApiClient(self.wang)
        checked = 0
        for path, ops in schema["paths"].items():
            for method, op in ops.items():
                if "组织生活" not in op.get("tags", []) or (method, path) in own:
                    continue
                params = API_PARAM.findall(path)
                if not params:
                    self.assertIn((method, path), bodies, f"add a request body for {method.upper()} {path}")
                url = API_PARAM.sub(lambda m: str(self.values[m.group(1)]), path)
                body = bodies.get((method, path), {})
                if method == "get":
                    r = api.get(url, body)
                elif method == "put":
                    r = api.client.put(url, json.dumps(body), content_type="application/json", **api.headers)
                else:
                    r = getattr(api, method)(url, body)
                self.assertEqual(r.status_code, 404, f"{method.upper()} {url} → {r.status_code} {r.content[:200]}")
                checked += 1
        self.assertGreaterEqual(checked, 26)
        self.assertEqual(Meeting.objects.filter(title="x").count(), 0)
        self.assertEqual(WorkPrompt.objects.filter(title="x").count(), 0)

    def test_unknown_ids_are_404(self):
        web = Client()
        web.force_login(self.li, backend="django.contrib.auth.backends.ModelBackend")
        for path, name in meetings_patterns():
            if not PARAM.findall(path) or name == "checkin":
                continue
            url = "/" + PARAM.sub("999999999", path)
            self.assertIn(web.get(url).status_code, (404, 405), url)
