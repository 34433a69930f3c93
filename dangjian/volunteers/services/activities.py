"""Writes: activities, sign-ups (headcount), check-in/out, hours (append-only ledger), photos, good deeds."""
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import Conflict, DomainError
from dangjian.core.files import validate_upload
from dangjian.orgs.models import Org

from .. import rules
from ..models import Activity, ActivityPhoto, GoodDeed, HoursEntry, Signup, VolunteerProfile, VolunteerUnit
from . import _common as c

ACTIVITY_FIELDS = ["title", "description", "place", "starts_at", "ends_at", "skills", "headcount", "unit", "state"]
MAX_PHOTOS = 30
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


def _self_or_staff(actor, volunteer: VolunteerProfile, org: Org) -> bool:
    """True when acting for oneself; otherwise requires the edit right on org (404/403 as usual)."""
    if c.is_self(actor, volunteer.member):
        return True
    require(actor, "volunteers.edit", org)
    return False


def _clean_activity(data: dict, *, org: Org) -> dict:
    out = {
        "title": c.text(data.get("title"), field="title", label="活动名称", max_len=100, required=True),
        "description": c.text(data.get("description"), field="description", label="活动内容", max_len=5000),
        "place": c.text(data.get("place"), field="place", label="地点", max_len=200, required=True),
        "skills": rules.clean_tags(data.get("skills"), field="skills", label="所需特长"),
        "headcount": c.integer(data.get("headcount"), field="headcount", label="招募人数", lo=1, hi=1000),
        "starts_at": c.moment(data.get("starts_at"), field="starts_at", label="开始时间"),
        "ends_at": c.moment(data.get("ends_at"), field="ends_at", label="结束时间"),
    }
    rules.check_activity_times(starts_at=out["starts_at"], ends_at=out["ends_at"])
    unit = data.get("unit")
    if unit is not None and not (org.path.startswith(unit.org.path) or unit.org.path.startswith(org.path)):
        raise DomainError("组织单位须属于本组织、其上级或下级组织", field="unit_id")
    out["unit"] = unit
    return out


@transaction.atomic
def activity_publish(*, actor, org: Org, data: dict) -> Activity:
    require(actor, "volunteers.edit", org)
    cleaned = _clean_activity(data, org=org)
    if cleaned["ends_at"] <= timezone.now():
        raise DomainError("不能发布已经结束的活动（补录请直接登记服务时长）", field="ends_at")
    activity = Activity.objects.create(org=org, region_id=org.region_id, created_by=actor, **cleaned)
    audit(actor=actor, verb="activity.publish", target=activity, org=org, after=snapshot(activity, ACTIVITY_FIELDS))
    return activity


@transaction.atomic
def activity_cancel(*, actor, activity: Activity, reason: str = "") -> Activity:
    require(actor, "volunteers.edit", activity.org)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.state != Activity.State.PUBLISHED:
        raise Conflict("只有报名中的活动可以取消")
    if HoursEntry.objects.filter(activity=activity).exists():
        raise Conflict("已登记服务时长的活动不能取消")
    activity.state = Activity.State.CANCELLED
    activity.save(update_fields=["state"])
    audit(actor=actor, verb="activity.cancel", target=activity, org=activity.org,
          after={"state": activity.state, "reason": c.text(reason, field="reason", label="原因", max_len=200)})
    return activity


def _lock_open(activity: Activity) -> Activity:
    activity = Activity.objects.select_for_update(of=("self",)).select_related("org").get(pk=activity.pk)
    if activity.state != Activity.State.PUBLISHED:
        raise Conflict(f"活动{activity.get_state_display()}，不能报名或签到")
    return activity


@transaction.atomic
def activity_signup(*, actor, activity: Activity, volunteer: VolunteerProfile) -> Signup:
    """报名. Headcount is enforced under a row lock on the activity (R-VOL-HEADCOUNT)."""
    _self_or_staff(actor, volunteer, activity.org)
    if not volunteer.is_active:
        raise DomainError("该志愿者已停用", field="volunteer_id")
    activity = _lock_open(activity)
    if activity.ends_at <= timezone.now():
        raise DomainError("活动已结束，不能报名", rule="R-VOL-HEADCOUNT")
    signup = Signup.objects.filter(activity=activity, volunteer=volunteer).first()
    if signup is not None and signup.state == Signup.State.SIGNED_UP:
        raise Conflict(f"{volunteer.name} 已报名该活动")
    taken = Signup.objects.filter(activity=activity, state=Signup.State.SIGNED_UP).count()
    rules.check_headcount(signed_up=taken, headcount=activity.headcount)
    if signup is None:
        signup = Signup.objects.create(activity=activity, region_id=activity.region_id, volunteer=volunteer)
    else:
        signup.state = Signup.State.SIGNED_UP
        signup.save(update_fields=["state"])
    audit(actor=actor, verb="activity.signup", target=activity, org=activity.org, after={"volunteer_id": volunteer.id})
    return signup


