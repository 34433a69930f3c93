"""责任与考评: responsibility pledges, inspections, duty reports, instructors, work methods, brands, honors.

Every row carries the org it belongs to (scope is "that org's subtree") and region_id (DESIGN rule 9).
"""
from django.conf import settings
from django.db import models

from dangjian.orgs.models import Org

USER = settings.AUTH_USER_MODEL


class Severity(models.TextChoices):
    LOW = "low", "一般"
    MEDIUM = "medium", "较重"
    HIGH = "high", "严重"


class Rating(models.TextChoices):
    """Committee evaluation of a service brand or a work-method record (seed 002: 优秀 / 提名)."""

    NONE = "", "未评定"
    NOMINATED = "nominated", "提名奖"
    EXCELLENT = "excellent", "优秀"


# --- 党建工作责任书 --------------------------------------------------------------------------

class PledgeTemplate(models.Model):
    """The year's 责任书 a committee issues to the orgs under it: items with weights."""

    org = models.ForeignKey(Org, verbose_name="发放组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=100)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "year", "title"], name="duties_pledgetemplate_unique")]

    def __str__(self):
        return f"{self.year} {self.title}"


class PledgeItem(models.Model):
    template = models.ForeignKey(PledgeTemplate, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    content = models.CharField("责任事项", max_length=300)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["order", "id"]


class ResponsibilityPledge(models.Model):
    """One org's copy of the template: signed (date, signer) and followed item by item."""

    class State(models.TextChoices):
        ISSUED = "issued", "待签订"
        SIGNED = "signed", "已签订"

    template = models.ForeignKey(PledgeTemplate, on_delete=models.PROTECT, related_name="pledges")
    org = models.ForeignKey(Org, verbose_name="责任组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ISSUED, db_index=True)
    signed_on = models.DateField("签订日期", null=True, blank=True)
    signer = models.CharField("签订人", max_length=50, blank=True)
    signed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["template_id", "org__path"]
        constraints = [models.UniqueConstraint(fields=["template", "org"], name="duties_pledge_unique_org")]

    def __str__(self):
        return f"{self.org.name}·{self.template.title}"


class PledgeProgress(models.Model):
    """The current progress of one item (each change is audited with before/after)."""

    pledge = models.ForeignKey(ResponsibilityPledge, on_delete=models.CASCADE, related_name="progress")
    item = models.ForeignKey(PledgeItem, on_delete=models.CASCADE, related_name="+")
    percent = models.PositiveSmallIntegerField("完成进度（%）", default=0)
    note = models.CharField("进展说明", max_length=300, blank=True)
    updated_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pledge", "item"], name="duties_pledgeprogress_unique")]


# --- 督查 and 整改 --------------------------------------------------------------------------

class Inspection(models.Model):
    """A quarterly 督查 plan of a committee over the orgs under it."""

    org = models.ForeignKey(Org, verbose_name="督查组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    title = models.CharField("督查主题", max_length=100)
    planned_on = models.DateField("计划日期", null=True, blank=True)
    notes = models.TextField("督查内容", blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-quarter", "-id"]

    def __str__(self):
        return f"{self.year}年第{self.quarter}季度 {self.title}"


class Finding(models.Model):
    """A problem found at one org during an inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    org = models.ForeignKey(Org, verbose_name="被督查组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    description = models.CharField("发现问题", max_length=500)
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.LOW)
    found_on = models.DateField("发现日期")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-found_on", "-id"]

    def __str__(self):
        return self.description[:50]


class Rectification(models.Model):
    """整改: a task with an owner and a deadline; evidence to complete; a re-check closes it."""

    class State(models.TextChoices):
        OPEN = "open", "整改中"
        SUBMITTED = "submitted", "待复查"
        CLOSED = "closed", "已销号"

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="rectifications")
    org = models.ForeignKey(Org, verbose_name="整改组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    task = models.CharField("整改措施", max_length=300)
    owner = models.CharField("责任人", max_length=50)
    deadline = models.DateField("整改期限", db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    evidence = models.TextField("整改佐证", blank=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    completed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rechecked_on = models.DateField("复查日期", null=True, blank=True)
    recheck_passed = models.BooleanField("复查通过", null=True, blank=True)
    recheck_note = models.CharField("复查意见", max_length=300, blank=True)
    rechecked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rounds = models.PositiveSmallIntegerField("复查未通过次数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"], name="duties_rect_state_deadline")]

    def __str__(self):
        return self.task[:50]


# --- 述职评议 --------------------------------------------------------------------------------

class ReviewScheme(models.Model):
    """A committee's year-end 述职评议: criteria with maximum scores and grade thresholds (⚙)."""

    org = models.ForeignKey(Org, verbose_name="组织评议的党委", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=100)
    # Grade thresholds as a percentage of the maximum total (rules.DEFAULT_THRESHOLDS).
    good_min = models.DecimalField("“好”最低得分率", max_digits=5, decimal_places=2, default=90)
    fairly_good_min = models.DecimalField("“较好”最低得分率", max_digits=5, decimal_places=2, default=80)
    average_min = models.DecimalField("“一般”最低得分率", max_digits=5, decimal_places=2, default=60)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "year", "title"], name="duties_reviewscheme_unique")]

    def __str__(self):
        return f"{self.year} {self.title}"


class ReviewCriterion(models.Model):
    scheme = models.ForeignKey(ReviewScheme, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField("评议项目", max_length=100)
    max_score = models.DecimalField("满分", max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["order", "id"]


class DutyReport(models.Model):
    """A secretary's 述职报告 for their org."""

    scheme = models.ForeignKey(ReviewScheme, on_delete=models.PROTECT, related_name="reports")
    org = models.ForeignKey(Org, verbose_name="述职组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    reporter = models.CharField("述职人", max_length=50)
    content = models.TextField("述职内容")
    submitted_on = models.DateField("提交日期")
    submitted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["scheme_id", "org__path"]
        constraints = [models.UniqueConstraint(fields=["scheme", "org"], name="duties_dutyreport_unique_org")]

    def __str__(self):
        return f"{self.org.name} 述职"


class ReviewScore(models.Model):
    """One reviewer's score on one criterion; a reviewer scores a report once."""

    report = models.ForeignKey(DutyReport, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(ReviewCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=5, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "reviewer", "criterion"], name="duties_reviewscore_unique"),
        ]


# --- 党建指导员 ------------------------------------------------------------------------------

class ChecklistCategory(models.TextChoices):
    KNOW = "know", "五必知"
    ATTEND = "attend", "五必到"
    VISIT = "visit", "五必访"
    HANDLE = "handle", "五必办"


class ChecklistItem(models.Model):
    """One 五必 item. org=None: the default list (seed 004); a committee may keep its own (⚙)."""

    org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.CharField("类别", max_length=10, choices=ChecklistCategory.choices)
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField("事项", max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "order", "id"]

    def __str__(self):
        return self.text


class Instructor(models.Model):
    """党建指导员, appointed by a committee (may also be a member and/or have an account)."""

    org = models.ForeignKey(Org, verbose_name="选派组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    unit = models.CharField("工作单位及职务", max_length=100, blank=True)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="duties_instructor_roles")
    is_active = models.BooleanField("在任", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["org_id", "name", "id"]

    def __str__(self):
        return self.name


class InstructorAssignment(models.Model):
    """An instructor sent to a branch (often an enterprise's) for a period."""

    instructor = models.ForeignKey(Instructor, on_delete=models.PROTECT, related_name="assignments")
    org = models.ForeignKey(Org, verbose_name="指导的党组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self):
        return f"{self.instructor.name} → {self.org.name}"


class InstructorLog(models.Model):
    """A visit / attendance / case record against a 五必 item."""

    assignment = models.ForeignKey(InstructorAssignment, on_delete=models.PROTECT, related_name="logs")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    category = models.CharField("类别", max_length=10, choices=ChecklistCategory.choices)
    item = models.ForeignKey(ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    happened_on = models.DateField("日期")
    content = models.TextField("工作内容")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-id"]


# --- 支部工作法 and 服务品牌 -----------------------------------------------------------------

class WorkMethod(models.Model):
    """A step template. org=None: the default 7 steps of seed 002; committees may add their own."""

    org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    steps = models.JSONField("步骤", default=list)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class WorkMethodRecord(models.Model):
    """A branch following a method for one piece of work, with each step's record."""

    method = models.ForeignKey(WorkMethod, on_delete=models.PROTECT, related_name="records")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    title = models.CharField("工作事项", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    rating = models.CharField("评定", max_length=10, choices=Rating.choices, blank=True, default="")
    rated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.title


class WorkStepRecord(models.Model):
    record = models.ForeignKey(WorkMethodRecord, on_delete=models.CASCADE, related_name="step_records")
    step_no = models.PositiveSmallIntegerField("步骤序号")
    done_on = models.DateField("完成日期")
    content = models.TextField("记录")
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["step_no"]
        constraints = [models.UniqueConstraint(fields=["record", "step_no"], name="duties_workstep_unique")]


class ServiceBrand(models.Model):
    """党建服务品牌 created by an org; committees above rate it 优秀 / 提名."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    name = models.CharField("品牌名称", max_length=100)
    idea = models.TextField("品牌理念", blank=True)
    practices = models.TextField("主要做法", blank=True)
    results = models.TextField("工作成效", blank=True)
    photo = models.ImageField("照片", upload_to="brands/%Y/", null=True, blank=True)
    year = models.PositiveSmallIntegerField("创建年度")
    rating = models.CharField("评定", max_length=10, choices=Rating.choices, blank=True, default="", db_index=True)
    rated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rated_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "org__path", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="duties_servicebrand_unique_name")]

    def __str__(self):
        return self.name


# --- 表彰 / 榜样 -----------------------------------------------------------------------------

class Honor(models.Model):
    """A nomination for an award; approved ones may be shown on the public showcase (榜样)."""

    class Subject(models.TextChoices):
        PERSON = "person", "个人"
        ORG = "org", "组织"

    class Level(models.TextChoices):
        TOWN = "town", "镇（街道）级"
        COUNTY = "county", "县（区）级"
        CITY = "city", "市级"
        PROVINCE = "province", "省级"
        NATIONAL = "national", "国家级"

    class State(models.TextChoices):
        NOMINATED = "nominated", "已推荐"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未通过"

    org = models.ForeignKey(Org, verbose_name="推荐组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    subject = models.CharField("对象", max_length=10, choices=Subject.choices)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField("姓名 / 组织名称", max_length=100)
    award = models.CharField("表彰名称", max_length=50)
    level = models.CharField("级别", max_length=10, choices=Level.choices, default=Level.TOWN)
    year = models.PositiveSmallIntegerField("年度")
    awarded_on = models.DateField("表彰日期", null=True, blank=True)
    story = models.TextField("先进事迹", blank=True)
    photo = models.ImageField("照片", upload_to="honors/%Y/", null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NOMINATED, db_index=True)
    is_public = models.BooleanField("在榜样展示中公开", default=False, db_index=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self):
        return f"{self.person_name}·{self.award}"


# --- 党小组长责任清单 (seed 001) -------------------------------------------------------------------

class Frequency(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    YEAR = "year", "每年"


class GroupDutyList(models.Model):
    """A year's duty list an org (usually a 党委) defines for every 党小组 leader in the branches below it."""

    org = models.ForeignKey(Org, verbose_name="制定组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=100)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "year", "title"], name="duties_groupdutylist_unique")]

    def __str__(self):
        return f"{self.year} {self.title}"


class GroupDutyItem(models.Model):
    duty_list = models.ForeignKey(GroupDutyList, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    content = models.CharField("责任事项", max_length=200)
    frequency = models.CharField("完成周期", max_length=10, choices=Frequency.choices, default=Frequency.MONTH)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.content


class GroupDutyRecord(models.Model):
    """One item done by one 党小组 in one period (2025-03 / 2025-Q1 / 2025), recorded by its leader or the branch."""

    duty_list = models.ForeignKey(GroupDutyList, on_delete=models.PROTECT, related_name="records")
    item = models.ForeignKey(GroupDutyItem, on_delete=models.PROTECT, related_name="records")
    party_group = models.ForeignKey("orgs.PartyGroup", on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, verbose_name="党支部", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    period = models.CharField("周期", max_length=7)
    done_on = models.DateField("完成日期")
    note = models.CharField("完成情况", max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "item__order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "party_group", "period"],
                                               name="duties_groupdutyrecord_once")]
        indexes = [models.Index(fields=["duty_list", "party_group"], name="duties_gdr_list_group")]
