"""Upgrades from every published release keep the data (issue 14 item 6).

For each release in `core.releases.RELEASES`: a fresh, empty database (a second connection — PostgreSQL: a
database of its own, SQLite: a file — so the suite's test database is never touched) is migrated forward to
exactly that release's leaves; representative rows are written through that state's *historical* models (an org
tree of two regions, members with encrypted ID numbers, a meeting with attendance, point, dues, study, volunteer,
visit, petition, notification and audit rows); then it is migrated to today's leaves. Every column the release
had must read back unchanged, the encrypted ID numbers must still decrypt, and the region_id columns added since
(DESIGN rule 9) must be filled by the data migrations with the region of the right org. The released migration
files themselves must be unchanged (FILES_SHA256), and `makemigrations --check` must find nothing missing.
"""
import io
import itertools
import uuid
from datetime import date, datetime, time, timedelta
from datetime import timezone as tz
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, models
from django.db.utils import load_backend
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from dangjian.core.crypto import blind_index, decrypt_text
from dangjian.core.idnumber import generate_id_number
from dangjian.core.releases import RELEASES, files_digest, migration_files

ALIAS = "release_upgrade"
ID_A, ID_B = (generate_id_number(birth_date=date(1980, 5, 4), gender="M"),
              generate_id_number(birth_date=date(1990, 7, 9), gender="F"))


