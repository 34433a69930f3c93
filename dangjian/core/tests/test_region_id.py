"""Citus-ready (issue 13, DESIGN rule 9): every high-volume table carries region_id, and each of its unique
constraints includes region_id — Citus can only enforce uniqueness inside one shard, i.e. with the
distribution column in the key. The primary key is the exception handled at the Citus tier (docs/scale.md:
the distributed tables' primary key becomes (region_id, id); ids stay globally unique from their sequence).

HIGH_VOLUME is the explicit list of tables that grow with members × events (sized for the nation: 100 M
members, RULES §8); the other tables are per-org configuration or small, and become Citus reference tables
or stay on the coordinator. Known offenders are in KNOWN_GAPS (xfail) with what their app has to change.
"""
import pytest
from django.apps import apps
from django.db import models

HIGH_VOLUME = {
    "members.Member": "one row per member: 100 M",
    "meetings.Meeting": "≈ 34 meetings per branch per year: 150 M a year",
    "meetings.Attendance": "one row per expected attendee per meeting: ≈ 20 per member a year, 2 G a year",
    "meetings.HeartTalk": "≥ 1 per member per year (R-TALK-YEAR)",
    "points.PointEntry": "≈ 10–20 ledger lines per member per year",
    "dues.DuesProfile": "one per member per year",
    "dues.DuesPayment": "4–12 receipts per member per year",
    "dues.DuesPaymentMonth": "12 paid months per member per year",
    "visits.Household": "the households the branches serve: tens of millions",
    "visits.Pairing": "one or more per member (结对帮扶)",
    "visits.VisitLog": "several visits per member per year",
    "volunteers.HoursEntry": "service hours ledger, per volunteer per activity",
    "volunteers.Signup": "per volunteer per activity",
    "study.MaterialProgress": "per member per study material",
    "study.StudyCredit": "per member per credited study",
    "study.QuizAttempt": "per member per quiz",
    "study.CourseAttendance": "per member per course",
    "notify.Notification": "per user per reminder (daily jobs)",
    "core.AuditEvent": "one per write that matters",
    "reports.MemberStatsDaily": "roll-up: per org per day per dimension value",
    "petitions.Petition": "residents' requests, per household",
}

# label → what is missing (measured by this test); the owning app fixes it, then the entry goes.
KNOWN_GAPS = {
    "meetings.Attendance": "no region_id; unique (meeting, member) without it",
    "dues.DuesProfile": "no region_id; unique (member, effective_from) without it",
    "dues.DuesPaymentMonth": "no region_id; unique (member, month, kind, generation) without it",
    "visits.Pairing": "no region_id; unique (member, household) where active, without it",
    "members.Member": "id_index unique=True (national uniqueness of ID numbers): needs a reference lookup table",
    "points.PointEntry": "unique (source_app, source_event_id) without region_id",
    "volunteers.Signup": "no region_id; unique (activity, volunteer) without it",
    "study.MaterialProgress": "unique (material, member) without region_id",
    "study.QuizAttempt": "unique (quiz, member) without region_id",
    "study.CourseAttendance": "unique (course, member) without region_id",
    "notify.Notification": "no region_id (per user); unique (user, dedupe_key) without it",
    "core.AuditEvent": "no region_id (org_path only)",
    "reports.MemberStatsDaily": "unique (org, date, dimension, value) without region_id",
    "petitions.Petition": "tracking_code unique=True without region_id",
    "dues.DuesPayment": "reverses is a OneToOne (unique) without region_id: make it unique (region_id, reverses)",
    "study.StudyCredit": "reverses is a OneToOne (unique) without region_id",
}


# Region indexes created by PostgreSQL-only migration SQL (pattern ops for the roster search).
PG_ONLY_REGION_INDEXES = {"members.Member"}


def problems(model) -> list[str]:
    out = []
    names = {f.name for f in model._meta.concrete_fields}
    if "region_id" not in names:
        out.append("no region_id column")
    for f in model._meta.concrete_fields:
        if f.unique and not f.primary_key and f.name != "region_id":
            out.append(f"{f.name} unique=True without region_id")
    for c in model._meta.constraints:
        if isinstance(c, models.UniqueConstraint) and "region_id" not in (c.fields or ()):
            out.append(f"unique {c.name} {tuple(c.fields or c.expressions)} without region_id")
    for fields in model._meta.unique_together:
        if "region_id" not in fields:
            out.append(f"unique_together {fields} without region_id")
    return out


def cases():
    for label in sorted(HIGH_VOLUME):
        marks = [pytest.mark.xfail(reason=KNOWN_GAPS[label], strict=False)] if label in KNOWN_GAPS else []
        yield pytest.param(label, marks=marks, id=label)


@pytest.mark.parametrize("label", cases())
def test_high_volume_table_is_distributable_by_region(label):
    try:
        model = apps.get_model(label)
    except LookupError:
        pytest.skip(f"{label} is not installed")
    assert problems(model) == [], f"{label} ({HIGH_VOLUME[label]})"


def test_known_gaps_are_high_volume_tables():
    assert set(KNOWN_GAPS) <= set(HIGH_VOLUME)


@pytest.mark.django_db
def test_every_table_with_region_id_indexes_it():
    """region_id is what scoped county queries and the Citus shard key filter on: an index must lead with it
    (declared in Meta or created by a migration's SQL: read from the database itself)."""
    from django.db import connection

    missing = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if "region_id" not in {f.name for f in model._meta.concrete_fields}:
                continue
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
            if not any((c.get("columns") or [""])[0] == "region_id" for c in found.values() if c.get("index")
                       or c.get("unique")):
                missing.append(model._meta.label)
    if connection.vendor != "postgresql":
        missing = [m for m in missing if m not in PG_ONLY_REGION_INDEXES]
    assert missing == [], missing
