from datetime import date

from dangjian.members.models import Member


def make_member(org, name, *, joined_on=date(2010, 7, 1), stage="full", birth_date=date(1970, 5, 20), **extra):
    return Member.objects.create(org=org, region_id=org.region_id, name=name, gender="M", birth_date=birth_date,
                                 joined_on=joined_on, stage=stage, **extra)
