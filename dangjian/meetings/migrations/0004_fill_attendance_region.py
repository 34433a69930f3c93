"""Fills Attendance.region_id of the rows written before it existed (DESIGN rule 9, issue 13): the meeting's."""
from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    if schema_editor.connection.vendor == "postgresql":  # one join instead of a subquery per row (20 M rows)
        schema_editor.execute("UPDATE meetings_attendance a SET region_id = m.region_id FROM meetings_meeting m "
                              "WHERE m.id = a.meeting_id AND a.region_id IS NULL AND m.region_id IS NOT NULL")
        return
    Meeting = apps.get_model("meetings", "Meeting")
    apps.get_model("meetings", "Attendance").objects.using(db).filter(region_id__isnull=True).update(
        region_id=Subquery(Meeting.objects.using(db).filter(pk=OuterRef("meeting_id")).values("region_id")[:1]))


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_attendance_region")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
