"""Fills region_id of the rows written before it existed (DESIGN rule 9, issue 13): the activity's."""
from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    rows = apps.get_model("volunteers", "Signup").objects.using(db).filter(region_id__isnull=True)
    rows.update(region_id=Subquery(apps.get_model("volunteers", "Activity").objects.using(db).filter(pk=OuterRef("activity_id"))
                                   .values("region_id")[:1]))


class Migration(migrations.Migration):
    dependencies = [('volunteers', '0002_signup_region')]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
