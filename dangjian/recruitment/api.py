"""发展党员 API under /api/v1/recruitment (issue 5 contract). Thin: parse, call one service or selector."""
from datetime import date

from django.http import Http404
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


class RecruitApplicantIn(Schema):
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


class RecruitStepIn(BaseModel):  # plain pydantic: ninja's Schema keeps only declared fields
    """{"step": "<code>", "date": "YYYY-MM-DD", "late_reason"?: "…", …the step's data (RULES.md §1)}."""

    model_config = ConfigDict(extra="allow")
    step: str = Field(max_length=40)
    date: date
    late_reason: str = Field("", max_length=200)


class RecruitVoidIn(Schema):
    reason: str = Field(max_length=200)


class RecruitRecordPatch(Schema):
    leaving_on: date | None = None


class RecruitStepOut(Schema):
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


class RecruitAllowedOut(Schema):
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


class RecruitIssueOut(Schema):
    step: str
    rule: str
    kind: str
    detail: str


class RecruitPipelineOut(Schema):
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
    steps: list[RecruitStepOut]
    voided: list[RecruitStepOut]
    allowed: list[RecruitAllowedOut]
    violations: list[RecruitIssueOut]
    warnings: list[RecruitIssueOut]
    next_step: str
    due_step: str
    due_on: date | None
    deadline_step: str
    deadline_on: date | None


class RecruitStepCreatedOut(Schema):
    step: RecruitStepOut
    warnings: list[RecruitIssueOut]
    pipeline: RecruitPipelineOut


class RecruitItemOut(Schema):
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


class RecruitListParams(Schema):
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


class RecruitDocItemOut(Schema):
    code: str
    label: str
    step: str
    num: int
    auto: bool
    by_person: bool
    rule: str
    status: str
    required: int
    received: int
    dates: list[date]
    next_due: date | None


class RecruitDocumentOut(Schema):
    id: int
    kind: str
    label: str
    received_on: date
    copies: int
    note: str
    voided: bool
    void_reason: str


class RecruitDossierOut(Schema):
    member_id: int
    name: str
    summary: dict
    items: list[RecruitDocItemOut]
    documents: list[RecruitDocumentOut]
    sponsors: list[str]
    introducers: list[str]


class RecruitDocumentIn(Schema):
    kind: str = Field(max_length=40)
    received_on: date
    copies: int = Field(1, ge=1, le=99)
    note: str = Field("", max_length=200)


class RecruitPlanIn(Schema):
    org_id: int
    year: int = Field(ge=2000, le=2100)
    quota: int = Field(ge=0, le=10000)
    note: str = Field("", max_length=200)


class RecruitPlanRowOut(Schema):
    org_id: int
    org_name: str
    depth: int
    quota: int | None
    actual: int
    remaining: int | None
    over: bool


class RecruitPlanParams(Schema):
    org: int | None = None
    year: int | None = Field(None, ge=2000, le=2100)


class RecruitPlansOut(Schema):
    org_id: int
    year: int
    rows: list[RecruitPlanRowOut]


@router.get("/recruitment/me", response={200: dict, 404: Detail})
def my_progress(request):
    """The logged-in person's own file (Member.user): stage, next step with earliest/latest, contacts."""
    return selectors.my_progress(actor=request.user)


@router.get("/recruitment/plans", response={200: RecruitPlansOut, **ERRORS})
def plans(request, params: Query[RecruitPlanParams]):
    """发展党员计划 vs actual (admissions approved that year) for ?org= and the orgs below it with a plan."""
    org = org_get_visible(actor=request.user, org_id=params.org) if params.org is not None else home_org(request.user)
    if org is None:
        raise Http404
    year = params.year or timezone.localdate().year
    rows = selectors.plan_rows(actor=request.user, org=org, year=year)
    return {"org_id": org.id, "year": year, "rows": [r.as_dict() for r in rows]}


