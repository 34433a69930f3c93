"""党费: the base per member, hardship exemptions, the append-only payment ledger, the annual publication."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.members.models import Member
from dangjian.orgs.models import Org

from dangjian.core.ledger import AppendOnly
from dangjian.core.models import RegionFilled

from . import rules


class DuesPolicy(models.Model):
    """Per-committee or per-branch settings of the ⚙ rules; the nearest ancestor's row applies."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="dues_policy")
    farmer_amount = models.DecimalField("农民党员月党费", max_digits=4, decimal_places=2, default=rules.FARMER_DEFAULT)
    back_limit_months = models.PositiveSmallIntegerField("最多补交月数", default=rules.BACK_LIMIT_MONTHS)
    advance_limit_months = models.PositiveSmallIntegerField("最多预交月数", default=rules.ADVANCE_LIMIT_MONTHS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费设置"

    def __str__(self):
        return f"{self.org} 党费设置"


class DuesProfile(RegionFilled, models.Model):
    """A member's category and base from a month on (fixed each January; re-based with a reason)."""

    REGION_FROM = "member"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_profiles")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9: the member's
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    effective_from = models.DateField("起始月份")  # always the 1st of a month
    category = models.CharField("党费类别", max_length=20, choices=rules.CATEGORY_CHOICES)
    income = models.DecimalField("计费基数（月收入）", max_digits=12, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField("比例", max_digits=6, decimal_places=4, null=True, blank=True)
    monthly_amount = models.DecimalField("月应交", max_digits=12, decimal_places=2)
    reason = models.CharField("核定/调整原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费基数"
        ordering = ["member_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["region_id", "member", "effective_from"],
                                    name="dues_profile_once_per_month"),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="dues_profile_amount_nonneg"),
        ]

    def __str__(self):
        return f"{self.member} {rules.month_label(self.effective_from)} 起 {self.monthly_amount} 元/月"

    @property
    def category_label(self) -> str:
        return rules.CATEGORY_LABELS.get(self.category, self.category)

    @property
    def rate_percent(self) -> str:
        return "" if self.rate is None else f"{(self.rate * 100).normalize():f}%"


class DuesExemption(models.Model):
    """Hardship: pay less or nothing for a period, on application, branch study + upper approval (RULES §4)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_exemptions")
    from_month = models.DateField("起始月份")
    to_month = models.DateField("截止月份")
    monthly_amount = models.DecimalField("减免后月交纳额", max_digits=12, decimal_places=2, default=0)
    reason = models.CharField("申请理由", max_length=300)
    branch_decided_on = models.DateField("支部研究日期")
    approved_on = models.DateField("上级党委批准日期")
    approval_ref = models.CharField("批准文号/意见", max_length=100)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费减免"
        ordering = ["member_id", "from_month"]
        constraints = [
            models.CheckConstraint(condition=Q(to_month__gte=models.F("from_month")), name="dues_exemption_period"),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="dues_exemption_amount_nonneg"),
        ]

    def __str__(self):
        return f"{self.member} {rules.month_label(self.from_month)}～{rules.month_label(self.to_month)} 减免"

    @property
    def is_waiver(self) -> bool:
        return self.monthly_amount == 0


class DuesPayment(AppendOnly):
    """One payment event (a receipt): the dues part per month in DuesPaymentMonth, the voluntary part here.

    Append-only: a correction is a reversing payment (kind=reversal, negative amounts, `reverses`).
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", "交纳"
        REVERSAL = "reversal", "冲销"

    class Method(models.TextChoices):
        # No salary deduction: the branch may not pay for a member or deduct from salary (RULES §4).
        CASH = "cash", "现金"
        TRANSFER = "transfer", "转账"
        ONLINE = "online", "网上交纳"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_payments")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="dues_payments")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    paid_on = models.DateField("交纳日期", db_index=True)
    method = models.CharField("交纳方式", max_length=10, choices=Method.choices)
    reference = models.CharField("转账/网上交易号", max_length=64, blank=True)
    amount = models.DecimalField("党费", max_digits=12, decimal_places=2)
    voluntary = models.DecimalField("自愿多交", max_digits=12, decimal_places=2, default=0)
    to_centre = models.BooleanField("自愿多交全额上缴中央", default=False)
    proxy_name = models.CharField("代交人", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    # One reversal per payment: UniqueConstraint(region_id, reverses) below, not a OneToOne (Citus keys need
    # the distribution column); a reversal is written in its payment's region. `reversed_by` is a manager now.
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="reversed_by")
    reason = models.CharField("冲销原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费交纳记录"
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["org", "paid_on"], name="dues_payment_org_paid")]
        constraints = [models.UniqueConstraint(fields=["region_id", "reverses"], name="dues_payment_reversed_once")]

    def __str__(self):
        return f"{self.receipt_no} {self.member} {self.amount}"

    @property
    def receipt_no(self) -> str:
        prefix = "DF" if self.kind == self.Kind.PAYMENT else "CX"
        return f"{prefix}{self.paid_on:%Y}{self.pk or 0:07d}"

    @property
    def reversal(self) -> "DuesPayment | None":
        """The payment reversing this one, if any (prefetch `reversed_by` on lists)."""
        return next(iter(self.reversed_by.all()), None)

    @property
    def is_proxy(self) -> bool:
        return bool(self.proxy_name)

    @property
    def total(self):
        return self.amount + self.voluntary


