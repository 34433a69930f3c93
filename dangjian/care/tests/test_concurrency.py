"""Two simultaneous disbursements that together would overdraw: one is refused (R-FUND-BALANCE).

PostgreSQL with real threads (row lock on the fund); on SQLite the database check constraint and the
per-fund unique sequence are exercised directly.
"""
import threading
import unittest
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.test import TransactionTestCase

from dangjian.care import services
from dangjian.care.models import Fund, FundLedger
from dangjian.core.errors import DomainError
from dangjian.core.testing import make_tree, make_user


class OverdrawRaceTests(TransactionTestCase):
    def setUp(self):
        tree = make_tree()
        self.li = make_user("li", tree["branch_one"], "secretary")
        self.fund = Fund.objects.create(org=tree["branch_one"], name="帮扶基金", kind="assistance")
        services.fund_income(actor=self.li, fund=self.fund, amount="1000", purpose="拨付")

    def test_sequence_is_unique_per_fund(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            FundLedger.objects.create(fund=self.fund, seq=1, kind="income", category="other", amount=Decimal("1"),
                                      balance_after=Decimal("1001"), entry_on=date.today(), purpose="x")

    @unittest.skipUnless(connection.vendor == "postgresql", "threads need a server database")
    def test_simultaneous_disbursements_never_overdraw(self):
        barrier = threading.Barrier(2)
        outcomes = []

        def spend():
            try:
                barrier.wait()
                services.fund_disburse(actor=self.li, fund=Fund.objects.get(pk=self.fund.pk), amount="600",
                                       purpose="救助")
                outcomes.append("ok")
            except DomainError as exc:
                outcomes.append(exc.rule)
            finally:
                connection.close()

        threads = [threading.Thread(target=spend) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(outcomes), ["R-FUND-BALANCE", "ok"])
        self.assertEqual(Fund.objects.get(pk=self.fund.pk).balance, Decimal("400.00"))
        self.assertEqual(list(FundLedger.objects.order_by("seq").values_list("balance_after", flat=True)),
                         [Decimal("1000.00"), Decimal("400.00")])