def _signup_of(activity: Activity, volunteer: VolunteerProfile) -> Signup:
    signup = (Signup.objects.select_for_update().filter(activity=activity, volunteer=volunteer,
                                                        state=Signup.State.SIGNED_UP).first())
    if signup is None:
        raise DomainError(f"{volunteer.name} 未报名该活动", field="volunteer_id")
    return signup


@transaction.atomic
def activity_signup_cancel(*, actor, activity: Activity, volunteer: VolunteerProfile) -> Signup:
    _self_or_staff(actor, volunteer, activity.org)
    signup = _signup_of(activity, volunteer)
    if signup.checked_in_at:
        raise Conflict("已签到，不能取消报名")
    signup.state = Signup.State.CANCELLED
    signup.save(update_fields=["state"])
    audit(actor=actor, verb="activity.signup_cancel", target=activity, org=activity.org,
          after={"volunteer_id": volunteer.id})
    return signup


@transaction.atomic
def activity_check_in(*, actor, activity: Activity, volunteer: VolunteerProfile) -> Signup:
    _self_or_staff(actor, volunteer, activity.org)
    activity = _lock_open(activity)
    signup = _signup_of(activity, volunteer)
    if signup.checked_in_at:
        raise Conflict(f"{volunteer.name} 已签到")
    now = timezone.now()
    rules.check_checkin_window(now=now, starts_at=activity.starts_at, ends_at=activity.ends_at)
    signup.checked_in_at = now
    signup.save(update_fields=["checked_in_at"])
    audit(actor=actor, verb="activity.check_in", target=activity, org=activity.org,
          after={"volunteer_id": volunteer.id, "at": now})
    return signup


@transaction.atomic
def activity_check_out(*, actor, activity: Activity, volunteer: VolunteerProfile) -> Signup:
    """签退: the hours between check-in and check-out inside the activity are credited (R-VOL-HOURS)."""
    _self_or_staff(actor, volunteer, activity.org)
    activity = Activity.objects.select_for_update(of=("self",)).select_related("org").get(pk=activity.pk)
    signup = _signup_of(activity, volunteer)
    if not signup.checked_in_at:
        raise DomainError("尚未签到，不能签退", rule="R-VOL-CHECKIN")
    if signup.checked_out_at:
        raise Conflict(f"{volunteer.name} 已签退")
    now = timezone.now()
    signup.checked_out_at = now
    signup.save(update_fields=["checked_out_at"])
    hours = rules.attended_hours(checked_in_at=signup.checked_in_at, checked_out_at=now,
                                 starts_at=activity.starts_at, ends_at=activity.ends_at)
    audit(actor=actor, verb="activity.check_out", target=activity, org=activity.org,
          after={"volunteer_id": volunteer.id, "at": now, "hours": hours})
    if hours > 0:
        _credit(actor=actor, activity=activity, volunteer=volunteer, hours=hours, reason="签到签退自动计时")
    return signup


def _credit(*, actor, activity: Activity, volunteer: VolunteerProfile, hours: Decimal, reason: str) -> Decimal:
    """Bring the credited total to `hours` with one new ledger entry (the difference)."""
    current = Decimal(HoursEntry.objects.filter(activity=activity, volunteer=volunteer)
                      .aggregate(h=Sum("hours"))["h"] or 0).quantize(rules.HOUR_STEP)
    delta = hours - current
    if delta == 0:
        return current
    entry = HoursEntry.objects.create(
        org=activity.org, region_id=activity.org.region_id, volunteer=volunteer, activity=activity,
        served_on=timezone.localtime(activity.starts_at).date(), hours=delta,
        reason=reason or ("更正" if current else "登记服务时长"), created_by=actor if getattr(actor, "pk", None) else None)
    audit(actor=actor, verb="activity.hours", target=activity, org=activity.org, before={"hours": current},
          after={"volunteer_id": volunteer.id, "hours": hours, "entry_id": entry.id})
    return hours


