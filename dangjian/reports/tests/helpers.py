"""A small fixture with known numbers for every chart, table and ledger.

Tree (core.testing.make_tree): 测试镇党委 (root) → 测试社区党委 (community) → 第一党支部 (branch_one),
第二党支部 (branch_two); root → 机关党支部 (other). ON = 2025-06-30 is the date the charts are asked for.

branch_one: A full F 1990-07-01 (34) bachelor, joined 2010-07-01, full 2011-07-01
            B full M 1990-06-30 (35 on ON) college 回族, joined 1970-01-01, full 1971-01-01
            C probationary M 2000-01-01 (25) no education, joined 2025-01-10
            D applicant F 2001-01-01
            E full M 1940-01-01 junior, retired, joined 1960-07-01, full 1961-07-01; deceased since 2025-03-01
branch_two: F full M 1959-06-30 (66) postgraduate, joined 2016-07-01, full 2017-07-01
            G activist F 1995-03-03
            I probationary F 1998-05-05 bachelor, joined 2024-09-01
other:      H full F 1960-07-01 (64) high_school, retired, joined 1995-07-01, no full date on file
"""
from datetime import date, datetime

from django.apps import apps
from django.utils import timezone

from dangjian.core.testing import PersonaTestCase
from dangjian.members.models import Member

ON = date(2025, 6, 30)


def member(org, name, *, gender, born, stage="full", education="", joined=None, full=None, ethnicity="汉族",
           status="normal", status_since=None, retired=False, occupation=""):
    return Member.objects.create(org=org, region_id=org.region_id, name=name, name_pinyin=name, gender=gender,
                                 birth_date=born, stage=stage, education=education, joined_on=joined, full_on=full,
                                 ethnicity=ethnicity, status=status, status_since=status_since, is_retired=retired,
                                 occupation=occupation)


def local(y, m, d, h=10):
    return timezone.make_aware(datetime(y, m, d, h, 0))


class ReportsFixture(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        b1, b2, other = cls.branch_one, cls.branch_two, cls.other_branch
        cls.A = member(b1, "甲", gender="F", born=date(1990, 7, 1), education="bachelor", joined=date(2010, 7, 1),
                       full=date(2011, 7, 1), occupation="教师")
        cls.B = member(b1, "乙", gender="M", born=date(1990, 6, 30), education="college", joined=date(1970, 1, 1),
                       full=date(1971, 1, 1), ethnicity="回族", occupation="教师")
        cls.C = member(b1, "丙", gender="M", born=date(2000, 1, 1), stage="probationary", joined=date(2025, 1, 10))
        cls.D = member(b1, "丁", gender="F", born=date(2001, 1, 1), stage="applicant")
        cls.E = member(b1, "戊", gender="M", born=date(1940, 1, 1), education="junior", joined=date(1960, 7, 1),
                       full=date(1961, 7, 1), status="deceased", status_since=date(2025, 3, 1), retired=True,
                       occupation="退休")
        cls.F = member(b2, "己", gender="M", born=date(1959, 6, 30), education="postgraduate",
                       joined=date(2016, 7, 1), full=date(2017, 7, 1), occupation="医生")
        cls.G = member(b2, "庚", gender="F", born=date(1995, 3, 3), stage="activist")
        cls.I = member(b2, "辛", gender="F", born=date(1998, 5, 5), stage="probationary", education="bachelor",
                       joined=date(2024, 9, 1))
        cls.H = member(other, "壬", gender="F", born=date(1960, 7, 1), education="high_school", joined=date(1995, 7, 1),
                       retired=True, occupation="退休")


def installed(label: str) -> bool:
    return apps.is_installed(f"dangjian.{label}")
