"""API: activities, sign-ups, check-in/out, hours, summary and photos."""
from datetime import datetime
from decimal import Decimal

from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from dangjian.core.api import Page
from dangjian.core.pagination import paginate

from .. import selectors, services
from ..models import Activity, Signup
from ._common import org_or_none, responses, volunteer_or_own

router = Router(tags=["志愿服务"])


class ActivityIn(Schema):
    org_id: int
    unit_id: int | None = None
    title: str
    description: str = ""
    place: str = ""
    starts_at: str
    ends_at: str
    skills: list[str] = []
    headcount: int


class ActivityOut(Schema):
    id: int
    org_id: int
    org_name: str
    unit_id: int | None
    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    skills: list[str]
    headcount: int
    signed_up: int
    state: str
    summary: str


class SignupOut(Schema):
    volunteer_id: int
    name: str
    state: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    hours: Decimal


class ActivityDetailOut(ActivityOut):
    signups: list[SignupOut]
    photos: list[str]


class VolunteerRef(Schema):
    volunteer_id: int | None = None


class HoursIn(Schema):
    volunteer_id: int
    hours: Decimal | float | int | str
    reason: str = ""


class HoursOut(Schema):
    volunteer_id: int
    hours: Decimal


class SummaryIn(Schema):
    summary: str


class VolunteersActivitiesReasonIn(Schema):
    reason: str = ""


class ActivityParams(Schema):
    org_id: int | None = None
    state: str = ""
    month: str = Field("", pattern=r"^(\d{4}-\d{1,2})?$")
    q: str = ""
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


def activity_out(a: Activity, signed_up: int | None = None) -> dict:
    if signed_up is None:
        signed_up = getattr(a, "n_signed", None)
        if signed_up is None:
            signed_up = a.signups.filter(state=Signup.State.SIGNED_UP).count()
    return {"id": a.id, "org_id": a.org_id, "org_name": a.org.name, "unit_id": a.unit_id, "title": a.title,
            "description": a.description, "place": a.place, "starts_at": a.starts_at, "ends_at": a.ends_at,
            "skills": a.skills, "headcount": a.headcount, "signed_up": signed_up, "state": a.state,
            "summary": a.summary}


def signup_out(s: Signup, hours: Decimal | None = None) -> dict:
    return {"volunteer_id": s.volunteer_id, "name": s.volunteer.name, "state": s.state,
            "checked_in_at": s.checked_in_at, "checked_out_at": s.checked_out_at,
            "hours": hours if hours is not None else getattr(s, "credited", Decimal("0.00"))}


@router.post("/volunteers/activities", response=responses(201, ActivityOut))
def activity_create(request, payload: ActivityIn):
    org = org_or_none(request.user, payload.org_id)
    data = payload.dict(exclude={"org_id", "unit_id"})
    if payload.unit_id is not None:
        data["unit"] = selectors.unit_get(actor=request.user, unit_id=payload.unit_id)
    activity = services.activity_publish(actor=request.user, org=org, data=data)
    return 201, activity_out(activity, 0)


@router.get("/volunteers/activities", response=responses(200, Page[ActivityOut]))
def activity_list(request, params: Query[ActivityParams]):
    """The org's activities (org_id), or — for a member — those open to them."""
    org = org_or_none(request.user, params.org_id)
    qs = selectors.activity_list(actor=request.user, org=org, state=params.state, month=params.month, q=params.q)
    result = paginate(qs, page=params.page, page_size=params.page_size)
    return {"items": [activity_out(a) for a in result["items"]], "count": result["count"]}


@router.get("/volunteers/activities/{activity_id}", response=responses(200, ActivityDetailOut))
def activity_detail(request, activity_id: int):
    from dangjian.accounts.scope import can

    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    everyone = selectors.activity_signups(activity=activity)
    signups = everyone
    if not can(request.user, "volunteers.view", activity.org):  # a member sees only their own sign-up
        own = selectors.own_volunteer(request.user)
        signups = [s for s in everyone if own is not None and s.volunteer_id == own.id]
    return {**activity_out(activity, len(everyone)),
            "signups": [signup_out(s) for s in signups], "photos": [p.url for p in activity.photos.all()]}


@router.post("/volunteers/activities/{activity_id}/signups", response=responses(201, SignupOut))
def signup_create(request, activity_id: int, payload: VolunteerRef):
    """报名: yourself (no volunteer_id) or, for staff, a volunteer of the org."""
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    volunteer = volunteer_or_own(request.user, payload.volunteer_id)
    signup = services.activity_signup(actor=request.user, activity=activity, volunteer=volunteer)
    return 201, signup_out(signup, Decimal("0.00"))


@router.post("/volunteers/activities/{activity_id}/signups/cancel", response=responses(200, SignupOut))
def signup_cancel(request, activity_id: int, payload: VolunteerRef):
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    volunteer = volunteer_or_own(request.user, payload.volunteer_id)
    signup = services.activity_signup_cancel(actor=request.user, activity=activity, volunteer=volunteer)
    return signup_out(signup, Decimal("0.00"))


@router.post("/volunteers/activities/{activity_id}/check-in", response=responses(200, SignupOut))
def check_in(request, activity_id: int, payload: VolunteerRef):
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    volunteer = volunteer_or_own(request.user, payload.volunteer_id)
    signup = services.activity_check_in(actor=request.user, activity=activity, volunteer=volunteer)
    return signup_out(signup, selectors.credited_hours(activity=activity, volunteer=volunteer))


@router.post("/volunteers/activities/{activity_id}/check-out", response=responses(200, SignupOut))
def check_out(request, activity_id: int, payload: VolunteerRef):
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    volunteer = volunteer_or_own(request.user, payload.volunteer_id)
    signup = services.activity_check_out(actor=request.user, activity=activity, volunteer=volunteer)
    return signup_out(signup, selectors.credited_hours(activity=activity, volunteer=volunteer))


@router.post("/volunteers/activities/{activity_id}/hours", response=responses(200, HoursOut))
def hours_credit(request, activity_id: int, payload: HoursIn):
    """Set the hours credited (0 ≤ hours ≤ the activity's duration; a change is a new ledger entry)."""
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=payload.volunteer_id)
    hours = services.hours_credit(actor=request.user, activity=activity, volunteer=volunteer, hours=payload.hours,
                                  reason=payload.reason)
    return {"volunteer_id": volunteer.id, "hours": hours}


@router.post("/volunteers/activities/{activity_id}/summary", response=responses(200, ActivityOut))
def summarize(request, activity_id: int, payload: SummaryIn):
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    return activity_out(services.activity_summarize(actor=request.user, activity=activity, summary=payload.summary))


@router.post("/volunteers/activities/{activity_id}/cancel", response=responses(200, ActivityOut))
def cancel(request, activity_id: int, payload: VolunteersActivitiesReasonIn):
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    return activity_out(services.activity_cancel(actor=request.user, activity=activity, reason=payload.reason))


@router.post("/volunteers/activities/{activity_id}/photos", response=responses(201, dict))
def photo_upload(request, activity_id: int, image: File[UploadedFile], caption: Form[str] = ""):
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    photo = services.activity_photo_add(actor=request.user, activity=activity, upload=image, caption=caption)
    return 201, {"id": photo.id, "url": photo.url, "caption": photo.caption}
