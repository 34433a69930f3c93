"""Fills region_id of the dues rows written before it existed (DESIGN rule 9, issue 13): a profile takes its
member's region, a payment its member's (when still empty), a ledger month its payment's."""
from django.db import migrations
from django.db.models import OuterRef, Subquery

PG = [
    "UPDATE dues_duesprofile p SET region_id = m.region_id FROM members_member m "
    "WHERE m.id = p.member_id AND p.region_id IS NULL AND m.region_id IS NOT NULL",
    "UPDATE dues_duespayment p SET region_id = m.region_id FROM members_member m "
    "WHERE m.id = p.member_id AND p.region_id IS NULL AND m.region_id IS NOT NULL",
    "UPDATE dues_duespaymentmonth pm SET region_id = p.region_id FROM dues_duespayment p "
    "WHERE p.id = pm.payment_id AND pm.region_id IS NULL AND p.region_id IS NOT NULL",
]


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    if schema_editor.connection.vendor == "postgresql":  # joins instead of a subquery per row (millions of rows)
        for sql in PG:
            schema_editor.execute(sql)
        return
    Member = apps.get_model("members", "Member")
    member_region = Subquery(Member.objects.using(db).filter(pk=OuterRef("member_id")).values("region_id")[:1])
    for name in ("DuesProfile", "DuesPayment"):
        apps.get_model("dues", name).objects.using(db).filter(region_id__isnull=True).update(region_id=member_region)
    Payment = apps.get_model("dues", "DuesPayment")
    apps.get_model("dues", "DuesPaymentMonth").objects.using(db).filter(region_id__isnull=True).update(
        region_id=Subquery(Payment.objects.using(db).filter(pk=OuterRef("payment_id")).values("region_id")[:1]))


class Migration(migrations.Migration):
    dependencies = [("dues", "0003_region_keys"), ("members", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
