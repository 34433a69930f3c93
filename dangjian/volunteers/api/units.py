"""API: volunteer units, volunteers (台账), registration rate, good deeds and totals."""
from datetime import date
from decimal import Decimal

from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.core.api import Page
from dangjian.core.pagination import paginate

from .. import selectors, services
from ..models import GoodDeed, Level, VolunteerProfile, VolunteerUnit
from ._common import member_or_own, org_or_none, responses

router = Router(tags=["志愿服务"])


class UnitIn(Schema):
    org_id: int
    name: str = Field(max_length=200)
    level: str
    parent_id: int | None = None
    specialty: str = ""
    description: str = ""


class UnitPatch(Schema):
    name: str | None = None
    specialty: str | None = None
    description: str | None = None
    is_active: bool | None = None


class UnitOut(Schema):
    id: int
    org_id: int
    org_name: str
    parent_id: int | None
    name: str
    level: str
    level_label: str
    specialty: str
    description: str
    is_active: bool


class UnitMemberOut(Schema):
    volunteer_id: int
    name: str
    role: str
    joined_on: date


class UnitDetailOut(UnitOut):
    members: list[UnitMemberOut]


class UnitMemberIn(Schema):
    volunteer_id: int
    role: str = "member"


class SlotIn(Schema):
    weekday: int
    start: str
    end: str


class ProfileIn(Schema):
    member_id: int | None = None
    org_id: int | None = None
    name: str | None = None
    phone: str = ""
    skills: list[str] = []
    interests: list[str] = []
    capacity: str = ""
    max_load: int | None = None
    availability: list[SlotIn] = []
    grid: str = ""
    address: str = ""


class ProfilePatch(Schema):
    name: str | None = None
    phone: str | None = None
    skills: list[str] | None = None
    interests: list[str] | None = None
    capacity: str | None = None
    max_load: int | None = None
    availability: list[SlotIn] | None = None
    grid: str | None = None
    address: str | None = None
    is_active: bool | None = None


class VolunteersProfileOut(Schema):
    id: int
    org_id: int
    org_name: str
    member_id: int | None
    is_member: bool
    name: str
    phone: str
    skills: list[str]
    interests: list[str]
    capacity: str
    max_load: int
    availability: list[dict]
    grid: str
    address: str
    registered_via: str
    is_active: bool


class ProfileParams(Schema):
    org_id: int
    q: str = ""
    skill: str = ""
    grid: str = ""
    kind: str = ""
    weekday: int | None = Field(None, ge=1, le=7)
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class DeedIn(Schema):
    volunteer_id: int
    unit_id: int | None = None
    done_on: str
    title: str
    description: str = ""
    witness: str = ""
    witness_phone: str = ""


class DeedOut(Schema):
    id: int
    org_id: int
    volunteer_id: int
    volunteer_name: str
    unit_id: int | None
    done_on: date
    title: str
    description: str
    witness: str


class RateOut(Schema):
    registered: int
    eligible: int
    rate: Decimal | None
    percent: str


class OrgRateOut(RateOut):
    org_id: int
    org_name: str


class RegistrationOut(Schema):
    org_id: int
    all: RateOut
    employed: RateOut
    target: Decimal
    by_org: list[OrgRateOut]


class TotalOut(Schema):
    id: int | None
    name: str
    hours: Decimal
    activities: int
    deeds: int


def unit_out(u: VolunteerUnit) -> dict:
    return {"id": u.id, "org_id": u.org_id, "org_name": u.org.name, "parent_id": u.parent_id, "name": u.name,
            "level": u.level, "level_label": Level(u.level).label, "specialty": u.specialty,
            "description": u.description, "is_active": u.is_active}


def profile_out(v: VolunteerProfile) -> dict:
    return {"id": v.id, "org_id": v.org_id, "org_name": v.org.name, "member_id": v.member_id,
            "is_member": v.member_id is not None, "name": v.name, "phone": v.phone, "skills": v.skills,
            "interests": v.interests, "capacity": v.capacity, "max_load": v.max_load, "availability": v.availability,
            "grid": v.grid, "address": v.address, "registered_via": v.registered_via, "is_active": v.is_active}


def deed_out(d: GoodDeed) -> dict:
    return {"id": d.id, "org_id": d.org_id, "volunteer_id": d.volunteer_id, "volunteer_name": d.volunteer.name,
            "unit_id": d.unit_id, "done_on": d.done_on, "title": d.title, "description": d.description,
            "witness": d.witness}


# --- Units ------------------------------------------------------------------------------------------

@router.post("/volunteers/units", response=responses(201, UnitOut))
def unit_create(request, payload: UnitIn):
    org = selectors.org_visible(actor=request.user, org_id=payload.org_id)
    parent = None
    if payload.parent_id is not None:
        parent = selectors.unit_parent_get(actor=request.user, parent_id=payload.parent_id, org=org)
    unit = services.unit_create(actor=request.user, org=org, name=payload.name, level=payload.level, parent=parent,
                                specialty=payload.specialty, description=payload.description)
    return 201, unit_out(unit)


@router.get("/volunteers/units", response=responses(200, Page[UnitOut]))
def unit_list(request, org_id: int, page: int = Query(1, ge=1, le=100000), page_size: int = Query(50, ge=1, le=200)):
    org = selectors.org_visible(actor=request.user, org_id=org_id)
    result = paginate(selectors.unit_list(actor=request.user, org=org), page=page, page_size=page_size)
    return {"items": [unit_out(u) for u in result["items"]], "count": result["count"]}


