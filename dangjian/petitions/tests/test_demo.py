"""The demo reproduces seed 004's figures (柳园镇, 2016), computed from rows, and is idempotent."""
from datetime import date
from decimal import Decimal
from importlib import import_module

from django.test import TestCase

from dangjian.core.demo import seed_orgs
from dangjian.core.models import AuditEvent
from dangjian.petitions.models import Escalation, Mediation, Petition
from dangjian.petitions.selectors import service_figures
from dangjian.visits.models import Household, VisitLog


class DemoFiguresTests(TestCase):
    def seed(self):
        ctx = seed_orgs()
        for app in ("members", "visits", "petitions"):
            import_module(f"dangjian.{app}.demo").seed(ctx)
        return ctx

    def test_seed_004_figures_and_idempotence(self):
        ctx = self.seed()
        f = service_figures(actor=ctx.users["zhang"], org=ctx.root, start=date(2016, 1, 1), end=date(2016, 12, 31))
        self.assertEqual((f["visits"], f["visit_logs"]), (50, 80))
        self.assertEqual((f["suggestions_received"], f["suggestions_resolved"]), (102, 98))
        self.assertEqual((f["mediations"], f["oral_agreements"], f["written_agreements"]), (180, 23, 157))
        self.assertEqual((f["people_involved"], f["amount_involved"]), (492, Decimal("1100000.00")))
        self.assertEqual(Household.objects.filter(org__name__startswith="绿博家苑").count(), 120)
        live = Petition.objects.filter(received_on__year__gte=2020)
        self.assertTrue(live.filter(state="closed").exists() and live.exclude(state="closed").exists())
        self.assertTrue(Escalation.objects.exists())  # some of the live queue is overdue
        counts = (Household.objects.count(), VisitLog.objects.count(), Petition.objects.count(),
                  Mediation.objects.count(), AuditEvent.objects.count())
        self.seed()
        self.assertEqual((Household.objects.count(), VisitLog.objects.count(), Petition.objects.count(),
                          Mediation.objects.count(), AuditEvent.objects.count()), counts)
