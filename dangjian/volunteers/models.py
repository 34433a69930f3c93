"""志愿服务 (issue 8): units, volunteers, activities and hours, good deeds, posts and claims, residents' needs.

Every row carries its org (scope) and `region_id` (DESIGN rule 9). Hours are an append-only ledger
(`HoursEntry`): a correction is a new entry with the difference, never an edit.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.ledger import AppendOnly
from dangjian.core.models import RegionFilled
from dangjian.orgs.models import Org


class Level(models.TextChoices):
    STATION = "station", "志愿服务总站"
    SUBSTATION = "substation", "志愿服务分站"
    TEAM = "team", "志愿服务队"


class Specialty(models.TextChoices):
    LEGAL = "legal", "法律"
    MEDICAL = "medical", "医疗"
    ARTS = "arts", "文艺"
    ENVIRONMENT = "environment", "环境"
    ELDERLY = "elderly", "敬老"
    TRAFFIC = "traffic", "交通劝导"
    EDUCATION = "education", "助学"
    OTHER = "other", "综合"


class VolunteerUnit(models.Model):
    """志愿服务总站 / 分站 / 专业化服务队 (seed 000: 总站—分站—专业化服务队)."""

    org = models.ForeignKey(Org, verbose_name="所属党组织", on_delete=models.PROTECT, related_name="volunteer_units")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=12, choices=Level.choices)
    specialty = models.CharField("专业方向", max_length=12, choices=Specialty.choices, blank=True)
    description = models.CharField("简介", max_length=500, blank=True)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "志愿服务组织"
        ordering = ["org__path", "level", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="volunteerunit_unique_name")]

    def __str__(self):
        return self.name


class VolunteerProfile(models.Model):
    """志愿者台账: one volunteer, a party member or a resident (群众) who is not one."""

    class Via(models.TextChoices):
        SELF = "self", "本人网上注册"
        STAFF = "staff", "党组织登记"

    org = models.ForeignKey(Org, verbose_name="所属党组织", on_delete=models.PROTECT, related_name="volunteers")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    member = models.OneToOneField("members.Member", verbose_name="党员", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="volunteer")
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField(max_length=200, blank=True, db_index=True)
    name_initials = models.CharField(max_length=50, blank=True, db_index=True)
    phone = models.CharField("联系电话", max_length=11, blank=True)
    skills = models.JSONField("特长", default=list, blank=True)
    interests = models.JSONField("兴趣", default=list, blank=True)
    capacity = models.CharField("服务能力", max_length=200, blank=True)
    max_load = models.PositiveSmallIntegerField("同时承接需求上限", default=2)
    # [{"weekday": 1-7, "start": "HH:MM", "end": "HH:MM"}], Monday = 1 (ISO).
    availability = models.JSONField("服务时间", default=list, blank=True)
    grid = models.CharField("网格", max_length=50, blank=True, db_index=True)
    address = models.CharField("住址", max_length=200, blank=True)
    registered_via = models.CharField("登记方式", max_length=8, choices=Via.choices, default=Via.STAFF)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "志愿者"
        ordering = ["org__path", "name", "id"]
        indexes = [models.Index(fields=["region_id", "name"], name="volunteer_region_name")]

    def __str__(self):
        return self.name

    @property
    def is_member(self) -> bool:
        return self.member_id is not None

    @property
    def availability_text(self) -> str:
        from .rules import slots_from_json

        return "；".join(s.label() for s in slots_from_json(self.availability))


class UnitMembership(models.Model):
    """A volunteer in a unit, as leader (队长) or member (队员)."""

    class Role(models.TextChoices):
        LEADER = "leader", "负责人"
        MEMBER = "member", "队员"

    unit = models.ForeignKey(VolunteerUnit, on_delete=models.CASCADE, related_name="memberships")
    volunteer = models.ForeignKey(VolunteerProfile, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=8, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField("加入日期")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "volunteer"], name="unitmembership_unique")]
        ordering = ["-role", "volunteer__name", "id"]


class Activity(models.Model):
    """志愿服务活动: published with time, place, needed skills and headcount."""

    class State(models.TextChoices):
        PUBLISHED = "published", "报名中"
        DONE = "done", "已总结"
        CANCELLED = "cancelled", "已取消"

    org = models.ForeignKey(Org, verbose_name="所属党组织", on_delete=models.PROTECT, related_name="volunteer_activities")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    unit = models.ForeignKey(VolunteerUnit, verbose_name="组织单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="activities")
    title = models.CharField("活动名称", max_length=100)
    description = models.TextField("活动内容", blank=True)
    place = models.CharField("地点", max_length=200)
    starts_at = models.DateTimeField("开始时间", db_index=True)
    ends_at = models.DateTimeField("结束时间")
    skills = models.JSONField("所需特长", default=list, blank=True)
    headcount = models.PositiveSmallIntegerField("招募人数")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PUBLISHED, db_index=True)
    summary = models.TextField("活动总结", blank=True)
    summarized_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "志愿活动"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["org", "starts_at"], name="activity_org_starts")]

    def __str__(self):
        return self.title


class Signup(RegionFilled, models.Model):
    """报名 and 签到/签退 of one volunteer at one activity."""

    REGION_FROM = "activity"

    class State(models.TextChoices):
        SIGNED_UP = "signed_up", "已报名"
        CANCELLED = "cancelled", "已取消"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # = activity.region_id (rule 9)
    volunteer = models.ForeignKey(VolunteerProfile, on_delete=models.PROTECT, related_name="signups")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SIGNED_UP, db_index=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_id", "activity", "volunteer"], name="signup_unique")]
        ordering = ["created_at", "id"]


class HoursEntry(AppendOnly):
    """服务时长 ledger (append-only): the credited hours of a volunteer at an activity are the sum."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    volunteer = models.ForeignKey(VolunteerProfile, on_delete=models.PROTECT, related_name="hours_entries")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="hours_entries")
    served_on = models.DateField("服务日期", db_index=True)
    hours = models.DecimalField("时长（小时）", max_digits=6, decimal_places=2)
    reason = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务时长"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["volunteer", "served_on"], name="hours_volunteer_date")]


