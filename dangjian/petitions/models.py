"""诉求 / 建议 / 领导信箱 under 首问负责 (SLA steps with working-day deadlines), and 矛盾纠纷调解."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from dangjian.core.models import RegionFilled
from dangjian.orgs.models import Org

from . import rules


class Petition(RegionFilled, models.Model):
    """One resident's 诉求, 建议 or letter to the leaders' mailbox, in an org's queue."""

    class Kind(models.TextChoices):
        DEMAND = "demand", "诉求"
        SUGGESTION = "suggestion", "建议"
        LETTER = "letter", "领导信箱"

    class Channel(models.TextChoices):
        WECHAT = "wechat", "微信"
        QQ = "qq", "QQ"
        PHONE = "phone", "电话"
        VISIT = "visit", "走访/来访"
        MAILBOX = "mailbox", "领导信箱"
        WEB = "web", "网上提交"
        PORTAL = "portal", "居民门户"

    class State(models.TextChoices):
        NEW = "new", "待沟通"
        CONTACTED = "contacted", "已沟通"
        ACCEPTED = "accepted", "已受理"
        HANDLED = "handled", "已办理"
        CLOSED = "closed", "已办结"

    org = models.ForeignKey(Org, verbose_name="承办党组织", on_delete=models.PROTECT, related_name="petitions")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9
    kind = models.CharField("类别", max_length=12, choices=Kind.choices, default=Kind.DEMAND)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    category = models.CharField("事项分类", max_length=20, choices=rules.CATEGORIES, default="other")
    title = models.CharField("标题", max_length=rules.TITLE_MAX)
    content = models.TextField("内容", max_length=rules.CONTENT_MAX)
    submitter_name = models.CharField("反映人", max_length=50, blank=True)
    submitter_phone = models.CharField("联系电话", max_length=20, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    allow_public = models.BooleanField("同意公开答复", default=False)
    household = models.ForeignKey("visits.Household", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="petitions")
    visit_log = models.ForeignKey("visits.VisitLog", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="petitions")
    # Nationally unique through TrackingCode (the public lookup); unique per region here (Citus keys, rule 9).
    tracking_code = models.CharField("查询码", max_length=16)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.NEW, db_index=True)
    received_on = models.DateField("受理日期", db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="首问责任人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    contact_due = models.DateField("沟通时限")
    accept_due = models.DateField("受理时限")
    handle_due = models.DateField("办理时限")
    feedback_due = models.DateField("反馈时限")
    # The due date of the step now pending (None when closed): the overdue list is one indexed range.
    current_due = models.DateField(null=True, blank=True, db_index=True)
    resolved = models.BooleanField("已解决", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=rules.SATISFACTION, blank=True)
    public_reply = models.TextField("公开答复", max_length=2000, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "群众诉求"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["org", "state"], name="petition_org_state"),
                   models.Index(fields=["region_id", "received_on"], name="petition_region_date")]
        constraints = [models.UniqueConstraint(fields=["region_id", "tracking_code"], name="petition_region_code")]

    def __str__(self):
        return self.title

    @property
    def pending_step(self) -> str | None:
        return {self.State.NEW: "contact", self.State.CONTACTED: "accept", self.State.ACCEPTED: "handle",
                self.State.HANDLED: "feedback"}.get(self.state)

    def due_of(self, step: str):
        return getattr(self, f"{step}_due")

    @property
    def submitter_phone_masked(self) -> str:
        from dangjian.visits.rules import mask_phone

        return mask_phone(self.submitter_phone)


