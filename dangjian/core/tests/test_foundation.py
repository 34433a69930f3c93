import os
import subprocess
import sys

from django.conf import settings
from django.db import transaction
from django.test import Client, TestCase

from dangjian.core.audit import audit
from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase


class AuditTransactionTests(PersonaTestCase):
    def test_audit_row_commits_with_the_change(self):
        from dangjian.orgs.services import org_create

        org = org_create(actor=self.zhang, parent=self.root, name="新支部", kind="branch")
        ev = AuditEvent.objects.get(verb="org.create", target_id=str(org.id))
        self.assertEqual(ev.actor, self.zhang)
        self.assertEqual(ev.org_path, org.path)
        self.assertEqual(ev.after["name"], "新支部")

    def test_audit_row_rolls_back_with_the_change(self):
        from dangjian.orgs.models import Org
        from dangjian.orgs.services import org_create

        before = AuditEvent.objects.count()
        try:
            with transaction.atomic():
                org_create(actor=self.zhang, parent=self.root, name="回滚支部", kind="branch")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        self.assertEqual(AuditEvent.objects.count(), before)
        self.assertFalse(Org.objects.filter(name="回滚支部").exists())

    def test_ip_recorded_from_request(self):
        c = self.api_as(self.zhang)
        c.client.defaults["REMOTE_ADDR"] = "10.1.2.3"
        r = c.post("/orgs", {"parent_id": self.root.id, "name": "带IP", "kind": "branch"})
        self.assertEqual(r.status_code, 201)
        self.assertEqual(AuditEvent.objects.get(verb="org.create", target_repr="带IP").ip, "10.1.2.3")

    def test_forwarded_for_trusted_only_for_our_proxies(self):
        from django.test import RequestFactory, override_settings

        from dangjian.core.middleware import client_ip_of

        req = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.9", REMOTE_ADDR="127.0.0.1")
        self.assertEqual(client_ip_of(req), "127.0.0.1")
        with override_settings(DANGJIAN_TRUSTED_PROXIES=1):
            self.assertEqual(client_ip_of(req), "10.0.0.9")  # the spoofed first hop is ignored

    def test_audit_without_target(self):
        ev = audit(actor=None, verb="system.job")
        self.assertEqual(ev.actor_name, "系统")


class HealthTests(TestCase):
    def test_healthz(self):
        r = Client().get("/healthz")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json(), {"status": "ok"})

    def test_favicon_points_at_our_icon(self):
        r = Client().get("/favicon.ico")
        self.assertEqual(r.status_code, 302)
        self.assertIn("portal/icon", r["Location"])

    def test_openapi_and_docs_load_no_other_host(self):
        r = Client().get("/api/v1/openapi.json")
        self.assertEqual(r.status_code, 200)
        paths = r.json()["paths"]
        for p in ["/api/v1/auth/token", "/api/v1/me", "/api/v1/orgs", "/api/v1/orgs/{org_id}",
                  "/api/v1/orgs/{org_id}/children", "/api/v1/users"]:
            self.assertIn(p, paths)
        html = Client().get("/api/v1/docs").content.decode()
        self.assertNotIn("cdn.", html)
        self.assertNotIn("https://", html.replace("https://swagger.io", ""))


def _settings_import(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DANGJIAN_"))}
    base.update(env)
    return subprocess.run([sys.executable, "-c", "import config.settings"], cwd=settings.BASE_DIR, env=base,
                          capture_output=True, text=True)


def test_production_refuses_default_secret_key():
    r = _settings_import({"DANGJIAN_ENV": "production"})
    assert r.returncode != 0
    assert "DJANGO_SECRET_KEY" in r.stderr


def test_production_refuses_debug_and_demo():
    good = {"DANGJIAN_ENV": "production", "DJANGO_SECRET_KEY": "k" * 40, "DANGJIAN_FIELD_KEY": "f" * 40}
    assert _settings_import(good).returncode == 0
    r = _settings_import({**good, "DJANGO_DEBUG": "1"})
    assert r.returncode != 0 and "DEBUG" in r.stderr
    r = _settings_import({**good, "DANGJIAN_DEMO": "1"})
    assert r.returncode != 0 and "演示" in r.stderr


class DemoAccountsTests(TestCase):
    def test_production_check_finds_demo_accounts(self):
        from django.contrib.auth import get_user_model

        from dangjian.core.checks import DEMO_PASSWORD, demo_accounts_present

        get_user_model().objects.create_user(username="zhang", password=DEMO_PASSWORD)
        self.assertEqual(demo_accounts_present(), ["zhang"])


class SeedDemoTests(TestCase):
    def test_seed_demo_is_idempotent_and_matches_seed_003(self):
        from django.core.management import call_command

        from dangjian.orgs.models import Org

        call_command("seed_demo", stdout=open(os.devnull, "w"))
        counts = (Org.objects.count(), AuditEvent.objects.count())
        call_command("seed_demo", stdout=open(os.devnull, "w"))
        self.assertEqual((Org.objects.count(), AuditEvent.objects.count()), counts)
        root = Org.get_root_nodes().get(name="中共中牟县刘集镇委员会")
        sub = Org.objects.in_subtree(root)
        self.assertEqual(sub.filter(kind="branch").count(), 25)
        from dangjian.members.models import Member

        # 893 党员 (seed 003), 313 of them under 绿博家苑; the recruitment demo then admits a few more through
        # its pipeline (they carry a recruitment file) and adds applicants who are not 党员 yet.
        party = Member.objects.filter(stage__in=["full", "probationary"], recruitment__isnull=True)
        self.assertEqual(party.filter(org__in=sub).count(), 893)
        lvbo = Org.objects.in_subtree(Org.objects.get(name="绿博家苑社区党委"))
        self.assertEqual(party.filter(org__in=lvbo).count(), 313)
        # Seed 001's 18 ranked villages live in a demo township of their own (草塔镇), not inside 刘集镇.
        caota = Org.get_root_nodes().get(name="中共诸暨市草塔镇委员会")
        self.assertEqual(Org.objects.in_subtree(caota).filter(kind="branch", unit__kind="village").count(), 18)
        self.assertEqual(sub.filter(kind="committee").count(), 5)  # 镇党委 + 1 企业党委 + 3 社区党委
        lb = Org.objects.get(name="绿博家苑社区党委")
        self.assertEqual(lb.get_children().filter(kind="branch").count(), 6)
