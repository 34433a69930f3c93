"""TOTP second factor for administrators (issue 14, item 5)."""
import base64

from django.test import Client, override_settings

from dangjian.accounts import totp
from dangjian.accounts.models import TotpDevice
from dangjian.core.models import AuditEvent
from dangjian.core.testing import PASSWORD, PersonaTestCase


class TotpAlgorithmTests(PersonaTestCase):
    def test_rfc6238_vectors(self):
        secret = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238 Appendix B, SHA-1
        for when, code in ((59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")):
            self.assertEqual(totp.totp(secret, when), code)

    def test_drift_replay_and_junk(self):
        secret = totp.random_secret()
        now = 1_700_000_000
        code = totp.totp(secret, now)
        step = totp.verify(secret, code, when=now)
        self.assertEqual(step, totp.step_at(now))
        self.assertEqual(totp.verify(secret, totp.totp(secret, now - 30), when=now), step - 1)  # one step of drift
        self.assertIsNone(totp.verify(secret, totp.totp(secret, now - 90), when=now))
        self.assertIsNone(totp.verify(secret, code, last_step=step, when=now))  # never twice
        for junk in ("", "12345", "abcdef", "1234567", None):
            self.assertIsNone(totp.verify(secret, junk, when=now))
        self.assertIn("otpauth://totp/", totp.provisioning_uri(secret, username="zhang"))


class TwoFactorLoginTests(PersonaTestCase):
    def _enrol(self, user):
        client = self.web_as(user)
        r = client.get("/accounts/2fa/")
        self.assertEqual(r.status_code, 200)
        secret = TotpDevice.objects.get(user=user).secret
        self.assertIn(secret, r.content.decode())
        r = client.post("/accounts/2fa/", {"code": "000000" if totp.totp(secret) != "000000" else "111111"})
        self.assertEqual(r.status_code, 400)
        self.assertIsNone(TotpDevice.objects.get(user=user).confirmed_at)
        r = client.post("/accounts/2fa/", {"code": totp.totp(secret)})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(verb="2fa.enable", actor=user).exists())
        TotpDevice.objects.filter(user=user).update(last_step=0)  # let the tests reuse the current step
        return secret

    def test_enrolled_admin_needs_the_code_after_the_password(self):
        secret = self._enrol(self.zhang)
        c = Client()
        r = c.post("/login/", {"username": "zhang", "password": PASSWORD})
        self.assertRedirects(r, "/accounts/2fa/verify/", fetch_redirect_response=False)
        self.assertEqual(c.get("/").status_code, 302)  # not logged in yet
        r = c.post("/accounts/2fa/verify/", {"code": "12"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("动态验证码", r.content.decode())
        r = c.post("/accounts/2fa/verify/", {"code": totp.totp(secret)})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(c.get("/").status_code, 200)

    def test_five_wrong_codes_end_the_pending_login(self):
        self._enrol(self.zhang)
        c = Client()
        c.post("/login/", {"username": "zhang", "password": PASSWORD})
        for _ in range(5):
            r = c.post("/accounts/2fa/verify/", {"code": "99999x"})
        r = c.post("/accounts/2fa/verify/", {"code": "999999"})
        self.assertRedirects(r, "/login/", fetch_redirect_response=False)
        self.assertEqual(c.get("/").status_code, 302)

    def test_api_token_needs_otp_for_enrolled_users_only(self):
        secret = self._enrol(self.zhang)
        api = self.api_as(None)
        r = api.post("/auth/token", {"username": "zhang", "password": PASSWORD})
        self.assertEqual(r.status_code, 401)
        self.assertIn("动态验证码", r.json()["detail"])
        r = api.post("/auth/token", {"username": "zhang", "password": PASSWORD, "otp": totp.totp(secret)})
        self.assertEqual(r.status_code, 200, r.content)
        r = api.post("/auth/token", {"username": "li", "password": PASSWORD})
        self.assertEqual(r.status_code, 200)

    def test_verify_page_without_a_pending_login_goes_to_login(self):
        self.assertRedirects(Client().get("/accounts/2fa/verify/"), "/login/", fetch_redirect_response=False)

    @override_settings(DANGJIAN_REQUIRE_ADMIN_2FA=True)
    def test_required_enrolment_gates_admins_but_not_secretaries(self):
        r = self.web_as(self.zhang).get("/")
        self.assertRedirects(r, "/accounts/2fa/", fetch_redirect_response=False)
        self.assertEqual(self.web_as(self.li).get("/").status_code, 200)
        self._enrol(self.zhang)
        self.assertEqual(self.web_as(self.zhang).get("/").status_code, 200)

    def test_secret_is_encrypted_at_rest(self):
        self._enrol(self.zhang)
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT secret FROM accounts_totpdevice")
            raw = cur.fetchone()[0]
        self.assertTrue(raw.startswith("v1:"))