@pytest.fixture
def empty_db(transactional_db, tmp_path):
    """A second, empty database on the same server (never the suite's), dropped afterwards. Its connection is
    registered for this thread only, not in settings: the suite never creates, flushes or guards it, and a
    failure here cannot leave the suite's database half-migrated."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        name = f"{settings['NAME']}_up"[:63]
        with connection.cursor() as cursor:  # transactional_db: autocommit, as CREATE DATABASE needs
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    else:
        name = str(tmp_path / "release.sqlite3")
    wrapper = load_backend(settings["ENGINE"]).DatabaseWrapper({**settings, "NAME": name}, ALIAS)
    setattr(connections._connections, ALIAS, wrapper)
    try:
        yield wrapper
    finally:
        wrapper.close()
        delattr(connections._connections, ALIAS)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


class Maker:
    """Rows through historical models: the given fields, and a plain valid value for every other required one
    (required foreign keys reuse the last row made of that model, or make one)."""

    def __init__(self, apps, db):
        self.apps, self.db, self.last, self.serial = apps, db, {}, itertools.count(1)
        self.made: dict[str, list[int]] = {}

    def has(self, label: str) -> bool:
        try:
            self.apps.get_model(label)
            return True
        except LookupError:
            return False

    def make(self, label: str, **given):
        model = self.apps.get_model(label)
        names = {f.name for f in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}
        values = {k: v for k, v in given.items() if k in names}
        for field in model._meta.concrete_fields:
            if field.name in values or field.attname in values or field.primary_key or field.null:
                continue
            if field.has_default() or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                continue
            values[field.name] = self.value(field)
        row = model.objects.using(self.db).create(**values)
        self.last[model._meta.label] = row
        self.made.setdefault(model._meta.label, []).append(row.pk)
        return row

    def value(self, field):
        n = next(self.serial)
        if field.is_relation:
            label = field.related_model._meta.label
            return self.last.get(label) or self.make(label)
        if field.choices:
            return field.choices[0][0]
        if isinstance(field, (models.DateTimeField,)):
            return datetime(2024, 3, 1, 9, 0, tzinfo=tz.utc) + timedelta(minutes=n)
        if isinstance(field, models.DateField):
            return date(2024, 3, 1)
        if isinstance(field, models.TimeField):
            return time(9, 0)
        if isinstance(field, models.DurationField):
            return timedelta(hours=1)
        if isinstance(field, models.DecimalField):
            return Decimal("1")
        if isinstance(field, (models.IntegerField, models.FloatField)):
            return 1
        if isinstance(field, models.BooleanField):
            return False
        if isinstance(field, models.JSONField):
            return {}
        if isinstance(field, models.UUIDField):
            return uuid.uuid4()
        if isinstance(field, models.GenericIPAddressField):
            return "127.0.0.1"
        if isinstance(field, models.FileField):
            return ""
        text = f"样例{n}"
        return text[: field.max_length] if field.max_length else text


def seed(m: Maker) -> dict:
    """Two counties under one root; each row type the upgrade must carry. Returns what to check later."""
    Org = m.apps.get_model("orgs", "Org")
    root = m.make("orgs.Org", name="市委", kind="committee", path="0001", depth=1, numchild=2)
    Org.objects.using(m.db).filter(pk=root.pk).update(region_id=root.pk)
    orgs = {}
    for i, county in enumerate(["甲县委", "乙县委"], start=1):
        c = m.make("orgs.Org", name=county, kind="committee", path=f"0001000{i}", depth=2, numchild=1,
                   is_region=True)
        Org.objects.using(m.db).filter(pk=c.pk).update(region_id=c.pk)
        b = m.make("orgs.Org", name=f"{county}第一党支部", kind="branch", path=f"0001000{i}0001", depth=3,
                   region_id=c.pk)
        orgs[i] = (c.pk, b)
    User = m.apps.get_model(settings.AUTH_USER_MODEL)
    users = {i: User.objects.db_manager(m.db).create(username=f"u{i}", password="!") for i in (1, 2, 3)}
    members = {}
    for i, number in ((1, ID_A), (2, ID_B)):
        region, branch = orgs[i]
        members[i] = m.make("members.Member", org=branch, region_id=region, user=users[i], name=f"党员{i}",
                            gender="M", birth_date=date(1980, 5, 4), id_number=number, id_index=blind_index(number),
                            id_masked=number[:6] + "********" + number[-4:], stage="full")
    expect = {"regions": {i: orgs[i][0] for i in orgs}, "home": root.pk, "members": {i: members[i].pk for i in members}}
    for i in (1, 2):
        region, branch = orgs[i]
        member = members[i]
        meeting = m.make("meetings.Meeting", org=branch, region_id=region, title=f"支部党员大会{i}")
        m.make("meetings.Attendance", meeting=meeting, member=member)
        rule = m.make("points.PointRule", org=branch, code=f"A0{i}")
        version = m.make("points.PointRuleVersion", rule=rule, points=Decimal("2"))
        entry = m.make("points.PointEntry", member=member, org=branch, region_id=region, rule=rule,
                       rule_version=version, points=Decimal("2"), period="2024", source_event_id=f"ev{i}")
        m.make("points.PointEntry", member=member, org=branch, region_id=region, rule=rule, rule_version=version,
               points=Decimal("-2"), period="2024", reverses=entry)
        m.make("dues.DuesPayment", member=member, org=branch, amount=Decimal("12.50"))
        household = m.make("visits.Household", org=branch, region_id=region)
        m.make("visits.Pairing", org=branch, member=member, household=household)
        activity = m.make("volunteers.Activity", org=branch, region_id=region,
                          starts_at=datetime(2024, 3, 1, 9, tzinfo=tz.utc),
                          ends_at=datetime(2024, 3, 1, 11, tzinfo=tz.utc))
        volunteer = m.make("volunteers.VolunteerProfile", org=branch, region_id=region, member=member)
        m.make("volunteers.Signup", activity=activity, volunteer=volunteer)
        material = m.make("study.Material", org=branch, region_id=region)
        m.make("study.MaterialProgress", material=material, member=member)
        credit = m.make("study.StudyCredit", member=member, org=branch, year=2024, hours=Decimal("1.5"))
        m.make("study.StudyCredit", member=member, org=branch, year=2024, hours=Decimal("-1.5"), reverses=credit,
               source="reversal")
        m.make("petitions.Petition", org=branch, region_id=region, tracking_code=f"CODE0000000{i}")
        m.make("notify.Notification", user=users[i], kind="test", title="提醒", dedupe_key=f"k{i}")
        m.make("core.AuditEvent", org=branch, org_path=branch.path, verb="test.org", actor=users[3])
        m.make("core.AuditEvent", actor=users[i], verb="test.actor")  # no org: the actor's member region
    m.make("notify.Notification", user=users[3], kind="test", title="无党员身份的用户")  # → the home region
    m.make("core.AuditEvent", verb="test.system")  # no org, no actor → the home region
    return expect


def rows_of(apps, db, made: dict) -> dict:
    out = {}
    for label, pks in made.items():
        model = apps.get_model(label)
        out[label] = {r["id"]: r for r in model.objects.using(db).filter(pk__in=pks).values()}
    return out


@pytest.mark.parametrize("release", sorted(RELEASES))
def test_upgrade_from_release_keeps_data_and_fills_regions(release, empty_db):
    executor = MigrationExecutor(empty_db)
    targets = sorted(RELEASES[release]["leaves"].items())
    executor.migrate(targets)
    old_apps = executor.loader.project_state(targets).apps
    maker = Maker(old_apps, ALIAS)
    expect = seed(maker)
    before = rows_of(old_apps, ALIAS, maker.made)
    regions = expect["regions"]

    executor = MigrationExecutor(empty_db)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(leaves)
    assert not MigrationExecutor(empty_db).migration_plan(leaves), "upgrade left migrations unapplied"
    new_apps = MigrationExecutor(empty_db).loader.project_state(leaves).apps
    after = rows_of(new_apps, ALIAS, maker.made)

    for label, rows in before.items():
        assert after[label].keys() == rows.keys(), label
        for pk, old in rows.items():
            new = after[label][pk]
            changed = {k: (v, new[k]) for k, v in old.items() if new.get(k, v) != v}
            # The one change allowed: a region_id left empty by the release, filled by a data migration.
            if "region_id" in changed and old["region_id"] is None:
                assert changed.pop("region_id")[1] in regions.values(), f"{label} #{pk}: region of no county"
            assert changed == {}, f"{label} #{pk} changed by the upgrade: {changed}"

    Member = new_apps.get_model("members", "Member")
    for i, number in ((1, ID_A), (2, ID_B)):
        row = Member.objects.using(ALIAS).get(pk=expect["members"][i])
        assert row.id_number == number and row.id_index == blind_index(number)
        raw = Member.objects.using(ALIAS).filter(pk=row.pk).values_list("id_number", flat=True)
        with empty_db.cursor() as cursor:  # encrypted at rest, still decryptable with today's code
            cursor.execute("SELECT id_number FROM members_member WHERE id = %s", [row.pk])
            stored = cursor.fetchone()[0]
        assert number not in stored and decrypt_text(stored) == number and list(raw) == [number]

    def region_of(label, **filters):
        model = new_apps.get_model(label)
        return sorted(model.objects.using(ALIAS).filter(**filters).values_list("region_id", flat=True),
                      key=lambda r: (r is None, r))

    for label in ("visits.Pairing", "volunteers.Signup", "study.MaterialProgress", "study.StudyCredit",
                  "points.PointEntry", "petitions.Petition"):
        assert region_of(label) == sorted([regions[1], regions[2]] * (len(maker.made[label]) // 2)), label
    assert region_of("notify.Notification") == sorted([regions[1], regions[2], expect["home"]])
    assert region_of("core.AuditEvent", verb="test.org") == [regions[1], regions[2]]
    assert region_of("core.AuditEvent", verb="test.actor") == [regions[1], regions[2]]
    assert region_of("core.AuditEvent", verb="test.system") == [expect["home"]]
    Petition = new_apps.get_model("petitions", "Petition")
    codes = set(new_apps.get_model("petitions", "TrackingCode").objects.using(ALIAS)
                .values_list("code", "region_id", "petition_id"))
    assert codes == set(Petition.objects.using(ALIAS).values_list("tracking_code", "region_id", "id"))
    assert len(codes) == 2


@pytest.mark.parametrize("release", sorted(RELEASES))
def test_released_migrations_are_never_edited(release):
    paths = migration_files(release)
    assert len(paths) >= len(RELEASES[release]["leaves"])
    assert files_digest(paths) == RELEASES[release]["files_sha256"], (
        f"a migration shipped in {release} was edited; add a new migration instead")


def test_release_leaves_exist_in_the_graph():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph  # from the files alone
    for release in RELEASES.values():
        for app, name in release["leaves"].items():
            assert (app, name) in graph.nodes, (app, name)


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = io.StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out, stderr=out)
    except SystemExit:  # --check exits 1 when a migration is missing
        pytest.fail("makemigrations --check found model changes without a migration:\n" + out.getvalue())
