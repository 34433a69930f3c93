"""党员积分: the rule catalog (versioned, inherited down the tree), the append-only ledger, the
先锋指数 scheme of a committee, and the quarterly 公示 with objections."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.ledger import AppendOnly
from dangjian.core.models import RegionFilled
from dangjian.members.models import Member
from dangjian.orgs.models import Org

from . import rules


class Category(models.TextChoices):
    POLITICAL = "political", "政治素质"
    ORG_LIFE = "org_life", "组织生活"
    DUTY = "duty", "履职尽责"
    SERVICE = "service", "服务群众"
    DISCIPLINE = "discipline", "遵规守纪"
    OTHER = "other", "其他"


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", "季度"
    MONTH = "month", "月度"
    YEAR = "year", "年度"


class PointScheme(models.Model):
    """A committee's 先锋指数 formula and calendar (⚙). Orgs below use the nearest ancestor's scheme."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="point_scheme")
    base = models.DecimalField("基础分", max_digits=7, decimal_places=2, default=rules.DEFAULT_BASE)
    period_kind = models.CharField("考评周期", max_length=10, choices=PeriodKind.choices,
                                   default=rules.DEFAULT_PERIOD_KIND)
    objection_days = models.PositiveSmallIntegerField("公示期（工作日）", default=rules.DEFAULT_OBJECTION_DAYS)
    warn_below = models.DecimalField("预警分数线", max_digits=7, decimal_places=2, default=rules.DEFAULT_WARN_BELOW)
    unqualified_below = models.DecimalField("不合格分数线", max_digits=7, decimal_places=2,
                                            default=rules.DEFAULT_UNQUALIFIED_BELOW)
    # [[minimum score, stars], ...] highest first (R-POINTS-STAR).
    star_thresholds = models.JSONField("星级门槛", default=list, blank=True)
    # {category: weight}; a missing category weighs 1 (R-POINTS-INDEX).
    category_weights = models.JSONField("类别权重", default=dict, blank=True)
    note = models.CharField("计分说明", max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "先锋指数方案"

    def __str__(self):
        return f"{self.org} 先锋指数方案"

    def stars(self) -> list[tuple]:
        return rules.normalize_stars(self.star_thresholds) if self.star_thresholds else rules.DEFAULT_STARS

    def weight(self, category: str):
        from decimal import Decimal

        return Decimal(str(self.category_weights.get(category, 1)))


class PointRule(models.Model):
    """积分标准: a code defined at an org (a committee), or a lower org's override of an inherited code.

    The content lives in versions; a change adds a version from a date and never touches past entries.
    """

    class Subject(models.TextChoices):
        MEMBER = "member", "党员"
        ORG = "org", "党组织"

    org = models.ForeignKey(Org, verbose_name="制定组织", on_delete=models.PROTECT, related_name="point_rules")
    code = models.CharField("编码", max_length=30)
    subject = models.CharField("计分对象", max_length=10, choices=Subject.choices, default=Subject.MEMBER)
    overrides = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="overridden_by",
                                  verbose_name="调整的上级标准")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "积分标准"
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="pointrule_unique_code_per_org")]
        indexes = [models.Index(fields=["code", "org"], name="pointrule_code_org")]

    def __str__(self):
        return f"{self.code}@{self.org_id}"


