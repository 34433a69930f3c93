"""JSON API of 三亮一评 (pledges, 群众评议) and 预警 → 处置, mounted by api.py under /api/v1/points/…"""
from datetime import date
from decimal import Decimal

from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.core.api import Detail, Page
from dangjian.core.pagination import paginate
from dangjian.members.selectors import member_get

from . import selectors, services
from .selectors_pledges import pledge_get, pledge_list, rating_list
from .selectors_warnings import warning_get, warning_list

router = Router(tags=["党员积分"])
ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}


class PledgeIn(Schema):
    member_id: int
    year: int
    identity: str = Field(max_length=1000)
    text: str = Field(max_length=2000)
    standard: str = Field("", max_length=1000)


class AssessIn(Schema):
    fulfilment: str = Field(max_length=20)
    result: str = Field(max_length=2000)
    assessed_on: date


class PointsPledgeOut(Schema):
    id: int
    member_id: int
    member_name: str
    org_id: int
    org_name: str
    year: int
    identity: str
    text: str
    standard: str
    result: str
    fulfilment: str
    assessed_on: date | None


class PointsPledgeParams(Schema):
    org: int
    year: int | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class RatingIn(Schema):
    member_id: int
    rated_on: date
    satisfied: int = Field(ge=0, le=10000)
    basically_satisfied: int = Field(0, ge=0, le=10000)
    unsatisfied: int = Field(0, ge=0, le=10000)
    note: str = Field("", max_length=1000)


class RatingOut(Schema):
    id: int
    member_id: int
    member_name: str
    org_id: int
    period: str
    rated_on: date
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    score: Decimal
    grade: str
    entry_id: int | None
    points: Decimal | None
    points_note: str


class PeriodParams(Schema):
    org: int
    period: str | None = None
    state: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class ScanIn(Schema):
    org_id: int
    period: str = Field(max_length=20)


class ScanOut(Schema):
    period: str
    created: int
    updated: int
    cleared: int
    notified: int


class WarningOut(Schema):
    id: int
    member_id: int
    member_name: str
    org_id: int
    org_name: str
    period: str
    score: Decimal
    threshold: Decimal
    worst: Decimal | None
    level: str
    state: str
    note: str
    disposal_id: int | None


class PointsDisposeIn(Schema):
    kind: str = Field(max_length=30)
    reason: str = Field(max_length=2000)
    decided_on: date
    deadline: date | None = None


class HandleIn(Schema):
    note: str = Field(max_length=1000)


def pledge_out(p) -> dict:
    return {"id": p.id, "member_id": p.member_id, "member_name": p.member.name, "org_id": p.org_id,
            "org_name": p.org.name, "year": p.year, "identity": p.identity, "text": p.text, "standard": p.standard,
            "result": p.result, "fulfilment": p.fulfilment, "assessed_on": p.assessed_on}


def rating_out(r) -> dict:
    return {"id": r.id, "member_id": r.member_id, "member_name": r.member.name, "org_id": r.org_id,
            "period": r.period, "rated_on": r.rated_on, "satisfied": r.satisfied,
            "basically_satisfied": r.basically_satisfied, "unsatisfied": r.unsatisfied, "score": r.score,
            "grade": r.grade, "entry_id": r.entry_id, "points": r.entry.points if r.entry_id else None,
            "points_note": r.points_note}


def warning_out(w) -> dict:
    return {"id": w.id, "member_id": w.member_id, "member_name": w.member.name, "org_id": w.org_id,
            "org_name": w.org.name, "period": w.period, "score": w.score, "threshold": w.threshold, "worst": w.worst,
            "level": w.level, "state": w.state, "note": w.note, "disposal_id": w.disposal_id}


# --- 三亮一评 ----------------------------------------------------------------------------------------------

@router.get("/points/pledges", response={200: Page[PointsPledgeOut], **ERRORS})
def pledges(request, params: Query[PointsPledgeParams]):
    _, qs = pledge_list(actor=request.user, org_id=params.org, year=params.year)
    result = paginate(qs, page=params.page, page_size=params.page_size)
    return {"items": [pledge_out(p) for p in result["items"]], "count": result["count"]}


