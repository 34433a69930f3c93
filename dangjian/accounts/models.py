import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from dangjian.core.fields import EncryptedCharField


class Role(models.Model):
    """A user's role at one org. Scope is that org's whole subtree (DESIGN rule 2)."""

    class Kind(models.TextChoices):
        ADMIN = "admin", "管理员"
        SECRETARY = "secretary", "书记"
        COMMITTEE_MEMBER = "committee_member", "支委委员"
        MEMBER = "member", "党员（自助）"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="roles")
    role = models.CharField("角色", max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "角色"
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="role_unique")]

    def __str__(self):
        return f"{self.user} @ {self.org}: {self.get_role_display()}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """Bearer token for the API. Only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(cls, user) -> tuple["ApiToken", str]:
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, key_hash=hash_token(raw),
            expires_at=timezone.now() + timezone.timedelta(days=settings.API_TOKEN_DAYS),
        )
        return token, raw


class TotpDevice(models.Model):
    """An administrator's TOTP authenticator (issue 14: 2FA for admins). The secret is SM4-encrypted at rest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    secret = EncryptedCharField("密钥")
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    last_step = models.BigIntegerField(default=0)  # the last accepted time step: a code is never used twice
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "双因素认证设备"

    def __str__(self):
        return f"{self.user} TOTP"
