from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.scope import org_get_visible
from dangjian.core.api import Page

from .. import selectors, services
from .common import ERRORS, ListParams, org_filter, page

router = Router(tags=["党建责任书"])


class ItemIn(Schema):
    content: str = Field(max_length=600)
    weight: Decimal = Field(max_digits=7, decimal_places=2)


class IssueIn(Schema):
    org_id: int
    year: int | None = None  # default: this year
    title: str = Field("党建工作责任书", max_length=200)
    items: list[ItemIn] = Field(max_length=100)
    target_org_ids: list[int] | None = Field(None, max_length=10000)


class ItemOut(Schema):
    id: int
    content: str
    weight: Decimal


class DutiesTemplateOut(Schema):
    id: int
    org_id: int
    year: int
    title: str
    items: list[ItemOut]
    pledge_count: int


class ProgressOut(Schema):
    item_id: int
    content: str
    weight: Decimal
    percent: int
    note: str


class PledgeOut(Schema):
    id: int
    template_id: int
    title: str
    year: int
    issuer_id: int
    org_id: int
    org_name: str
    state: str
    signer: str
    signed_on: date | None
    completion: Decimal


class PledgeDetailOut(PledgeOut):
    items: list[ProgressOut]


class SignIn(Schema):
    signer: str = Field(max_length=100)
    signed_on: date | None = None  # default: today


class ProgressIn(Schema):
    item_id: int
    percent: int
    note: str = Field("", max_length=600)


class PledgeParams(ListParams):
    state: str = ""


def _pledge(p) -> dict:
    return {"id": p.id, "template_id": p.template_id, "title": p.template.title, "year": p.template.year,
            "issuer_id": p.template.org_id, "org_id": p.org_id, "org_name": p.org.name, "state": p.state,
            "signer": p.signer, "signed_on": p.signed_on, "completion": p.completion}


def _detail(p) -> dict:
    return {**_pledge(p), "items": [{"item_id": r.item_id, "content": r.item.content, "weight": r.item.weight,
                                     "percent": r.percent, "note": r.note} for r in p.progress.all()]}


@router.post("/duties/pledges", response={201: DutiesTemplateOut, **ERRORS})
def pledge_issue(request, payload: IssueIn):
    """Issue the year's 责任书 to the orgs under org_id (default: its direct children)."""
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    template = services.pledge_template_issue(
        actor=request.user, org=org, year=payload.year or timezone.localdate().year, title=payload.title,
        items=[i.dict() for i in payload.items], target_org_ids=payload.target_org_ids)
    return 201, {"id": template.id, "org_id": org.id, "year": template.year, "title": template.title,
                 "items": list(template.items.all()), "pledge_count": template.pledges.count()}


@router.get("/duties/pledges", response={200: Page[PledgeOut], 404: ERRORS[404]})
def pledge_list(request, params: Query[PledgeParams]):
    qs = selectors.pledge_list(actor=request.user, org=org_filter(request, params.org), year=params.year,
                               state=params.state)
    result = page(qs, params, lambda p: p)
    result["items"] = [_pledge(p) for p in selectors.pledges_with_completion(result["items"])]
    return result


@router.get("/duties/pledges/{pledge_id}", response={200: PledgeDetailOut, 404: ERRORS[404]})
def pledge_detail(request, pledge_id: int):
    return _detail(selectors.pledge_get(actor=request.user, pledge_id=pledge_id))


@router.post("/duties/pledges/{pledge_id}/sign", response={200: PledgeDetailOut, **ERRORS})
def pledge_sign(request, pledge_id: int, payload: SignIn):
    pledge = selectors.pledge_get(actor=request.user, pledge_id=pledge_id)
    services.pledge_sign(actor=request.user, pledge=pledge, signer=payload.signer,
                         signed_on=payload.signed_on or timezone.localdate())
    return _detail(selectors.pledge_get(actor=request.user, pledge_id=pledge_id))


@router.post("/duties/pledges/{pledge_id}/progress", response={200: PledgeDetailOut, **ERRORS})
def pledge_progress(request, pledge_id: int, payload: ProgressIn):
    pledge = selectors.pledge_get(actor=request.user, pledge_id=pledge_id)
    services.pledge_progress_update(actor=request.user, pledge=pledge, item_id=payload.item_id,
                                    percent=payload.percent, note=payload.note)
    return _detail(selectors.pledge_get(actor=request.user, pledge_id=pledge_id))
