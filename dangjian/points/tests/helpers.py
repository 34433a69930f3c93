"""Fixtures for the points tests: members of the personas' branches and a small catalog at the root."""
from datetime import date
from decimal import Decimal
from unittest import mock

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase, make_user
from dangjian.members.choices import Stage, Status
from dangjian.members.models import Member

from dangjian.points import services
from dangjian.points.models import Objection, PointEntry, PointRule, PointRuleVersion, Publication

TODAY = date(2026, 10, 15)  # Q3 2026 has ended; Q4 is running
LONG_AGO = date(2020, 1, 1)


def make_member(org, name, *, user=None, stage=Stage.FULL, status=Status.NORMAL):
    return Member.objects.create(org=org, region_id=org.region_id, name=name, name_pinyin=name, gender="M",
                                 birth_date=date(1980, 1, 1), joined_on=date(2005, 7, 1), stage=stage, status=status,
                                 user=user)


RULES = {
    # code: (fields, subject)
    "MEET": {"name": "参加组织生活", "category": "org_life", "points": "2", "cap_per_period": "6"},
    "VOL": {"name": "参加志愿服务", "category": "service", "points": "1", "cap_per_period": "5",
            "self_report_allowed": True},
    "ABSENT": {"name": "无故缺席组织生活", "category": "discipline", "points": "-5", "cap_per_period": "15",
               "overridable": True, "override_min": "-5", "override_max": "-1"},
    "EVID": {"name": "获得表彰", "category": "political", "points": "3", "evidence_required": True,
             "self_report_allowed": True},
    "HONOR": {"name": "县级以上表彰", "category": "political", "points": "10", "requires_approval": True},
    "BRMISS": {"name": "未按期召开支部党员大会", "category": "org_life", "points": "-3"},
}


class PointsTestCase(PersonaTestCase):
    """Personas plus: zhao's member record and another member in branch one, one member in branch two,
    and the catalog above defined by the township committee (zhang) from 2020-01-01."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m_zhao = make_member(cls.branch_one, "赵志强", user=cls.zhao)
        cls.m_one = make_member(cls.branch_one, "钱一")
        cls.m_two = make_member(cls.branch_two, "孙二")
        cls.m_li = make_member(cls.branch_one, "李秀英", user=cls.li)
        cls.deputy = make_user("deputy", cls.branch_one, "committee_member")
        for code, fields in RULES.items():
            subject = PointRule.Subject.ORG if code == "BRMISS" else PointRule.Subject.MEMBER
            services.rule_create(actor=cls.zhang, org=cls.root, code=code, data=fields, valid_from=LONG_AGO,
                                 subject=subject)

    def setUp(self):
        super().setUp()
        patcher = mock.patch("dangjian.points.selectors.today", return_value=TODAY)
        patcher.start()
        self.addCleanup(patcher.stop)

    def set_today(self, day):
        patcher = mock.patch("dangjian.points.selectors.today", return_value=day)
        patcher.start()
        self.addCleanup(patcher.stop)

    def award(self, member, code, day=date(2026, 8, 1), actor=None, **kw):
        return services.entry_create(actor=actor or self.li, member=member, rule_code=code, occurred_on=day, **kw)

    def counts(self):
        return (PointEntry.objects.count(), PointRule.objects.count(), PointRuleVersion.objects.count(),
                Publication.objects.count(), Objection.objects.count(), AuditEvent.objects.count())


D = Decimal
