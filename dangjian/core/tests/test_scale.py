"""generate_scale (issue 13): a small run on the test database, and the rows are consistent."""
from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Sum

from dangjian.core.scale import Plan, generate

TODAY = date(2026, 11, 25)
CHECKED = ["orgs.Org", "members.Member", "meetings.Meeting", "meetings.Attendance", "meetings.HeartTalk",
           "points.PointEntry", "dues.DuesProfile", "dues.DuesPayment", "dues.DuesPaymentMonth", "visits.Household",
           "visits.Pairing", "visits.VisitLog"]


def test_plan_follows_the_statistics_bulletin():
    p = Plan.for_members(1_000_000)
    assert 45_000 <= p.branches <= 47_000  # ≈ 21.7 members per branch (RULES §8)
    assert p.counties == 20 and p.cities == 4
    small = Plan.for_members(10)
    assert small.branches == 1 and small.counties == 1


@pytest.mark.django_db
def test_generate_small_and_consistent():
    from dangjian.dues.models import DuesPayment, DuesPaymentMonth
    from dangjian.meetings.models import Attendance, Meeting
    from dangjian.members.models import Member
    from dangjian.orgs.models import Org
    from dangjian.points.models import PointEntry
    from dangjian.visits.models import VisitLog

    result = generate(members=2000, root_name="测试规模省委", today=TODAY, log=lambda s: None)
    root = Org.objects.get(pk=result["root_id"])
    orgs = Org.objects.filter(path__startswith=root.path)
    assert orgs.filter(depth=3, is_region=True).count() == 1
    county = orgs.get(depth=3)
    # Tree: numchild matches, every branch is a leaf, region_id is the county below depth 3.
    for o in orgs.exclude(kind="branch"):
        assert o.numchild == Org.objects.filter(path__startswith=o.path, depth=o.depth + 1).count(), o.name
    assert not orgs.filter(kind="branch", numchild__gt=0).exists()
    assert set(orgs.filter(depth__gte=3).values_list("region_id", flat=True)) == {county.id}
    assert set(orgs.filter(depth__lt=3).values_list("region_id", flat=True)) == {root.id}

    members = Member.objects.filter(region_id=county.id)
    assert members.count() == 2000 == result["counts"]["members"]
    assert not members.exclude(org__kind="branch").exists()
    assert members.values("id_index").distinct().count() == 2000
    # Every high-volume row carries the region of its org, and belongs to the subtree.
    for model in (Meeting, PointEntry, DuesPayment, VisitLog):
        qs = model.objects.filter(org__path__startswith=root.path)
        assert qs.exists(), model
        assert not qs.exclude(region_id=F("org__region_id")).exists(), model
    assert not PointEntry.objects.exclude(org_id=F("member__org_id")).exists()
    assert not Attendance.objects.exclude(member__org_id=F("meeting__org_id")).exists()
    assert not Meeting.objects.filter(starts_at__date__gte=TODAY).exists()
    # Committee meetings only where the branch can have a committee (≥ 7 full members, R-COMMITTEE-7).
    for org_id in Meeting.objects.filter(kind="committee").values_list("org_id", flat=True).distinct():
        assert Member.objects.filter(org_id=org_id, stage="full").count() >= 7
    # Dues: the months of each payment add up to the payment, a month is paid once.
    sums = dict(DuesPaymentMonth.objects.values("payment_id").annotate(s=Sum("amount")).values_list("payment_id", "s"))
    for pid, amount in DuesPayment.objects.values_list("id", "amount"):
        assert sums[pid] == amount
    assert not DuesPaymentMonth.objects.values("member_id", "month").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert VisitLog.objects.filter(household__grid__startswith="G").count() == 0
    # No orphans (PostgreSQL loads with FK triggers off): every foreign key points at a row.
    with connection.cursor() as c:
        for label in CHECKED:
            model = apps.get_model(label)
            for f in model._meta.concrete_fields:
                if not f.is_relation:
                    continue
                t, rt = model._meta.db_table, f.related_model._meta.db_table
                c.execute(f"SELECT count(*) FROM {t} x LEFT JOIN {rt} y ON y.{f.target_field.column} = x.{f.column} "
                          f"WHERE x.{f.column} IS NOT NULL AND y.{f.target_field.column} IS NULL")
                assert c.fetchone()[0] == 0, f"{label}.{f.name}"


@pytest.mark.django_db
def test_command_refuses_an_existing_root():
    out = StringIO()
    call_command("generate_scale", members=30, root="重复省委", stdout=out)
    assert "root_id=" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("generate_scale", members=30, root="重复省委", stdout=out)
    with pytest.raises(CommandError):
        call_command("generate_scale", members=0, stdout=out)
