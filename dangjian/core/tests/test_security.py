"""Web hardening (issue 14, item 5): CSP, clickjacking, idle timeout, upload size, password policy, file serving."""
import re
import time

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.test import Client, override_settings

from dangjian.core.files import file_response, safe_content_type, safe_filename
from dangjian.core.security import IDLE_KEY
from dangjian.core.testing import PersonaTestCase


class HeadersTests(PersonaTestCase):
    def test_pages_carry_csp_with_a_fresh_nonce_and_frame_protection(self):
        client = self.web_as(self.li)
        first, second = client.get("/"), client.get("/")
        self.assertEqual(first.status_code, 200)
        csp = first["Content-Security-Policy"]
        self.assertIn("default-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertIn("object-src 'none'", csp)
        self.assertNotRegex(csp, r"https?://")  # no CDN anywhere in the policy
        nonce = re.search(r"'nonce-([\w-]+)'", csp).group(1)  # strict by default (dangjian/core/tests/test_csp.py)
        self.assertNotIn("unsafe-inline", csp.split("script-src")[1].split(";")[0])
        self.assertNotIn("Content-Security-Policy-Report-Only", first)
        self.assertIn(f'nonce="{nonce}"', first.content.decode())  # base.html's scripts carry it
        self.assertNotIn(nonce, second["Content-Security-Policy"])
        self.assertEqual(first["X-Frame-Options"], "DENY")
        self.assertEqual(first["X-Content-Type-Options"], "nosniff")
        self.assertEqual(first["Referrer-Policy"], "same-origin")

    @override_settings(CSP_STRICT_SCRIPTS=False)
    def test_switch_back_mode_reports_the_strict_policy(self):
        r = self.web_as(self.li).get("/")
        self.assertIn("'unsafe-inline'", r["Content-Security-Policy"].split("script-src")[1].split(";")[0])
        self.assertRegex(r["Content-Security-Policy-Report-Only"], r"script-src 'self' 'nonce-[\w-]+'")

    def test_login_page_and_api_are_covered_too(self):
        self.assertIn("default-src 'self'", Client().get("/login/")["Content-Security-Policy"])
        self.assertIn("default-src 'self'", self.api_as(self.li).get("/me")["Content-Security-Policy"])

    def test_no_page_loads_anything_from_another_host(self):
        body = self.web_as(self.zhang).get("/").content.decode()
        self.assertFalse(re.findall(r'(?:src|href)="(?:https?:)?//', body))


class IdleTimeoutTests(PersonaTestCase):
    @override_settings(SESSION_IDLE_TIMEOUT=600)
    def test_session_ends_after_idle_timeout_and_not_before(self):
        client = self.web_as(self.li)
        self.assertEqual(client.get("/").status_code, 200)
        session = client.session
        session[IDLE_KEY] = int(time.time()) - 599
        session.save()
        self.assertEqual(client.get("/").status_code, 200)  # 599 s idle: still in
        session = client.session
        session[IDLE_KEY] = int(time.time()) - 601
        session.save()
        r = client.get("/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login/", r["Location"])
        self.assertNotIn("_auth_user_id", client.session)


class UploadLimitTests(PersonaTestCase):
    @override_settings(DANGJIAN_MAX_REQUEST_BYTES=1024 * 1024)
    def test_oversized_body_is_413_with_a_chinese_message(self):
        big = ContentFile(b"x" * (1024 * 1024 + 10), name="big.xlsx")
        r = self.web_as(self.li).post(f"/members/import/?org={self.branch_one.id}", {"file": big})
        self.assertEqual(r.status_code, 413)
        self.assertIn("上传内容过大", r.content.decode())
        api = self.api_as(self.li)
        r = api.client.post(f"/api/v1/members/import?org={self.branch_one.id}", {"file": ContentFile(
            b"x" * (1024 * 1024 + 10), name="big.xlsx")}, **api.headers)
        self.assertEqual(r.status_code, 413)
        self.assertIn("上传内容过大", r.json()["detail"])


class PasswordPolicyTests(PersonaTestCase):
    def test_length_and_complexity_in_chinese(self):
        for weak in ("Ab1", "abcdefghijk", "12345678901", "password123"):
            with self.assertRaises(ValidationError) as ctx:
                validate_password(weak)
            self.assertTrue(all(re.search(r"[\u4e00-\u9fff]", m) for m in ctx.exception.messages), ctx.exception.messages)
        with self.assertRaises(ValidationError) as ctx:
            validate_password("Ab1-short")
        self.assertTrue(any("10" in m for m in ctx.exception.messages))
        validate_password("Dangjian-2024-ok")  # long enough, letters and digits: accepted


class FileResponseTests(PersonaTestCase):
    def _stored(self, name, content):
        path = default_storage.save(f"tests/{name}", ContentFile(content))
        self.addCleanup(default_storage.delete, path)
        from dangjian.meetings.models import MeetingAttachment  # any model with a FileField

        return FieldFile(MeetingAttachment(), MeetingAttachment._meta.get_field("file"), path)

    def test_always_an_attachment_nosniff_and_safe_type(self):
        cases = {"photo.jpg": "image/jpeg", "page.html": "application/octet-stream",
                 "x.svg": "application/octet-stream", "a.js": "application/octet-stream",
                 "report.pdf": "application/pdf", "noext": "application/octet-stream"}
        for name, ctype in cases.items():
            r = file_response(self._stored(name, b"<script>alert(1)</script>"), filename=name)
            self.assertTrue(r["Content-Disposition"].startswith("attachment"), name)
            self.assertEqual(r["Content-Type"], ctype, name)
            self.assertEqual(r["X-Content-Type-Options"], "nosniff")
            self.assertIn("sandbox", r["Content-Security-Policy"])
            r.close()

    def test_chinese_and_hostile_names(self):
        r = file_response(self._stored("a.pdf", b"%PDF-1.4"), filename="../../会议记录\r\n\".pdf")
        self.assertIn("filename*=utf-8''", r["Content-Disposition"].lower())
        self.assertNotIn("\n", r["Content-Disposition"])
        self.assertNotIn("..", r["Content-Disposition"].split("''")[-1].replace("%2E", "."))
        r.close()
        self.assertEqual(safe_filename("../../etc/passwd"), "passwd")
        self.assertEqual(safe_filename(""), "download")
        self.assertEqual(safe_content_type("X.PNG"), "image/png")

    def test_missing_file_is_404(self):
        from dangjian.meetings.models import MeetingAttachment

        with self.assertRaises(Http404):
            file_response(FieldFile(MeetingAttachment(), MeetingAttachment._meta.get_field("file"), ""), filename="x")
        with self.assertRaises(Http404):
            file_response(FieldFile(MeetingAttachment(), MeetingAttachment._meta.get_field("file"), "no/such.pdf"),
                          filename="x.pdf")


class DownloadResponseTests(PersonaTestCase):
    """Generated exports and PDFs: one helper builds their headers (it was hand-written in 9 views)."""

    def test_attachment_with_utf8_name_and_no_cache(self):
        from dangjian.core.files import download_response

        r = download_response(b"x", filename="绿博家苑/党员\r\n花名册.xlsx", content_type="application/x-test")
        self.assertEqual(r["Content-Type"], "application/x-test")
        self.assertTrue(r["Content-Disposition"].startswith("attachment; filename*=UTF-8''"))
        self.assertNotIn("\n", r["Content-Disposition"])
        from urllib.parse import unquote

        name = unquote(r["Content-Disposition"].split("''")[-1])
        self.assertTrue(name.endswith("花名册.xlsx"), name)
        self.assertNotIn("/", name)
        self.assertEqual(r["Cache-Control"], "private, no-store")
        self.assertEqual(r["X-Content-Type-Options"], "nosniff")

    def test_pdf_opens_inline_and_renders_chinese(self):
        from dangjian.core.files import pdf_response

        r = pdf_response("<html><body><p>党员花名册</p></body></html>", filename="花名册.pdf")
        self.assertTrue(r["Content-Disposition"].startswith("inline; filename*=UTF-8''"))
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertTrue(r.content.startswith(b"%PDF-"))
