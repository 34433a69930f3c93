"""Roster import: every bad input of issue 4, header detection, duplicates, all-or-nothing."""
import io
import tempfile
import time
import zipfile
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.http import Http404
from django.test import override_settings
from openpyxl import Workbook

from dangjian.core.crypto import blind_index
from dangjian.core.idnumber import generate_id_number
from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.members import importing
from dangjian.members.importing import (RosterFileError, RosterTooLarge, import_roster, parse_roster,
                                        validate_roster)
from dangjian.members.models import ImportJob, Member
from dangjian.members.services import member_create
from dangjian.orgs.models import PartyGroup

TODAY = date(2024, 6, 1)
HEADER = ["姓名", "性别", "身份证号", "人员类别", "入党时间", "转正时间"]


def ident(year=1985, month=7, day=12, gender="M", seq=1):
    return generate_id_number(birth_date=date(year, month, day), gender=gender, seq=seq)


def xlsx(rows, *, merges=(), before=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    if before:
        before(ws)
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def full_row(name="张三", seq=1, **kw):
    year = kw.pop("year", 1985)
    return [name, "男", kw.pop("id_number", ident(year, seq=seq)), "正式党员",
            kw.pop("joined", date(2010, 7, 1)), kw.pop("full", date(2011, 7, 1))]


class ImportTestCase(PersonaTestCase):
    def parse(self, rows, **kw):
        return parse_roster(xlsx(rows, merges=kw.pop("merges", ()), before=kw.pop("before", None)),
                            filename=kw.pop("filename", "花名册.xlsx"), **kw)

    def check(self, rows, *, actor=None, org=None, **kw):
        parsed = self.parse(rows, **kw)
        return validate_roster(parsed, actor=actor or self.li, org=org or self.branch_one, today=TODAY)

    def messages(self, report, row=None):
        return [f"{e['column']}:{e['message']}" for e in report.errors if row is None or e["row"] == row]


class ParseTests(ImportTestCase):
    def test_title_row_blank_rows_serial_column_and_aliases(self):
        rows = [["某某党支部党员花名册"], [], ["序号", "姓名", "公民身份号码", "预/正", "入党日期", "转正日期", "联系电话",
                                           "文化程度", "岗位", "住址", "备注"],
                [1, "张三", ident(), "正式", date(2010, 7, 1), date(2011, 7, 1), "13800138000", "本科", "会计",
                 "某小区", "老党员"]]
        parsed = self.parse(rows, merges=["A1:K1"])
        self.assertEqual(parsed.header_row, 3)
        self.assertEqual(parsed.mapping["序号"], "")
        self.assertEqual(parsed.mapping["公民身份号码"], "id_number")
        self.assertEqual(parsed.mapping["预/正"], "stage")
        self.assertEqual(parsed.unknown_headers, [])
        self.assertEqual(parsed.rows[0]["row"], 4)
        self.assertNotIn("", parsed.rows[0]["values"])
        report = validate_roster(parsed, actor=self.li, org=self.branch_one, today=TODAY)
        self.assertTrue(report.valid, report.errors)
        data = report.rows[0]["data"]
        self.assertEqual((data["education"], data["occupation"], data["notes"]), ("bachelor", "会计", "老党员"))
        self.assertEqual(data["birth_date"], date(1985, 7, 12))
        self.assertEqual(data["gender"], "M")

    def test_shuffled_header_order(self):
        rows = [["转正时间", "身份证", "入党时间", "姓名", "人员类别", "性别"],
                [date(2011, 7, 1), ident(), date(2010, 7, 1), "李四", "正式党员", "男"]]
        report = self.check(rows)
        self.assertTrue(report.valid, report.errors)
        self.assertEqual(report.rows[0]["data"]["name"], "李四")

    def test_unknown_headers_reported_and_mappable(self):
        rows = [HEADER + ["籍贯", "入党介绍人"], full_row() + ["河南", "王五"]]
        parsed = self.parse(rows)
        self.assertEqual(parsed.unknown_headers, ["籍贯", "入党介绍人"])
        self.assertNotIn("籍贯", parsed.mapping)
        remapped = self.parse(rows, mapping={"籍贯": "address", "入党介绍人": ""})
        self.assertEqual(remapped.unknown_headers, [])
        self.assertEqual(remapped.rows[0]["values"]["address"], "河南")
        with self.assertRaisesMessage(RosterFileError, "对应了多列"):
            self.parse(rows, mapping={"籍贯": "name"})
        with self.assertRaisesMessage(RosterFileError, "对应字段无效"):
            self.parse(rows, mapping={"籍贯": "salary"})

    def test_txt_renamed_xlsx_refused(self):
        with self.assertRaisesMessage(RosterFileError, "不是 Excel 表格"):
            parse_roster("姓名,身份证号\n张三,1\n".encode(), filename="花名册.xlsx")
        with self.assertRaisesMessage(RosterFileError, "不是 Excel 表格"):
            parse_roster(b"just text", filename="old.xls")
        with self.assertRaisesMessage(RosterFileError, "仅支持"):
            parse_roster(xlsx([HEADER]), filename="roster.csv")
        with self.assertRaisesMessage(RosterFileError, "空的"):
            parse_roster(b"", filename="a.xlsx")

    def test_legacy_xls_magic_with_garbage_refused_cleanly(self):
        fake = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600
        with self.assertRaisesMessage(RosterFileError, "无法读取"):
            parse_roster(fake, filename="花名册.xls")

    def test_corrupt_and_random_zip_refused(self):
        good = xlsx([HEADER, full_row()])
        for data in (good[: len(good) // 2], b"PK\x03\x04" + bytes(range(256)) * 4):
            with self.assertRaises(RosterFileError):
                parse_roster(data, filename="a.xlsx")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("word/document.xml", "<w/>")
        with self.assertRaisesMessage(RosterFileError, "不是有效的 Excel 工作簿"):
            parse_roster(buf.getvalue(), filename="a.xlsx")

    def test_mangled_files_never_escape_as_other_errors(self):
        import random

        good = xlsx([["花名册"], HEADER] + [full_row(seq=n) for n in range(20)])
        rng = random.Random(7)
        for _ in range(60):
            data = bytearray(good)
            for _ in range(rng.randint(1, 6)):
                pos = rng.randrange(len(data))
                if rng.random() < 0.6:
                    data[pos] = rng.randrange(256)
                else:
                    del data[pos:pos + rng.randint(1, 40)]
            try:
                parse_roster(bytes(data), filename="坏文件.xlsx")
            except RosterFileError:
                pass

    def test_zip_bomb_refused_before_parsing(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            src = zipfile.ZipFile(io.BytesIO(xlsx([HEADER])))
            for info in src.infolist():
                zf.writestr(info.filename, src.read(info.filename))
            zf.writestr("xl/media/bomb.bin", b"\0" * (50 * 1024 * 1024))
        self.assertLess(len(buf.getvalue()), 1024 * 1024)
        with self.assertRaisesMessage(RosterFileError, "压缩炸弹"):
            parse_roster(buf.getvalue(), filename="a.xlsx")

    def test_far_away_cell_refused_instead_of_crashing(self):
        # calamine would allocate 1 048 576 × 16 384 cells for this 5 KB file and abort the process.
        def far(ws):
            ws["XFD1048576"] = "x"
        with self.assertRaisesMessage(RosterFileError, "超出上限"):
            self.parse([HEADER, full_row()], before=far)

        def deep(ws):
            ws["Z1000000"] = "x"
        with self.assertRaisesMessage(RosterFileError, "数据区域过大"):
            self.parse([HEADER, full_row()], before=deep)

    def test_extent_of_sheets_without_cell_references(self):
        xml = b"<worksheet><sheetData><row><c><v>1</v></c><c/><c/></row><row r=\"9\"><c r=\"B9\"/></row>" \
              b"<row><c/></row></sheetData></worksheet>"
        self.assertEqual(importing._sheet_extent_slow(xml), (10, 3))
        xml = b'<x:worksheet><x:sheetData><x:row r="3"><x:c r="AB7"/></x:row></x:sheetData></x:worksheet>'
        self.assertEqual(importing._sheet_extent_slow(xml), (7, 28))
        xml = b"<sheetData><row r='2'><c\n r='&#88;FD1048576'><v>1</v></c></row></sheetData>"
        self.assertEqual(importing._sheet_extent_slow(xml), (1048576, 16384))

    def test_crafted_far_cells_found_on_every_path(self):
        ok = b'<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="P1"><v>1</v></c></row></sheetData>'
        self.assertIsNone(importing._sheet_problem(ok))
        for far in (b'<c r="A9999999">', b'<c r="Q375001">', b'<c r="XFD1">', b"<c r='A1048576'>",
                    b'<c\tr="A1048576">', b'<c r="&#65;1048576">', b'<x:c r="A1048576"><v>1</v></x:c>'):
            xml = ok.replace(b"</row>", far + b"<v>1</v></c></row>")
            self.assertIsNotNone(importing._sheet_problem(xml), far)
        self.assertEqual(importing._greater_than(375000),
                         rb"\d{7,}|[4-9]\d\d\d\d\d|3[8-9]\d\d\d\d|37[6-9]\d\d\d|375[1-9]\d\d|3750[1-9]\d|37500[1-9]")

    def test_empty_sheet(self):
        with self.assertRaisesMessage(RosterFileError, "工作表为空"):
            parse_roster(xlsx([]), filename="空表.xlsx")

    def test_no_header(self):
        with self.assertRaisesMessage(RosterFileError, "未找到表头"):
            self.parse([["某某花名册"], ["a", "b", "c"], [1, 2, 3]])

    def test_ten_thousand_empty_rows_is_fast(self):
        def blank(ws):
            pass
        rows = [HEADER, full_row()] + [[""] * 6 for _ in range(10_000)] + [full_row("远处的行", seq=2)]
        data = xlsx(rows, before=blank)
        started = time.perf_counter()
        parsed = parse_roster(data, filename="a.xlsx")
        self.assertLess(time.perf_counter() - started, 2)
        self.assertEqual(len(parsed.rows), 1)  # reading stops after 200 empty rows

    def test_only_empty_rows_below_header(self):
        report = self.check([HEADER] + [[None] * 6 for _ in range(50)])
        self.assertFalse(report.valid)
        self.assertEqual(report.errors[0]["message"], "表格中没有可导入的数据行")

    def test_merged_cells(self):
        rows = [["党员花名册"], ["姓名", "身份证号", "人员类别", "入党时间", "转正时间", "党小组"],
                ["张三", ident(seq=1), "正式党员", date(2010, 7, 1), date(2011, 7, 1), "第一党小组"],
                ["李四", ident(seq=2), "正式党员", date(2010, 7, 1), date(2011, 7, 1), None],
                ["王五", ident(seq=3), "正式党员", date(2010, 7, 1), date(2011, 7, 1), None]]
        PartyGroup.objects.create(org=self.branch_one, name="第一党小组")
        report = self.check(rows, merges=["A1:F1", "F3:F5", "C3:C4"])
        self.assertTrue(report.valid, report.errors)
        self.assertEqual({r["data"]["party_group_id"] for r in report.rows},
                         {PartyGroup.objects.get(name="第一党小组").id})
        self.assertEqual([r["data"]["stage"] for r in report.rows], ["full"] * 3)

    def test_two_row_header_cell(self):
        rows = [["姓名", "身份证号", "人员类别", "入党时间", "转正时间"], [None] * 5, full_row()[:1] + full_row()[2:]]
        parsed = self.parse(rows, merges=["A1:A2"])
        self.assertEqual([r["row"] for r in parsed.rows], [3])

    def test_too_many_rows(self):
        rows = [HEADER] + [full_row(seq=i) for i in range(6)]
        with self.assertRaises(RosterTooLarge) as ctx:
            self.parse(rows, max_rows=5)
        self.assertEqual(ctx.exception.limit, 5)
        self.assertEqual(len(self.parse(rows, max_rows=6).rows), 6)

    def test_file_too_big(self):
        with self.assertRaisesMessage(RosterFileError, "超过"):
            parse_roster(xlsx([HEADER]), filename="a.xlsx", max_bytes=100)


class ValidateTests(ImportTestCase):
    def test_dates_as_text_in_every_format(self):
        rows = [["姓名", "身份证号", "人员类别", "入党时间", "转正时间", "申请入党时间", "参加工作时间"],
                ["甲", ident(seq=1), "预备党员", "2021-07-01", None, "2021/3/5", "2008年9月1日"],
                ["乙", ident(seq=2), "预备", "2021/7/1", None, "2021.3.5", "20080901"],
                ["丙", ident(seq=3), "预", "2021年7月1日", None, 44260, datetime(2008, 9, 1)]]
        report = self.check(rows)
        self.assertTrue(report.valid, report.errors)
        for item in report.rows:
            data = item["data"]
            self.assertEqual(data["joined_on"], date(2021, 7, 1))
            self.assertEqual(data["applied_on"], date(2021, 3, 5))
            self.assertEqual(data["work_started_on"], date(2008, 9, 1))
            self.assertEqual(data["stage"], "probationary")

    def test_bad_dates(self):
        rows = [HEADER, full_row(joined="2010.07"), full_row(seq=2, joined="2010-02-30"), full_row(seq=3, joined="昨天")]
        report = self.check(rows)
        self.assertIn("入党时间:日期“2010.07”只有年月，需精确到日，如 2021-07-01", self.messages(report, 2))
        self.assertIn("入党时间:日期“2010-02-30”不存在", self.messages(report, 3))
        self.assertIn("入党时间:日期“昨天”无法识别，请填写如 2021-07-01", self.messages(report, 4))
        # the malformed date is reported once, not again as "须填写入党日期"
        self.assertEqual(len(self.messages(report, 2)), 1)

    def test_invalid_id_numbers(self):
        bad_check = ident()[:-1] + ("0" if ident()[-1] != "0" else "1")
        rows = [HEADER, full_row(id_number=bad_check), full_row(seq=2, id_number="12345"),
                full_row(seq=3, id_number="110105491231002")]
        report = self.check(rows)
        self.assertFalse(report.valid)
        self.assertIn("身份证号:身份证号校验位不正确，请逐位核对号码是否填写有误", self.messages(report, 2))
        self.assertIn("身份证号:身份证号应为18位，当前为5位", self.messages(report, 3))
        self.assertTrue(any("15位旧号码" in m for m in self.messages(report, 4)))
        self.assertEqual(report.counts["invalid"], 3)

    def test_scientific_notation_refused_with_hint(self):
        rows = [HEADER, full_row(id_number=float(ident())), full_row(seq=2, id_number="4.10122E+17")]
        report = self.check(rows)
        for row in (2, 3):
            self.assertIn("身份证号:身份证号被 Excel 转成了科学计数法，请将该列设置为文本格式后重新填写",
                          self.messages(report, row))

    def test_duplicates_inside_the_file(self):
        same = ident()
        report = self.check([HEADER, full_row(id_number=same), full_row("李四", id_number=same)])
        self.assertEqual(self.messages(report, 3), ["身份证号:与第 2 行的身份证号重复"])
        self.assertEqual(report.counts, {"total": 2, "valid": 1, "invalid": 1, "errors": 1, "skipped_examples": 0})

    def test_duplicates_in_the_database_scoped_message(self):
        number = ident(seq=7)
        member_create(actor=self.li, org=self.branch_one, data={
            "name": "已在册", "id_number": number, "stage": "full", "joined_on": date(2010, 7, 1),
            "full_on": date(2011, 7, 1)})
        report = self.check([HEADER, full_row(id_number=number)])
        self.assertEqual(self.messages(report, 2), ["身份证号:该身份证号已登记：已在册（第一党支部）"])
        report = self.check([HEADER, full_row(id_number=number)], actor=self.wang, org=self.branch_two)
        self.assertEqual(self.messages(report, 2), ["身份证号:该身份证号已在系统中登记，请联系上级党组织核实"])

    def test_birth_date_contradicting_id(self):
        rows = [["姓名", "身份证号", "出生日期", "人员类别", "入党时间", "转正时间"],
                ["张三", ident(1985, 7, 12), date(1985, 7, 13), "正式党员", date(2010, 7, 1), date(2011, 7, 1)]]
        report = self.check(rows)
        self.assertEqual(self.messages(report), ["出生日期:出生日期与身份证号不一致（身份证为 1985-07-12）"])

    def test_birth_month_checked_against_id(self):
        rows = [["姓名", "身份证号", "出生年月", "人员类别", "入党时间", "转正时间"],
                ["甲", ident(1985, 7, 12, seq=1), 1985.07, "正式党员", date(2010, 7, 1), date(2011, 7, 1)],
                ["乙", ident(1985, 10, 2, seq=2), 1985.1, "正式党员", date(2010, 7, 1), date(2011, 7, 1)],
                ["丙", ident(1985, 7, 12, seq=3), "1985年7月", "正式党员", date(2010, 7, 1), date(2011, 7, 1)],
                ["丁", ident(1985, 7, 12, seq=4), "1986.07", "正式党员", date(2010, 7, 1), date(2011, 7, 1)],
                ["戊", None, "1985.07", "正式党员", date(2010, 7, 1), date(2011, 7, 1)]]
        report = self.check(rows)
        self.assertEqual([r["row"] for r in report.rows], [2, 3, 4])
        self.assertEqual(self.messages(report, 5), ["出生年月:出生年月与身份证号不一致（身份证为 1985年07月）"])
        self.assertEqual(self.messages(report, 6), ["出生年月:只有出生年月时须填写身份证号（出生日期以身份证号为准）",
                                                    "性别:请填写性别或身份证号"])

    def test_join_date_before_eighteenth_birthday_or_in_future(self):
        rows = [HEADER, full_row(year=1990, joined=date(2008, 1, 1), full=date(2009, 1, 1)),
                full_row(seq=2, year=1990, joined=date(2008, 7, 12), full=date(2009, 7, 12)),
                ["王五", "男", ident(seq=3), "预备党员", date(2024, 7, 1), None]]
        report = self.check(rows)
        self.assertIn("入党时间:入党日期不能早于年满 18 周岁之日（2008-07-12）", self.messages(report, 2))
        self.assertEqual(self.messages(report, 3), [])  # the 18th birthday itself is allowed (R-AGE)
        self.assertIn("入党时间:入党日期不能晚于今天", self.messages(report, 4))

    def test_full_member_date_must_follow_join_date(self):
        rows = [HEADER, full_row(joined=date(2010, 7, 1), full=date(2010, 7, 1)),
                full_row(seq=2, joined=date(2010, 7, 1), full=date(2009, 7, 1))]
        report = self.check(rows)
        self.assertEqual(self.messages(report, 2), ["转正时间:转正日期必须晚于入党日期"])
        self.assertEqual(self.messages(report, 3), ["转正时间:转正日期必须晚于入党日期"])

    def test_unknown_org_in_a_row(self):
        rows = [HEADER + ["所在党组织"], full_row() + ["第一党支部"], full_row(seq=2) + ["不存在的党支部"],
                full_row(seq=3) + ["第二党支部"]]
        report = self.check(rows)
        self.assertEqual([r["row"] for r in report.rows], [2])
        self.assertTrue(self.messages(report, 3)[0].startswith("所在党组织:所在党组织“不存在的党支部”不是本次导入的党支部"))
        self.assertEqual(len(self.messages(report, 4)), 1)

    def test_target_org_must_be_a_visible_branch(self):
        parsed = self.parse([HEADER, full_row()])
        with self.assertRaisesMessage(Exception, "党支部"):
            validate_roster(parsed, actor=self.zhang, org=self.community, today=TODAY)
        with self.assertRaises(Http404):
            validate_roster(parsed, actor=self.wang, org=self.branch_one, today=TODAY)

    def test_enumerations_and_unknown_group(self):
        rows = [["姓名", "性别", "民族", "学历", "学位", "人员类别", "党小组", "手机号", "身份证号"],
                ["甲", "男", "回", "大专", "学士", "积极分子", None, "138 0013 8000", ident(seq=1)],
                ["乙", "男的", "火星族", "幼儿园", "院士", "群众", "第九党小组", "12345", ident(seq=2)]]
        report = self.check(rows)
        self.assertEqual(report.rows[0]["data"]["ethnicity"], "回族")
        self.assertEqual(report.rows[0]["data"]["education"], "college")
        self.assertEqual(report.rows[0]["data"]["phone"], "13800138000")
        self.assertEqual(report.rows[0]["data"]["stage"], "activist")
        columns = [e["column"] for e in report.errors if e["row"] == 3]
        self.assertEqual(columns, ["性别", "民族", "学历", "学位", "人员类别", "党小组", "手机号"])
        self.assertIn("学历“幼儿园”无效，可填：研究生、大学本科、大学专科、中专、高中、初中及以下", self.messages(report, 3)[2])

    def test_missing_stage_inferred_only_from_full_member_date(self):
        rows = [["姓名", "身份证号", "入党时间", "转正时间"], ["甲", ident(seq=1), date(2010, 7, 1), date(2011, 7, 1)],
                ["乙", ident(seq=2), date(2010, 7, 1), None]]
        report = self.check(rows)
        self.assertEqual(report.rows[0]["data"]["stage"], "full")
        self.assertTrue(self.messages(report, 3)[0].startswith("人员类别:请填写人员类别"))


class ImportTests(ImportTestCase):
    def test_import_writes_members_one_audit_event_and_a_job(self):
        group = PartyGroup.objects.create(org=self.branch_one, name="第一党小组")
        rows = [HEADER + ["党小组"], full_row("单雄信", seq=1) + ["第一党小组"], full_row("李四", seq=2) + [None]]
        report = self.check(rows)
        audits = AuditEvent.objects.count()
        created = import_roster(report, actor=self.li, org=self.branch_one)
        self.assertEqual(created, 2)
        member = Member.objects.get(name="单雄信")
        self.assertEqual((member.name_pinyin, member.name_initials), ("shanxiongxin", "sxx"))
        self.assertEqual(member.id_index, blind_index(ident(seq=1)))
        self.assertEqual(member.id_number, ident(seq=1))
        self.assertEqual(member.id_masked[:4] + member.id_masked[-4:], ident(seq=1)[:4] + ident(seq=1)[-4:])
        self.assertEqual((member.org_id, member.region_id, member.party_group_id),
                         (self.branch_one.id, self.branch_one.region_id, group.id))
        self.assertEqual(member.birth_date, date(1985, 7, 12))
        self.assertEqual(AuditEvent.objects.count(), audits + 1)
        event = AuditEvent.objects.latest("id")
        self.assertEqual((event.verb, event.after["count"], event.after["filename"]), ("member.import", 2, "花名册.xlsx"))
        job = ImportJob.objects.get()
        self.assertEqual((job.state, job.created, job.total_rows, job.progress), ("done", 2, 2, 100))

    def test_nothing_written_when_invalid(self):
        report = self.check([HEADER, full_row(seq=1), full_row(seq=2, id_number="123")])
        counts = (Member.objects.count(), AuditEvent.objects.count(), ImportJob.objects.count())
        with self.assertRaisesMessage(Exception, "未导入任何数据"):
            import_roster(report, actor=self.li, org=self.branch_one)
        self.assertEqual((Member.objects.count(), AuditEvent.objects.count(), ImportJob.objects.count()), counts)

    def test_only_valid_rows_when_asked(self):
        report = self.check([HEADER, full_row(seq=1), full_row(seq=2, id_number="123")])
        self.assertEqual(import_roster(report, actor=self.li, org=self.branch_one, only_valid=True), 1)
        self.assertEqual(AuditEvent.objects.filter(verb="member.import").get().after["skipped_invalid"], 1)

    def test_number_registered_meanwhile_rolls_back(self):
        report = self.check([HEADER, full_row("甲", seq=1), full_row("乙", seq=2)])
        member_create(actor=self.li, org=self.branch_one, data={
            "name": "抢先", "id_number": ident(seq=2), "stage": "activist"})
        with self.assertRaises(Exception) as ctx:
            import_roster(report, actor=self.li, org=self.branch_one)
        self.assertEqual(getattr(ctx.exception, "status", None), 409)
        self.assertEqual(list(Member.objects.values_list("name", flat=True)), ["抢先"])
        self.assertFalse(ImportJob.objects.exists())

    def test_scope_and_target(self):
        report = self.check([HEADER, full_row()])
        with self.assertRaises(Http404):
            import_roster(report, actor=self.wang, org=self.branch_one)
        with self.assertRaisesMessage(Exception, "不一致"):
            import_roster(report, actor=self.zhang, org=self.branch_two)
        self.assertFalse(Member.objects.exists())

    def test_template_example_row_is_skipped(self):
        from dangjian.members.exporting import roster_template

        wb = roster_template()
        ws = wb["党员信息"]
        header = [c.value for c in ws[2]]
        values = {"姓名": "赵六", "性别": "男", "身份证号": ident(seq=9), "人员类别": "正式党员",
                  "入党时间": date(2010, 7, 1), "转正时间": date(2011, 7, 1)}
        for col, h in enumerate(header, start=1):  # row 4: the user's first row under the example
            ws.cell(row=4, column=col, value=values.get(h.rstrip("*")))
        buf = io.BytesIO()
        wb.save(buf)
        parsed = parse_roster(buf.getvalue(), filename="模板.xlsx")
        self.assertEqual(parsed.skipped_examples, 1)
        self.assertEqual(parsed.unknown_headers, [])
        report = validate_roster(parsed, actor=self.li, org=self.branch_one, today=TODAY)
        self.assertTrue(report.valid, report.errors)
        self.assertEqual(import_roster(report, actor=self.li, org=self.branch_one), 1)


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="dangjian-import-test-"))
class ImportJobTaskTests(ImportTestCase):
    def make_job(self, rows, **kw):
        job = ImportJob(org=self.branch_one, created_by=self.li, filename="大文件.xlsx", **kw)
        job.file.save("大文件.xlsx", ContentFile(xlsx(rows)), save=False)
        job.save()
        return job

    def test_preview_then_commit(self):
        from dangjian.members.tasks import import_job_run

        job = self.make_job([HEADER, full_row(seq=1), full_row(seq=2)])
        import_job_run.call_local(job.id)
        job.refresh_from_db()
        self.assertEqual((job.state, job.progress, job.total_rows), ("preview", 100, 2))
        self.assertTrue(job.report["valid"])
        self.assertFalse(Member.objects.exists())
        import_job_run.call_local(job.id, commit=True)
        job.refresh_from_db()
        self.assertEqual((job.state, job.created), ("done", 2))
        self.assertEqual(Member.objects.count(), 2)
        self.assertEqual(ImportJob.objects.count(), 1)

    def test_commit_of_an_invalid_file_stays_in_preview(self):
        from dangjian.members.tasks import import_job_run

        job = self.make_job([HEADER, full_row(seq=1, id_number="1")])
        import_job_run.call_local(job.id, commit=True)
        job.refresh_from_db()
        self.assertEqual(job.state, "preview")
        self.assertFalse(job.report["valid"])
        self.assertFalse(Member.objects.exists())

    def test_unreadable_file_fails_with_a_message(self):
        from dangjian.members.tasks import import_job_run

        job = ImportJob(org=self.branch_one, created_by=self.li, filename="坏.xlsx")
        job.file.save("坏.xlsx", ContentFile(b"not a spreadsheet"), save=False)
        job.save()
        import_job_run.call_local(job.id)
        job.refresh_from_db()
        self.assertEqual(job.state, "failed")
        self.assertIn("不是 Excel 表格", job.report["detail"])


class NameKeysTests(PersonaTestCase):
    def test_same_keys_as_the_public_pinyin_functions(self):
        from dangjian.core.pinyin import pinyin_full, pinyin_initials

        cache = {}
        for name in ["单雄信", "尉迟恭", "曾国藩", "欧阳娜娜", "李a1", "张　三", "银行行长", "", "区"]:
            self.assertEqual(importing.name_keys(name, cache), (pinyin_full(name), pinyin_initials(name)), name)


class ParallelPathTests(ImportTestCase):
    def test_helper_process_gives_the_same_result(self):
        rows = [HEADER] + [full_row(f"党员{n}", seq=n) for n in range(1, 30)] + [full_row("重复", seq=1)]
        serial = self.check(rows)
        old = importing.precompute.PARALLEL_MIN_ROWS
        importing.precompute.PARALLEL_MIN_ROWS = 1
        try:
            parallel = self.check(rows)
        finally:
            importing.precompute.PARALLEL_MIN_ROWS = old
        self.assertTrue(parallel.precomputed.ids and parallel.precomputed.names)
        self.assertEqual(parallel.errors, serial.errors)
        self.assertEqual([r["id_index"] for r in parallel.rows], [r["id_index"] for r in serial.rows])
        self.assertEqual(import_roster(parallel, actor=self.li, org=self.branch_one, only_valid=True), 29)
        member = Member.objects.get(name="党员7")
        self.assertEqual((member.id_number, member.name_pinyin, member.name_initials),
                         (ident(seq=7), "dangyuan7", "dy7"))
        self.assertEqual(member.id_index, blind_index(ident(seq=7)))
