"""Two simultaneous payments of the same month record one (R-DUES-ONCE), on PostgreSQL with real threads.

SQLite serializes writers itself (IMMEDIATE transactions) and its in-memory test database cannot be shared
by threads, so there the unique constraint is exercised directly instead.
"""
import threading
import unittest
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.test import TransactionTestCase

from dangjian.core.errors import Conflict
from dangjian.core.testing import make_tree, make_user
from dangjian.dues import services
from dangjian.dues.models import DuesPayment, DuesPaymentMonth

from .helpers import make_member, ml


class SameMonthRaceTests(TransactionTestCase):
    def setUp(self):
        tree = make_tree()
        self.li = make_user("li", tree["branch_one"], "secretary")
        self.member = make_member(tree["branch_one"], "刘红梅", joined_on=date(2005, 3, 1))
        services.dues_base_set(actor=self.li, member=self.member, category="employed", income="4000",
                               effective_from=ml(-2))

    def test_unique_constraint_backs_the_rule(self):
        payment = services.dues_payment_record(actor=self.li, member=self.member, months=[ml(0)], amount="40.00",
                                               method="cash")
        with self.assertRaises(IntegrityError), transaction.atomic():
            DuesPaymentMonth.objects.create(payment=payment, member=self.member, month=payment.months.get().month,
                                            amount=payment.amount, generation=0)

    @unittest.skipUnless(connection.vendor == "postgresql", "threads need a server database")
    def test_two_simultaneous_payments_record_one(self):
        barrier = threading.Barrier(2)
        outcomes = []

        def pay():
            try:
                barrier.wait()
                services.dues_payment_record(actor=self.li, member=self.member, months=[ml(0)], amount="40.00",
                                             method="cash")
                outcomes.append("ok")
            except Conflict:
                outcomes.append("conflict")
            finally:
                connection.close()

        threads = [threading.Thread(target=pay) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(outcomes), ["conflict", "ok"])
        self.assertEqual(DuesPayment.objects.count(), 1)
        self.assertEqual(DuesPaymentMonth.objects.count(), 1)
