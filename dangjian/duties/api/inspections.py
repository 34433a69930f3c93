from datetime import date

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.scope import org_get_visible
from dangjian.core.api import Page

from .. import rules, selectors, services
from .common import ERRORS, ListParams, org_filter, page

router = Router(tags=["督查整改"])


class InspectionIn(Schema):
    org_id: int
    year: int | None = None  # default: this year
    quarter: int | None = None  # default: this quarter
    title: str = Field(max_length=200)
    planned_on: date | None = None
    notes: str = Field("", max_length=10000)


class InspectionOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    quarter: int
    title: str
    planned_on: date | None
    notes: str


class TaskIn(Schema):
    task: str = Field(max_length=600)
    owner: str = Field(max_length=100)
    deadline: date


class FindingIn(Schema):
    org_id: int
    description: str = Field(max_length=1000)
    severity: str = "low"
    found_on: date | None = None  # default: today
    rectifications: list[TaskIn] = Field(default_factory=list, max_length=50)


class RectificationOut(Schema):
    id: int
    finding_id: int
    inspection_id: int
    org_id: int
    org_name: str
    description: str
    severity: str
    task: str
    owner: str
    deadline: date
    state: str
    overdue: bool
    days_overdue: int
    evidence: str
    completed_on: date | None
    late: bool
    rechecked_on: date | None
    recheck_passed: bool | None
    recheck_note: str
    rounds: int


class FindingOut(Schema):
    id: int
    inspection_id: int
    org_id: int
    org_name: str
    description: str
    severity: str
    found_on: date
    rectifications: list[RectificationOut]


class InspectionDetailOut(InspectionOut):
    findings: list[FindingOut]


class CompleteIn(Schema):
    evidence: str = Field("", max_length=10000)
    completed_on: date | None = None  # default: today


class RecheckIn(Schema):
    passed: bool
    rechecked_on: date | None = None  # default: today
    note: str = Field("", max_length=600)
    new_deadline: date | None = None


class RectParams(ListParams):
    state: str = ""
    overdue: bool = False
    inspection: int | None = None
    severity: str = ""


class InspectionParams(ListParams):
    quarter: int | None = Field(None, ge=1, le=4)


def _inspection(i) -> dict:
    return {"id": i.id, "org_id": i.org_id, "org_name": i.org.name, "year": i.year, "quarter": i.quarter,
            "title": i.title, "planned_on": i.planned_on, "notes": i.notes}


def _rect(r, finding=None) -> dict:
    finding = finding or r.finding
    if not hasattr(r, "is_overdue"):
        selectors.annotate_overdue([r])
    return {"id": r.id, "finding_id": finding.id, "inspection_id": finding.inspection_id, "org_id": r.org_id,
            "org_name": r.org.name, "description": finding.description, "severity": finding.severity,
            "task": r.task, "owner": r.owner, "deadline": r.deadline, "state": r.state, "overdue": r.is_overdue,
            "days_overdue": r.days_overdue, "evidence": r.evidence, "completed_on": r.completed_on,
            "late": r.was_late, "rechecked_on": r.rechecked_on, "recheck_passed": r.recheck_passed,
            "recheck_note": r.recheck_note, "rounds": r.rounds}


def _finding(f) -> dict:
    rects = selectors.annotate_overdue(f.rectifications.all())
    for r in rects:
        r.org = f.org
    return {"id": f.id, "inspection_id": f.inspection_id, "org_id": f.org_id, "org_name": f.org.name,
            "description": f.description, "severity": f.severity, "found_on": f.found_on,
            "rectifications": [_rect(r, f) for r in rects]}


@router.post("/duties/inspections", response={201: InspectionOut, **ERRORS})
def inspection_create(request, payload: InspectionIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    data = payload.dict(exclude={"org_id"})
    today = timezone.localdate()
    data["year"] = data["year"] or today.year
    data["quarter"] = data["quarter"] or rules.quarter_of(today)
    return 201, _inspection(services.inspection_create(actor=request.user, org=org, **data))


@router.get("/duties/inspections", response={200: Page[InspectionOut], 404: ERRORS[404]})
def inspection_list(request, params: Query[InspectionParams]):
    qs = selectors.inspection_list(actor=request.user, org=org_filter(request, params.org), year=params.year,
                                   quarter=params.quarter)
    return page(qs, params, _inspection)


@router.get("/duties/inspections/{inspection_id}", response={200: InspectionDetailOut, 404: ERRORS[404]})
def inspection_detail(request, inspection_id: int):
    inspection = selectors.inspection_get(actor=request.user, inspection_id=inspection_id)
    findings = selectors.findings_of(actor=request.user, inspection=inspection)
    return {**_inspection(inspection), "findings": [_finding(f) for f in findings]}


@router.post("/duties/inspections/{inspection_id}/findings", response={201: FindingOut, **ERRORS})
def finding_create(request, inspection_id: int, payload: FindingIn):
    inspection = selectors.inspection_get(actor=request.user, inspection_id=inspection_id)
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    finding = services.finding_create(actor=request.user, inspection=inspection, org=org,
                                      description=payload.description, severity=payload.severity,
                                      found_on=payload.found_on or timezone.localdate(),
                                      rectifications=[t.dict() for t in payload.rectifications])
    return 201, _finding(selectors.finding_get(actor=request.user, finding_id=finding.id))


@router.get("/duties/rectifications", response={200: Page[RectificationOut], 404: ERRORS[404]})
def rectification_list(request, params: Query[RectParams]):
    """The rectification ledger; ?overdue=true lists those past their deadline and still open."""
    qs = selectors.rectification_list(actor=request.user, org=org_filter(request, params.org), state=params.state,
                                      overdue=params.overdue, inspection_id=params.inspection,
                                      severity=params.severity, year=params.year)
    result = page(qs, params, lambda r: r)
    result["items"] = [_rect(r) for r in selectors.annotate_overdue(result["items"])]
    return result


@router.get("/duties/rectifications/{rectification_id}", response={200: RectificationOut, 404: ERRORS[404]})
def rectification_detail(request, rectification_id: int):
    return _rect(selectors.rectification_get(actor=request.user, rectification_id=rectification_id))


@router.post("/duties/rectifications/{rectification_id}/complete", response={200: RectificationOut, **ERRORS})
def rectification_complete(request, rectification_id: int, payload: CompleteIn):
    """Submit evidence of completion (refused without evidence); the inspecting committee re-checks."""
    rect = selectors.rectification_get(actor=request.user, rectification_id=rectification_id)
    services.rectification_complete(actor=request.user, rectification=rect, evidence=payload.evidence,
                                    completed_on=payload.completed_on or timezone.localdate())
    return _rect(selectors.rectification_get(actor=request.user, rectification_id=rectification_id))


@router.post("/duties/rectifications/{rectification_id}/recheck", response={200: RectificationOut, **ERRORS})
def rectification_recheck(request, rectification_id: int, payload: RecheckIn):
    rect = selectors.rectification_get(actor=request.user, rectification_id=rectification_id)
    data = payload.dict()
    data["rechecked_on"] = data["rechecked_on"] or timezone.localdate()
    services.rectification_recheck(actor=request.user, rectification=rect, **data)
    return _rect(selectors.rectification_get(actor=request.user, rectification_id=rectification_id))
