"""The demo seeds run, write consistent data and are idempotent."""
from datetime import date

from django.test import TestCase

from dangjian.care import demo as care_demo
from dangjian.care.models import Fund, Relief
from dangjian.core.demo import seed_orgs
from dangjian.dues import demo as dues_demo
from dangjian.dues import selectors
from dangjian.dues.models import DuesBill, DuesPayment, DuesPaymentMonth, DuesProfile

from .helpers import make_member


class DemoTests(TestCase):
    def test_seeds_are_idempotent_and_consistent(self):
        ctx = seed_orgs()
        branch = ctx.orgs["绿博家苑第一党支部"]
        for i in range(40):
            make_member(branch, f"党员{i:02d}", joined_on=date(1960 + i, 3, 1 + i % 27), is_retired=i % 3 == 0,
                        in_hardship=i % 7 == 0, birth_date=date(1940 + i, 1 + i % 12, 1 + i % 28))
        dues_demo.seed(ctx)
        care_demo.seed(ctx)
        counts = (DuesProfile.objects.count(), DuesPayment.objects.count(), Relief.objects.count(),
                  DuesBill.objects.count())
        # the demo's payments settle stored bills: every ledger month points at its bill, marked paid
        self.assertFalse(DuesPaymentMonth.objects.filter(bill__isnull=True).exists())
        self.assertEqual(DuesBill.objects.filter(state="paid").count(), DuesPaymentMonth.objects.count())
        self.assertTrue(DuesBill.objects.filter(state="open").exists())
        self.assertEqual(DuesProfile.objects.values("member").distinct().count(), 40)
        self.assertGreater(counts[1], 100)
        self.assertEqual(counts[2], 8)
        self.assertEqual(sum(r.amount for r in Relief.objects.all()), 35000)
        dues_demo.seed(ctx)
        care_demo.seed(ctx)
        self.assertEqual((DuesProfile.objects.count(), DuesPayment.objects.count(), Relief.objects.count(),
                          DuesBill.objects.count()), counts)
        rows, total = selectors.dues_report(actor=ctx.users["zhang"], org=ctx.root, year=date.today().year)
        self.assertEqual(total.outstanding, total.due - total.paid)
        self.assertTrue(all(f.balance >= 0 for f in Fund.objects.all()))