class PointRuleVersion(models.Model):
    """One version of a rule, in force on [valid_from, valid_to). Immutable except closing valid_to."""

    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本")
    name = models.CharField("名称", max_length=100)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    points = models.DecimalField("分值", max_digits=7, decimal_places=2)
    evidence_required = models.BooleanField("须提供证明材料", default=False)
    self_report_allowed = models.BooleanField("党员可自行申报", default=False)
    requires_approval = models.BooleanField("录入后须审核", default=False)
    cap_per_period = models.DecimalField("每期上限", max_digits=7, decimal_places=2, null=True, blank=True)
    overridable = models.BooleanField("下级可调整", default=False)
    override_min = models.DecimalField("调整下限", max_digits=7, decimal_places=2, null=True, blank=True)
    override_max = models.DecimalField("调整上限", max_digits=7, decimal_places=2, null=True, blank=True)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)  # exclusive; None = still in force
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "积分标准版本"
        ordering = ["rule_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="pointruleversion_unique"),
            models.CheckConstraint(condition=~Q(points=0), name="pointruleversion_points_nonzero"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                                   name="pointruleversion_valid_range"),
        ]

    def __str__(self):
        return f"{self.name}（v{self.version}）"

    @property
    def kind_label(self) -> str:
        return "加分" if self.points > 0 else "扣分"

    def in_force(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class PointEntry(RegionFilled, AppendOnly):
    """One line of the 积分台账. Append-only: never edited or deleted; a correction is a reversing entry.

    Only the review fields (status, decided_*) change, once, from pending to approved or rejected.
    """

    MUTABLE_FIELDS = frozenset({"status", "decided_by", "decided_at", "decision_note"})

    class Source(models.TextChoices):
        MANUAL = "manual", "录入"
        SELF_REPORT = "self_report", "党员申报"
        AUTOMATIC = "automatic", "系统自动"

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已生效"
        REJECTED = "rejected", "未通过"

    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="point_entries")
    # The member's org when recorded (the org itself for an org-subject rule): the ledger's home.
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="point_entries")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9
    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, related_name="entries")
    rule_version = models.ForeignKey(PointRuleVersion, on_delete=models.PROTECT, related_name="entries")
    rule_code = models.CharField("标准编码", max_length=30)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    points = models.DecimalField("分值", max_digits=7, decimal_places=2)
    occurred_on = models.DateField("发生日期")
    period = models.CharField("考评周期", max_length=10)
    source = models.CharField("来源", max_length=12, choices=Source.choices, default=Source.MANUAL)
    source_app = models.CharField("来源模块", max_length=40, blank=True, default="")
    source_event_id = models.CharField("来源事件", max_length=64, blank=True, default="")
    evidence = models.FileField("证明材料", upload_to="points/evidence/%Y/%m/", blank=True)
    note = models.CharField("事由", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    # One reversal per entry: UniqueConstraint(region_id, reverses) below, not a OneToOne (Citus keys need
    # the distribution column; a reversal always lives in its entry's region).
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="reversed_by", verbose_name="冲正的记录")
    reason = models.CharField("冲正原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="审核人")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "积分记录"
        ordering = ["-occurred_on", "-id"]
        constraints = [
            # One entry per event of another app: automatic awards are idempotent.
            models.UniqueConstraint(fields=["region_id", "source_app", "source_event_id"],
                                    condition=~Q(source_event_id=""), name="pointentry_unique_source_event"),
            models.UniqueConstraint(fields=["region_id", "reverses"], name="pointentry_reversed_once"),
            models.CheckConstraint(condition=~Q(points=0), name="pointentry_points_nonzero"),
        ]
        indexes = [
            models.Index(fields=["member", "occurred_on"], name="pointentry_member_date"),
            models.Index(fields=["org", "occurred_on"], name="pointentry_org_date"),
            models.Index(fields=["member", "rule_code", "period"], name="pointentry_cap"),
            models.Index(fields=["status", "org"], name="pointentry_status_org"),
        ]

    def __str__(self):
        who = self.member.name if self.member_id else self.org.name
        return f"{who} {self.points:+} {self.rule_code} {self.occurred_on}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def created_by_name(self) -> str:
        u = self.created_by
        return (u.get_full_name() or u.username) if u is not None else "系统"

    @property
    def decided_by_name(self) -> str:
        u = self.decided_by
        return (u.get_full_name() or u.username) if u is not None else ""


class Publication(models.Model):
    """公示 of a period's scores for an org, with an objection window in working days."""

    class Level(models.TextChoices):
        MEMBER = "member", "党员先锋指数"
        BRANCH = "branch", "党支部排名"
        COMMITTEE = "committee", "党委（总支）排名"
        VILLAGE = "village", "村党支部排名"

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="point_publications")
    period = models.CharField("考评周期", max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    level = models.CharField("公示内容", max_length=10, choices=Level.choices, default=Level.MEMBER)
    published_on = models.DateField("公示日期")
    objection_until = models.DateField("异议截止日期")
    # The ranking as published: [{"rank", "id", "name", "org_name", "score", "stars"}, ...]
    rows = models.JSONField(default=list)
    formula = models.CharField("计分公式", max_length=300, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "积分公示"
        ordering = ["-period_start", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "period", "level"], name="publication_unique")]
        indexes = [models.Index(fields=["period_start", "period_end"], name="publication_period")]

    def __str__(self):
        return f"{self.org} {self.period} {self.get_level_display()}公示"


