"""发展党员 API under /api/v1/recruitment (issue 5 contract). Thin: parse, call one service or selector."""
from datetime import date

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import BaseModel, ConfigDict, Field

from dangjian.accounts.scope import home_org, org_get_visible
from dangjian.core.api import Detail, Page
from dangjian.core.errors import DomainError
from dangjian.core.pagination import paginate
from dangjian.members.choices import Stage
from dangjian.members.selectors import member_get

from . import selectors, services

router = Router(tags=["发展党员"])
ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}


class ApplicantIn(Schema):
    org_id: int
    applied_on: date
    name: str = Field(max_length=50)
    gender: str | None = Field(None, max_length=1)
    birth_date: date | None = None
    id_number: str = Field("", max_length=30)
    ethnicity: str | None = Field(None, max_length=10)
    phone: str = Field("", max_length=20)
    education: str = Field("", max_length=20)
    degree: str = Field("", max_length=10)
    occupation: str = Field("", max_length=100)
    unit_name: str = Field("", max_length=100)
    address: str = Field("", max_length=200)
    notes: str = Field("", max_length=500)
    leaving_on: date | None = None


class StepIn(BaseModel):  # plain pydantic: ninja's Schema keeps only declared fields
    """{"step": "<code>", "date": "YYYY-MM-DD", "late_reason"?: "…", …the step's data (RULES.md §1)}."""

    model_config = ConfigDict(extra="allow")
    step: str = Field(max_length=40)
    date: date
    late_reason: str = Field("", max_length=200)


class VoidIn(Schema):
    reason: str = Field(max_length=200)


class RecordPatch(Schema):
    leaving_on: date | None = None


class StepOut(Schema):
    id: int
    step: str
    num: int
    label: str
    date: date
    data: dict
    passed: bool | None
    is_late: bool
    late_reason: str
    voids: int | None
    void_reason: str


class AllowedOut(Schema):
    step: str
    num: int
    label: str
    earliest: date | None
    latest: date | None
    hard_latest: date | None
    due_on: date | None
    earliest_rule: str
    latest_rule: str
    repeatable: bool


class IssueOut(Schema):
    step: str
    rule: str
    kind: str
    detail: str


class PipelineOut(Schema):
    member_id: int
    name: str
    org_id: int
    org_name: str
    stage: str
    state: str
    applied_on: date | None
    joined_on: date | None
    full_on: date | None
    probation_end: date | None
    leaving_on: date | None
    steps: list[StepOut]
    voided: list[StepOut]
    allowed: list[AllowedOut]
    violations: list[IssueOut]
    warnings: list[IssueOut]
    next_step: str
    due_step: str
    due_on: date | None
    deadline_step: str
    deadline_on: date | None


class StepCreatedOut(Schema):
    step: StepOut
    warnings: list[IssueOut]
    pipeline: PipelineOut


class ItemOut(Schema):
    member_id: int
    name: str
    org_id: int
    org_name: str
    stage: str
    state: str
    next_step: str
    next_earliest: date | None
    due_step: str
    due_on: date | None
    deadline_step: str
    deadline_on: date | None
    overdue: bool
    late_count: int


class ListParams(Schema):
    org: int | None = None
    stage: str = Field("", max_length=20)
    due: str = Field("", pattern="^(|soon|overdue)$")
    due_within: int | None = Field(None, ge=0, le=366)
    state: str = Field("active", pattern="^(|active|completed|cancelled|rejected)$")
    q: str = Field("", max_length=50)
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


def _pipeline(request, member_id) -> dict:
    return selectors.pipeline_dict(selectors.pipeline_get(actor=request.user, member_id=member_id))


@router.get("/recruitment/steps", response=list[dict])
def steps_table(request):
    """The 25 steps of RULES.md §1 as data: codes, phases, prerequisites, rules and the data each carries."""
    return selectors.steps_table()


@router.post("/recruitment/applicants", response={201: PipelineOut, **ERRORS})
def applicant_create(request, payload: ApplicantIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    data = payload.dict(exclude={"org_id", "applied_on", "leaving_on"}, exclude_none=True)
    record = services.applicant_create(actor=request.user, org=org, data=data, applied_on=payload.applied_on,
                                       leaving_on=payload.leaving_on)
    return 201, _pipeline(request, record.member_id)


@router.get("/recruitment", response={200: Page[ItemOut], **ERRORS})
def pipeline_list(request, params: Query[ListParams]):
    """Everyone in the pipeline under ?org= (default: your highest org). due=overdue: a deadline has
    passed; due=soon or due_within=N: something falls due within N days (default 14), nothing overdue."""
    if params.stage and params.stage not in Stage.values:
        raise DomainError(f"人员类别无效：{params.stage}", field="stage")
    org = home_org(request.user) if params.org is None else None
    if params.org is not None:
        org = org_get_visible(actor=request.user, org_id=params.org)
    if org is None:
        return {"items": [], "count": 0}
    today = timezone.localdate()
    qs = selectors.pipeline_list(actor=request.user, org=org, stage=params.stage, due=params.due,
                                 within=params.due_within, q=params.q, state=params.state, today=today)
    result = paginate(qs, page=params.page, page_size=params.page_size)
    return {"items": [selectors.list_item(r, today) for r in result["items"]], "count": result["count"]}


@router.get("/recruitment/{member_id}", response={200: PipelineOut, 404: Detail})
def pipeline_detail(request, member_id: int):
    """{"stage", "steps": [{"step", "date", …}], "allowed": [{"step", "earliest", "latest"}], "violations": […]}"""
    return _pipeline(request, member_id)


@router.patch("/recruitment/{member_id}", response={200: PipelineOut, **ERRORS})
def pipeline_patch(request, member_id: int, payload: RecordPatch):
    member = member_get(actor=request.user, member_id=member_id)
    if "leaving_on" in payload.model_fields_set:
        services.record_set_leaving(actor=request.user, member=member, leaving_on=payload.leaving_on)
    return _pipeline(request, member_id)


@router.post("/recruitment/{member_id}/steps", response={201: StepCreatedOut, **ERRORS})
def step_create(request, member_id: int, payload: StepIn):
    member = member_get(actor=request.user, member_id=member_id)
    row, warnings = services.step_record_create(actor=request.user, member=member, step=payload.step,
                                                on=payload.date, data=dict(payload.model_extra or {}),
                                                late_reason=payload.late_reason)
    return 201, {"step": selectors.step_dict(row), "warnings": [w.as_dict() for w in warnings],
                 "pipeline": _pipeline(request, member_id)}


@router.post("/recruitment/{member_id}/steps/{step_id}/void", response={201: StepOut, **ERRORS})
def step_void(request, member_id: int, step_id: int, payload: VoidIn):
    """Void the latest effective step (append-only: a reversing entry with a reason)."""
    member = member_get(actor=request.user, member_id=member_id)
    row = services.step_record_void(actor=request.user, member=member, step_record_id=step_id,
                                    reason=payload.reason)
    return 201, selectors.step_dict(row)
