from datetime import date

from django.utils import timezone

from dangjian.members.models import Member
from dangjian.dues import rules


def make_member(org, name, *, joined_on=date(2010, 7, 1), stage="full", user=None, birth_date=date(1980, 5, 20),
                **extra) -> Member:
    return Member.objects.create(org=org, region_id=org.region_id, name=name, gender="M", birth_date=birth_date,
                                 joined_on=joined_on, stage=stage, user=user, **extra)


def this_month():
    return rules.month_of(timezone.localdate())


def ml(offset: int = 0) -> str:
    """"YYYY-MM" of the month `offset` months from this one."""
    return rules.month_label(rules.add_months(this_month(), offset))