@router.get("/volunteers/units/{unit_id}", response=responses(200, UnitDetailOut))
def unit_detail(request, unit_id: int):
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id)
    members = [{"volunteer_id": m.volunteer_id, "name": m.volunteer.name, "role": m.role, "joined_on": m.joined_on}
               for m in selectors.unit_members(unit=unit)]
    return {**unit_out(unit), "members": members}


@router.patch("/volunteers/units/{unit_id}", response=responses(200, UnitOut))
def unit_patch(request, unit_id: int, payload: UnitPatch):
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id)
    return unit_out(services.unit_update(actor=request.user, unit=unit, data=payload.dict(exclude_unset=True)))


@router.post("/volunteers/units/{unit_id}/members", response=responses(201, UnitMemberOut))
def unit_member_add(request, unit_id: int, payload: UnitMemberIn):
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id)
    volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=payload.volunteer_id)
    row = services.unit_add_member(actor=request.user, unit=unit, volunteer=volunteer, role=payload.role)
    return 201, {"volunteer_id": volunteer.id, "name": volunteer.name, "role": row.role, "joined_on": row.joined_on}


@router.delete("/volunteers/units/{unit_id}/members/{volunteer_id}", response=responses(204, None))
def unit_member_remove(request, unit_id: int, volunteer_id: int):
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id)
    volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=volunteer_id)
    services.unit_remove_member(actor=request.user, unit=unit, volunteer=volunteer)
    return 204, None


# --- Volunteers ---------------------------------------------------------------------------------------

@router.post("/volunteers/profiles", response=responses(201, VolunteersProfileOut))
def profile_create(request, payload: ProfileIn):
    """Register a member (member_id; none = yourself) or a resident (org_id + name)."""
    data = payload.dict()
    data["availability"] = [s for s in data["availability"]]
    if data["max_load"] is None:
        data.pop("max_load")
    member_id, org_id = data.pop("member_id"), data.pop("org_id")
    if org_id is not None and member_id is None:
        org = selectors.org_visible(actor=request.user, org_id=org_id)
        profile = services.volunteer_register(actor=request.user, org=org, data=data)
    else:
        member = member_or_own(request.user, member_id)
        profile = services.volunteer_register(actor=request.user, member=member, data=data)
    return 201, profile_out(profile)


@router.get("/volunteers/profiles", response=responses(200, Page[VolunteersProfileOut]))
def profile_list(request, params: Query[ProfileParams]):
    org = selectors.org_visible(actor=request.user, org_id=params.org_id)
    qs = selectors.volunteer_list(actor=request.user, org=org, q=params.q, skill=params.skill, grid=params.grid,
                                  kind=params.kind, weekday=params.weekday)
    result = paginate(qs, page=params.page, page_size=params.page_size)
    return {"items": [profile_out(v) for v in result["items"]], "count": result["count"]}


@router.get("/volunteers/me", response=responses(200, VolunteersProfileOut))
def profile_me(request):
    from django.http import Http404

    own = selectors.own_volunteer(request.user)
    if own is None:
        raise Http404
    return profile_out(own)


@router.get("/volunteers/profiles/{volunteer_id}", response=responses(200, VolunteersProfileOut))
def profile_detail(request, volunteer_id: int):
    return profile_out(selectors.volunteer_get(actor=request.user, volunteer_id=volunteer_id))


@router.patch("/volunteers/profiles/{volunteer_id}", response=responses(200, VolunteersProfileOut))
def profile_patch(request, volunteer_id: int, payload: ProfilePatch):
    volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=volunteer_id)
    data = payload.dict(exclude_unset=True)
    return profile_out(services.volunteer_update(actor=request.user, volunteer=volunteer, data=data))


@router.get("/volunteers/registration", response=responses(200, RegistrationOut))
def registration(request, org_id: int):
    """注册率 = registered / eligible members (R-VOL-REG-RATE), overall, employed only, and per branch."""
    from ..rules import REGISTRATION_TARGET

    org = selectors.org_visible(actor=request.user, org_id=org_id)
    return {"org_id": org.id, "all": selectors.registration_stats(org=org),
            "employed": selectors.registration_stats(org=org, employed_only=True), "target": REGISTRATION_TARGET,
            "by_org": selectors.registration_by_org(actor=request.user, org=org)}


# --- Good deeds and totals ----------------------------------------------------------------------------

@router.post("/volunteers/deeds", response=responses(201, DeedOut))
def deed_create(request, payload: DeedIn):
    volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=payload.volunteer_id)
    unit = selectors.unit_get(actor=request.user, unit_id=payload.unit_id) if payload.unit_id is not None else None
    deed = services.good_deed_record(actor=request.user, volunteer=volunteer, unit=unit,
                                     data=payload.dict(exclude={"volunteer_id", "unit_id"}))
    return 201, deed_out(deed)


@router.get("/volunteers/deeds", response=responses(200, Page[DeedOut]))
def deed_list(request, org_id: int, year: int | None = Query(None, ge=1900, le=2100),
              page: int = Query(1, ge=1, le=100000), page_size: int = Query(50, ge=1, le=200)):
    org = selectors.org_visible(actor=request.user, org_id=org_id)
    result = paginate(selectors.good_deeds(actor=request.user, org=org, year=year), page=page, page_size=page_size)
    return {"items": [deed_out(d) for d in result["items"]], "count": result["count"]}


@router.get("/volunteers/totals", response=responses(200, Page[TotalOut]))
def totals(request, org_id: int, year: int | None = Query(None, ge=1900, le=2100),
           by: str = Query("person", pattern="^(person|team|org)$")):
    """Hours, activities and good deeds per person, team or org (optionally for one year)."""
    org = org_or_none(request.user, org_id)
    rows = selectors.totals(actor=request.user, org=org, year=year, by=by)
    return {"items": rows, "count": len(rows)}