def photo_path(instance, filename: str) -> str:
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"volunteers/photos/{instance.activity_id}/{uuid.uuid4().hex}.{ext}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to=photo_path)
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse("volunteers:photo", args=[self.activity_id, self.id])


class GoodDeed(models.Model):
    """好人好事, recorded with a witness (seed 000: 办好事实事 5800 余件)."""

    org = models.ForeignKey(Org, verbose_name="所属党组织", on_delete=models.PROTECT, related_name="good_deeds")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    volunteer = models.ForeignKey(VolunteerProfile, verbose_name="志愿者", on_delete=models.PROTECT,
                                  related_name="good_deeds")
    unit = models.ForeignKey(VolunteerUnit, verbose_name="服务队", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="good_deeds")
    done_on = models.DateField("日期", db_index=True)
    title = models.CharField("事迹", max_length=100)
    description = models.TextField("经过", blank=True)
    witness = models.CharField("证明人", max_length=50)
    witness_phone = models.CharField("证明人电话", max_length=11, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "好人好事"
        ordering = ["-done_on", "-id"]


class Post(models.Model):
    """服务岗位 defined by an org (duty, place, time) for members to claim (领岗)."""

    org = models.ForeignKey(Org, verbose_name="所属党组织", on_delete=models.PROTECT, related_name="volunteer_posts")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    title = models.CharField("岗位名称", max_length=100)
    duty = models.TextField("岗位职责", blank=True)
    place = models.CharField("服务地点", max_length=200, blank=True)
    schedule = models.CharField("服务时间", max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField("设岗人数")
    is_active = models.BooleanField("有效", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务岗位"
        ordering = ["org__path", "title", "id"]

    def __str__(self):
        return self.title


class PostClaim(models.Model):
    """领岗: a member claims a post; the community confirms (then the 《党员领岗协议书》) or declines."""

    class State(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        DECLINED = "declined", "未通过"
        ENDED = "ended", "已结束"
        WITHDRAWN = "withdrawn", "已撤回"

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="claims")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")  # = post.org, for scope
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="post_claims")
    pledge = models.CharField("服务承诺", max_length=500, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    starts_on = models.DateField("履岗开始", null=True, blank=True)
    ends_on = models.DateField("履岗结束", null=True, blank=True)
    agreement_no = models.CharField("协议编号", max_length=30, blank=True, db_index=True)
    renewed_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField("未通过原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "领岗"
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open claim (pending or confirmed) of a member on a post at a time.
            models.UniqueConstraint(fields=["post", "member"], condition=Q(state__in=["pending", "confirmed"]),
                                    name="postclaim_one_open"),
        ]


class Demand(models.Model):
    """居民需求, entered by staff or submitted by a resident, matched (对接) to a volunteer."""

    class State(models.TextChoices):
        OPEN = "open", "待对接"
        ASSIGNED = "assigned", "已派单"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"

    class Urgency(models.TextChoices):
        LOW = "low", "一般"
        NORMAL = "normal", "较急"
        HIGH = "high", "紧急"

    class Source(models.TextChoices):
        STAFF = "staff", "工作人员录入"
        PORTAL = "portal", "居民网上提交"

    org = models.ForeignKey(Org, verbose_name="所属党组织", on_delete=models.PROTECT, related_name="demands")
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    title = models.CharField("需求", max_length=100)
    description = models.TextField("详细说明", blank=True)
    skills = models.JSONField("所需特长", default=list, blank=True)
    starts_at = models.DateTimeField("需要时间（起）")
    ends_at = models.DateTimeField("需要时间（止）")
    place = models.CharField("地点", max_length=200, blank=True)
    grid = models.CharField("网格", max_length=50, blank=True)
    urgency = models.CharField("紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.LOW)
    requester_name = models.CharField("居民姓名", max_length=50, blank=True)
    requester_phone = models.CharField("居民电话", max_length=11, blank=True)
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.STAFF)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    volunteer = models.ForeignKey(VolunteerProfile, verbose_name="对接志愿者", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="demands")
    match_score = models.PositiveSmallIntegerField(null=True, blank=True)
    match_reasons = models.JSONField(default=list, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    feedback = models.CharField("居民评价", max_length=500, blank=True)
    rating = models.PositiveSmallIntegerField("满意度（1-5）", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "居民需求"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org", "state"], name="demand_org_state")]

    def __str__(self):
        return self.title
