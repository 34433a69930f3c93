from datetime import date

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.scope import org_get_visible
from dangjian.core.api import Page

from .. import selectors, services
from .common import ERRORS, ListParams, org_filter, page

router = Router(tags=["党建指导员"])


class InstructorIn(Schema):
    org_id: int
    name: str = Field(max_length=100)
    phone: str = Field("", max_length=40)
    unit: str = Field("", max_length=200)
    member_id: int | None = None
    username: str | None = Field(None, max_length=150)


class InstructorOut(Schema):
    id: int
    org_id: int
    name: str
    phone: str
    unit: str
    member_id: int | None
    is_active: bool


class AssignIn(Schema):
    org_id: int
    started_on: date
    note: str = Field("", max_length=400)


class EndIn(Schema):
    ended_on: date


class AssignmentOut(Schema):
    id: int
    instructor_id: int
    instructor_name: str
    org_id: int
    org_name: str
    started_on: date
    ended_on: date | None


class LogIn(Schema):
    category: str
    item_id: int | None = None
    happened_on: date
    content: str = Field(max_length=10000)


class LogOut(Schema):
    id: int
    assignment_id: int
    category: str
    item_id: int | None
    happened_on: date
    content: str


class ItemProgressOut(Schema):
    item_id: int
    text: str
    count: int


class CategoryOut(Schema):
    category: str
    label: str
    done: int
    total: int
    items: list[ItemProgressOut]


class AssignmentDetailOut(AssignmentOut):
    year: int
    checklist: list[CategoryOut]


class CoverageOut(Schema):
    org_id: int
    total: int
    covered: int
    percent: str
    uncovered: list[dict]


class InstructorParams(ListParams):
    q: str = Field("", max_length=50)


def _instructor(i) -> dict:
    return {"id": i.id, "org_id": i.org_id, "name": i.name, "phone": i.phone, "unit": i.unit,
            "member_id": i.member_id, "is_active": i.is_active}


def _assignment(a) -> dict:
    return {"id": a.id, "instructor_id": a.instructor_id, "instructor_name": a.instructor.name, "org_id": a.org_id,
            "org_name": a.org.name, "started_on": a.started_on, "ended_on": a.ended_on}


def _assignment_detail(a, year: int) -> dict:
    checklist = [{**c, "items": [{"item_id": i["item"].id, "text": i["item"].text, "count": i["count"]}
                                 for i in c["items"]]}
                 for c in selectors.assignment_checklist(assignment=a, year=year)]
    return {**_assignment(a), "year": year, "checklist": checklist}


@router.post("/duties/instructors", response={201: InstructorOut, **ERRORS})
def instructor_create(request, payload: InstructorIn):
    from dangjian.members.selectors import member_get

    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    member = member_get(actor=request.user, member_id=payload.member_id) if payload.member_id else None
    user = None
    if payload.username:
        user = get_user_model().objects.filter(username=payload.username, is_active=True).first()
        if user is None:
            raise Http404
    return 201, _instructor(services.instructor_create(actor=request.user, org=org, name=payload.name,
                                                       phone=payload.phone, unit=payload.unit, member=member,
                                                       user=user))


@router.get("/duties/instructors", response={200: Page[InstructorOut], 404: ERRORS[404]})
def instructor_list(request, params: Query[InstructorParams]):
    qs = selectors.instructor_list(actor=request.user, org=org_filter(request, params.org), q=params.q)
    return page(qs, params, _instructor)


@router.get("/duties/instructors/coverage", response={200: CoverageOut, 404: ERRORS[404]})
def instructor_coverage(request, org: int, enterprise_only: bool = False):
    """Branches under org with an instructor today / all branches (?enterprise_only=true: 两新组织)."""
    root = org_get_visible(actor=request.user, org_id=org)
    cov = selectors.instructor_coverage(actor=request.user, org=root, enterprise_only=enterprise_only)
    return {"org_id": root.id, "total": cov["total"], "covered": cov["covered"], "percent": str(cov["percent"]),
            "uncovered": [{"id": o.id, "name": o.name} for o in cov["uncovered"]]}


@router.get("/duties/instructors/{instructor_id}", response={200: InstructorOut, 404: ERRORS[404]})
def instructor_detail(request, instructor_id: int):
    return _instructor(selectors.instructor_get(actor=request.user, instructor_id=instructor_id))


@router.post("/duties/instructors/{instructor_id}/assignments", response={201: AssignmentOut, **ERRORS})
def instructor_assign(request, instructor_id: int, payload: AssignIn):
    instructor = selectors.instructor_get(actor=request.user, instructor_id=instructor_id)
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    return 201, _assignment(services.instructor_assign(actor=request.user, instructor=instructor, org=org,
                                                       started_on=payload.started_on, note=payload.note))


@router.get("/duties/assignments/{assignment_id}", response={200: AssignmentDetailOut, 404: ERRORS[404]})
def assignment_detail(request, assignment_id: int, year: int | None = Query(None, ge=1900, le=2999)):
    """The assignment with its 五必 checklist: each item's number of logs in the year."""
    a = selectors.assignment_get(actor=request.user, assignment_id=assignment_id)
    return _assignment_detail(a, year or timezone.localdate().year)


@router.post("/duties/assignments/{assignment_id}/end", response={200: AssignmentOut, **ERRORS})
def assignment_end(request, assignment_id: int, payload: EndIn):
    a = selectors.assignment_get(actor=request.user, assignment_id=assignment_id)
    return _assignment(services.assignment_end(actor=request.user, assignment=a, ended_on=payload.ended_on))


@router.post("/duties/assignments/{assignment_id}/logs", response={201: LogOut, **ERRORS})
def assignment_log(request, assignment_id: int, payload: LogIn):
    a = selectors.assignment_get(actor=request.user, assignment_id=assignment_id)
    log = services.instructor_log_create(actor=request.user, assignment=a, **payload.dict())
    return 201, {"id": log.id, "assignment_id": a.id, "category": log.category, "item_id": log.item_id,
                 "happened_on": log.happened_on, "content": log.content}
