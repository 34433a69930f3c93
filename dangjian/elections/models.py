"""Committees (班子), their terms, and 换届选举 (RULES.md §2)."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.members.models import Member
from dangjian.orgs.models import Org

from . import rules

USER = settings.AUTH_USER_MODEL


class TermSettings(models.Model):
    """A committee's choice for the ⚙ reminder window (R-TERM-REMIND); inherited by every org below it."""

    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="term_settings")
    remind_days = models.PositiveSmallIntegerField("换届提醒提前天数", default=rules.REMIND_DAYS)
    updated_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "换届提醒设置"


class Election(models.Model):
    """换届选举: plan → candidate list → election meeting → result (→ re-vote) → the new committee."""

    class State(models.TextChoices):
        PLANNED = "planned", "筹备中"
        NOMINATED = "nominated", "候选人已确定"
        ELECTED = "elected", "已选出"
        TIE = "tie", "票数相等，须再次投票"
        SHORTFALL = "shortfall", "当选人数不足"
        INSTALLED = "installed", "新班子已就职"

    class Round(models.TextChoices):
        FIRST = "first", "正式选举"
        TIE = "tie", "票数相等再次投票"
        SHORTFALL = "shortfall", "另行选举"

    org = models.ForeignKey(Org, verbose_name="党组织", on_delete=models.PROTECT, related_name="elections")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.PLANNED, db_index=True)
    round_kind = models.CharField("轮次", max_length=10, choices=Round.choices, default=Round.FIRST)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="rounds",
                               verbose_name="上一轮")
    title = models.CharField("名称", max_length=100)
    planned_on = models.DateField("计划选举日期", null=True, blank=True)
    seats = models.PositiveSmallIntegerField("应选名额")
    note = models.CharField("说明", max_length=500, blank=True)
    # The meeting (选举大会)
    held_on = models.DateField("选举日期", null=True, blank=True)
    entitled = models.PositiveIntegerField("应到有选举权党员", null=True, blank=True)
    entitled_computed = models.PositiveIntegerField("系统统计有选举权党员", null=True, blank=True)
    entitled_reason = models.CharField("应到人数说明", max_length=200, blank=True)
    present = models.PositiveIntegerField("实到有选举权党员", null=True, blank=True)
    ballots_issued = models.PositiveIntegerField("发出选票", null=True, blank=True)
    ballots_returned = models.PositiveIntegerField("收回选票", null=True, blank=True)
    valid = models.BooleanField("选举有效", null=True, blank=True)
    seats_left = models.PositiveSmallIntegerField("未选出名额", default=0)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "换届选举"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org", "state"], name="election_org_state")]

    def __str__(self):
        return self.title

    @property
    def root(self) -> "Election":
        node = self
        while node.parent_id:
            node = node.parent
        return node


class Candidate(models.Model):
    """A candidate on the list of an election round, with the votes counted at the meeting."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey(Member, verbose_name="候选人", on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveIntegerField("得票", null=True, blank=True)
    elected = models.BooleanField("当选", default=False)
    tied = models.BooleanField("票数相等待再次投票", default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "候选人"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="candidate_once_per_election")]


class Committee(models.Model):
    """An org's 班子 (支部委员会, or a secretary and deputy) for one term. One current per org."""

    class Source(models.TextChoices):
        ELECTION = "election", "换届选举产生"
        RECORD = "record", "补录"

    org = models.ForeignKey(Org, verbose_name="党组织", on_delete=models.PROTECT, related_name="committees")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    election = models.OneToOneField(Election, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="committee")
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.RECORD)
    elected_on = models.DateField("选举日期")
    took_office_on = models.DateField("就职日期", null=True, blank=True)
    term_years = models.PositiveSmallIntegerField("任期（年）")
    term_ends_on = models.DateField("任期届满日期")       # elected_on + term_years (R-TERM)
    expires_on = models.DateField("届满日期", db_index=True)  # term_ends_on, or later after a postponement
    is_current = models.BooleanField("现任", default=True, db_index=True)
    ended_on = models.DateField("卸任日期", null=True, blank=True)
    # The secretary is approved by the upper committee (选举条例: 书记、副书记报上级党组织批准).
    approved_on = models.DateField("书记批复日期", null=True, blank=True)
    approval_org = models.CharField("批复机关", max_length=100, blank=True)
    approval_doc = models.CharField("批复文号", max_length=100, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "班子"
        ordering = ["-elected_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["org"], condition=Q(is_current=True),
                                               name="committee_one_current_per_org")]

    def __str__(self):
        return f"{self.org.name} {self.elected_on:%Y}年班子"

    @property
    def postponed(self) -> bool:
        return self.expires_on != self.term_ends_on


class CommitteeSeat(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey(Member, verbose_name="成员", on_delete=models.PROTECT, related_name="+")
    duty = models.CharField("分工", max_length=20, choices=rules.DUTIES)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "班子成员"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["committee", "member"], name="seat_once_per_committee")]


class TermPostponement(models.Model):
    """An approved 延期换届 (R-TERM-POSTPONE): at most 1 year past the regular end in all. Never edited."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="postponements")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    previous_expires_on = models.DateField("原届满日期")
    new_expires_on = models.DateField("延期至")
    approved_on = models.DateField("批准日期")
    approval_org = models.CharField("批准机关", max_length=100)
    approval_doc = models.CharField("批准文号", max_length=100, blank=True)
    reason = models.CharField("延期原因", max_length=500)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "延期换届"
        ordering = ["-created_at"]
