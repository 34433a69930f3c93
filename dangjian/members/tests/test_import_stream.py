"""roster_import (validate and insert in one pass): the same members, report, job and audit as validate_roster
followed by import_roster, and nothing written whenever a row is refused. The streamed COPY runs on
PostgreSQL; on SQLite the same assertions check the classic path."""
from unittest import mock

from django.db import connection

from dangjian.core.crypto import blind_index
from dangjian.core.models import AuditEvent
from dangjian.members import importing
from dangjian.members.importing import roster_import, stream
from dangjian.members.models import ImportJob, Member
from dangjian.members.services import member_create
from dangjian.orgs.models import PartyGroup

from .test_importing import HEADER, TODAY, ImportTestCase, full_row, ident

FIELDS = ["name", "name_pinyin", "name_initials", "gender", "ethnicity", "birth_date", "id_number", "id_index",
          "id_masked", "phone", "education", "degree", "occupation", "unit_name", "address", "stage", "applied_on",
          "joined_on", "full_on", "work_started_on", "status", "in_hardship", "is_retired", "is_cadre", "is_exempt",
          "notes", "region_id"]


def rows(n=7):
    extra = ["党小组", "手机号", "学历", "民族"]
    out = [HEADER + extra]
    for i in range(n):
        out.append(full_row(["单雄信", "欧阳修", "张三", "曾国藩", "李四"][i % 5] + str(i), seq=i + 1)
                   + ["第一党小组" if i % 2 else None, f"1380000{i:04d}", "大学本科", "汉族"])
    return out


class StreamTests(ImportTestCase):
    def setUp(self):
        super().setUp()
        self.group = PartyGroup.objects.create(org=self.branch_one, name="第一党小组")
        patches = [mock.patch.object(stream, "STREAM_MIN_ROWS", 1), mock.patch.object(stream, "CHUNK", 3)]
        for p in patches:
            p.start()
            self.addCleanup(p.stop)
        self.streamed = mock.patch.object(stream, "_streamed", wraps=stream._streamed)

    def run_import(self, data, **kw):
        with self.streamed as spy:
            report, created = roster_import(self.parse(data), actor=self.li, org=self.branch_one, today=TODAY, **kw)
        self.assertEqual(spy.called, connection.vendor == "postgresql" and not kw.get("only_valid"))
        return report, created

    def members(self):
        return [tuple(m[f] for f in FIELDS) + (m["party_group_id"] == self.group.id,)
                for m in Member.objects.filter(org=self.branch_one).order_by("id").values(*FIELDS, "party_group_id")]

    def test_same_members_report_job_and_audit_as_the_two_steps(self):
        report, created = self.run_import(rows())
        self.assertEqual((created, report.valid, report.errors), (7, True, []))
        streamed, event = self.members(), AuditEvent.objects.get(verb="member.import")
        job = ImportJob.objects.get()
        Member.objects.filter(org=self.branch_one).delete()
        parsed = self.parse(rows())
        classic = importing.validate_roster(parsed, actor=self.li, org=self.branch_one, today=TODAY)
        self.assertEqual(importing.import_roster(classic, actor=self.li, org=self.branch_one), 7)
        self.assertEqual(streamed, self.members())
        self.assertEqual(report.counts, classic.counts)
        self.assertEqual(report.as_dict(), classic.as_dict())
        later = AuditEvent.objects.filter(verb="member.import").latest("id")
        self.assertEqual(event.after, later.after)
        self.assertEqual((job.state, job.created, job.total_rows, job.report),
                         ("done", 7, 7, ImportJob.objects.latest("id").report))
        self.assertEqual(Member.objects.get(name="单雄信0").id_index, blind_index(ident(seq=1)))

    def assert_refused_like_validate_roster(self, data, expected):
        counts = (Member.objects.count(), AuditEvent.objects.count(), ImportJob.objects.count())
        report, created = self.run_import(data)
        self.assertEqual((created, report.valid), (0, False))
        self.assertIn(expected, self.messages(report))
        self.assertEqual(report.errors, self.check(data).errors)
        self.assertEqual((Member.objects.count(), AuditEvent.objects.count(), ImportJob.objects.count()), counts)

    def test_invalid_row_in_a_later_chunk_writes_nothing(self):
        data = rows()
        data[6][2] = "123"
        self.assert_refused_like_validate_roster(data, "身份证号:身份证号应为18位，当前为3位")

    def test_number_twice_in_the_file_writes_nothing(self):
        data = rows()
        data[7][2] = data[1][2]
        self.assert_refused_like_validate_roster(data, "身份证号:与第 2 行的身份证号重复")

    def test_number_already_registered_writes_nothing(self):
        member_create(actor=self.li, org=self.branch_one, data={
            "name": "已在册", "id_number": ident(seq=5), "stage": "activist"})
        self.assert_refused_like_validate_roster(rows(), "身份证号:该身份证号已登记：已在册（第一党支部）")

    def test_only_valid_imports_the_valid_rows(self):
        data = rows()
        data[3][2] = "123"
        report, created = self.run_import(data, only_valid=True)
        self.assertEqual((created, report.valid, report.counts["invalid"]), (6, False, 1))
        self.assertEqual(AuditEvent.objects.get(verb="member.import").after["skipped_invalid"], 1)

    def test_with_the_helper_process(self):
        with mock.patch.object(importing.precompute, "PARALLEL_MIN_ROWS", 1):
            report, created = self.run_import(rows(8))
        self.assertEqual(created, 8)
        self.assertEqual(Member.objects.get(name="曾国藩3").name_pinyin, "zengguofan3")
        numbers = {m.id_number for m in Member.objects.filter(org=self.branch_one)}
        self.assertEqual(numbers, {ident(seq=i + 1) for i in range(8)})

    def test_scope_is_checked_first(self):
        from django.http import Http404

        with self.assertRaises(Http404):
            roster_import(self.parse(rows()), actor=self.wang, org=self.branch_one, today=TODAY)
        self.assertFalse(Member.objects.filter(org=self.branch_one).exists())
