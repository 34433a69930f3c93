"""No N+1: the lists cost the same number of queries for few or many rows."""
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.orgs.models import Org

from .helpers import MeetingTestCase, held_meeting, make_member


class QueryCountTests(MeetingTestCase):
    def count(self, fn):
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    def test_list_detail_and_compliance_do_not_grow_with_rows(self):
        web = self.web_as(self.li)
        for i in range(3):
            self.new_meeting(starts_in=timedelta(days=i + 1))
        m = self.new_meeting()
        web.get("/meetings/")  # the first request of a session may write it (idle-timeout stamp): not a list cost
        few = [self.count(lambda: web.get("/meetings/")), self.count(lambda: web.get(f"/meetings/{m.id}/")),
               self.count(lambda: web.get("/meetings/compliance/?year=2025")),
               self.count(lambda: web.get("/meetings/mine/"))]
        for i in range(8):
            make_member(self.branch_one, f"新党员{i}")
        for i in range(8):
            self.new_meeting(starts_in=timedelta(days=i + 5))
        m2 = self.new_meeting()
        for i in range(4):
            held_meeting(self.branch_one, "theme_day", date(2025, i + 1, 3))
        many = [self.count(lambda: web.get("/meetings/")), self.count(lambda: web.get(f"/meetings/{m2.id}/")),
                self.count(lambda: web.get("/meetings/compliance/?year=2025")),
                self.count(lambda: web.get("/meetings/mine/"))]
        self.assertEqual(few, many)

    def test_compliance_api_constant_in_branches(self):
        api = self.api_as(self.zhang)
        api.get("/meetings")  # the token's first use writes last_used_at
        few = self.count(lambda: api.get(f"/orgs/{self.root.id}/compliance", {"year": 2025}))
        for i in range(5):
            b = self.community.add_child(name=f"新支部{i}", kind=Org.Kind.BRANCH, region_id=self.root.id)
            make_member(b)
            held_meeting(b, "assembly", date(2025, 3, 3))
        self.community.refresh_from_db()
        self.assertEqual(self.count(lambda: api.get(f"/orgs/{self.root.id}/compliance", {"year": 2025})), few)
