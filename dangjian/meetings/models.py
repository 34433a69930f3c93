"""三会一课, 主题党日, 组织生活会, 民主评议 and 谈心谈话 (GLOSSARY: Organizational life)."""
from django.conf import settings
from django.db import models
from django.utils import timezone

from dangjian.core.models import RegionFilled
from dangjian.members.models import Member
from dangjian.orgs.models import Org, PartyGroup

from . import rules


class Meeting(models.Model):
    """One meeting of a branch (or of one of its party groups), from plan to record."""

    class State(models.TextChoices):
        PLANNED = "planned", "计划中"
        HELD = "held", "已召开"
        CANCELLED = "cancelled", "已取消"

    org = models.ForeignKey(Org, verbose_name="党支部", on_delete=models.PROTECT, related_name="meetings")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9
    kind = models.CharField("类型", max_length=20, choices=rules.KIND_CHOICES)
    party_group = models.ForeignKey(PartyGroup, verbose_name="党小组", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField("主题", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=200, blank=True)
    # 阵地 (issue 15): a venue of the meeting's org or of an org above it; the venue app owns the model.
    venue = models.ForeignKey("standards.Venue", verbose_name="阵地", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="meetings")
    agenda = models.TextField("议程", blank=True)
    speaker = models.CharField("授课人", max_length=50, blank=True)  # lecture
    minutes = models.TextField("会议记录", blank=True)
    resolutions = models.TextField("决议事项", blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PLANNED, db_index=True)
    held_at = models.DateTimeField("记录时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织生活"
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["org", "starts_at"], name="meeting_org_start"),
            models.Index(fields=["region_id", "starts_at"], name="meeting_region_start"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"

    @property
    def local_date(self):
        return timezone.localtime(self.starts_at).date()


class Attendance(RegionFilled, models.Model):
    """One expected attendee of a meeting. Rows are snapshotted when the meeting is created."""

    REGION_FROM = "meeting"

    class Status(models.TextChoices):
        PRESENT = "present", "出席"
        LEAVE = "leave", "请假"
        ABSENT = "absent", "缺席"

    class Method(models.TextChoices):
        NONE = "", "未签到"
        QR = "qr", "扫码签到"
        MANUAL = "manual", "书记登记"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendances")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9: the meeting's
    status = models.CharField("出勤", max_length=10, choices=Status.choices, default=Status.ABSENT)
    method = models.CharField("方式", max_length=10, choices=Method.choices, blank=True, default="")
    checked_at = models.DateTimeField("签到时间", null=True, blank=True)
    # Snapshots at the meeting: a full member counts for R-MEET-QUORUM; 送学上门 members get no alerts.
    is_full = models.BooleanField("正式党员", default=True)
    is_exempt = models.BooleanField("免于提醒", default=False)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


    @property
    def unmarked(self) -> bool:
        """Nobody has signed in or ticked this row yet, and the meeting is not recorded."""
        return (self.status == self.Status.ABSENT and not self.method and self.marked_by_id is None
                and self.meeting.state != Meeting.State.HELD)

    class Meta:
        verbose_name = verbose_name_plural = "出勤"
        # Citus (issue 13): unique keys carry the distribution column; a row takes its meeting's region.
        constraints = [models.UniqueConstraint(fields=["region_id", "meeting", "member"], name="attendance_unique")]
        indexes = [models.Index(fields=["member", "status"], name="attendance_member_status")]


class LeaveRequest(models.Model):
    """请假: a member asks; the secretary approves or rejects."""

    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="leave_requests")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="leave_requests")
    reason = models.CharField("请假事由", max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "请假"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], condition=models.Q(state="pending"),
                                               name="leave_one_pending")]


class Makeup(models.Model):
    """补学: a task for a member who missed a held meeting."""

    class State(models.TextChoices):
        OPEN = "open", "待补学"
        DONE = "done", "已补学"
        CANCELLED = "cancelled", "已撤销"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="makeups")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="makeups")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    due_on = models.DateField("补学期限")
    done_on = models.DateField("补学日期", null=True, blank=True)
    note = models.CharField("补学情况", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "补学"
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="makeup_unique")]


def attachment_path(instance, filename):
    return f"meetings/{timezone.localdate():%Y/%m}/{instance.meeting_id}/{filename}"


