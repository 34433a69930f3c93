import re

from django.core.exceptions import ValidationError


class MixedCharactersValidator:
    """Strong passwords (等保 2.0): letters and digits together."""

    def validate(self, password, user=None):
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d|[^A-Za-z0-9]", password)):
            raise ValidationError("密码须同时包含字母和数字或符号", code="password_mixed")

    def get_help_text(self):
        return "密码须同时包含字母和数字或符号。"


# Django's own validators, with their messages in Chinese whatever language is active (等保 2.0 密码复杂度).
from django.contrib.auth import password_validation as _pv  # noqa: E402


class MinimumLengthValidator(_pv.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短，至少需要 {self.min_length} 个字符", code="password_too_short")

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"


class CommonPasswordValidator(_pv.CommonPasswordValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError("密码过于常见，请换一个", code="password_too_common") from None

    def get_help_text(self):
        return "不能使用常见密码。"


class NumericPasswordValidator(_pv.NumericPasswordValidator):
    def validate(self, password, user=None):
        if password.isdigit():
            raise ValidationError("密码不能全部为数字", code="password_entirely_numeric")

    def get_help_text(self):
        return "密码不能全部为数字。"


class UserAttributeSimilarityValidator(_pv.UserAttributeSimilarityValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError("密码与用户名或姓名过于相似", code="password_too_similar") from None

    def get_help_text(self):
        return "密码不能与用户名或姓名相似。"
