"""Backup and restore round trip (issue 14, item 6): every table compared, on SQLite and PostgreSQL."""
from datetime import date

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TransactionTestCase

from dangjian.core.testing import make_tree, make_user
from dangjian.accounts.models import Role


def snapshot() -> dict:
    out = {}
    with connection.cursor() as cur:
        for table in connection.introspection.table_names(cur):
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out[table] = sorted(map(repr, cur.fetchall()))
    return out


class BackupRestoreTests(TransactionTestCase):
    def test_round_trip_restores_every_table(self):
        tree = make_tree()
        zhang = make_user("zhang", tree["root"], Role.Kind.ADMIN)
        from dangjian.members.services import member_create
        from dangjian.core.idnumber import generate_id_number

        member_create(actor=zhang, org=tree["branch_one"], data={
            "name": "备份测试", "gender": "F", "birth_date": date(1990, 1, 2), "joined_on": date(2015, 7, 1),
            "full_on": date(2016, 7, 1), "id_number": generate_id_number(birth_date=date(1990, 1, 2), gender="F")})
        before = snapshot()
        self.assertTrue(any(rows for rows in before.values()))
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = f"{tmp}/db.backup"
            call_command("backup", path, stdout=open("/dev/null", "w"))
            from dangjian.members.models import Member

            Member.objects.all().delete()
            tree["other"].delete()
            self.assertNotEqual(snapshot(), before)
            with self.assertRaises(CommandError):
                call_command("restore", path)  # needs --yes
            call_command("restore", path, yes=True, stdout=open("/dev/null", "w"))
            connection.close()
            after = snapshot()
        self.assertEqual(set(after), set(before))
        for table in before:
            self.assertEqual(after[table], before[table], table)
