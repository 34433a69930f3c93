"""关怀帮扶: greetings (政治生日…), care flags, visit plans and records, funds with an append-only ledger, relief."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.members.models import Member
from dangjian.orgs.models import Org

from dangjian.core.ledger import AppendOnly

from . import rules

USER = settings.AUTH_USER_MODEL


class CareSettings(models.Model):
    """⚙ per org (nearest ancestor applies): how many days ahead the daily job lists anniversaries."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="care_settings")
    notice_days_ahead = models.PositiveSmallIntegerField("提前提醒天数", default=rules.NOTICE_DAYS_AHEAD)

    class Meta:
        verbose_name = verbose_name_plural = "关怀设置"


class GreetingTemplate(models.Model):
    """An org's own greeting text for a kind (falls back to the ancestor's, then rules.GREETING_TEMPLATES)."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="greeting_templates")
    kind = models.CharField("类型", max_length=20, choices=rules.KIND_CHOICES)
    text = models.TextField("祝福语", max_length=1000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "祝福语模板"
        constraints = [models.UniqueConstraint(fields=["org", "kind"], name="care_template_once")]


class Greeting(models.Model):
    """One anniversary of one member: listed by the daily job (pending), then given (with what was given)."""

    class State(models.TextChoices):
        PENDING = "pending", "待送"
        GIVEN = "given", "已送"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="greetings")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="greetings")
    kind = models.CharField("类型", max_length=20, choices=rules.KIND_CHOICES)
    occasion_date = models.DateField("纪念日")
    years = models.PositiveSmallIntegerField("周年")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    gifts = models.JSONField("礼品", default=list, blank=True)
    text = models.TextField("祝福语", blank=True)
    given_on = models.DateField("送达日期", null=True, blank=True)
    given_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # R-CARE-NOTICE: when the daily job told the branch secretary (once; the notice's dedupe key backs it).
    notified_at = models.DateTimeField("已提醒书记", null=True, blank=True)
    notified_users = models.PositiveSmallIntegerField("提醒人数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "祝福记录"
        ordering = ["occasion_date", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "kind", "occasion_date"], name="care_greeting_once")]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.occasion_date}"


class CareProfile(models.Model):
    """Care flags beside the member record (who is due a visit)."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="care_profile")
    is_ill = models.BooleanField("长期患病", default=False)
    laid_off = models.BooleanField("下岗失业", default=False)
    lives_alone = models.BooleanField("独居", default=False)
    note = models.CharField("情况说明", max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "关怀对象情况"


class CarePlan(models.Model):
    """A visit plan for a festival (春节, 七一, 重阳…) or an event."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="care_plans")
    title = models.CharField("名称", max_length=100)
    occasion = models.CharField("慰问事由", max_length=20, choices=list(rules.OCCASIONS.items()))
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    budget = models.DecimalField("预算（元）", max_digits=12, decimal_places=2, default=0)
    fund = models.ForeignKey("Fund", null=True, blank=True, on_delete=models.PROTECT, related_name="plans")
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "慰问计划"
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="care_plan_period")]

    def __str__(self):
        return self.title


class Fund(models.Model):
    """帮扶基金 / 党建经费 of an org. The balance is the last ledger row's balance_after."""

    class Kind(models.TextChoices):
        ASSISTANCE = "assistance", "帮扶基金"
        PARTY_BUILDING = "party_building", "党建经费"

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="funds")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    approval_threshold = models.DecimalField("单笔审批额度（元）", max_digits=12, decimal_places=2, null=True,
                                             blank=True, default=5000)
    balance = models.DecimalField("余额", max_digits=14, decimal_places=2, default=0)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "基金"
        ordering = ["org_id", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="care_fund_unique_name"),
                       models.CheckConstraint(condition=Q(balance__gte=0), name="care_fund_balance_nonneg")]

    def __str__(self):
        return self.name


class FundLedger(AppendOnly):
    """One entry of a fund: income (+), disbursement (−) or a reversal. Append-only; seq is per fund."""

    class Kind(models.TextChoices):
        INCOME = "income", "收入"
        DISBURSEMENT = "disbursement", "支出"
        REVERSAL = "reversal", "冲销"

    class Category(models.TextChoices):
        ALLOCATION = "allocation", "上级拨付"
        DONATION = "donation", "捐赠"
        DUES_RETURN = "dues_return", "党费返还"
        ASSISTANCE = "assistance", "帮扶救助"
        MAJOR_ILLNESS = "major_illness_relief", "大病救助"
        RELIEF = "relief", "临时救助"
        CARE_VISIT = "care_visit", "走访慰问"
        ACTIVITY = "activity", "活动经费"
        OTHER = "other", "其他"

    INCOME_CATEGORIES = ("allocation", "donation", "dues_return", "other")
    SPENDING_CATEGORIES = ("assistance", "major_illness_relief", "relief", "care_visit", "activity", "other")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=15, choices=Kind.choices)
    category = models.CharField("类别", max_length=25, choices=Category.choices)
    amount = models.DecimalField("金额（收入为正，支出为负）", max_digits=12, decimal_places=2)
    balance_after = models.DecimalField("余额", max_digits=14, decimal_places=2)
    entry_on = models.DateField("日期", db_index=True)
    purpose = models.CharField("摘要", max_length=200)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="fund_entries")
    approval_ref = models.CharField("审批文号/意见", max_length=100, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    reason = models.CharField("冲销原因", max_length=200, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "基金台账"
        ordering = ["fund_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "seq"], name="care_ledger_seq_once"),
            # R-FUND-BALANCE: never negative, enforced by the database too.
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="care_ledger_balance_nonneg"),
        ]

    def __str__(self):
        return f"{self.fund} #{self.seq} {self.amount}"

class CareVisit(models.Model):
    """A visit record (慰问): who was visited, by whom, what was given; money may come from a fund."""

    plan = models.ForeignKey(CarePlan, null=True, blank=True, on_delete=models.PROTECT, related_name="visits")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="care_visits")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="care_visits")
    occasion = models.CharField("慰问事由", max_length=20, choices=list(rules.OCCASIONS.items()))
    visited_on = models.DateField("走访日期")
    visitors = models.CharField("走访人", max_length=100)
    gifts = models.CharField("慰问品", max_length=200, blank=True)
    money = models.DecimalField("慰问金（元）", max_digits=12, decimal_places=2, default=0)
    fund_entry = models.OneToOneField(FundLedger, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="care_visit")
    photo = models.FileField("照片", upload_to="care/%Y/%m/", blank=True)
    note = models.CharField("情况记录", max_length=500, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访慰问记录"
        ordering = ["-visited_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(money__gte=0), name="care_visit_money_nonneg")]


class Relief(models.Model):
    """救助 / 大病救助 / 帮扶: a grant to a member, paid by one disbursement of a fund."""

    class Kind(models.TextChoices):
        ASSISTANCE = "assistance", "帮扶救助"
        RELIEF = "relief", "临时救助"
        MAJOR_ILLNESS = "major_illness_relief", "大病救助"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="reliefs")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="reliefs")
    kind = models.CharField("类型", max_length=25, choices=Kind.choices)
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    reason = models.CharField("救助原因", max_length=300)
    decided_on = models.DateField("决定日期")
    ledger_entry = models.OneToOneField(FundLedger, on_delete=models.PROTECT, related_name="relief")
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "救助记录"
        ordering = ["-decided_on", "-id"]
