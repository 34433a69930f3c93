"""Model fields backed by dangjian.core.crypto."""

from __future__ import annotations

from django import forms
from django.db import models

from dangjian.core.crypto import decrypt_text, encrypt_text


class EncryptedCharField(models.TextField):
    """A text value stored SM4-GCM encrypted (see dangjian.core.crypto); plaintext in Python.

    Every save makes a new ciphertext, so the database cannot compare values: only `__isnull`
    lookups are allowed, and exact lookup goes through a separate blind-index column
    (crypto.blind_index). Other lookups raise FieldError instead of silently matching nothing.
    None and "" are stored as they are.
    """

    description = "SM4 encrypted text"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        return None

    def formfield(self, **kwargs):
        # A one-line input, not TextField's textarea: the values are short (ID numbers).
        return super().formfield(**{"widget": forms.TextInput, **kwargs})