@router.put("/recruitment/plans", response={200: RecruitPlanRowOut, **ERRORS})
def plan_set(request, payload: RecruitPlanIn):
    """Set one org's quota for a year; only a 党委 above it (R-PLAN) may."""
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    services.plan_set(actor=request.user, org=org, year=payload.year, quota=payload.quota, note=payload.note)
    row = selectors.plan_rows(actor=request.user, org=org, year=payload.year)[0]
    return row.as_dict()


@router.post("/recruitment/applicants", response={201: RecruitPipelineOut, **ERRORS})
def applicant_create(request, payload: RecruitApplicantIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    data = payload.dict(exclude={"org_id", "applied_on", "leaving_on"}, exclude_none=True)
    record = services.applicant_create(actor=request.user, org=org, data=data, applied_on=payload.applied_on,
                                       leaving_on=payload.leaving_on)
    return 201, _pipeline(request, record.member_id)


@router.get("/recruitment", response={200: Page[RecruitItemOut], **ERRORS})
def pipeline_list(request, params: Query[RecruitListParams]):
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


@router.get("/recruitment/{member_id}", response={200: RecruitPipelineOut, 404: Detail})
def pipeline_detail(request, member_id: int):
    """{"stage", "steps": [{"step", "date", …}], "allowed": [{"step", "earliest", "latest"}], "violations": […]}"""
    return _pipeline(request, member_id)


@router.patch("/recruitment/{member_id}", response={200: RecruitPipelineOut, **ERRORS})
def pipeline_patch(request, member_id: int, payload: RecruitRecordPatch):
    member = member_get(actor=request.user, member_id=member_id)
    if "leaving_on" in payload.model_fields_set:
        services.record_set_leaving(actor=request.user, member=member, leaving_on=payload.leaving_on)
    return _pipeline(request, member_id)


@router.post("/recruitment/{member_id}/steps", response={201: RecruitStepCreatedOut, **ERRORS})
def step_create(request, member_id: int, payload: RecruitStepIn):
    member = member_get(actor=request.user, member_id=member_id)
    row, warnings = services.step_record_create(actor=request.user, member=member, step=payload.step,
                                                on=payload.date, data=dict(payload.model_extra or {}),
                                                late_reason=payload.late_reason)
    return 201, {"step": selectors.step_dict(row), "warnings": [w.as_dict() for w in warnings],
                 "pipeline": _pipeline(request, member_id)}


@router.post("/recruitment/{member_id}/steps/{step_id}/void", response={201: RecruitStepOut, **ERRORS})
def step_void(request, member_id: int, step_id: int, payload: RecruitVoidIn):
    """Void the latest effective step (append-only: a reversing entry with a reason)."""
    member = member_get(actor=request.user, member_id=member_id)
    row = services.step_record_void(actor=request.user, member=member, step_record_id=step_id,
                                    reason=payload.reason)
    return 201, selectors.step_dict(row)


@router.get("/recruitment/{member_id}/dossier", response={200: RecruitDossierOut, 404: Detail})
def dossier(request, member_id: int):
    """入党材料档案: each document of RULES.md §1's steps, present / missing / not yet."""
    return selectors.dossier_dict(selectors.dossier_get(actor=request.user, member_id=member_id))


@router.post("/recruitment/{member_id}/dossier", response={201: RecruitDocumentOut, **ERRORS})
def dossier_document_add(request, member_id: int, payload: RecruitDocumentIn):
    member = member_get(actor=request.user, member_id=member_id)
    row = services.dossier_document_add(actor=request.user, member=member, kind=payload.kind,
                                        received_on=payload.received_on, copies=payload.copies, note=payload.note)
    return 201, selectors.document_dict(row)


@router.post("/recruitment/{member_id}/dossier/{document_id}/void", response={200: RecruitDocumentOut, **ERRORS})
def dossier_document_void(request, member_id: int, document_id: int, payload: RecruitVoidIn):
    member = member_get(actor=request.user, member_id=member_id)
    row = services.dossier_document_void(actor=request.user, member=member, document_id=document_id,
                                         reason=payload.reason)
    return selectors.document_dict(row)
