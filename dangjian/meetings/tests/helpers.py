"""Test data for organizational life on top of the personas (PersonaTestCase)."""
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from dangjian.core.testing import PersonaTestCase, make_user
from dangjian.accounts.models import Role
from dangjian.members.models import Member
from dangjian.orgs.models import PartyGroup

from ..models import Attendance, Meeting

_n = iter(range(1, 10**6))


def make_member(org, name=None, *, stage="full", user=None, group=None, exempt=False, cadre=False) -> Member:
    n = next(_n)
    return Member.objects.create(
        org=org, region_id=org.region_id, name=name or f"党员{n}", gender="M", birth_date=date(1980, 1, 1),
        stage=stage, joined_on=date(2005, 7, 1), full_on=date(2006, 7, 1) if stage == "full" else None,
        user=user, party_group=group, is_exempt=exempt, is_cadre=cadre)


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def held_meeting(org, kind, day: date, *, present=None, group=None, members=None) -> Meeting:
    """A recorded meeting with attendance rows; `present` = how many of `members` came (default all)."""
    members = list(members if members is not None else Member.objects.filter(org=org))
    m = Meeting.objects.create(org=org, region_id=org.region_id, kind=kind, party_group=group, title=f"{kind} {day}",
                               starts_at=at(day), ends_at=at(day) + timedelta(hours=2), minutes="记录",
                               state=Meeting.State.HELD, held_at=at(day) + timedelta(hours=2))
    present = len(members) if present is None else present
    Attendance.objects.bulk_create([
        Attendance(meeting=m, member=x, status="present" if i < present else "absent", is_full=x.stage == "full",
                   is_exempt=x.is_exempt) for i, x in enumerate(members)])
    return m


class MeetingTestCase(PersonaTestCase):
    """Personas plus members: six full members and one probationary in branch one (zhao among them),
    two in branch two (sun has an account), a party group in branch one."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.group = PartyGroup.objects.create(org=cls.branch_one, name="第一党小组")
        cls.zhao_member = make_member(cls.branch_one, "赵志强", user=cls.zhao, group=cls.group)
        cls.li_member = make_member(cls.branch_one, "李秀英", user=cls.li)
        cls.others = [make_member(cls.branch_one, f"一支部{i}", group=cls.group if i < 2 else None) for i in range(4)]
        cls.probationary = make_member(cls.branch_one, "预备甲", stage="probationary")
        cls.sun = make_user("sun", cls.branch_two, Role.Kind.MEMBER)
        cls.sun_member = make_member(cls.branch_two, "孙二支部", user=cls.sun)
        cls.two_other = make_member(cls.branch_two, "二支部乙")

    def new_meeting(self, *, kind="theme_day", starts_in=timedelta(minutes=10), minutes=120, org=None, **extra):
        from .. import services

        start = timezone.now() + starts_in
        data = {"kind": kind, "title": "测试会议", "starts_at": start, "ends_at": start + timedelta(minutes=minutes),
                **extra}
        return services.meeting_create(actor=self.zhang, org=org or self.branch_one, data=data)
