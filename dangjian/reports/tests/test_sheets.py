"""Report tasks with an Excel template (R-REPORT-SHEET): issue, download pre-filled, upload back, merged."""
import io
import zipfile
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.workbook.defined_name import DefinedName

from dangjian.core.models import AuditEvent
from dangjian.reports import services, sheets
from dangjian.reports.forms import EXAMPLE
from dangjian.reports.models import ReportSubmission, ReportTask

from .helpers import ReportsFixture

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def named_template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "报表"
    ws["A1"] = "党组织基本情况"
    for row, label in ((3, "党员总数"), (4, "书记姓名"), (5, "备注")):
        ws.cell(row=row, column=1, value=label)
    for name, ref in (("党员总数（含预备党员）", "$B$3"), ("书记姓名", "$B$4"), ("备注", "$B$5")):
        wb.defined_names[name] = DefinedName(name, attr_text=f"'报表'!{ref}")
    return to_bytes(wb)


def header_template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "统计"
    ws.append(["2025年党员统计表"])
    ws.append(["序号", "填报单位", "正式党员人数", "活动次数", "备注"])
    ws.append([1])
    ws.append(["填表说明：请如实填写"])
    return to_bytes(wb)


def upload(data: bytes, name: str = "报表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def edit(data: bytes, fn) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    fn(wb)
    return to_bytes(wb)


def zip_with(data: bytes, name: str, content: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr(name, content)
    return buf.getvalue()


class SheetTaskFixture(ReportsFixture):
    def issue(self, data=None, *, fields_text="", actor=None, title="基本情况表"):
        return services.report_task_issue_sheet(
            actor=actor or self.zhang, org=self.root, title=title, instructions="", target="branches",
            deadline=timezone.localdate() + timedelta(days=7), upload=upload(data or named_template()),
            fields_text=fields_text)

    def sub(self, task, org):
        return ReportSubmission.objects.get(task=task, org=org)

    def download(self, sub, user=None):
        r = self.web_as(user or self.li).get(reverse("reports:submission_sheet", args=[sub.id]))
        self.assertEqual(r.status_code, 200, r.content[:200])
        self.assertEqual(r["Content-Type"], XLSX)
        return r.content

    def post_upload(self, sub, data, *, user=None, action="submit", name="报表.xlsx"):
        return self.web_as(user or self.li).post(reverse("reports:submission_upload", args=[sub.id]),
                                                 {"file": upload(data, name), "action": action})


class NamedCellTemplateTests(SheetTaskFixture):
    def test_fields_are_detected_typed_and_mapped(self):
        task = self.issue(fields_text="书记姓名*|文本")
        self.assertEqual(task.kind, "sheet")
        self.assertEqual(task.layout, {"mode": "named"})
        by_label = {f["label"]: f for f in task.fields}
        self.assertEqual(by_label["党员总数（含预备党员）"]["source"], "members.count_on_rolls")
        self.assertEqual(by_label["党员总数（含预备党员）"]["type"], "int")
        self.assertEqual((by_label["书记姓名"]["type"], by_label["书记姓名"]["required"]), ("text", True))
        self.assertEqual(by_label["备注"]["cell"], "B5")
        self.assertEqual(task.submissions.count(), 3)
        self.assertTrue(AuditEvent.objects.filter(verb="reports.task_issue", after__kind="sheet").exists())

    def test_org_downloads_prefilled_fills_uploads_and_committee_gets_one_sheet_per_org(self):
        task = self.issue(fields_text="书记姓名*|文本")
        sub = self.sub(task, self.branch_one)
        data = self.download(sub)
        wb = load_workbook(io.BytesIO(data))
        self.assertEqual(wb["报表"]["B3"].value, 3)  # A, B and C are on branch one's rolls
        self.assertEqual(next(p.value for p in wb.custom_doc_props if p.name == sheets.MARKER).split(":")[:2],
                         [str(task.id), str(self.branch_one.id)])

        def fill(wb):
            wb["报表"]["B4"] = "李书记"
            wb["报表"]["B5"] = "=HYPERLINK(\"http://x\")"  # typed as text in Excel would be a string cell
            wb["报表"]["B5"].data_type = "s"
        r = self.post_upload(sub, edit(data, fill))
        self.assertEqual(r.status_code, 302, r.content.decode()[:500])
        sub.refresh_from_db()
        self.assertEqual(sub.state, "submitted")
        keys = {f["label"]: f["key"] for f in task.fields}
        self.assertEqual(sub.values[keys["党员总数（含预备党员）"]], 3)
        self.assertEqual(sub.values[keys["书记姓名"]], "李书记")
        self.assertEqual(sub.values[keys["备注"]], "=HYPERLINK(\"http://x\")")
        self.assertTrue(AuditEvent.objects.filter(verb="reports.submission_submit", after__upload__file="报表.xlsx")
                        .exists())

        r = self.web_as(self.zhang).get(reverse("reports:task_export", args=[task.id]))
        self.assertEqual(r.status_code, 200)
        merged = load_workbook(io.BytesIO(r.content))
        self.assertEqual(merged.sheetnames[0], "汇总")
        self.assertIn("第一党支部", merged.sheetnames)
        self.assertEqual(len(merged.sheetnames), 2)  # only the org that submitted gets a sheet
        org_sheet = merged["第一党支部"]
        self.assertEqual((org_sheet["B3"].value, org_sheet["B4"].value), (3, "李书记"))
        self.assertEqual(org_sheet["B5"].data_type, "s")  # never a formula
        summary = [[c.value for c in row] for row in merged["汇总"].iter_rows(min_row=3)]
        first = next(row for row in summary if row[1] == "第一党支部")
        self.assertIn("'=HYPERLINK(\"http://x\")", first)  # neutralised (core.xlsx.safe_cell)
        self.assertEqual(len(summary), 3)  # one row per target org

    def test_committee_downloads_its_template(self):
        task = self.issue()
        r = self.web_as(self.zhang).get(reverse("reports:task_template", args=[task.id]))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(sheets.sha256(r.content), task.template_sha256)  # the file as uploaded, byte for byte
        self.assertIn("书记姓名", load_workbook(io.BytesIO(r.content)).defined_names)

    def test_outsider_and_anonymous(self):
        task = self.issue()
        sub = self.sub(task, self.branch_one)
        data = self.download(sub)
        wang = self.web_as(self.wang)
        self.assertEqual(wang.get(reverse("reports:submission_sheet", args=[sub.id])).status_code, 404)
        self.assertEqual(self.post_upload(sub, data, user=self.wang).status_code, 404)
        self.assertEqual(wang.get(reverse("reports:task_template", args=[task.id])).status_code, 404)
        self.assertEqual(wang.get(reverse("reports:task_export", args=[task.id])).status_code, 404)
        # zhao (a plain member of branch one) has no reports rights: 404/403, never the file.
        self.assertIn(self.web_as(self.zhao).get(reverse("reports:submission_sheet", args=[sub.id])).status_code,
                      (403, 404))
        anon = Client()
        for url in (reverse("reports:submission_sheet", args=[sub.id]), reverse("reports:task_template", args=[task.id])):
            r = anon.get(url)
            self.assertEqual(r.status_code, 302)
            self.assertIn("/login/", r["Location"])
        r = anon.post(reverse("reports:submission_upload", args=[sub.id]), {"file": upload(data)})
        self.assertEqual(r.status_code, 302)
        sub.refresh_from_db()
        self.assertEqual((sub.state, sub.values), ("pending", {}))

    def test_bad_uploads_are_refused_with_a_clear_message_and_write_nothing(self):
        task = self.issue(fields_text="党员总数（含预备党员）|整数\n书记姓名*|文本")
        sub = self.sub(task, self.branch_one)
        good = self.download(sub)
        other = self.issue(title="另一张表")
        other_file = self.download(self.sub(other, self.branch_one))
        wang_file = self.download(self.sub(task, self.branch_two), user=self.wang)

        def cell(ref, value):
            def fn(wb):
                wb["报表"][ref] = value
            return fn

        def moved(wb):
            del wb.defined_names["书记姓名"]
            wb.defined_names["书记姓名"] = DefinedName("书记姓名", attr_text="'报表'!$C$4")

        bomb = zip_with(good, "xl/media/padding.bin", b"\0" * (3 * 1024 * 1024))
        cases = [
            (edit(good, cell("B3", "=1+2")), "是公式", "报表.xlsx"),
            (edit(good, cell("B3", "很多")), "应为整数", "报表.xlsx"),
            (edit(good, cell("B4", None)), "为必填项", "报表.xlsx"),
            (other_file, "另一个报表任务", "报表.xlsx"),
            (wang_file, "其他组织的报表", "报表.xlsx"),
            (edit(good, moved), "表格与模板不一致", "报表.xlsx"),
            (b"not a spreadsheet at all", "不是 .xlsx", "报表.xlsx"),
            (good, "仅支持 .xlsx", "报表.xls"),
            (b"PK\x03\x04" + b"\0" * 100, "", "报表.xlsx"),
            (bomb, "压缩炸弹", "报表.xlsx"),
            (zip_with(good, "xl/vbaProject.bin", b"macro"), "含有宏", "报表.xlsx"),
            (good + b"\0" * (2 * 1024 * 1024), "超过 2 MB", "报表.xlsx"),
        ]
        before = AuditEvent.objects.count()
        for data, message, name in cases:
            with self.subTest(message or "broken zip"):
                r = self.post_upload(sub, data, name=name)
                self.assertEqual(r.status_code, 400)
                self.assertIn(message, r.content.decode())
        sub.refresh_from_db()
        self.assertEqual((sub.state, sub.values), ("pending", {}))
        self.assertEqual(AuditEvent.objects.count(), before)
        r = self.web_as(self.li).post(reverse("reports:submission_upload", args=[sub.id]), {"action": "submit"})
        self.assertEqual(r.status_code, 400)  # no file at all

    def test_closed_task_refuses_uploads(self):
        task = self.issue()
        sub = self.sub(task, self.branch_one)
        data = self.download(sub)
        services.report_task_close(actor=self.zhang, task=task)
        r = self.post_upload(sub, data)
        self.assertEqual(r.status_code, 400)
        self.assertIn("已截止关闭", r.content.decode())

    def test_draft_then_download_keeps_the_saved_values(self):
        task = self.issue()
        sub = self.sub(task, self.branch_one)
        data = edit(self.download(sub), lambda wb: wb["报表"].__setitem__("B3", 42))
        self.assertEqual(self.post_upload(sub, data, action="save").status_code, 302)
        sub.refresh_from_db()
        self.assertEqual(sub.state, "draft")
        again = load_workbook(io.BytesIO(self.download(sub)))
        self.assertEqual(again["报表"]["B3"].value, 42)


class HeaderRowTemplateTests(SheetTaskFixture):
    def test_header_row_fields_and_one_row_per_org_in_the_merged_sheet(self):
        task = self.issue(header_template(), fields_text="正式党员人数|整数|members.count_full\n活动次数|整数")
        self.assertEqual(task.layout, {"mode": "header", "sheet": "统计", "header_row": 2, "org_col": 2})
        self.assertEqual([f["label"] for f in task.fields], ["正式党员人数", "活动次数", "备注"])
        for user, org, count in ((self.li, self.branch_one, 12), (self.wang, self.branch_two, 7)):
            sub = self.sub(task, org)
            data = self.download(sub, user)
            ws = load_workbook(io.BytesIO(data))["统计"]
            self.assertEqual(ws["B3"].value, org.name)
            self.assertEqual(ws["C3"].value, {self.branch_one: 2, self.branch_two: 1}[org])  # full members
            filled = edit(data, lambda wb, n=count: wb["统计"].__setitem__("D3", n))
            self.assertEqual(self.post_upload(sub, filled, user=user).status_code, 302)
        merged = load_workbook(io.BytesIO(self.web_as(self.zhang).get(
            reverse("reports:task_export", args=[task.id])).content))
        ws = merged["统计"]
        rows = [[c.value for c in r][:4] for r in ws.iter_rows(min_row=3, max_row=4)]
        self.assertEqual(rows, [[1, "第一党支部", 2, 12], [None, "第二党支部", 1, 7]])
        self.assertEqual(ws["A5"].value, "填表说明：请如实填写")  # what was below the data row moved down

    def test_changed_header_is_refused(self):
        task = self.issue(header_template())
        sub = self.sub(task, self.branch_one)
        data = edit(self.download(sub), lambda wb: wb["统计"].__setitem__("C2", "党员人数"))
        r = self.post_upload(sub, data)
        self.assertEqual(r.status_code, 400)
        self.assertIn("表头", r.content.decode())


class IssueSheetTaskTests(SheetTaskFixture):
    def test_page_issues_a_sheet_task(self):
        r = self.web_as(self.zhang).post(reverse("reports:task_new") + f"?org={self.root.id}", {
            "kind": "sheet", "title": "表格任务", "deadline": (date.today() + timedelta(days=3)).isoformat(),
            "target": "branches", "instructions": "", "fields_text": EXAMPLE.replace("\n", "\r\n"),
            "template": upload(named_template())})
        self.assertEqual(r.status_code, 302, r.content.decode()[:800])
        task = ReportTask.objects.get(title="表格任务")
        self.assertEqual(task.kind, "sheet")
        self.assertContains(self.web_as(self.zhang).get(reverse("reports:task_detail", args=[task.id])), "下载模板")
        sub = self.sub(task, self.branch_one)
        self.assertContains(self.web_as(self.li).get(reverse("reports:submission", args=[sub.id])), "上传并上报")

    def test_bad_templates_create_nothing(self):
        empty = Workbook()
        ranged = Workbook()
        ranged.defined_names["区域"] = DefinedName("区域", attr_text="'Sheet'!$A$1:$B$2")
        cases = [
            ({"template": None}, "请上传 Excel 模板"),
            ({"template": upload(to_bytes(empty))}, "未找到字段"),
            ({"template": upload(to_bytes(ranged))}, "应指向一个单元格"),
            ({"template": upload(named_template()), "fields_text": "不存在的字段|整数"}, "在模板中找不到"),
            ({"template": upload(named_template()), "fields_text": "书记姓名|未知类型"}, "类型应为"),
            ({"template": upload(b"hello", "t.xlsx")}, "不是 .xlsx"),
        ]
        before = (ReportTask.objects.count(), ReportSubmission.objects.count(), AuditEvent.objects.count())
        for extra, message in cases:
            with self.subTest(message):
                data = {"kind": "sheet", "title": "表格任务", "target": "branches", "instructions": "",
                        "deadline": (date.today() + timedelta(days=3)).isoformat(), "fields_text": ""}
                data.update({k: v for k, v in extra.items() if v is not None})
                r = self.web_as(self.zhang).post(reverse("reports:task_new") + f"?org={self.root.id}", data)
                self.assertEqual(r.status_code, 400)
                self.assertIn(message, r.content.decode())
        self.assertEqual(before, (ReportTask.objects.count(), ReportSubmission.objects.count(),
                                  AuditEvent.objects.count()))

    def test_outsider_cannot_issue_for_the_root(self):
        r = self.web_as(self.wang).post(reverse("reports:task_new") + f"?org={self.root.id}", {
            "kind": "sheet", "title": "x", "deadline": "2099-01-01", "target": "branches",
            "template": upload(named_template())})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(ReportTask.objects.count(), 0)
