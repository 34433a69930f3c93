"""The one append-only guard every ledger inherits (DESIGN rule 5)."""
from django.test import SimpleTestCase

from dangjian.care.models import FundLedger
from dangjian.core.ledger import AppendOnly
from dangjian.dues.models import DuesPayment, DuesPaymentMonth
from dangjian.points.models import PointEntry
from dangjian.recruitment.models import StepRecord
from dangjian.volunteers.models import HoursEntry

LEDGERS = [DuesPayment, DuesPaymentMonth, FundLedger, HoursEntry, PointEntry, StepRecord]


class AppendOnlyTests(SimpleTestCase):
    def test_every_ledger_inherits_the_guard(self):
        for model in LEDGERS:
            self.assertTrue(issubclass(model, AppendOnly), model)

    def test_written_rows_cannot_be_saved_or_deleted(self):
        for model in LEDGERS:
            row = model(pk=1)
            row._state.adding = False
            with self.assertRaisesMessage(TypeError, "只能追加"):
                row.save()
            with self.assertRaisesMessage(TypeError, "只能追加"):
                row.delete()
            with self.assertRaisesMessage(TypeError, "只能追加"):
                model.objects.filter(pk=1).update(pk=2)
            with self.assertRaisesMessage(TypeError, "只能追加"):
                model.objects.filter(pk=1).delete()

    def test_only_declared_decision_fields_may_change(self):
        entry = PointEntry(pk=1)
        entry._state.adding = False
        with self.assertRaisesMessage(TypeError, "只能追加"):
            entry.save(update_fields=["points"])
        with self.assertRaisesMessage(TypeError, "只能追加"):
            entry.save(update_fields=["status", "points"])
