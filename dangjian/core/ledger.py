"""Append-only ledgers (DESIGN rule 5): rows are written once; a correction is a reversing row.

Every ledger model (dues payments, fund entries, volunteer hours, points entries) inherits AppendOnly instead of
guarding itself. The guard covers the ORM paths a colleague would reach for — instance save/delete and queryset
update/delete; database cascades and raw SQL are not ledgers' business (the FKs into a ledger are PROTECT).
"""
from django.db import models

EDIT_REFUSED = "台账只能追加，不能修改；更正请登记冲销记录"
DELETE_REFUSED = "台账只能追加，不能删除；更正请登记冲销记录"


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(EDIT_REFUSED)

    def delete(self):
        raise TypeError(DELETE_REFUSED)


class AppendOnly(models.Model):
    # Fields a later decision may still set on a written row (e.g. a pending entry's review status), saved with
    # save(update_fields=[...]) naming only these. Everything else is written once.
    MUTABLE_FIELDS: frozenset[str] = frozenset()

    objects = LedgerQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            fields = kwargs.get("update_fields")
            if not fields or not set(fields) <= self.MUTABLE_FIELDS:
                raise TypeError(EDIT_REFUSED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(DELETE_REFUSED)
