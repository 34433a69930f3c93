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


def _schema(tables):
    """Index and constraint definitions of `tables` (PostgreSQL): what the bulk load drops and must restore."""
    with connection.cursor() as c:
        c.execute("""SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
                     WHERE indrelid = ANY(%s::regclass[]) ORDER BY 1""", [list(tables)])
        indexes = c.fetchall()
        c.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable
                     FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2""", [list(tables)])
        return indexes, c.fetchall()


def _tables():
    return [apps.get_model(label)._meta.db_table for label in CHECKED]


def _check_consistent(result, count=2000):
    from dangjian.dues.models import DuesPayment, DuesPaymentMonth, DuesProfile
    from dangjian.meetings.models import Attendance, HeartTalk, Meeting
    from dangjian.members.models import Member
    from dangjian.orgs.models import Org
    from dangjian.points.models import PointEntry
    from dangjian.visits.models import Household, Pairing, VisitLog

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
    assert members.count() == count == result["counts"]["members"]
    assert not members.exclude(org__kind="branch").exists()
    assert members.values("id_index").distinct().count() == count
    # The COPY text round-trips: ID numbers decrypt to valid numbers matching their blind index and mask.
    from dangjian.core.crypto import blind_index
    from dangjian.core.idnumber import mask_id_number, validate_id_number

    for m in members.order_by("?")[:50]:
        validate_id_number(m.id_number)
        assert m.id_index == blind_index(m.id_number) and m.id_masked == mask_id_number(m.id_number)
        assert m.name_pinyin and m.created_at and m.status == "normal"
    # Every high-volume row carries the region of its org (or of its member, meeting, payment), in the subtree.
    for model in (Meeting, PointEntry, DuesPayment, VisitLog, HeartTalk, Household, Pairing):
        qs = model.objects.filter(org__path__startswith=root.path)
        assert qs.exists(), model
        assert not qs.exclude(region_id=F("org__region_id")).exists(), model
    for model, via in ((Attendance, "member"), (Attendance, "meeting"), (DuesProfile, "member"),
                       (DuesPaymentMonth, "member"), (DuesPaymentMonth, "payment")):
        qs = model.objects.filter(**{f"{via}__region_id": county.id})
        assert qs.exists(), model
        assert not qs.exclude(region_id=F(f"{via}__region_id")).exists(), (model, via)
        assert not model.objects.exclude(region_id=county.id).filter(
            **{f"{via}__org__path__startswith": root.path}).exists(), (model, via)
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
def test_generate_small_and_consistent():
    before = _schema(_tables()) if connection.vendor == "postgresql" else None
    result = generate(members=2000, root_name="测试规模省委", today=TODAY, log=lambda s: None)
    _check_consistent(result)
    if before is not None:
        # Indexes and unique constraints dropped for the load are back, exactly as the migrations made them.
        assert _schema(_tables()) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes and parallel sessions: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_generate_with_workers_and_parallel_lanes():
    before = _schema(_tables())
    result = generate(members=2000, root_name="测试规模省委", today=TODAY, log=lambda s: None, workers=2,
                      parallel=True)
    assert {"meetings", "attendance", "point_entries", "dues_months", "visit_logs"} <= set(result["counts"])
    _check_consistent(result)
    assert _schema(_tables()) == before


def test_member_tasks_do_not_depend_on_the_process_that_runs_them():
    from dangjian.core.scale import Generator
    from dangjian.core.scale_load import member_job_rows
    from dangjian.members.synthetic import FIELDS

    # Two county codes, three branches: the same rows in-process and from two forked workers.
    jobs = [(f"1:{code}", code, TODAY, [(10 + k, 7, 15 + k) for k in range(3)], "\n") for code in ("4101", "4102")]
    gen = Generator.__new__(Generator)
    gen.workers = 2
    forked = list(gen._map(member_job_rows, jobs))
    gen.workers = 1
    assert forked == list(gen._map(member_job_rows, jobs))
    assert [len(rows) for rows in forked] == [48, 48]
    ids = [values[FIELDS.index("id_number")] for rows in forked for _org, _region, values in rows]
    assert len(set(ids)) == len(ids)


def test_member_values_are_the_member_rows():
    import random

    from dangjian.members.synthetic import FIELDS, member_rows, member_values
    from dangjian.orgs.models import Org
    from dangjian.recruitment.rules import add_years

    org = Org(id=3, region_id=2)
    values = member_values(count=300, rng=random.Random(4), today=date(2024, 2, 29))
    rows = member_rows(org=org, count=300, rng=random.Random(4), today=date(2024, 2, 29))
    assert [tuple(getattr(m, f) for f in FIELDS) for m in rows] == values
    assert all(m.org_id == 3 and m.region_id == 2 for m in rows)
    # R-PROBATION-1Y: a full member's full date is one year after joining; probationary members have none.
    for m in rows:
        assert (m.full_on is None) == (m.stage == "probationary")
        assert m.full_on is None or (m.full_on - m.joined_on).days in (365, 366)
        assert m.joined_on > add_years(m.birth_date, 18)


def test_copy_values():
    from datetime import datetime, timezone as tz
    from decimal import Decimal

    from dangjian.core.scale_load import copy_value

    assert [copy_value(v) for v in (None, True, False, 3, Decimal("1.50"), date(2026, 1, 2), "a\tb\\c\nd")] == \
        ["\\N", "t", "f", "3", "1.50", "2026-01-02", "a\\tb\\\\c\\nd"]
    assert copy_value(datetime(2026, 1, 2, 3, 4, tzinfo=tz.utc)) == "2026-01-02 03:04:00+00:00"


@pytest.mark.django_db
def test_command_refuses_an_existing_root():
    out = StringIO()
    call_command("generate_scale", members=30, root="重复省委", stdout=out)
    assert "root_id=" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("generate_scale", members=30, root="重复省委", stdout=out)
    with pytest.raises(CommandError):
        call_command("generate_scale", members=0, stdout=out)


def test_add_years_is_relativedelta():
    from datetime import timedelta

    from dateutil.relativedelta import relativedelta

    from dangjian.recruitment.rules import add_years

    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    d = date(2019, 12, 25)
    while d < date(2025, 3, 5):
        for years in (-1, 1, 18, 24):
            assert add_years(d, years) == d + relativedelta(years=years), (d, years)
        d += timedelta(days=1)
