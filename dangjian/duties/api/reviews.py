from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.scope import org_get_visible
from dangjian.core.api import Page

from .. import selectors, services
from .common import ERRORS, ListParams, org_filter, page

router = Router(tags=["述职评议"])


class CriterionIn(Schema):
    name: str = Field(max_length=200)
    max_score: Decimal = Field(max_digits=8, decimal_places=2)


class SchemeIn(Schema):
    org_id: int
    year: int
    title: str = Field(max_length=200)
    criteria: list[CriterionIn] = Field(max_length=60)
    thresholds: list[Decimal] | None = Field(None, max_length=3)


class CriterionOut(Schema):
    id: int
    name: str
    max_score: Decimal


class SchemeOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    title: str
    thresholds: list[Decimal]
    criteria: list[CriterionOut]


class ReportIn(Schema):
    scheme_id: int
    org_id: int
    reporter: str = Field(max_length=100)
    content: str = Field(max_length=40000)
    submitted_on: date | None = None


class DutiesReportOut(Schema):
    id: int
    scheme_id: int
    org_id: int
    org_name: str
    reporter: str
    content: str
    submitted_on: date


class ScoreIn(Schema):
    criterion_id: int
    score: Decimal = Field(max_digits=8, decimal_places=2)


class ScoreSheetIn(Schema):
    scores: list[ScoreIn] = Field(max_length=60)


class ResultOut(Schema):
    report_id: int
    org_id: int
    org_name: str
    reporter: str
    reviewers: int
    total: Decimal | None
    rank: int | None
    grade: str
    grade_label: str


def _scheme(s) -> dict:
    return {"id": s.id, "org_id": s.org_id, "org_name": s.org.name, "year": s.year, "title": s.title,
            "thresholds": [s.good_min, s.fairly_good_min, s.average_min], "criteria": list(s.criteria.all())}


def _report(r) -> dict:
    return {"id": r.id, "scheme_id": r.scheme_id, "org_id": r.org_id, "org_name": r.org.name,
            "reporter": r.reporter, "content": r.content, "submitted_on": r.submitted_on}


@router.post("/duties/review-schemes", response={201: SchemeOut, **ERRORS})
def scheme_create(request, payload: SchemeIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    scheme = services.review_scheme_create(actor=request.user, org=org, year=payload.year, title=payload.title,
                                           criteria=[c.dict() for c in payload.criteria],
                                           thresholds=payload.thresholds)
    return 201, _scheme(selectors.scheme_get(actor=request.user, scheme_id=scheme.id))


@router.get("/duties/review-schemes", response={200: Page[SchemeOut], 404: ERRORS[404]})
def scheme_list(request, params: Query[ListParams]):
    qs = selectors.scheme_list(actor=request.user, org=org_filter(request, params.org), year=params.year)
    qs = qs.prefetch_related("criteria")
    return page(qs, params, _scheme)


@router.get("/duties/review-schemes/{scheme_id}/results", response={200: list[ResultOut], 404: ERRORS[404]})
def scheme_results(request, scheme_id: int):
    """Totals (mean of reviewers' sheets), grades and competition ranks ("1224") per committee."""
    scheme = selectors.scheme_get(actor=request.user, scheme_id=scheme_id)
    return selectors.scheme_results(actor=request.user, scheme=scheme)


@router.post("/duties/reports", response={201: DutiesReportOut, **ERRORS})
def report_submit(request, payload: ReportIn):
    scheme = selectors.scheme_get(actor=request.user, scheme_id=payload.scheme_id)
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    report = services.duty_report_submit(actor=request.user, scheme=scheme, org=org, reporter=payload.reporter,
                                         content=payload.content,
                                         submitted_on=payload.submitted_on or timezone.localdate())
    return 201, _report(report)


@router.get("/duties/reports/{report_id}", response={200: DutiesReportOut, 404: ERRORS[404]})
def report_detail(request, report_id: int):
    return _report(selectors.report_get(actor=request.user, report_id=report_id))


@router.post("/duties/reports/{report_id}/scores", response={201: list[ResultOut], **ERRORS})
def report_score(request, report_id: int, payload: ScoreSheetIn):
    report = selectors.report_get(actor=request.user, report_id=report_id)
    services.duty_report_score(actor=request.user, report=report, scores=[s.dict() for s in payload.scores])
    return 201, [r for r in selectors.scheme_results(actor=request.user, scheme=report.scheme)
                 if r["report_id"] == report.id]
