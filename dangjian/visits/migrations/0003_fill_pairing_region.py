"""Fills region_id of the rows written before it existed (DESIGN rule 9, issue 13): the pairing's org."""
from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    rows = apps.get_model("visits", "Pairing").objects.using(db).filter(region_id__isnull=True)
    rows.update(region_id=Subquery(apps.get_model("orgs", "Org").objects.using(db).filter(pk=OuterRef("org_id"))
                                   .values("region_id")[:1]))


class Migration(migrations.Migration):
    dependencies = [('visits', '0002_pairing_region'), ('orgs', '0001_initial')]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