class DuesPaymentMonth(RegionFilled, AppendOnly):
    """One month covered by a payment (or its reversal). A month is paid at most once:
    (member, month, kind, generation) is unique, where generation counts earlier reversals of the month."""

    REGION_FROM = "payment"  # a month always takes its payment's region

    payment = models.ForeignKey(DuesPayment, on_delete=models.PROTECT, related_name="months")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_months")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9: the payment's
    month = models.DateField("月份")
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    kind = models.CharField(max_length=10, choices=DuesPayment.Kind.choices, default=DuesPayment.Kind.PAYMENT)
    generation = models.PositiveIntegerField(default=0)
    bill = models.ForeignKey("DuesBill", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_rows")

    class Meta:
        verbose_name = verbose_name_plural = "党费交纳月份"
        ordering = ["member_id", "month", "id"]
        constraints = [
            # R-DUES-ONCE: two simultaneous payments of the same month record one.
            models.UniqueConstraint(fields=["region_id", "member", "month", "kind", "generation"],
                                    name="dues_month_paid_once"),
        ]
        indexes = [models.Index(fields=["member", "month"], name="dues_month_member_month")]

    def __str__(self):
        return f"{self.member_id} {rules.month_label(self.month)} {self.amount}"



class DuesPublication(models.Model):
    """The branch's annual publication of dues collected and used (RULES §4)."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="dues_publications")
    year = models.PositiveSmallIntegerField("年度")
    collected = models.DecimalField("收缴党费", max_digits=14, decimal_places=2)
    voluntary = models.DecimalField("自愿多交", max_digits=14, decimal_places=2, default=0)
    handed_up = models.DecimalField("上缴上级党委", max_digits=14, decimal_places=2, default=0)
    used = models.DecimalField("下拨使用", max_digits=14, decimal_places=2, default=0)
    use_note = models.CharField("使用情况说明", max_length=500, blank=True)
    published_on = models.DateField("公布日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费收缴使用公布"
        ordering = ["-year", "org_id"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="dues_publication_once_per_year")]

    def __str__(self):
        return f"{self.org} {self.year} 年党费收缴使用情况"


class DuesBill(models.Model):
    """党费账单: what one member owes for one month, fixed when the bill is issued (RULES §4).

    Issued by the monthly job (tasks.bills_generate; earlier when a base is set or a month is paid in advance)
    from the base valid for that month: category, income, rate and amount are copied, with the rule applied
    (`rule`: R-DUES-BRACKET / R-DUES-FIXED / R-DUES-FARMER). A later change of income changes later bills only.
    An approved hardship exemption lowers `due` (R-DUES-EXEMPT). Payments settle bills; a reversal reopens them.
    """

    class State(models.TextChoices):
        OPEN = "open", "未交"
        PAID = "paid", "已交"
        EXEMPT = "exempt", "免交"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_bills")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="dues_bills")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9
    month = models.DateField("月份")
    profile = models.ForeignKey(DuesProfile, null=True, on_delete=models.PROTECT, related_name="bills")
    category = models.CharField("党费类别", max_length=20, choices=rules.CATEGORY_CHOICES)
    income = models.DecimalField("计费基数", max_digits=12, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField("比例", max_digits=6, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField("按标准应交", max_digits=12, decimal_places=2)
    rule = models.CharField("依据", max_length=30)
    exemption = models.ForeignKey(DuesExemption, null=True, blank=True, on_delete=models.PROTECT, related_name="bills")
    due = models.DecimalField("应交", max_digits=12, decimal_places=2)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    payment = models.ForeignKey(DuesPayment, null=True, blank=True, on_delete=models.PROTECT, related_name="bills")
    issued_on = models.DateField("出账日期")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费账单"
        ordering = ["member_id", "month"]
        constraints = [
            # Idempotent generation: one bill per member and month, whoever issues it and however often.
            models.UniqueConstraint(fields=["member", "month"], name="dues_bill_once_per_month"),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(due__gte=0), name="dues_bill_amount_nonneg"),
        ]
        indexes = [models.Index(fields=["org", "month"], name="dues_bill_org_month"),
                   models.Index(fields=["state", "month"], name="dues_bill_state_month")]

    def __str__(self):
        return f"{self.member_id} {rules.month_label(self.month)} {self.due}"

    @property
    def reduced(self) -> bool:
        return self.exemption_id is not None and self.due > 0


class ArrearsCase(models.Model):
    """R-ABSENT-6M (党章第三十八条): 6 consecutive months of dues unpaid without good reason.

    Opened when the branch records the first talk or reminder; closed when the member pays (`paid`), when the
    branch accepts a good reason (`excused`), or when the branch decides on a disposal (`disposed`, the
    members.Disposal it created, source "dues:<id>"). Nothing is decided automatically.
    """

    class State(models.TextChoices):
        OPEN = "open", "谈话提醒中"
        EXCUSED = "excused", "有正当理由"
        PAID = "paid", "已补交"
        DISPOSED = "disposed", "已作处置"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_arrears_cases")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="dues_arrears_cases")
    first_unpaid = models.DateField("起始欠交月份")
    months = models.PositiveSmallIntegerField("立案时连续未交月数")
    opened_on = models.DateField("立案日期")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    outcome = models.CharField("结果", max_length=300, blank=True)
    disposal_id = models.BigIntegerField("处置记录", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "欠交党费处置案件"
        ordering = ["-opened_on", "-id"]
        constraints = [
            # One case per run of unpaid months (a new run after paying is a new case).
            models.UniqueConstraint(fields=["member", "first_unpaid"], name="dues_case_once_per_run"),
        ]

    def __str__(self):
        return f"{self.member} 欠交党费 {self.months} 个月"


class ArrearsContact(models.Model):
    """A talk (谈话) or reminder (提醒) recorded on a case; kept forever."""

    class Kind(models.TextChoices):
        TALK = "talk", "谈话"
        REMINDER = "reminder", "书面/电话提醒"

    case = models.ForeignKey(ArrearsCase, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField("方式", max_length=10, choices=Kind.choices)
    contacted_on = models.DateField("日期")
    summary = models.CharField("情况记录", max_length=500)
    good_reason = models.BooleanField("有正当理由", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "欠交党费谈话提醒"
        ordering = ["contacted_on", "id"]
