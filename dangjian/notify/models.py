from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One message to one user: the in-app inbox row, and the parent of its deliveries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # DESIGN rule 9: the region of the org the notice concerns, else of the user's member org (core.audit.region_of).
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    kind = models.CharField("类型", max_length=50, db_index=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    # Idempotency: the same reminder for the same event reaches a user once.
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
        constraints = [models.UniqueConstraint(fields=["region_id", "user", "dedupe_key"],
                                               condition=~models.Q(dedupe_key=""), name="notification_dedupe")]


class Delivery(models.Model):
    """One attempt-tracked send of a notification through an outside channel."""

    class Channel(models.TextChoices):
        EMAIL = "email", "邮件"
        SMS = "sms", "短信"
        WEBHOOK = "webhook", "企业微信/钉钉群机器人"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "失败"
        SKIPPED = "skipped", "未发送"

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=300)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Preference(models.Model):
    """A user's channels and quiet hours (no SMS at night)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference")
    email = models.EmailField("邮箱", blank=True)
    phone = models.CharField("手机", max_length=11, blank=True)
    use_email = models.BooleanField("邮件提醒", default=False)
    use_sms = models.BooleanField("短信提醒", default=False)
    quiet_from = models.TimeField("免打扰开始", null=True, blank=True)
    quiet_to = models.TimeField("免打扰结束", null=True, blank=True)


class Webhook(models.Model):
    """A WeCom / DingTalk group robot of an org: reminders for the org also go to its group."""

    class Kind(models.TextChoices):
        WECOM = "wecom", "企业微信"
        DINGTALK = "dingtalk", "钉钉"

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="webhooks")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    url = models.URLField("机器人地址", max_length=300)
    is_active = models.BooleanField(default=True)
