"""Default 五必 checklist (seed 004) and the default 7-step 支部工作法 (seed 002)."""
from django.db import migrations

from dangjian.duties.rules import DEFAULT_CHECKLIST, DEFAULT_WORK_METHOD, DEFAULT_WORK_STEPS


def forwards(apps, schema_editor):
    ChecklistItem = apps.get_model("duties", "ChecklistItem")
    WorkMethod = apps.get_model("duties", "WorkMethod")
    for category, texts in DEFAULT_CHECKLIST.items():
        for order, text in enumerate(texts, start=1):
            ChecklistItem.objects.get_or_create(org=None, category=category, text=text, defaults={"order": order})
    WorkMethod.objects.get_or_create(org=None, name=DEFAULT_WORK_METHOD, defaults={"steps": DEFAULT_WORK_STEPS})


def backwards(apps, schema_editor):
    apps.get_model("duties", "ChecklistItem").objects.filter(org=None).delete()
    apps.get_model("duties", "WorkMethod").objects.filter(org=None, name=DEFAULT_WORK_METHOD).delete()


class Migration(migrations.Migration):
    dependencies = [("duties", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
