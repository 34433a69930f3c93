import re

from django.core.exceptions import ValidationError


class MixedCharactersValidator:
    """Strong passwords (等保 2.0): letters and digits together."""

    def validate(self, password, user=None):
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d|[^A-Za-z0-9]", password)):
            raise ValidationError("密码须同时包含字母和数字或符号", code="password_mixed")

    def get_help_text(self):
        return "密码须同时包含字母和数字或符号。"