class MeetingAttachment(models.Model):
    """A photo or document of a meeting (type and size checked by the service)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议附件"
        ordering = ["created_at", "id"]


class HeartTalk(models.Model):
    """谈心谈话 (R-TALK-YEAR): who talked with whom, when, about what, and the follow-up."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="heart_talks")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    member = models.ForeignKey(Member, verbose_name="谈话对象", on_delete=models.PROTECT, related_name="heart_talks")
    talker_name = models.CharField("谈话人", max_length=50)
    talked_on = models.DateField("谈话日期")
    topic = models.CharField("谈话主题", max_length=200)
    content = models.TextField("谈话内容", blank=True)
    follow_up = models.CharField("后续事项", max_length=500, blank=True)
    reply_by = models.DateField("答复期限", null=True, blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "谈心谈话"
        ordering = ["-talked_on", "-id"]
        indexes = [models.Index(fields=["org", "talked_on"], name="hearttalk_org_date")]


class MeetingSettings(models.Model):
    """A committee's choices for the ⚙ rules of §3; inherited by every org below it."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="meeting_settings")
    checkin_lead_minutes = models.PositiveSmallIntegerField("提前开放签到（分钟）", default=rules.CHECKIN_LEAD_MINUTES)
    lecture_freq = models.CharField("党课频次", max_length=10, default=rules.QUARTER,
                                    choices=[(rules.MONTH, "每月"), (rules.QUARTER, "每季度"), (rules.YEAR, "每年")])
    assembly_quorum = models.BooleanField("党员大会须过半数到会方计入", default=True)
    absent_warning_months = models.PositiveSmallIntegerField("未参加组织生活预警（月）",
                                                             default=rules.ABSENT_WARNING_MONTHS)
    review_excellent_cap = models.PositiveSmallIntegerField("民主评议优秀比例上限（%）", null=True, blank=True,
                                                            default=rules.EXCELLENT_CAP_DEFAULT)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织生活设置"


class Review(models.Model):
    """民主评议党员 (R-MEET-REVIEW): one per branch and year; grades are drafts until the result is fixed."""

    class State(models.TextChoices):
        OPEN = "open", "评议中"
        CLOSED = "closed", "已评定"

    org = models.ForeignKey(Org, verbose_name="党支部", on_delete=models.PROTECT, related_name="reviews")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    meeting = models.ForeignKey(Meeting, verbose_name="评议大会", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="reviews")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    closed_on = models.DateField("评定日期", null=True, blank=True)
    excellent_cap = models.PositiveSmallIntegerField("优秀比例上限（%）", null=True, blank=True)  # ⚙ snapshot
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "民主评议党员"
        ordering = ["-year", "org__path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="review_org_year")]

    def __str__(self):
        return f"{self.org} {self.year} 年度民主评议党员"


class ReviewGrade(models.Model):
    """One member's result: self-assessment, mutual assessment, the grade and, for 不合格, the disposal."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="grades")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="review_grades")
    grade = models.CharField("评定等次", max_length=20, choices=rules.REVIEW_GRADE_CHOICES)
    self_assessment = models.TextField("个人自评", blank=True)
    mutual_opinion = models.CharField("党员互评意见", max_length=500, blank=True)
    note = models.CharField("评定意见", max_length=500, blank=True)
    rectify_deadline = models.DateField("改正期限", null=True, blank=True)  # 不合格 → 限期改正
    disposal = models.ForeignKey("members.Disposal", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "评议结果"
        constraints = [models.UniqueConstraint(fields=["review", "member"], name="review_grade_unique")]


class WorkPrompt(models.Model):
    """每周工作提示 (seed 001): a committee's prompt for one week to every branch below it."""

    org = models.ForeignKey(Org, verbose_name="发布组织", on_delete=models.PROTECT, related_name="work_prompts")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    week_start = models.DateField("周一", db_index=True)
    title = models.CharField("提示事项", max_length=200)
    body = models.TextField("具体要求", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "每周工作提示"
        ordering = ["-week_start", "-id"]


class WorkPromptDone(models.Model):
    """A branch has done one prompt (one row per prompt and branch)."""

    prompt = models.ForeignKey(WorkPrompt, on_delete=models.CASCADE, related_name="done")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("落实情况", max_length=500, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prompt", "org"], name="prompt_done_unique")]
