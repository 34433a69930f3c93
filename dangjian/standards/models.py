"""标准化规范化 checklists with evidence and verdicts, venues (阵地), model posts and branches (示范岗 / 示范支部)."""
import uuid

from django.conf import settings
from django.db import models

from dangjian.members.models import Member
from dangjian.orgs.models import Org

from . import rules

USER = settings.AUTH_USER_MODEL


class StandardChecklist(models.Model):
    """A checklist issued by a committee to the orgs below it for one year; re-checked each year."""

    org = models.ForeignKey(Org, verbose_name="下发组织", on_delete=models.PROTECT, related_name="standard_checklists")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    name = models.CharField("名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    issued_on = models.DateField("下发日期")
    target_kinds = models.JSONField("适用组织类型", default=list)
    unit_kinds = models.JSONField("适用单位类型", default=list, blank=True)  # empty: any
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="rechecks",
                                 verbose_name="上年度清单")
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "标准化清单"
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "name", "year"], name="checklist_unique_per_year")]

    def __str__(self):
        return f"{self.year}年{self.name}"


class StandardItem(models.Model):
    checklist = models.ForeignKey(StandardChecklist, on_delete=models.CASCADE, related_name="items")
    code = models.CharField("代码", max_length=30)
    name = models.CharField("名称", max_length=30)
    description = models.CharField("标准", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["checklist", "code"], name="standarditem_unique_code")]

    def __str__(self):
        return self.name


class StandardCheck(models.Model):
    """One org against one item: its evidence and the checker's verdict."""

    checklist = models.ForeignKey(StandardChecklist, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(StandardItem, on_delete=models.CASCADE, related_name="checks")
    org = models.ForeignKey(Org, verbose_name="党组织", on_delete=models.PROTECT, related_name="standard_checks")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    verdict = models.CharField("结论", max_length=10, choices=rules.VERDICTS, default=rules.PENDING, db_index=True)
    note = models.CharField("检查意见", max_length=500, blank=True)
    checked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_on = models.DateField("检查日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "标准化检查"
        constraints = [models.UniqueConstraint(fields=["item", "org"], name="standardcheck_once_per_org")]
        indexes = [models.Index(fields=["org", "checklist"], name="standardcheck_org_list")]


class Evidence(models.Model):
    """A photo, document or figure offered for one check. Kept: never edited, never deleted."""

    standard_check = models.ForeignKey(StandardCheck, on_delete=models.CASCADE, related_name="evidence")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=rules.EVIDENCE_KINDS)
    file = models.FileField("文件", upload_to="standards/evidence/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    figure_value = models.DecimalField("数值", max_digits=14, decimal_places=2, null=True, blank=True)
    figure_unit = models.CharField("单位", max_length=10, blank=True)
    caption = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["-uploaded_at", "-id"]


class Venue(models.Model):
    """阵地: 党员之家, 党群服务中心, activity rooms. Public ones are listed on the portal without login."""

    org = models.ForeignKey(Org, verbose_name="党组织", on_delete=models.PROTECT, related_name="venues")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    kind = models.CharField("类型", max_length=20, choices=rules.VENUE_KINDS)
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200)
    area = models.DecimalField("面积（平方米）", max_digits=9, decimal_places=1, null=True, blank=True)
    facilities = models.CharField("设施", max_length=500, blank=True)
    opening_hours = models.CharField("开放时间", max_length=200, blank=True)
    is_public = models.BooleanField("在公开页面展示", default=True, db_index=True)
    is_active = models.BooleanField("在用", default=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "阵地"
        ordering = ["org__path", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="venue_unique_name")]

    def __str__(self):
        return self.name


def _token() -> str:
    return uuid.uuid4().hex


class VenuePhoto(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="photos")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="standards/venues/%Y/%m/")
    token = models.CharField(max_length=32, unique=True, default=_token)  # the public URL never shows an id
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ModelDesignation(models.Model):
    """党员示范岗 / 示范支部: proposed with criteria and a period, reviewed by the upper org, shown publicly."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "待审核"
        APPROVED = "approved", "已命名"
        REJECTED = "rejected", "未通过"
        REVOKED = "revoked", "已撤销"

    org = models.ForeignKey(Org, verbose_name="党组织", on_delete=models.PROTECT, related_name="model_designations")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    kind = models.CharField("类型", max_length=10, choices=rules.MODEL_KINDS)
    title = models.CharField("名称", max_length=100)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="党员")
    public_name = models.CharField("公开展示的姓名/名称", max_length=100)
    criteria = models.CharField("评定标准", max_length=500)
    story = models.TextField("事迹简介（公开）", blank=True, max_length=2000)
    starts_on = models.DateField("命名起始")
    ends_on = models.DateField("命名截止")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PROPOSED, db_index=True)
    is_public = models.BooleanField("在公开页面展示", default=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "示范岗与示范支部"
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.title


class ModelReview(models.Model):
    """One review of a designation (审核 at first, 复评 later). Kept as history."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", "审核通过，予以命名"
        REJECT = "reject", "审核不通过"
        KEEP = "keep", "复评合格，保留"
        REVOKE = "revoke", "复评不合格，撤销"

    designation = models.ForeignKey(ModelDesignation, on_delete=models.CASCADE, related_name="reviews")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("结论", max_length=10, choices=Outcome.choices)
    reviewed_on = models.DateField("审核日期")
    note = models.CharField("意见", max_length=500, blank=True)
    reviewer = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]


class SizeSettings(models.Model):
    """A committee's own R-COMMITTEE-100 threshold (⚙); every org below it without its own inherits it."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="size_settings")
    committee_min_members = models.PositiveIntegerField("可设立基层党委的党员人数", default=rules.BASE_COMMITTEE_MIN_MEMBERS)
    updated_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "规模预警设置"
