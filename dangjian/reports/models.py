"""统计报表: the nightly member roll-up, ledger export jobs, report tasks and the log of failed jobs."""
from django.conf import settings
from django.db import models

from dangjian.orgs.models import Org


class MemberStatsDaily(models.Model):
    """Nightly roll-up: for each org, the members of its WHOLE subtree counted by one dimension.

    One row per (org, date, dimension, value) with a non-zero count, so a dashboard at any level reads a
    handful of rows by (org, date) instead of scanning the members (DESIGN "Scale": dashboards read
    nightly roll-up tables). Written by tasks.member_stats_rollup, once per date (core.JobRun).
    """

    class Dimension(models.TextChoices):
        STAGE = "stage", "人员类别"
        GENDER = "gender", "性别"
        AGE = "age", "年龄"
        EDUCATION = "education", "学历"
        PARTY_YEARS = "party_years", "党龄"

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # DESIGN rule 9
    date = models.DateField("统计日期")
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    value = models.CharField(max_length=20)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "党员统计日汇总"
        # region_id leads the key: Citus enforces uniqueness only within a shard (DESIGN rule 9)
        constraints = [models.UniqueConstraint(fields=["region_id", "org", "date", "dimension", "value"],
                                               name="memberstats_unique_region")]
        indexes = [models.Index(fields=["date", "dimension"], name="memberstats_date_dim")]

    def __str__(self):
        return f"{self.org_id} {self.date} {self.dimension}={self.value}: {self.count}"


class OrgStatsMonthly(models.Model):
    """Nightly roll-up of the other dashboard charts: one figure (`metric`) of an org in one month of a year
    (month 0: a snapshot taken at the build, such as members on the rolls). Figures are totals of the org's
    WHOLE subtree (like MemberStatsDaily), so a county's monthly chart reads its own dozen rows and the
    drill-down bars its children's rows — except the `points.*` metrics, which are per org (the ranking
    needs each branch's own figures; a county reads a few thousand rows by `org_path` range).

    The table holds one build (built_on): rollups.build replaces every row in one transaction, with one
    INSERT … SELECT per chart (rollups.py). Long format, so that a chart never updates another's rows.
    """

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True)  # DESIGN rule 9; leads the unique key below
    org_path = models.CharField(max_length=255)  # copied from the org: the subtree range needs no join
    built_on = models.DateField("汇总日期")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()  # 1–12, or 0 for a yearly figure / a snapshot
    metric = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "组织月度统计汇总"
        constraints = [models.UniqueConstraint(fields=["region_id", "org", "year", "month", "metric"],
                                               name="orgstatsmonthly_unique")]
        indexes = [models.Index(fields=["metric", "year", "org_path"], name="orgstats_metric_path")]

    def __str__(self):
        return f"{self.org_id} {self.year}-{self.month} {self.metric}={self.value}"


class LedgerJob(models.Model):
    """A big ledger export (> SYNC_MAX_ROWS rows) built in the background, with progress and a file."""

    class State(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel"
        PDF = "pdf", "PDF"

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="ledger_jobs")
    ledger = models.CharField("台账", max_length=30)
    period = models.CharField("期间", max_length=10)
    fmt = models.CharField("格式", max_length=4, choices=Format.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    total_rows = models.PositiveIntegerField("行数", default=0)
    file = models.FileField(upload_to="ledgers/%Y/%m/", blank=True, max_length=300)
    filename = models.CharField(max_length=200, blank=True)
    error = models.CharField("错误", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "台账导出任务"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.filename or self.ledger} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class ReportTask(models.Model):
    """报表任务: an upper committee asks the orgs below to fill in a form by a deadline.

    `fields` is the template: [{"key", "label", "type", "required", "source", "choices"}] (rules.FIELD_TYPES;
    `source` a prefill key such as "members.count_full", filled from our data when an org opens the form).
    """

    class State(models.TextChoices):
        OPEN = "open", "填报中"
        CLOSED = "closed", "已截止"

    class Target(models.TextChoices):
        BRANCHES = "branches", "下属全部党支部"
        CHILDREN = "children", "直属下级党组织"

    class Kind(models.TextChoices):
        FORM = "form", "在线表单"
        SHEET = "sheet", "Excel 表格"

    org = models.ForeignKey(Org, verbose_name="下发组织", on_delete=models.PROTECT, related_name="report_tasks")
    title = models.CharField("报表名称", max_length=100)
    instructions = models.TextField("填报说明", max_length=2000, blank=True)
    fields = models.JSONField("报表字段", default=list)
    deadline = models.DateField("截止日期")
    target = models.CharField("填报范围", max_length=10, choices=Target.choices, default=Target.BRANCHES)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    # An Excel-sheet template (sheets.py): the file, its digest, and where its fields are
    # ({"mode": "named"} or {"mode": "header", "sheet", "header_row", "org_col"}); each field then carries
    # "name", "sheet" and "cell" (named) or "col" (header).
    kind = models.CharField("模板类型", max_length=5, choices=Kind.choices, default=Kind.FORM)
    template = models.FileField("Excel 模板", upload_to="reports/templates/%Y/%m/", blank=True, max_length=300)
    template_name = models.CharField("模板文件名", max_length=200, blank=True)
    template_sha256 = models.CharField(max_length=64, blank=True)
    layout = models.JSONField("模板结构", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "报表任务"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class ReportSubmission(models.Model):
    """One org's answer to a report task (created for every target org when the task is issued)."""

    class State(models.TextChoices):
        PENDING = "pending", "未填报"
        DRAFT = "draft", "已暂存"
        SUBMITTED = "submitted", "已上报"

    task = models.ForeignKey(ReportTask, on_delete=models.CASCADE, related_name="submissions")
    org = models.ForeignKey(Org, verbose_name="填报组织", on_delete=models.PROTECT, related_name="report_submissions")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    values = models.JSONField("填报内容", default=dict, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    submitted_at = models.DateTimeField("上报时间", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "报表填报"
        ordering = ["org__path", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "org"], name="reportsubmission_once")]

    def __str__(self):
        return f"{self.task} · {self.org}"


class TaskFailure(models.Model):
    """A Huey task that raised (recorded by the error signal in tasks.py), for the scheduler page."""

    task = models.CharField(max_length=200, db_index=True)
    error = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "任务失败记录"
        ordering = ["-created_at", "-id"]
