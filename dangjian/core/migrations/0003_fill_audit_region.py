"""Fills AuditEvent.region_id of the events written before it existed (DESIGN rule 9, issue 13): the org's
region, else the actor's member org region, else the home region (the first root's) — core.audit.region_of."""
from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    AuditEvent = apps.get_model("core", "AuditEvent")
    Member = apps.get_model("members", "Member")
    Org = apps.get_model("orgs", "Org")
    rows = AuditEvent.objects.using(db).filter(region_id__isnull=True)
    rows.filter(org__isnull=False).update(
        region_id=Subquery(Org.objects.using(db).filter(pk=OuterRef("org_id")).values("region_id")[:1]))
    rows.filter(actor__isnull=False).update(
        region_id=Subquery(Member.objects.using(db).filter(user_id=OuterRef("actor_id"), region_id__isnull=False)
                           .values("region_id")[:1]))
    home = Org.objects.using(db).filter(depth=1).order_by("path").values_list("region_id", flat=True).first()
    if home is not None:
        rows.update(region_id=home)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_auditevent_region"), ("members", "0006_search_indexes_with_stage"),
                    ("orgs", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
