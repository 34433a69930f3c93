"""Shared fixtures for the visits and petitions tests: members and households in the persona tree."""
from datetime import date

from dangjian.core.testing import PersonaTestCase
from dangjian.members.models import Member
from dangjian.visits.models import Household


def make_member(org, name, *, user=None, stage="full"):
    return Member.objects.create(org=org, region_id=org.region_id, name=name, gender="M",
                                 birth_date=date(1970, 5, 1), stage=stage, joined_on=date(1995, 7, 1), user=user)


def make_household(org, name, *, tags="", grid="一网格", phone="13812345678", address=None):
    return Household.objects.create(org=org, region_id=org.region_id, name=name, address=address or f"{name}家",
                                    grid=grid, phone=phone, tags=tags)


class VisitsTestCase(PersonaTestCase):
    """Personas plus: li's members (one is zhao's own record), wang's member, a household in each branch."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m_li = make_member(cls.branch_one, "刘一")
        cls.m_zhao = make_member(cls.branch_one, "赵志强", user=cls.zhao)
        cls.m_wang = make_member(cls.branch_two, "王二")
        cls.h_one = make_household(cls.branch_one, "张大爷", tags=",elderly_alone,hardship,")
        cls.h_one_b = make_household(cls.branch_one, "李阿姨", grid="二网格")
        cls.h_two = make_household(cls.branch_two, "孙叔叔")
