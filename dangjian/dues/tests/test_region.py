"""region_id (DESIGN rule 9, issue 13) on every dues row the services write, and the Citus-valid unique keys
still refuse a month paid twice and a payment reversed twice."""
from django.db import IntegrityError, transaction

from dangjian.core.errors import Conflict
from dangjian.dues import services
from dangjian.dues.models import DuesPayment, DuesPaymentMonth, DuesProfile

from .test_services import DuesServiceTestCase


class RegionTests(DuesServiceTestCase):
    def test_services_fill_region_id(self):
        region = self.branch_one.region_id
        self.assertIsNotNone(region)
        profile = self.base(self.liu)
        payment = self.pay(self.liu, ["2026-06", "2026-07"])
        reversal = services.dues_payment_reverse(actor=self.li, payment=payment, reason="金额登记错误")
        profile.refresh_from_db()
        self.assertEqual(profile.region_id, region)
        self.assertEqual({payment.region_id, reversal.region_id}, {region})
        self.assertEqual(set(DuesPaymentMonth.objects.values_list("region_id", flat=True)), {region})
        self.assertEqual(payment.reversal, reversal)
        self.assertEqual(list(payment.reversed_by.all()), [reversal])
        with self.assertRaises(Conflict):
            services.dues_payment_reverse(actor=self.li, payment=payment, reason="再次冲销")
        self.assertEqual(DuesPayment.objects.filter(reverses=payment).count(), 1)

    def test_unique_keys_hold_with_the_region(self):
        self.base(self.liu)
        payment = self.pay(self.liu, ["2026-06"])
        month = DuesPaymentMonth.objects.get(payment=payment)
        with self.assertRaises(IntegrityError), transaction.atomic():
            DuesPaymentMonth.objects.create(payment=payment, member=self.liu, region_id=month.region_id,
                                            month=month.month, amount=month.amount)
        with self.assertRaises(IntegrityError), transaction.atomic():
            DuesProfile.objects.create(member=self.liu, year=2026, effective_from=DuesProfile.objects.get(
                member=self.liu).effective_from, category="employed", monthly_amount=1)
        reversal = services.dues_payment_reverse(actor=self.li, payment=payment, reason="登记错误")
        with self.assertRaises(IntegrityError), transaction.atomic():
            DuesPayment.objects.create(member=self.liu, org=self.branch_one, region_id=reversal.region_id,
                                       kind="reversal", paid_on=reversal.paid_on, method="cash", amount=0,
                                       reverses=payment)
