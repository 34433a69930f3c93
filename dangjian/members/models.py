from django.conf import settings
from django.db import models
from django.utils import timezone

from dangjian.core.fields import EncryptedCharField
from dangjian.orgs.models import Org, PartyGroup

from .choices import ETHNICITY_CHOICES, Degree, Education, Gender, Stage, Status


class Member(models.Model):
    """党员 — and the people on the way to becoming one (stage applicant … full)."""

    # No index of its own: member_org_stage_status starts with org (one index less for every import).
    org = models.ForeignKey(Org, verbose_name="所在党组织", on_delete=models.PROTECT, related_name="members",
                            db_index=False)
    party_group = models.ForeignKey(PartyGroup, verbose_name="党小组", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="members")
    # DESIGN rule 9. Indexed through member_region_name and the search indexes (members 0003).
    region_id = models.BigIntegerField(null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="member")

    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField(max_length=200, blank=True)
    name_initials = models.CharField(max_length=50, blank=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=10, choices=ETHNICITY_CHOICES, default="汉族")
    birth_date = models.DateField("出生日期")
    # ID number: SM4-encrypted at rest; the blind index answers "who has this number" exactly.
    id_number = EncryptedCharField("公民身份号码", blank=True, default="")
    id_index = models.CharField(max_length=64, null=True, blank=True)  # unique: see Meta (no LIKE index needed)
    id_masked = models.CharField("身份证号（脱敏）", max_length=18, blank=True)
    phone = models.CharField("手机号码", max_length=11, blank=True)  # indexed in Meta (exact match only)
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    degree = models.CharField("学位", max_length=10, choices=Degree.choices, blank=True)
    occupation = models.CharField("工作岗位/职业", max_length=100, blank=True)
    unit_name = models.CharField("工作单位", max_length=100, blank=True)
    address = models.CharField("家庭住址", max_length=200, blank=True)

    stage = models.CharField("人员类别", max_length=20, choices=Stage.choices, default=Stage.FULL)
    applied_on = models.DateField("申请入党日期", null=True, blank=True)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    full_on = models.DateField("转正日期", null=True, blank=True)
    work_started_on = models.DateField("参加工作日期", null=True, blank=True)

    status = models.CharField("党籍状态", max_length=20, choices=Status.choices, default=Status.NORMAL)
    status_since = models.DateField("状态起始日期", null=True, blank=True)
    in_hardship = models.BooleanField("困难党员", default=False)
    is_retired = models.BooleanField("离退休", default=False)
    is_cadre = models.BooleanField("领导干部", default=False)
    # 送学上门: elderly, infirm or seriously ill; no attendance or study alerts (RULES §3).
    is_exempt = models.BooleanField("免于参加组织生活提醒", default=False)
    notes = models.CharField("备注", max_length=500, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "党员"
        # Few indexes on purpose: each one costs every import (issue 4 bench; measured per index on 100 000
        # rows: 40–190 ms each). The composite covers org, stage and status filters; region + name/pinyin/
        # initials pattern indexes (PostgreSQL, migration 0003) serve the roster search. Declared here rather
        # than unique=True/db_index=True so PostgreSQL gets no extra varchar_pattern_ops twin: the blind index
        # and the phone are only ever matched exactly (the phone-tail search cannot use a B-tree anyway).
        indexes = [
            models.Index(fields=["org", "stage", "status"], name="member_org_stage_status"),
            models.Index(fields=["phone"], name="member_phone"),
        ]
        constraints = [models.UniqueConstraint(fields=["id_index"], name="member_id_index_unique")]

    def __str__(self):
        return self.name

    @property
    def age(self) -> int:
        return years_between(self.birth_date, timezone.localdate())

    @property
    def party_years(self) -> int | None:
        """党龄 in whole years from the join date (None for non-members)."""
        # 党龄 counts from the full-member date (党章 §7); a probationary member has none yet.
        if not self.joined_on or self.stage != Stage.FULL:
            return None
        return years_between(self.full_on or self.joined_on, timezone.localdate())

    @property
    def is_veteran(self) -> bool:
        """老党员: 党龄 ≥ 50 years (GLOSSARY, 光荣在党50年)."""
        return self.joined_on is not None and years_between(self.joined_on, timezone.localdate()) >= 50


def years_between(start, end) -> int:
    """Whole calendar years from start to end (a 29 Feb birthday turns over on 1 Mar)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


class ChangeRequest(models.Model):
    """A member's self-service correction; nothing changes until the secretary approves."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "已驳回"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="change_requests")
    field = models.CharField("字段", max_length=30)
    old_value = models.CharField("原值", max_length=200, blank=True)
    new_value = models.CharField("新值", max_length=200)
    reason = models.CharField("说明", max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_note = models.CharField("审核意见", max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]


class Transfer(models.Model):
    """组织关系转接 (RULES §6): in transit until the receiving org accepts."""

    class State(models.TextChoices):
        IN_TRANSIT = "in_transit", "转接中"
        ACCEPTED = "accepted", "已接收"
        REJECTED = "rejected", "已退回"
        COMPLETED = "completed", "已转出（系统外）"

    class Direction(models.TextChoices):
        INTERNAL = "internal", "系统内"
        OUT = "out", "转出系统外"
        IN = "in", "从系统外转入"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    from_org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_out")
    to_org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_in")
    external_org_name = models.CharField("系统外组织", max_length=200, blank=True)
    letter_no = models.CharField("介绍信编号", max_length=50, blank=True)
    cross_province = models.BooleanField("跨省", default=False)
    issued_on = models.DateField("开具日期")
    report_by = models.DateField("报到期限")
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_TRANSIT, db_index=True)
    reason = models.CharField("转接原因", max_length=200, blank=True)
    reject_reason = models.CharField("退回理由", max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class MobileRecord(models.Model):
    """流动党员: outflow (away ≥ 6 months without transfer) or inflow (RULES §6)."""

    class Direction(models.TextChoices):
        OUT = "out", "流出"
        IN = "in", "流入"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="mobile_records")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="mobile_records")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    place = models.CharField("流动地点", max_length=200)
    since = models.DateField("流动日期")
    contact = models.CharField("联系方式", max_length=100, blank=True)
    host_org_name = models.CharField("流入地管理党组织", max_length=200, blank=True)
    certificate_no = models.CharField("流动党员活动证编号", max_length=50, blank=True)
    last_contact_on = models.DateField("最近联系日期", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-since"]


class Disposal(models.Model):
    """不合格党员处置 and other endings (RULES §7). Kept forever, never deleted."""

    class Kind(models.TextChoices):
        RECTIFY = "rectify", "限期改正"
        PERSUADE_OUT = "persuade_out", "劝退"
        EXPEL_FROM_ROLLS = "expel_from_rolls", "除名"
        LAPSED = "lapsed", "自行脱党"
        SUSPENDED = "suspended", "停止党籍"
        RESTORED = "restored", "恢复党籍"
        DECEASED = "deceased", "去世"

    class State(models.TextChoices):
        OPEN = "open", "办理中"
        CLOSED = "closed", "已办结"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="disposals")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="disposals")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.CharField("原因", max_length=500)
    decided_on = models.DateField("决定日期")
    deadline = models.DateField("改正期限", null=True, blank=True)
    outcome = models.CharField("结果", max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CLOSED)
    source = models.CharField("来源", max_length=50, blank=True)  # e.g. "R-ABSENT-6M" when raised by a job
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]


class ImportJob(models.Model):
    """One uploaded roster file: dry-run report, then an all-or-nothing import."""

    class State(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "处理中"
        PREVIEW = "preview", "待确认"
        DONE = "done", "已导入"
        FAILED = "failed", "失败"

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
