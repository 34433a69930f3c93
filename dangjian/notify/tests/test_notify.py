import json
import threading
from datetime import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from django.core import mail
from django.test import override_settings

from dangjian.core.testing import ApiClient, PersonaTestCase
from dangjian.notify import services
from dangjian.notify.backends import ConsoleSms
from dangjian.notify.models import Delivery, Notification, Preference, Webhook


class RobotServer:
    """A local stand-in for a WeCom/DingTalk robot: records posts, answers with errcode."""

    def __init__(self, errcode=0):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                body = json.dumps({"errcode": errcode, "errmsg": "ok" if errcode == 0 else "bad"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/robot"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
class NotifyTests(PersonaTestCase):
    def send(self, **kw):
        with self.captureOnCommitCallbacks(execute=True):
            return services.notify(**{"users": [self.li], "kind": "test", "title": "主题党日提醒", "body": "本周五下午三点",
                                      **kw})

    def test_inbox_and_dedupe(self):
        self.send(dedupe_key="meeting:1")
        self.send(dedupe_key="meeting:1")
        self.assertEqual(Notification.objects.filter(user=self.li).count(), 1)
        self.assertEqual(services.unread_count(actor=self.li), 1)
        r = self.web_as(self.li).get("/")
        self.assertContains(r, 'id="inbox-link"')

    def test_email_and_console_sms(self):
        ConsoleSms.outbox.clear()
        Preference.objects.create(user=self.li, email="li@example.cn", use_email=True, phone="13800138000", use_sms=True)
        self.send()
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].subject, "主题党日提醒")
        self.assertEqual(ConsoleSms.outbox[-1][0], "13800138000")
        self.assertEqual(set(Delivery.objects.values_list("state", flat=True)), {"sent"})

    def test_sms_rate_limit(self):
        Preference.objects.create(user=self.li, phone="13800138000", use_sms=True)
        for _ in range(services.SMS_PER_USER_PER_DAY + 2):
            self.send()
        states = list(Delivery.objects.filter(channel="sms").values_list("state", flat=True))
        self.assertEqual(states.count("sent"), services.SMS_PER_USER_PER_DAY)
        self.assertEqual(states.count("skipped"), 2)

    def test_quiet_hours_span_midnight(self):
        pref = Preference(quiet_from=time(22, 0), quiet_to=time(7, 0))
        self.assertTrue(services.in_quiet_hours(pref, time(23, 30)))
        self.assertTrue(services.in_quiet_hours(pref, time(6, 59)))
        self.assertFalse(services.in_quiet_hours(pref, time(7, 0)))
        self.assertFalse(services.in_quiet_hours(Preference(), time(3, 0)))

    def test_webhook_against_local_robot(self):
        robot = RobotServer()
        try:
            Webhook.objects.create(org=self.branch_one, kind="wecom", url=robot.url)
            self.send(org=self.branch_one)
            self.assertEqual(robot.received[0]["msgtype"], "text")
            self.assertIn("主题党日提醒", robot.received[0]["text"]["content"])
            self.assertEqual(Delivery.objects.get(channel="webhook").state, "sent")
        finally:
            robot.close()

    def test_webhook_error_is_logged_and_retried(self):
        robot = RobotServer(errcode=93000)
        try:
            Webhook.objects.create(org=self.branch_one, kind="dingtalk", url=robot.url)
            self.send(org=self.branch_one)
            d = Delivery.objects.get(channel="webhook")
            self.assertIn("93000", d.last_error)
            self.assertGreaterEqual(d.attempts, 1)
        finally:
            robot.close()

    def test_unreachable_webhook_does_not_break_sender(self):
        Webhook.objects.create(org=self.branch_one, kind="wecom", url="http://127.0.0.1:9/none")
        notes = self.send(org=self.branch_one)
        self.assertEqual(len(notes), 1)
        self.assertTrue(Delivery.objects.get(channel="webhook").last_error)

    def test_api_and_pages_are_per_user(self):
        note = self.send()[0]
        self.assertEqual(self.api_as(self.wang).post(f"/notifications/{note.id}/read").status_code, 404)
        self.assertEqual(self.api_as(self.wang).get("/notifications").json()["count"], 0)
        self.assertEqual(self.web_as(self.wang).post(f"/notify/{note.id}/read/").status_code, 404)
        r = self.api_as(self.li).get("/notifications/unread-count")
        self.assertEqual(r.json(), {"unread": 1})
        self.assertEqual(self.api_as(self.li).post(f"/notifications/{note.id}/read").json(), {"unread": 0})
        self.assertEqual(ApiClient().get("/notifications").status_code, 401)

    def test_preferences_bad_input(self):
        c = self.web_as(self.li)
        r = c.post("/notify/preferences/", {"phone": "123", "use_sms": "on"})
        self.assertContains(r, "手机号码")
        r = c.post("/notify/preferences/", {"use_email": "on"})
        self.assertContains(r, "邮箱")
        self.assertFalse(Preference.objects.filter(user=self.li, use_sms=True).exists())
        r = c.post("/notify/preferences/", {"phone": "13800138000", "use_sms": "on"})
        self.assertEqual(r.status_code, 302)

    def test_empty_title_refused(self):
        from dangjian.core.errors import DomainError

        with self.assertRaises(DomainError):
            services.notify(users=[self.li], kind="x", title="  ")
