"""The import page: a bad file or a file without one importable row answers 400 with the form and stores
nothing (no ImportJob, no file); a good file goes to the preview and is kept for the confirmation."""
import os
import re
import tempfile
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from dangjian.core.models import AuditEvent
from dangjian.members import views_import
from dangjian.members.importing import parse as parse_module
from dangjian.members.models import ImportJob, Member

from .test_importing import HEADER, ImportTestCase, full_row, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def media_files() -> int:
    return sum(len(files) for _, _, files in os.walk(settings.MEDIA_ROOT))


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="import-page-media-"))
class ImportPageTests(ImportTestCase):
    def setUp(self):
        self.url = f"/members/import/?org={self.branch_one.id}"

    def post(self, content: bytes, name="花名册.xlsx", user=None, **data):
        upload = SimpleUploadedFile(name, content, content_type=XLSX)
        return self.web_as(user or self.li).post(self.url, {"file": upload, **data})

    def state(self):
        return (ImportJob.objects.count(), Member.objects.count(), AuditEvent.objects.count(), media_files())

    def assert_refused(self, response, before, fragment=""):
        self.assertEqual(response.status_code, 400)
        errors = " ".join(e for errs in response.context["form"].errors.values() for e in errs)
        self.assertTrue(CHINESE.search(errors), errors)
        self.assertIn(fragment, errors)
        self.assertContains(response, 'name="file"', status_code=400)  # the upload form, to try again
        self.assertEqual(self.state(), before)

    def test_good_file_goes_to_the_preview_then_confirm(self):
        files = media_files()
        r = self.post(xlsx([HEADER, full_row(seq=1), full_row("李四", seq=2)]))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'id="preview-ok"')
        job = ImportJob.objects.get()
        self.assertEqual((job.state, job.filename), ("preview", "花名册.xlsx"))
        self.assertEqual(media_files(), files + 1)
        self.assertFalse(Member.objects.exists())
        r = self.web_as(self.li).post(self.url, {"job": job.id, "confirm": "1"})
        self.assertRedirects(r, f"/members/?org={self.branch_one.id}", fetch_redirect_response=False)
        self.assertEqual(Member.objects.filter(org=self.branch_one).count(), 2)
        job.refresh_from_db()
        self.assertEqual((job.state, job.created), ("done", 2))

    def test_file_with_some_valid_rows_is_kept_for_only_valid(self):
        r = self.post(xlsx([HEADER, full_row(seq=1), full_row("李四", seq=2, id_number="1")]))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'id="preview-errors"')
        self.assertEqual(ImportJob.objects.count(), 1)

    def test_bad_files_refused_with_nothing_stored(self):
        cases = {
            "空文件": (b"", "花名册.xlsx", "空"),
            "改名的文本": (b"just text\n" * 20, "花名册.xlsx", "不是 Excel"),
            "CSV": ("姓名,性别\n张三,男\n".encode(), "花名册.csv", "仅支持 Excel"),
            "PDF": (b"%PDF-1.4\n%%EOF", "花名册.xlsx", "不是 Excel"),
            "截断": (xlsx([HEADER, full_row()])[:500], "花名册.xlsx", "损坏"),
            "无表头": (xlsx([["甲", "乙"], ["1", "2"]]), "花名册.xlsx", "表头"),
        }
        for label, (content, name, fragment) in cases.items():
            with self.subTest(label):
                before = self.state()
                self.assert_refused(self.post(content, name), before, fragment)

    def test_file_without_one_importable_row_refused_with_its_errors(self):
        before = self.state()
        r = self.post(xlsx([HEADER, ["=1+1", "男", "", "正式党员", "2001-07-01"],
                            full_row("王五", seq=3, id_number="110101198507120000")]))
        self.assert_refused(r, before, "没有可以导入的行")
        self.assertContains(r, 'id="preview-errors"', status_code=400)
        self.assertContains(r, "身份证", status_code=400)

    def test_header_only_file_refused(self):
        before = self.state()
        self.assert_refused(self.post(xlsx([HEADER])), before, "没有可导入的数据行")

    def test_unknown_headers_keep_the_file_for_mapping(self):
        r = self.post(xlsx([HEADER + ["政治面貌"], full_row(seq=1, id_number="1") + ["党员"]]))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'name="map_政治面貌"')
        self.assertEqual(ImportJob.objects.count(), 1)

    def test_large_file_checked_on_a_sample_before_the_background_job(self):
        with mock.patch.object(parse_module, "SYNC_MAX_ROWS", 3), mock.patch.object(views_import, "SAMPLE_ROWS", 2):
            before = self.state()
            bad = [HEADER] + [full_row(f"张{n}", seq=n, id_number="") for n in range(1, 6)]
            self.assert_refused(self.post(xlsx(bad)), before, "前 2 行")
            good = [HEADER] + [full_row(seq=n) for n in range(1, 6)]
            with self.captureOnCommitCallbacks(execute=True):
                r = self.post(xlsx(good))
        job = ImportJob.objects.get()
        self.assertRedirects(r, f"{self.url}&job={job.id}", fetch_redirect_response=False)
        job.refresh_from_db()  # the job ran at once (Huey immediate in tests): preview of the whole file
        self.assertEqual((job.state, job.report["counts"]["total"]), ("preview", 5))

    def test_missing_file_and_oversized_file(self):
        before = self.state()
        r = self.web_as(self.li).post(self.url, {})
        self.assert_refused(r, before, "请选择")
        with mock.patch.object(views_import, "MAX_BYTES", 100):
            self.assert_refused(self.post(xlsx([HEADER, full_row()])), before, "MB")

    def test_outsider_and_foreign_jobs_are_404(self):
        before = self.state()
        content = xlsx([HEADER, full_row(seq=1)])
        self.assertEqual(self.web_as(self.wang).get(self.url).status_code, 404)
        r = self.post(content, user=self.wang)
        self.assertEqual(r.status_code, 404)
        self.assertEqual(self.state(), before)
        self.post(content)
        job = ImportJob.objects.get()
        for data in ({"job": job.id, "confirm": "1"}, {"job": "x1", "confirm": "1"}):
            self.assertEqual(self.web_as(self.zhang).post(self.url, data).status_code, 404)  # not zhang's job
        self.assertEqual(self.web_as(self.wang).post(f"/members/import/?org={self.branch_two.id}",
                                                     {"job": job.id, "confirm": "1"}).status_code, 404)
        self.assertEqual(self.web_as(self.li).get(f"{self.url}&job={job.id + 99}").status_code, 404)
        self.assertFalse(Member.objects.exists())

    def test_anonymous_redirected_to_login(self):
        from django.test import Client

        r = Client().get(self.url)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login/", r["Location"])
