"""发展党员: one record per person in the pipeline, and an append-only ledger of their steps."""
from django.conf import settings
from django.db import models

from dangjian.core.ledger import AppendOnly
from dangjian.members.models import Member

from .steps import STEP_CHOICES


class RecruitmentRecord(models.Model):
    """A person's 发展党员 file. The fields below the line are derived from the steps (rules.evaluate)
    and stored so that lists and reminders filter by index instead of replaying every history."""

    class State(models.TextChoices):
        ACTIVE = "active", "进行中"
        COMPLETED = "completed", "已完成"
        CANCELLED = "cancelled", "已取消预备党员资格"
        REJECTED = "rejected", "上级党委未批准"

    member = models.OneToOneField(Member, verbose_name="发展对象", on_delete=models.PROTECT,
                                  related_name="recruitment")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9
    leaving_on = models.DateField("预计离开工作单位日期", null=True, blank=True)  # R-LEAVING
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # --- derived (services._refresh) ---
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.ACTIVE)
    next_step = models.CharField("下一步", max_length=30, blank=True)
    next_earliest = models.DateField("下一步最早日期", null=True, blank=True)
    due_step = models.CharField("到期步骤", max_length=30, blank=True)
    due_on = models.DateField("到期日期", null=True, blank=True)
    deadline_step = models.CharField("期限步骤", max_length=30, blank=True)
    deadline_on = models.DateField("最近期限", null=True, blank=True)
    probation_end = models.DateField("预备期满日期", null=True, blank=True)
    late_count = models.PositiveSmallIntegerField("逾期记录数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员档案"
        indexes = [
            models.Index(fields=["state", "deadline_on"], name="recruit_state_deadline"),
            models.Index(fields=["state", "due_on"], name="recruit_state_due"),
        ]

    def __str__(self):
        return f"{self.member.name}的发展档案"


class StepRecord(AppendOnly):
    """One recorded step (RULES.md §1). Never edited or deleted: a correction is a void entry
    (`voids` set, with a reason) and the step recorded again."""

    record = models.ForeignKey(RecruitmentRecord, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField("步骤", max_length=30, choices=STEP_CHOICES)
    date = models.DateField("日期")
    data = models.JSONField("步骤数据", default=dict, blank=True)
    passed = models.BooleanField("通过/批准/合格", null=True, blank=True)
    is_late = models.BooleanField("逾期记录", default=False)
    late_reason = models.CharField("逾期原因", max_length=200, blank=True)
    voids = models.OneToOneField("self", verbose_name="作废的记录", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="voided_by")
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员步骤记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["record", "step"], name="recruit_step_record")]

    def __str__(self):
        return f"{self.get_step_display()} {self.date:%Y-%m-%d}"

    @property
    def is_void_entry(self) -> bool:
        return self.voids_id is not None



class DossierDocument(models.Model):
    """A paper of the 入党材料档案 registered as received (dossier.DOCS, the kinds that are not `auto`).
    Never edited or deleted: a wrong registration is voided with a reason (voided_at set)."""

    record = models.ForeignKey(RecruitmentRecord, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("材料", max_length=40)
    received_on = models.DateField("收到日期")
    copies = models.PositiveSmallIntegerField("份数", default=1)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "入党材料"
        ordering = ["received_on", "id"]
        indexes = [models.Index(fields=["record", "kind"], name="recruit_doc_record_kind")]

    def __str__(self):
        return f"{self.kind} {self.received_on:%Y-%m-%d}"


class RecruitmentPlan(models.Model):
    """发展党员计划: the number of admissions a committee plans for one org below it in one year (R-PLAN)."""

    org = models.ForeignKey("orgs.Org", verbose_name="党组织", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    quota = models.PositiveIntegerField("计划发展人数")
    committee = models.ForeignKey("orgs.Org", verbose_name="下达计划的党委", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("备注", max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员计划"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="recruit_plan_org_year")]
        indexes = [models.Index(fields=["year", "org"], name="recruit_plan_year_org")]

    def __str__(self):
        return f"{self.year} 年 {self.org} 计划 {self.quota} 名"
