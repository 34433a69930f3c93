"""Fixtures for the volunteer tests: the personas plus members, volunteers, units and an activity."""
from datetime import date, datetime, timedelta

from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.members.models import Member
from dangjian.volunteers.models import (Activity, Demand, GoodDeed, HoursEntry, Post, PostClaim, Signup,
                                        UnitMembership, VolunteerProfile, VolunteerUnit)

MODELS = [VolunteerUnit, VolunteerProfile, UnitMembership, Activity, Signup, HoursEntry, GoodDeed, Post, PostClaim,
          Demand, AuditEvent]
SAT_MORNING = [{"weekday": 6, "start": "08:00", "end": "12:00"}]
EVERY_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)]


def make_member(org, name, *, user=None, stage="full", **extra) -> Member:
    return Member.objects.create(org=org, region_id=org.region_id, name=name, gender="M", birth_date=date(1980, 5, 1),
                                 stage=stage, user=user, joined_on=date(2005, 7, 1), full_on=date(2006, 7, 1), **extra)


def make_volunteer(org, name, *, member=None, skills=(), availability=None, grid="") -> VolunteerProfile:
    return VolunteerProfile.objects.create(org=org, region_id=org.region_id, member=member, name=member.name if member
                                           else name, skills=list(skills), availability=availability or [],
                                           grid=grid)


def local(y, mo, d, h=0, mi=0) -> datetime:
    return timezone.make_aware(datetime(y, mo, d, h, mi))


class VolunteerTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.li_member = make_member(cls.branch_one, "李秀英", user=cls.li)
        cls.zhao_member = make_member(cls.branch_one, "赵志强", user=cls.zhao)
        cls.one_member = make_member(cls.branch_one, "孙一")
        cls.two_member = make_member(cls.branch_two, "周二")
        cls.v_one = make_volunteer(cls.branch_one, "", member=cls.one_member, skills=["医疗"], availability=EVERY_DAY,
                                   grid="1网格")
        cls.v_two = make_volunteer(cls.branch_two, "", member=cls.two_member, skills=["医疗"],
                                   availability=EVERY_DAY, grid="2网格")
        cls.station = VolunteerUnit.objects.create(org=cls.community, name="社区志愿服务总站", level="station")
        cls.team_one = VolunteerUnit.objects.create(org=cls.branch_one, name="一支部医疗队", level="team",
                                                    specialty="medical", parent=cls.station)
        cls.team_two = VolunteerUnit.objects.create(org=cls.branch_two, name="二支部环境队", level="team",
                                                    specialty="environment", parent=cls.station)
        now = timezone.now()
        cls.act_one = Activity.objects.create(org=cls.branch_one, unit=cls.team_one, title="义诊", place="社区广场",
                                              starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2),
                                              headcount=2, skills=["医疗"])
        cls.act_two = Activity.objects.create(org=cls.branch_two, title="清扫楼道", place="3号楼",
                                              starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2),
                                              headcount=5)
        cls.post_one = Post.objects.create(org=cls.branch_one, title="楼院环境巡查岗", capacity=1)
        cls.post_two = Post.objects.create(org=cls.branch_two, title="二支部政策宣传岗", capacity=3)
        cls.need_one = Demand.objects.create(org=cls.branch_one, title="老人量血压", skills=["医疗"],
                                             starts_at=now + timedelta(days=1),
                                             ends_at=now + timedelta(days=1, hours=1))
        cls.need_two = Demand.objects.create(org=cls.branch_two, title="修水管", skills=["维修"],
                                             starts_at=now + timedelta(days=1),
                                             ends_at=now + timedelta(days=1, hours=1))

    def counts(self) -> dict:
        return {m.__name__: m.objects.count() for m in MODELS}

    def assert_refused(self, response, status, fragment="", rule=""):
        self.assertEqual(response.status_code, status, response.content)
        body = response.json()
        self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body)
        if fragment:
            self.assertIn(fragment, body["detail"])
        if rule:
            self.assertEqual(body.get("rule"), rule, body)
