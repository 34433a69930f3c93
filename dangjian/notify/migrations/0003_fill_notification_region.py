"""Fills Notification.region_id of the rows written before it existed (DESIGN rule 9, issue 13): the region of
the user's member org, else the home region (the first root's), as core.audit.region_of does for new rows."""
from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    Notification = apps.get_model("notify", "Notification")
    Member = apps.get_model("members", "Member")
    Org = apps.get_model("orgs", "Org")
    rows = Notification.objects.using(db).filter(region_id__isnull=True)
    rows.update(region_id=Subquery(Member.objects.using(db).filter(user_id=OuterRef("user_id"), region_id__isnull=False)
                                   .values("region_id")[:1]))
    home = Org.objects.using(db).filter(depth=1).order_by("path").values_list("region_id", flat=True).first()
    if home is not None:
        rows.update(region_id=home)


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_notification_region"), ("members", "0006_search_indexes_with_stage"),
                    ("orgs", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
