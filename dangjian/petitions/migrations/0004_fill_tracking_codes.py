"""Fills the TrackingCode reference table from the petitions written before it existed (DESIGN rule 9,
issue 13), so residents' codes keep working; and the petitions' region_id where it is still empty."""
from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH = 2000


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    Petition = apps.get_model("petitions", "Petition")
    TrackingCode = apps.get_model("petitions", "TrackingCode")
    Org = apps.get_model("orgs", "Org")
    Petition.objects.using(db).filter(region_id__isnull=True).update(
        region_id=Subquery(Org.objects.using(db).filter(pk=OuterRef("org_id")).values("region_id")[:1]))
    known = TrackingCode.objects.using(db).values("petition_id")
    rows = (Petition.objects.using(db).exclude(id__in=known).order_by("id")
            .values_list("tracking_code", "region_id", "id"))
    batch = []
    for code, region, pk in rows.iterator(chunk_size=BATCH):
        batch.append(TrackingCode(code=code, region_id=region, petition_id=pk))
        if len(batch) >= BATCH:
            TrackingCode.objects.using(db).bulk_create(batch)
            batch = []
    TrackingCode.objects.using(db).bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_trackingcode"), ("orgs", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
