"""The check-in endpoint's query count is bounded (issue 13: a burst of 500 members in two minutes)."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient

from .. import signin
from ..models import Attendance
from .helpers import MeetingTestCase

# A first check-in: token auth (read + last_used_at), the user's member, the locked meeting with org and group,
# settings inheritance, the locked attendance row, its update, the audit insert, and the test transaction's
# savepoint pair (absent in production). Was 13 (the member read twice, an exists() before the row, the member
# reloaded for the response); exact bounds so that no per-request query creeps back in.
FIRST_CHECKIN_MAX = 10
REPEAT_CHECKIN_MAX = 8


class CheckInQueryCountTests(MeetingTestCase):
    def post(self, api, meeting):
        with CaptureQueriesContext(connection) as ctx:
            r = api.client.post(f"/api/v1/meetings/{meeting.id}/check-in", {"token": signin.make_token(meeting.id)},
                                content_type="application/json", **api.headers)
        return r, [q["sql"] for q in ctx.captured_queries]

    def test_first_and_repeated_check_in_stay_within_bounds(self):
        m = self.new_meeting()
        api = ApiClient(self.zhao)
        r, queries = self.post(api, m)
        self.assertEqual(r.status_code, 200, r.content)
        self.assertTrue(r.json()["created"])
        self.assertLessEqual(len(queries), FIRST_CHECKIN_MAX, "\n".join(queries))
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.check_in").count(), 1)
        self.assertEqual(Attendance.objects.get(meeting=m, member=self.zhao_member).status, "present")
        r, queries = self.post(api, m)
        self.assertFalse(r.json()["created"])
        self.assertLessEqual(len(queries), REPEAT_CHECKIN_MAX, "\n".join(queries))