@router.post("/points/pledges", response={200: PointsPledgeOut, 201: PointsPledgeOut, **ERRORS})
def pledge_save(request, payload: PledgeIn):
    """Make (201) or change (200) a member's pledge for a year: 亮身份, 亮承诺, 亮标准."""
    member = member_get(actor=request.user, member_id=payload.member_id)
    existed = member.pledges.filter(year=payload.year).exists()
    p = services.pledge_save(actor=request.user, member=member, year=payload.year,
                             data=payload.dict(include={"identity", "text", "standard"}))
    return (200 if existed else 201), pledge_out(p)


@router.get("/points/pledges/{pledge_id}", response={200: PointsPledgeOut, 404: Detail})
def pledge_detail(request, pledge_id: int):
    return pledge_out(pledge_get(actor=request.user, pledge_id=pledge_id))


@router.post("/points/pledges/{pledge_id}/assess", response={200: PointsPledgeOut, **ERRORS})
def pledge_assess(request, pledge_id: int, payload: AssessIn):
    """亮实绩: how the pledge was kept (fulfilled / partly / unfulfilled)."""
    p = pledge_get(actor=request.user, pledge_id=pledge_id)
    return pledge_out(services.pledge_assess(actor=request.user, pledge=p, fulfilment=payload.fulfilment,
                                             result=payload.result, assessed_on=payload.assessed_on))


@router.get("/points/ratings", response={200: Page[RatingOut], **ERRORS})
def ratings(request, params: Query[PeriodParams]):
    period = selectors.parse_period_or_400(params.period) if params.period else None
    _, qs = rating_list(actor=request.user, org_id=params.org, period=period)
    result = paginate(qs, page=params.page, page_size=params.page_size)
    return {"items": [rating_out(r) for r in result["items"]], "count": result["count"]}


@router.post("/points/ratings", response={201: RatingOut, **ERRORS})
def rating_create(request, payload: RatingIn):
    """群众评议 tally of one member; the grade feeds the ledger (rule codes PR-A … PR-D when in force)."""
    member = member_get(actor=request.user, member_id=payload.member_id)
    r = services.rating_record(actor=request.user, member=member, rated_on=payload.rated_on,
                               satisfied=payload.satisfied, basically_satisfied=payload.basically_satisfied,
                               unsatisfied=payload.unsatisfied, note=payload.note)
    return 201, rating_out(r)


# --- 预警 → 处置 ---------------------------------------------------------------------------------------------

@router.get("/points/warnings", response={200: Page[WarningOut], **ERRORS})
def warnings(request, params: Query[PeriodParams]):
    period = selectors.parse_period_or_400(params.period) if params.period else None
    _, qs = warning_list(actor=request.user, org_id=params.org, period=period, state=params.state)
    result = paginate(qs, page=params.page, page_size=params.page_size)
    return {"items": [warning_out(w) for w in result["items"]], "count": result["count"]}


@router.post("/points/warnings/scan", response={200: ScanOut, **ERRORS})
def warnings_scan(request, payload: ScanIn):
    """Draw or refresh an ended period's warning list; the secretaries are notified once per warning."""
    from dangjian.accounts.scope import org_get_visible

    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    return services.warnings_scan(actor=request.user, org=org, period=payload.period)


@router.get("/points/warnings/{point_warning_id}", response={200: WarningOut, 404: Detail})
def warning_detail(request, point_warning_id: int):
    return warning_out(warning_get(actor=request.user, warning_id=point_warning_id))


@router.post("/points/warnings/{point_warning_id}/disposal", response={201: WarningOut, **ERRORS})
def warning_dispose(request, point_warning_id: int, payload: PointsDisposeIn):
    """Open a disposal (rectify / persuade_out / expel_from_rolls) for the warned member."""
    w = warning_get(actor=request.user, warning_id=point_warning_id)
    w = services.warning_dispose(actor=request.user, warning=w, kind=payload.kind, reason=payload.reason,
                                 decided_on=payload.decided_on, deadline=payload.deadline)
    return 201, warning_out(w)


@router.post("/points/warnings/{point_warning_id}/handle", response={200: WarningOut, **ERRORS})
def warning_handle(request, point_warning_id: int, payload: HandleIn):
    """Close a warning with what was done (谈心谈话, 批评教育 …) instead of a disposal."""
    w = warning_get(actor=request.user, warning_id=point_warning_id)
    return warning_out(services.warning_handle(actor=request.user, warning=w, note=payload.note))
