"""民情走访: households and residents, 结对帮扶, monthly visit plans, 民情日记, 民情分析会, publication, 抽查."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from dangjian.core.models import RegionFilled
from dangjian.orgs.models import Org

from . import rules


class Household(models.Model):
    """A resident household (居民户) registered with the org that serves it, in a 网格 (grid)."""

    org = models.ForeignKey(Org, verbose_name="所属党组织", on_delete=models.PROTECT, related_name="households")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9
    name = models.CharField("户主姓名", max_length=50)
    address = models.CharField("住址", max_length=200)
    grid = models.CharField("网格", max_length=50, blank=True, db_index=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    size = models.PositiveSmallIntegerField("家庭人口", default=1)
    circumstances = models.TextField("家庭情况", max_length=1000, blank=True)
    tags = models.CharField("标签", max_length=200, blank=True, db_index=True)  # ",hardship,disabled,"
    is_active = models.BooleanField("在册", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "居民户"
        ordering = ["grid", "address", "id"]
        indexes = [models.Index(fields=["org", "grid"], name="household_org_grid")]

    def __str__(self):
        return f"{self.name}（{self.address}）"

    @property
    def tag_list(self) -> list[str]:
        return rules.text_to_tags(self.tags)

    @property
    def tag_labels(self) -> list[str]:
        return [rules.TAG_LABELS.get(t, t) for t in self.tag_list]

    @property
    def phone_masked(self) -> str:
        return rules.mask_phone(self.phone)


class Resident(models.Model):
    """A member of a household (家庭成员). Only what the visits need: no ID number is kept here."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="residents")
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("与户主关系", max_length=12, choices=rules.RELATIONS, default="other")
    birth_year = models.PositiveSmallIntegerField("出生年份", null=True, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]

    def __str__(self):
        return self.name


class Pairing(RegionFilled, models.Model):
    """结对帮扶: one member paired with one household until ended (seed 004)."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="pairings")  # the member's org
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9: the org's region
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="pairings")
    household = models.ForeignKey(Household, verbose_name="帮扶户", on_delete=models.PROTECT,
                                  related_name="pairings")
    started_on = models.DateField("结对日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    note = models.CharField("帮扶措施", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "结对帮扶"
        ordering = ["-started_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["region_id", "member", "household"],
                                               condition=Q(ended_on__isnull=True),
                                               name="pairing_one_active")]

    def __str__(self):
        return f"{self.member_id}↔{self.household_id}"


class HelpRecord(models.Model):
    """帮扶记录: what a pairing delivered. Append-only (DESIGN rule 5); corrections are new rows."""

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="help_records")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    given_on = models.DateField("日期")
    kind = models.CharField("帮扶类别", max_length=10, choices=rules.HELP_KINDS)
    amount = models.DecimalField("折合金额（元）", max_digits=12, decimal_places=2, default=Decimal("0.00"))
    description = models.CharField("内容", max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "帮扶记录"
        ordering = ["-given_on", "-id"]


class VisitPlan(models.Model):
    """走访计划: the households one member is to visit in one month (seed 001: 按月执行走访计划)."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="visit_plans")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="visit_plans")
    month = models.CharField("月份", max_length=7, db_index=True)  # YYYY-MM
    households = models.ManyToManyField(Household, related_name="visit_plans", verbose_name="走访户")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访计划"
        ordering = ["-month", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="visitplan_member_month")]


class VisitLog(models.Model):
    """民情日记: one visit (with a household) or a diary entry (without one), written by a member."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="visit_logs")  # the member's org
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    member = models.ForeignKey("members.Member", verbose_name="走访党员", on_delete=models.PROTECT,
                               related_name="visit_logs")
    household = models.ForeignKey(Household, verbose_name="走访户", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="visit_logs")
    visited_on = models.DateField("走访日期", db_index=True)
    notes = models.TextField("民情记录", max_length=2000)
    needs = models.TextField("群众诉求", max_length=1000, blank=True)
    off_area_reason = models.CharField("跨区域走访说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "民情日记"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["org", "visited_on"], name="visitlog_org_date")]

    def __str__(self):
        return f"{self.visited_on} {self.household.name if self.household_id else '民情日记'}"


class AnalysisMeeting(models.Model):
    """民情分析会 (seed 001: weekly), with the logs it discussed."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="analysis_meetings")
    held_on = models.DateField("召开日期", db_index=True)
    topic = models.CharField("议题", max_length=100)
    attendees = models.CharField("参会人员", max_length=500, blank=True)
    summary = models.TextField("分析情况", max_length=2000, blank=True)
    decisions = models.TextField("工作部署", max_length=2000, blank=True)
    logs = models.ManyToManyField(VisitLog, related_name="analysis_meetings", blank=True, verbose_name="研究的民情日记")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "民情分析会"
        ordering = ["-held_on", "-id"]


class MonthlyPublication(models.Model):
    """次月初公示: a month's figures frozen at publication (R-VISIT-PUBLISH)."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="visit_publications")
    month = models.CharField("月份", max_length=7)
    published_on = models.DateField("公示日期")
    figures = models.JSONField("走访情况")
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访情况公示"
        ordering = ["-month", "org_id"]
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="visitpub_org_month")]


class SpotCheck(models.Model):
    """抽查: a random, reproducible sample of a month's logs (R-SPOT-CHECK). The seed and the population
    are recorded so that anyone can redraw the same sample."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="spot_checks")
    month = models.CharField("月份", max_length=7)
    seed = models.BigIntegerField("随机种子")
    sample_size = models.PositiveSmallIntegerField("抽查数量")
    population_ids = models.JSONField("抽样总体", default=list)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访笔记抽查"
        ordering = ["-created_at", "-id"]


class SpotCheckItem(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="items")
    log = models.ForeignKey(VisitLog, on_delete=models.PROTECT, related_name="spot_check_items")
    position = models.PositiveSmallIntegerField()
    confirmed = models.BooleanField("属实", null=True, blank=True)
    remark = models.CharField("核查说明", max_length=200, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["spot_check_id", "position"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "log"], name="spotcheck_log_once")]


class VisitSettings(models.Model):
    """⚙ per committee: defaults for its subtree (the nearest ancestor with a row wins)."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="visit_settings")
    spot_check_size = models.PositiveSmallIntegerField("默认抽查数量", default=rules.SPOT_CHECK_DEFAULT_SIZE,
                                                       validators=[MinValueValidator(1),
                                                                   MaxValueValidator(rules.SPOT_CHECK_MAX_SIZE)])
    pairing_required = models.BooleanField("要求每名党员结对帮扶", default=rules.PAIRING_REQUIRED_DEFAULT)

    class Meta:
        verbose_name = verbose_name_plural = "走访设置"
