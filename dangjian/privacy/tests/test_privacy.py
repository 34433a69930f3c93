"""Personal data (issue 14, item 4): no plain ID number at rest, data subject export, retention, key rotation."""
import io
import json
from datetime import date, timedelta

import openpyxl
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from dangjian.core.crypto import blind_index
from dangjian.core.idnumber import generate_id_number
from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.members.models import Member
from dangjian.members.services import member_create
from dangjian.privacy import rules
from dangjian.privacy.services import audit_purge

NEW_KEY = "a-brand-new-field-key-of-at-least-32-chars"


def text_hits(needle: str) -> list[str]:
    """Every table.column of the raw database whose text contains needle."""
    hits = []
    intro = connection.introspection
    with connection.cursor() as cur:
        for table in intro.table_names(cur):
            for col in intro.get_table_description(cur, table):
                qt, qc = connection.ops.quote_name(table), connection.ops.quote_name(col.name)
                cur.execute(f"SELECT COUNT(*) FROM {qt} WHERE CAST({qc} AS TEXT) LIKE %s", [f"%{needle}%"])
                if cur.fetchone()[0]:
                    hits.append(f"{table}.{col.name}")
    return hits


class PrivacyTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.id_number = generate_id_number(birth_date=date(1980, 5, 17), gender="M")
        cls.member = member_create(actor=cls.zhang, org=cls.branch_one, data={
            "name": "王守密", "gender": "M", "birth_date": date(1980, 5, 17), "id_number": cls.id_number,
            "joined_on": date(2005, 7, 1), "full_on": date(2006, 7, 1), "phone": "13800000001"})
        # a second write, so field history and audit events exist for it
        from dangjian.members.services import member_update

        member_update(actor=cls.zhang, member=Member.objects.get(pk=cls.member.pk), data={"address": "幸福路 1 号"})

    def test_no_plain_id_number_anywhere_in_the_raw_database(self):
        self.assertEqual(Member.objects.get(pk=self.member.pk).id_number, self.id_number)
        self.assertEqual(text_hits(self.id_number), [])
        self.assertEqual(text_hits(self.id_number[:14]), [])  # not even the birth-date part with its area code
        self.assertTrue(text_hits("王守密"))  # the scan does see plain text

    def test_subject_export_json_and_xlsx_audited_and_scoped(self):
        url = f"/privacy/members/{self.member.pk}/export/"
        r = self.web_as(self.li).get(url)
        self.assertEqual(r.status_code, 200)
        self.assertIn("attachment", r["Content-Disposition"])
        data = json.loads(r.content)
        self.assertEqual(data["member"]["name"], "王守密")
        self.assertEqual(data["member"]["id_number"], self.id_number)
        self.assertNotIn("id_index", data["member"])
        self.assertTrue(data["audit_events"])
        self.assertTrue(AuditEvent.objects.filter(verb="privacy.subject_export", actor=self.li).exists())
        r = self.web_as(self.zhang).get(url + "?format=xlsx")
        self.assertEqual(r.status_code, 200)
        wb = openpyxl.load_workbook(io.BytesIO(r.content))
        self.assertIn("王守密", [c.value for row in wb["党员信息"].iter_rows() for c in row])
        before = AuditEvent.objects.count()
        self.assertEqual(self.web_as(self.wang).get(url).status_code, 404)  # outsider
        self.assertEqual(self.web_as(self.zhao).get(url).status_code, 404)  # plain member, not himself
        self.assertEqual(AuditEvent.objects.count(), before)
        self.assertEqual(self.client.get(url).status_code, 302)  # anonymous → login

    def test_subject_export_walks_reverse_foreign_keys(self):
        from dangjian.privacy.services import _related

        from django.apps import apps

        model = next((m for m in apps.get_models() if m is not Member and any(
            getattr(f, "related_model", None) is Member for f in m._meta.concrete_fields)), None)
        self.assertIsNotNone(model)
        self.assertIsInstance(_related(self.member), dict)

    @override_settings(AUDIT_RETENTION_DAYS=30)
    def test_retention_never_below_six_months(self):
        self.assertEqual(rules.retention_days(30), 183)
        self.assertEqual(rules.retention_days(400), 400)
        today = timezone.localdate()
        old, recent = AuditEvent.objects.create(verb="x.old"), AuditEvent.objects.create(verb="x.recent")
        AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=184))
        AuditEvent.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=182))
        result = audit_purge(today=today)
        self.assertGreaterEqual(result["deleted"], 1)
        self.assertFalse(AuditEvent.objects.filter(pk=old.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(pk=recent.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="privacy.audit_purge").exists())
        out = io.StringIO()
        call_command("purge_audit", stdout=out)
        self.assertIn("已删除", out.getvalue())

    def test_rotate_id_key_round_trip(self):
        from django.conf import settings

        from dangjian.core.management.commands.rotate_id_key import rotate

        old_key = settings.DANGJIAN_FIELD_KEY
        with connection.cursor() as cur:
            cur.execute("SELECT id_number FROM members_member WHERE id = %s", [self.member.pk])
            before_token = cur.fetchone()[0]
        counts = rotate(old_key, NEW_KEY)
        self.assertGreaterEqual(counts["members.Member.id_number"], 1)
        with self.settings(DANGJIAN_FIELD_KEY=NEW_KEY):
            m = Member.objects.get(pk=self.member.pk)
            self.assertEqual(m.id_number, self.id_number)
            self.assertEqual(m.id_index, blind_index(self.id_number))
            self.assertEqual(Member.objects.get(id_index=blind_index(self.id_number)).pk, m.pk)
            self.assertEqual(rotate(old_key, NEW_KEY)["members.Member.id_number"], 0)  # a re-run is a no-op
        with connection.cursor() as cur:
            cur.execute("SELECT id_number FROM members_member WHERE id = %s", [self.member.pk])
            self.assertNotEqual(cur.fetchone()[0], before_token)
        self.assertEqual(text_hits(self.id_number), [])
        rotate(NEW_KEY, old_key)  # and back
        self.assertEqual(Member.objects.get(pk=self.member.pk).id_number, self.id_number)
        self.assertEqual(Member.objects.get(pk=self.member.pk).id_index, blind_index(self.id_number))

    def test_rotate_command_refuses_without_old_key(self):
        from django.core.management.base import CommandError

        with self.assertRaises(CommandError):
            call_command("rotate_id_key", old_key_env="NO_SUCH_ENV_VAR_FOR_TEST")