@transaction.atomic
def hours_credit(*, actor, activity: Activity, volunteer: VolunteerProfile, hours, reason: str = "") -> Decimal:
    """Staff set the hours credited to a signed-up volunteer: 0 ≤ hours ≤ the activity's duration (R-VOL-HOURS).
    A change is a new ledger entry with the difference; nothing is edited."""
    require(actor, "volunteers.edit", activity.org)
    activity = Activity.objects.select_for_update(of=("self",)).select_related("org").get(pk=activity.pk)
    if activity.state == Activity.State.CANCELLED:
        raise Conflict("活动已取消，不能登记服务时长")
    value = rules.check_hours(hours=hours, starts_at=activity.starts_at, ends_at=activity.ends_at)
    if activity.starts_at > timezone.now():
        raise DomainError("活动尚未开始，不能登记服务时长", field="hours", rule="R-VOL-HOURS")
    _signup_of(activity, volunteer)
    reason = c.text(reason, field="reason", label="说明", max_len=200)
    return _credit(actor=actor, activity=activity, volunteer=volunteer, hours=value, reason=reason)


@transaction.atomic
def activity_summarize(*, actor, activity: Activity, summary: str) -> Activity:
    require(actor, "volunteers.edit", activity.org)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    summary = c.text(summary, field="summary", label="活动总结", max_len=5000, required=True)
    if activity.state == Activity.State.CANCELLED:
        raise Conflict("活动已取消，不能总结")
    if activity.ends_at > timezone.now():
        raise DomainError("活动结束后才能总结", field="summary")
    before = {"summary": activity.summary, "state": activity.state}
    activity.summary, activity.state, activity.summarized_at = summary, Activity.State.DONE, timezone.now()
    activity.save(update_fields=["summary", "state", "summarized_at"])
    audit(actor=actor, verb="activity.summarize", target=activity, org=activity.org, before=before,
          after={"summary": summary, "state": activity.state})
    return activity


@transaction.atomic
def activity_photo_add(*, actor, activity: Activity, upload, caption: str = "") -> ActivityPhoto:
    """A photo of the activity (JPEG/PNG/WebP/GIF, ≤ 5 MB, parsed by core.files.validate_upload before anything
    is written, so a refused file leaves no row and no file)."""
    require(actor, "volunteers.edit", activity.org)
    caption = c.text(caption, field="caption", label="照片说明", max_len=100)
    if upload is None:
        raise DomainError("请选择照片", field="image")
    ext = validate_upload(upload, allowed=PHOTO_TYPES, max_bytes=PHOTO_MAX_BYTES, field="image")
    if ActivityPhoto.objects.filter(activity=activity).count() >= MAX_PHOTOS:
        raise Conflict(f"每个活动最多 {MAX_PHOTOS} 张照片", field="image")
    upload.name = "photo" + ext  # never the uploaded name on disk (the storage makes it unique)
    photo = ActivityPhoto(activity=activity, caption=caption, uploaded_by=actor)
    photo.image.save(upload.name, upload, save=False)
    photo.save()
    audit(actor=actor, verb="activity.photo", target=activity, org=activity.org, after={"photo_id": photo.id})
    return photo


# --- 好人好事 --------------------------------------------------------------------------------------

@transaction.atomic
def good_deed_record(*, actor, volunteer: VolunteerProfile, data: dict,
                     unit: VolunteerUnit | None = None) -> GoodDeed:
    require(actor, "volunteers.edit", volunteer.org)
    witness = c.text(data.get("witness"), field="witness", label="证明人", max_len=50, required=True)
    if witness == volunteer.name:
        raise DomainError("证明人不能是本人", field="witness")
    deed = GoodDeed.objects.create(
        org=volunteer.org, region_id=volunteer.org.region_id, volunteer=volunteer, unit=unit,
        done_on=c.day(data.get("done_on"), field="done_on", label="日期", allow_future=False),
        title=c.text(data.get("title"), field="title", label="事迹", max_len=100, required=True),
        description=c.text(data.get("description"), field="description", label="经过", max_len=5000),
        witness=witness, witness_phone=c.phone(data.get("witness_phone"), field="witness_phone", label="证明人电话"),
        recorded_by=actor)
    audit(actor=actor, verb="good_deed.record", target=deed, org=deed.org,
          after=snapshot(deed, ["volunteer", "unit", "done_on", "title", "witness"]))
    return deed
