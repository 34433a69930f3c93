"""Prefix search on pinyin / initials inside a region (the roster search of issue 4).

PostgreSQL only uses a B-tree for `LIKE 'zh%'` with a pattern operator class unless the database
collation is "C", so the indexes carry varchar_pattern_ops. SQLite has no operator classes: its
plain indexes from 0001 serve it.
"""
from django.db import migrations

INDEXES = [
    ("member_region_initials", "region_id, name_initials varchar_pattern_ops"),
    ("member_region_pinyin", "region_id, name_pinyin varchar_pattern_ops"),
    ("member_region_name_pat", "region_id, name varchar_pattern_ops"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON members_member ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_alter_member_status")]
    operations = [migrations.RunPython(create, drop)]