class TrackingCode(models.Model):
    """查询码 → petition: the national uniqueness of codes and the residents' lookup by code alone.

    A Citus reference table (small rows, replicated): Petition is distributed by region_id, so a code cannot be
    unique nor found by code alone there. petition_id is a plain column — reference tables cannot hold a foreign
    key to a distributed one; petitions are never deleted. Written with the petition in one transaction.
    """

    code = models.CharField(max_length=16, primary_key=True)
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    petition_id = models.BigIntegerField(unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "查询码"

    def __str__(self):
        return self.code

    @classmethod
    def for_petitions(cls, petitions) -> list["TrackingCode"]:
        return [cls(code=p.tracking_code, region_id=p.region_id, petition_id=p.pk) for p in petitions]


class PetitionStep(models.Model):
    """One 首问负责 step done (R-PET-SLA). Append-only: a step is recorded once, in order."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField("环节", max_length=10, choices=[(s, rules.STEP_LABELS[s]) for s in rules.STEPS])
    done_on = models.DateField("办理日期")
    due = models.DateField("时限")
    late = models.BooleanField("逾期", default=False)
    note = models.CharField("情况说明", max_length=rules.NOTE_MAX, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["petition_id", "id"]
        constraints = [models.UniqueConstraint(fields=["petition", "step"], name="petitionstep_once")]


class PetitionTransfer(models.Model):
    """转办: the case moves to another org's queue, with the reason."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="transfers")
    from_org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("转办原因", max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["petition_id", "id"]


class Escalation(models.Model):
    """A step whose deadline passed, raised to the upper org: once per petition and step (R-PET-ESCALATE)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="escalations")
    step = models.CharField(max_length=10)
    due = models.DateField()
    to_org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="petition_escalations")
    created_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["petition", "step"], name="escalation_once")]

    @property
    def step_label(self) -> str:
        return rules.STEP_LABELS.get(self.step, self.step)


SLA_LIMITS = [MaxValueValidator(rules.SLA_MAX_DAYS)]


class PetitionSettings(models.Model):
    """⚙ per committee (R-PET-SLA, R-PET-PUBLIC); the nearest ancestor's row applies to its subtree."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="petition_settings")
    contact_days = models.PositiveSmallIntegerField("沟通时限（工作日）", default=rules.DEFAULT_SLA.contact, validators=SLA_LIMITS)
    accept_days = models.PositiveSmallIntegerField("受理时限（工作日）", default=rules.DEFAULT_SLA.accept, validators=SLA_LIMITS)
    handle_days = models.PositiveSmallIntegerField("办理时限（工作日）", default=rules.DEFAULT_SLA.handle, validators=SLA_LIMITS)
    feedback_days = models.PositiveSmallIntegerField("反馈时限（工作日）", default=rules.DEFAULT_SLA.feedback, validators=SLA_LIMITS)
    public_per_hour = models.PositiveSmallIntegerField("同一 IP 每小时可提交次数", default=rules.PUBLIC_PER_HOUR,
                                                       validators=[MinValueValidator(1), MaxValueValidator(1000)])

    class Meta:
        verbose_name = verbose_name_plural = "诉求办理时限设置"

    @property
    def sla(self) -> rules.SlaDays:
        return rules.SlaDays(contact=self.contact_days, accept=self.accept_days, handle=self.handle_days,
                             feedback=self.feedback_days)


class Mediation(models.Model):
    """矛盾纠纷调解: parties, people involved, amount at stake, and the outcome (seed 004)."""

    class Outcome(models.TextChoices):
        ORAL = "oral", "口头协议"
        WRITTEN = "written", "书面协议"
        FAILED = "failed", "调解未成"

    org = models.ForeignKey(Org, verbose_name="调解组织", on_delete=models.PROTECT, related_name="mediations")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    title = models.CharField("纠纷事由", max_length=100)
    category = models.CharField("纠纷类别", max_length=20, choices=rules.CATEGORIES, default="neighbour")
    occurred_on = models.DateField("调解日期", db_index=True)
    parties = models.CharField("当事人", max_length=500, blank=True)
    parties_count = models.PositiveSmallIntegerField("当事方数", default=2)
    people_involved = models.PositiveIntegerField("涉及人数")
    amount = models.DecimalField("涉及金额（元）", max_digits=14, decimal_places=2, default=Decimal("0.00"))
    outcome = models.CharField("调解结果", max_length=10, choices=Outcome.choices)
    agreement = models.TextField("协议内容", max_length=4000, blank=True)
    mediator = models.CharField("调解人", max_length=100, blank=True)
    follow_up_on = models.DateField("回访日期", null=True, blank=True)
    follow_up_note = models.CharField("回访情况", max_length=500, blank=True)
    petition = models.ForeignKey(Petition, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="mediations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "矛盾纠纷调解"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["org", "occurred_on"], name="mediation_org_date")]

    def __str__(self):
        return self.title
