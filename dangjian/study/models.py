"""学习教育: materials (指尖党课), courses (集中培训), quizzes, and the 学时 ledger (RULES §5)."""
from decimal import Decimal

from django.conf import settings
from django.db import models

from dangjian.core.models import RegionFilled
from dangjian.members.models import Member
from dangjian.orgs.models import Org

USER = settings.AUTH_USER_MODEL


class StudyPolicy(models.Model):
    """A committee's own numbers for RULES §5 (⚙); orgs below without their own inherit them."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="+")
    member_hours = models.DecimalField("党员年度学时", max_digits=5, decimal_places=2, default=Decimal(32))
    leader_hours = models.DecimalField("书记、委员年度学时", max_digits=5, decimal_places=2, default=Decimal(56))
    leader_needs_training = models.BooleanField("书记、委员须参加集中培训", default=True)
    online_minutes_per_hour = models.PositiveSmallIntegerField("线上学习每学时分钟数", default=60)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "学时要求"


class StudyLeader(models.Model):
    """A member who is a secretary or committee member (R-STUDY-56), marked by the branch.

    Members holding a secretary / committee_member account role count without a mark.
    """

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="study_leader")
    title = models.CharField("职务", max_length=50)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class Material(models.Model):
    """学习资料, published to the publishing org's whole subtree (指尖党课: weekly; 学习辅导: monthly)."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "图文"
        VIDEO = "video", "视频"
        LINK = "link", "链接"
        PDF = "pdf", "PDF 文档"

    class Series(models.TextChoices):
        WEEKLY = "weekly", "每周指尖党课"
        MONTHLY = "monthly", "每月学习辅导"
        OTHER = "other", "其他"

    org = models.ForeignKey(Org, verbose_name="发布组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    series = models.CharField("栏目", max_length=10, choices=Series.choices, default=Series.OTHER)
    period = models.CharField("期次", max_length=8, db_index=True)  # 2025-W07 / 2025-03
    body = models.TextField("正文", blank=True)
    url = models.URLField("链接", blank=True, max_length=500)
    duration_seconds = models.PositiveIntegerField("学习时长（秒）")
    published_on = models.DateField("发布日期", db_index=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "-id"]

    def __str__(self):
        return self.title


class MaterialProgress(RegionFilled, models.Model):
    """How far a member has studied a material. `seconds` only grows and never passes the length."""

    REGION_FROM = "member"

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="progress")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="study_progress")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    seconds = models.PositiveIntegerField(default=0)
    anchor_at = models.DateTimeField("上次计时时刻")
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_id", "material", "member"], name="study_materialprogress_unique")]


class Course(models.Model):
    """集中培训 (党校 classes, 冬春集中培训, 万名党员进党校…): hours and attendance."""

    class Kind(models.TextChoices):
        PARTY_SCHOOL = "party_school", "党校培训"
        CONCENTRATED = "concentrated", "集中轮训"
        LECTURE = "lecture", "专题辅导"

    org = models.ForeignKey(Org, verbose_name="举办组织", on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    title = models.CharField("培训名称", max_length=200)
    kind = models.CharField("类型", max_length=15, choices=Kind.choices, default=Kind.CONCENTRATED)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    location = models.CharField("地点", max_length=100, blank=True)
    description = models.TextField("培训内容", blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.title


class CourseLesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField("课程", max_length=200)
    teacher = models.CharField("授课人", max_length=50, blank=True)

    class Meta:
        ordering = ["order", "id"]


class CourseAttendance(RegionFilled, models.Model):
    REGION_FROM = "member"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="study_course_attendance")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    hours = models.DecimalField("认定学时", max_digits=5, decimal_places=1)
    certificate_no = models.CharField("结业证书编号", max_length=50, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_id", "course", "member"], name="study_attendance_unique")]


class Question(models.Model):
    """题库: a single- or multiple-choice question (answer = indexes of the right choices)."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    text = models.CharField("题目", max_length=500)
    choices = models.JSONField("选项")
    answer = models.JSONField("正确答案")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.text[:40]


class Quiz(models.Model):
    """A test for the publishing org's subtree: questions drawn at random from its pool."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    title = models.CharField("名称", max_length=200)
    questions = models.ManyToManyField(Question, related_name="quizzes")
    question_count = models.PositiveSmallIntegerField("每次抽题数")
    pass_score = models.DecimalField("及格分（百分制）", max_digits=5, decimal_places=2, default=Decimal(60))
    deadline = models.DateTimeField("截止时间", null=True, blank=True)
    credit_hours = models.DecimalField("通过后认定学时", max_digits=4, decimal_places=2, default=Decimal(0))
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class QuizAttempt(RegionFilled, models.Model):
    """One member's attempt: the questions drawn, the answers, the grade. Submitted once."""

    REGION_FROM = "member"

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="study_quiz_attempts")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    question_ids = models.JSONField(default=list)
    answers = models.JSONField(default=dict)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    correct = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_id", "quiz", "member"], name="study_quizattempt_unique")]


class StudyCredit(RegionFilled, models.Model):
    """学时 ledger, append-only: online seconds or offline hours; a correction is a reversing entry."""

    class Source(models.TextChoices):
        ONLINE = "online", "线上学习"
        COURSE = "course", "集中培训"
        QUIZ = "quiz", "在线测试"
        REVERSAL = "reversal", "冲正"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="study_credits")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")  # member's org when credited
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField(db_index=True)
    credited_on = models.DateField()
    source = models.CharField(max_length=10, choices=Source.choices)
    material = models.ForeignKey(Material, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quiz = models.ForeignKey(Quiz, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # One reversal per credit: UniqueConstraint(region_id, reverses), not a OneToOne (Citus keys, rule 9).
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="reversed_by")
    seconds = models.IntegerField("线上学习秒数", default=0)
    hours = models.DecimalField("学时", max_digits=6, decimal_places=2, default=Decimal(0))
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-credited_on", "-id"]
        indexes = [models.Index(fields=["member", "year"], name="study_studycredit_member_year")]
        constraints = [models.UniqueConstraint(fields=["region_id", "reverses"], name="study_studycredit_reversed_once")]
