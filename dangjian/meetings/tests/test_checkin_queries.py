"""The check-in endpoint's query count is bounded (issue 13: a burst of 500 members in two minutes)."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient

from .. import signin
from ..models import Attendance
from .helpers import MeetingTestCase

# A first check-in: token auth (read, + last_used_at on a token's first use), the locked meeting with org, group
# and inherited lead time (one read), the locked attendance row with its member (one read), its update, the audit
# insert, and the test transaction's savepoint pair (BEGIN/COMMIT in production). Was 13, then 10 (the member
# read separately, settings inheritance a query of its own); exact bounds so that no per-request query creeps in.
FIRST_CHECKIN_MAX = 8
REPEAT_CHECKIN_MAX = 5


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
        own_reads = [q for q in queries if q.startswith('SELECT "meetings_meetingsettings"')]
        self.assertEqual(own_reads, [], "settings inheritance is read with the meeting")
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.check_in").count(), 1)
        self.assertEqual(Attendance.objects.get(meeting=m, member=self.zhao_member).status, "present")
        r, queries = self.post(api, m)
        self.assertFalse(r.json()["created"])
        self.assertLessEqual(len(queries), REPEAT_CHECKIN_MAX, "\n".join(queries))

    def test_lead_time_inherited_through_the_meeting_read(self):
        """The sign-in window's lead time comes from the nearest settings above the branch (read in the meeting
        query): 60 minutes at the root opens a meeting 45 minutes ahead; 0 at the branch itself closes it."""
        from datetime import timedelta

        from ..models import MeetingSettings

        m = self.new_meeting(starts_in=timedelta(minutes=45))
        api = ApiClient(self.zhao)
        r, _ = self.post(api, m)
        self.assertEqual(r.status_code, 400, r.content)  # default 30 minutes: too early
        MeetingSettings.objects.create(org=self.root, checkin_lead_minutes=60)
        r, queries = self.post(api, m)
        self.assertEqual(r.status_code, 200, r.content)
        self.assertLessEqual(len(queries), FIRST_CHECKIN_MAX, "\n".join(queries))
        Attendance.objects.filter(meeting=m).update(status="absent")
        MeetingSettings.objects.create(org=self.branch_one, checkin_lead_minutes=0)  # the nearest one wins
        r, _ = self.post(api, m)
        self.assertEqual(r.status_code, 400, r.content)
