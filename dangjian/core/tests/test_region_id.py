"""Citus-ready (issue 13, DESIGN rule 9): every high-volume table carries region_id, and each of its unique
constraints includes region_id — Citus can only enforce uniqueness inside one shard, i.e. with the
distribution column in the key. The primary key is the exception handled at the Citus tier (docs/scale.md:
the distributed tables' primary key becomes (region_id, id); ids stay globally unique from their sequence).

HIGH_VOLUME is the explicit list of tables that grow with members × events (sized for the nation: 100 M
members, RULES §8); the other tables are per-org configuration or small, and become Citus reference tables
or stay on the coordinator. Known offenders are in KNOWN_GAPS (xfail) with what their app has to change.

How the special cases carry their region (docs/scale.md §5):
* notify.Notification (per user) and core.AuditEvent (per write): the region of the org they concern, else of
  the user's (actor's) member org, else the home region (the first root's) — `core.audit.region_of`; not NULL,
  since Citus refuses NULL in the distribution column. A notice's dedupe key is unique per (region, user).
* petitions.Petition: the code is unique per (region_id, tracking_code); national uniqueness and the residents'
  lookup by code alone go through `petitions.TrackingCode` (code → region_id, petition_id), a reference table.
* `reverses` (points, study): a ForeignKey with UniqueConstraint(region_id, reverses) — a reversal is written in
  its entry's region.
* members.Member: ARGUED_EXCEPTIONS below.
"""
from datetime import date

import pytest
from django.apps import apps
from django.db import models

from dangjian.core.testing import PersonaTestCase

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
    "reports.OrgStatsMonthly": "roll-up: per org per month per figure (subtree totals), one build",
    "petitions.Petition": "residents' requests, per household",
}

# label → what is missing (measured by this test); the owning app fixes it, then the entry goes.
KNOWN_GAPS = {
}


# label → {field: why it may stay unique without region_id, and what Citus does instead}. Only national keys of
# a person belong here; docs/scale.md §5 must answer each (checked below).
ARGUED_EXCEPTIONS = {
    "members.Member": {
        "id_index": "national uniqueness of ID numbers (one person, one party membership, wherever registered) is "
                    "the point of the key; at the Citus tier it moves to the reference table "
                    "members_identity(id_index PK, region_id, member_id) created by the cut-over migration and "
                    "written in the member's transaction (services, import, key rotation); the distributed "
                    "members_member keeps (region_id, id_index)",
        "user": "one member per login account across the nation; at the Citus tier the same reference table "
                "carries user_id UNIQUE → (region_id, member_id), which is also how a request finds its "
                "member's shard (member_of_user)",
    },
}

# Region indexes created by PostgreSQL-only migration SQL (pattern ops for the roster search).
PG_ONLY_REGION_INDEXES = {"members.Member"}


def problems(model) -> list[str]:
    allowed = ARGUED_EXCEPTIONS.get(model._meta.label, {})
    out = []
    names = {f.name for f in model._meta.concrete_fields}
    if "region_id" not in names:
        out.append("no region_id column")
    for f in model._meta.concrete_fields:
        if f.unique and not f.primary_key and f.name != "region_id" and f.name not in allowed:
            out.append(f"{f.name} unique=True without region_id")
    for c in model._meta.constraints:
        if (isinstance(c, models.UniqueConstraint) and "region_id" not in (c.fields or ())
                and not (c.fields and set(c.fields) <= set(allowed))):
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


def test_argued_exceptions_are_real_and_documented():
    """An exception names a field that still is unique without region_id (else it is stale and goes), and
    docs/scale.md answers it."""
    from pathlib import Path

    scale = (Path(__file__).resolve().parents[3] / "docs" / "scale.md").read_text(encoding="utf-8")
    for label, fields in ARGUED_EXCEPTIONS.items():
        assert label in HIGH_VOLUME and label not in KNOWN_GAPS
        model = apps.get_model(label)
        for name in fields:
            field = model._meta.get_field(name)
            single = any(isinstance(c, models.UniqueConstraint) and tuple(c.fields) == (name,)
                         for c in model._meta.constraints)
            assert field.unique or single, f"{label}.{name} is no longer unique: drop the exception"
        citus = scale.split("## 5.", 1)[-1]
        assert all(name in citus for name in fields), f"docs/scale.md §5 must answer {label} {sorted(fields)}"


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


class RegionFillTests(PersonaTestCase):
    """Rows without an org of their own get the region core.audit.region_of names; dedupe and the public
    tracking-code lookup still work once the keys lead with region_id."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from dangjian.members.models import Member
        from dangjian.orgs.models import Org

        county = Org.add_root(name="乙县委", kind=Org.Kind.COMMITTEE, is_region=True)
        Org.objects.filter(pk=county.pk).update(region_id=county.pk)
        cls.county_id = county.pk
        branch = county.add_child(name="乙县第一党支部", kind=Org.Kind.BRANCH, region_id=county.pk)
        Member.objects.create(org=branch, region_id=county.pk, user=cls.zhao, name="赵党员", gender="M",
                              birth_date=date(1980, 1, 1))
        cls.home = Org.objects.filter(depth=1).order_by("path").values_list("region_id", flat=True).first()

    def test_audit_event_region_from_org_then_actor_member_then_home(self):
        from dangjian.core.audit import audit

        self.assertEqual(audit(actor=self.li, verb="t.org", org=self.branch_one).region_id,
                         self.branch_one.region_id)
        self.assertEqual(audit(actor=self.zhao, verb="t.actor").region_id, self.county_id)
        self.assertIsNotNone(self.home)
        self.assertEqual(audit(actor=None, verb="t.system").region_id, self.home)

    def test_notification_region_and_dedupe_per_user(self):
        from dangjian.notify.models import Notification
        from dangjian.notify.services import notify

        [note] = notify(users=[self.zhao], kind="t", title="提醒", dedupe_key="k1", org=self.branch_one)
        self.assertEqual(note.region_id, self.branch_one.region_id)
        self.assertEqual(notify(users=[self.zhao], kind="t", title="提醒", dedupe_key="k1", org=self.branch_one), [])
        [note] = notify(users=[self.zhao], kind="t", title="无组织的提醒")
        self.assertEqual(note.region_id, self.county_id)  # the user's member org region
        [note] = notify(users=[self.li], kind="t", title="提醒", dedupe_key="k2")  # li is no member: home region
        self.assertEqual(note.region_id, self.home)
        self.assertEqual(notify(users=[self.li], kind="t", title="提醒", dedupe_key="k2"), [])
        self.assertEqual(Notification.objects.filter(user=self.li, dedupe_key="k2").count(), 1)

    def test_tracking_code_reference_table_serves_the_public_lookup(self):
        from django.http import Http404

        from dangjian.petitions import public, services
        from dangjian.petitions.models import TrackingCode

        petition = services.petition_create(actor=self.li, org=self.branch_one, data={
            "title": "路灯不亮", "content": "小区路灯不亮", "channel": "phone", "submitter_name": "王女士",
            "submitter_phone": "13900000000"})
        ref = TrackingCode.objects.get(code=petition.tracking_code)
        self.assertEqual((ref.region_id, ref.petition_id), (self.branch_one.region_id, petition.id))
        self.assertEqual(public.track(ip="10.0.0.9", code=petition.tracking_code)["tracking_code"],
                         petition.tracking_code)
        ref.delete()  # the lookup really goes through the reference table
        with self.assertRaises(Http404):
            public.track(ip="10.0.0.9", code=petition.tracking_code)