class Objection(models.Model):
    """异议: filed during the window, answered by the secretary (upheld → the ledger is corrected)."""

    class Status(models.TextChoices):
        OPEN = "open", "待答复"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="objections")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")  # = publication.org (scoped lookups)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filer_name = models.CharField("提出人", max_length=50)
    text = models.CharField("异议内容", max_length=500)
    filed_on = models.DateField("提出日期")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.CharField("答复", max_length=500, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.filer_name}：{self.text[:20]}"


class Pledge(models.Model):
    """三亮一评 of one member for one year: 亮身份 (identity), 亮承诺 (text), 亮标准 (standard), then 亮实绩
    (result, assessed by the branch at the year's end). Shown on the member-level 公示."""

    class Fulfilment(models.TextChoices):
        PENDING = "", "待评定"
        FULFILLED = "fulfilled", "已兑现"
        PARTLY = "partly", "部分兑现"
        UNFULFILLED = "unfulfilled", "未兑现"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="pledges")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")  # the member's branch when made
    year = models.PositiveSmallIntegerField("年度")
    identity = models.CharField("亮身份（岗位 / 身份）", max_length=100)
    text = models.CharField("亮承诺（承诺事项）", max_length=500)
    standard = models.CharField("亮标准（践诺标准）", max_length=300, blank=True)
    result = models.CharField("亮实绩（践诺情况）", max_length=500, blank=True)
    fulfilment = models.CharField("兑现情况", max_length=12, choices=Fulfilment.choices, blank=True, default="")
    assessed_on = models.DateField("评定日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "党员承诺（三亮一评）"
        ordering = ["-year", "org__path", "member__name_pinyin", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="pledge_one_per_member_year")]
        indexes = [models.Index(fields=["org", "year"], name="pledge_org_year")]

    def __str__(self):
        return f"{self.member} {self.year} 承诺"


class PublicRating(models.Model):
    """群众评议 (the 评 of 三亮一评): the tally of residents' and members' votes on one member for one period,
    recorded by the branch. Its grade feeds the ledger through the automatic interface (R-POINTS-RATING)."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        QUALIFIED = "qualified", "合格"
        BASICALLY_QUALIFIED = "basically_qualified", "基本合格"
        UNQUALIFIED = "unqualified", "不合格"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="public_ratings")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    period = models.CharField("评议周期", max_length=10)
    rated_on = models.DateField("评议日期")
    satisfied = models.PositiveIntegerField("满意")
    basically_satisfied = models.PositiveIntegerField("基本满意")
    unsatisfied = models.PositiveIntegerField("不满意")
    score = models.DecimalField("满意度", max_digits=5, decimal_places=2)
    grade = models.CharField("评议结果", max_length=20, choices=Grade.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    entry = models.ForeignKey(PointEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name="计入的积分")
    points_note = models.CharField("计分情况", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "群众评议"
        ordering = ["-rated_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["member", "period"], name="publicrating_one_per_period")]
        indexes = [models.Index(fields=["org", "period"], name="publicrating_org_period")]

    def __str__(self):
        return f"{self.member} {self.period} 群众评议 {self.get_grade_display()}"

    @property
    def total(self) -> int:
        return self.satisfied + self.basically_satisfied + self.unsatisfied


class PointWarning(models.Model):
    """预警: a member below the warning line (or the 不合格 line, or with a grave deduction) in a period.
    The secretary talks with them or opens a disposal (限期改正 …) from here (R-POINTS-WARN)."""

    class Level(models.TextChoices):
        WARN = "warn", "低于预警线"
        GRAVE = "grave", "严重扣分"
        UNQUALIFIED = "unqualified", "低于不合格线"

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        DISPOSED = "disposed", "已启动处置"
        CLEARED = "cleared", "已解除"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="point_warnings")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    period = models.CharField("考评周期", max_length=10)
    period_start = models.DateField()
    score = models.DecimalField("先锋指数", max_digits=9, decimal_places=2)
    threshold = models.DecimalField("分数线", max_digits=7, decimal_places=2)
    worst = models.DecimalField("单项最大扣分", max_digits=7, decimal_places=2, null=True, blank=True)
    level = models.CharField("预警级别", max_length=12, choices=Level.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    disposal = models.ForeignKey("members.Disposal", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="处置")
    note = models.CharField("处理情况", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "积分预警"
        ordering = ["-period_start", "score", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "period"], name="pointwarning_one_per_period")]
        indexes = [models.Index(fields=["org", "period"], name="pointwarning_org_period")]

    def __str__(self):
        return f"{self.member} {self.period} {self.get_level_display()}"
