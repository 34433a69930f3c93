"""GET /my/meetings: which meetings a member sees, in a fixed number of indexed queries (issue 13: the OR across
attendances with DISTINCT took ~1.1 s at 1 M members)."""
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .. import selectors
from ..models import Attendance, LeaveRequest, Meeting
from .helpers import MeetingTestCase

# The member; the ids of both windows (one UNION); upcoming; recent; the member's rows and leave requests for
# both lists; open 补学 tasks.
MY_MEETINGS_QUERIES = 7


class MyMeetingsTests(MeetingTestCase):
    def meeting(self, *, org=None, kind="theme_day", group=None, hours=1, state="planned", sheet=()):
        start = timezone.now() + timedelta(hours=hours)
        org = org or self.branch_one
        m = Meeting.objects.create(org=org, region_id=org.region_id, kind=kind, party_group=group, state=state,
                                   title=f"{kind} {hours}", starts_at=start, ends_at=start + timedelta(hours=2))
        Attendance.objects.bulk_create([Attendance(meeting=m, member=x, region_id=org.region_id) for x in sheet])
        return m

    def test_which_meetings_and_in_which_list(self):
        me = self.zhao_member  # branch one, in self.group
        other_group = self.group.__class__.objects.create(org=self.branch_one, name="第二党小组")
        branch_wide = self.meeting(hours=5)
        own_group = self.meeting(kind="group", group=self.group, hours=3)
        on_sheet_elsewhere = self.meeting(org=self.branch_two, hours=4, sheet=[me])  # invited to another branch
        self.meeting(kind="group", group=other_group, hours=2)  # another group: not mine
        self.meeting(org=self.branch_two, hours=6)  # another branch, not on its sheet
        self.meeting(hours=7, state="cancelled")  # cancelled and upcoming: hidden
        recent_cancelled = self.meeting(hours=-30, state="cancelled")  # over: listed as it was
        recent_held = self.meeting(hours=-50, state="held", sheet=[me])
        self.meeting(hours=-24 * 200, state="held", sheet=[me])  # older than 180 days
        Attendance.objects.filter(meeting=recent_held, member=me).update(status="present")
        LeaveRequest.objects.create(meeting=branch_wide, member=me, reason="出差")

        data = selectors.my_meetings(user=self.zhao)
        self.assertEqual([m.id for m in data["upcoming"]], [own_group.id, on_sheet_elsewhere.id, branch_wide.id])
        self.assertEqual([m.id for m in data["recent"]], [recent_cancelled.id, recent_held.id])
        self.assertEqual([r.status for r in data["recent"][1].mine], ["present"])
        self.assertEqual([x.reason for x in data["upcoming"][2].my_leaves], ["出差"])
        self.assertEqual(data["upcoming"][0].mine, [])
        # A member without a group does not see group meetings; a user without a member gets None.
        self.assertNotIn(own_group.id, [m.id for m in selectors.my_meetings(user=self.li)["upcoming"]])
        self.assertIsNone(selectors.my_meetings(user=self.zhang))

    def count(self):
        with CaptureQueriesContext(connection) as ctx:
            data = selectors.my_meetings(user=self.zhao)
            rows = [(m.id, [r.status for r in m.mine], len(m.my_leaves)) for m in data["upcoming"] + data["recent"]]
        return rows, [q["sql"] for q in ctx.captured_queries]

    def test_query_count_does_not_grow_and_no_distinct(self):
        me = self.zhao_member
        for h in (2, -30):
            self.meeting(hours=h, sheet=[me])
        rows, few = self.count()
        self.assertEqual(len(rows), 2)
        for h in range(3, 35):
            self.meeting(hours=h, sheet=[me])
            self.meeting(kind="group", group=self.group, hours=h)
            self.meeting(hours=-h * 24, state="held", sheet=[me])
        rows, many = self.count()
        self.assertEqual(len(rows), 20 + 30)  # both lists are capped
        self.assertEqual(len(few), MY_MEETINGS_QUERIES, "\n".join(few))
        self.assertEqual(len(many), MY_MEETINGS_QUERIES, "\n".join(many))
        self.assertTrue(any(" UNION " in q for q in many))
        self.assertFalse(any("DISTINCT" in q for q in many), "\n".join(many))

    def test_api_shape(self):
        m = self.meeting(hours=2, sheet=[self.zhao_member])
        r = self.api_as(self.zhao).get("/my/meetings").json()
        self.assertEqual(r["member_id"], self.zhao_member.id)
        self.assertEqual([(x["id"], x["my_status"]) for x in r["upcoming"]], [(m.id, "absent")])
