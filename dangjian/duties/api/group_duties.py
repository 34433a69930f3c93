"""党小组长责任清单 (seed 001): /api/v1/duties/group-duty-lists…"""
from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.scope import org_get_visible
from dangjian.core.api import Page

from .. import selectors, services
from .common import ERRORS, ListParams, org_filter, page

router = Router(tags=["党小组长责任清单"])


class DutyItemIn(Schema):
    content: str = Field(max_length=400)
    frequency: str = Field("month", max_length=10)


class DutyListIn(Schema):
    org_id: int
    year: int | None = None  # default: this year
    title: str = Field("党小组长责任清单", max_length=200)
    items: list[DutyItemIn] = Field(max_length=100)


class DutyItemOut(Schema):
    id: int
    content: str
    frequency: str


class DutyListOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    title: str
    items: list[DutyItemOut]


class BoardRowOut(Schema):
    party_group_id: int
    name: str
    org_id: int
    org_name: str
    leader: str
    due: int
    done: int
    percent: Decimal
    open_now: list[int]


class BoardOut(Schema):
    list_id: int
    on: date
    due: int
    done: int
    percent: Decimal
    items: list[BoardRowOut]
    count: int


class CellOut(Schema):
    period: str
    state: str
    done_on: date | None
    note: str


class SheetItemOut(Schema):
    item_id: int
    content: str
    frequency: str
    done: int
    due: int
    periods: list[CellOut]


class SheetOut(Schema):
    list_id: int
    party_group_id: int
    name: str
    leader: str
    items: list[SheetItemOut]


class RecordIn(Schema):
    party_group_id: int
    item_id: int
    period: str = Field(max_length=20)
    done_on: date | None = None  # default: today
    note: str = Field("", max_length=600)


class RecordOut(Schema):
    id: int
    list_id: int
    party_group_id: int
    item_id: int
    period: str
    done_on: date
    note: str


def _list(d) -> dict:
    return {"id": d.id, "org_id": d.org_id, "org_name": d.org.name, "year": d.year, "title": d.title,
            "items": [{"id": i.id, "content": i.content, "frequency": i.frequency} for i in d.items.all()]}


@router.post("/duties/group-duty-lists", response={201: DutyListOut, **ERRORS})
def group_duty_list_create(request, payload: DutyListIn):
    """Define the year's duty list of the 党小组 leaders in the branches under org_id (seed 001)."""
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    d = services.group_duty_list_create(actor=request.user, org=org, year=payload.year or timezone.localdate().year,
                                        title=payload.title, items=[i.dict() for i in payload.items])
    return 201, _list(selectors.group_duty_list_get(actor=request.user, list_id=d.id))


@router.get("/duties/group-duty-lists", response={200: Page[DutyListOut], 404: ERRORS[404]})
def group_duty_list_list(request, params: Query[ListParams]):
    qs = selectors.group_duty_lists(actor=request.user, org=org_filter(request, params.org), year=params.year)
    return page(qs.prefetch_related("items"), params, _list)


@router.get("/duties/group-duty-lists/{list_id}", response={200: DutyListOut, 404: ERRORS[404]})
def group_duty_list_detail(request, list_id: int):
    return _list(selectors.group_duty_list_get(actor=request.user, list_id=list_id))


@router.get("/duties/group-duty-lists/{list_id}/board", response={200: BoardOut, 404: ERRORS[404]})
def group_duty_board(request, list_id: int, org: int | None = None, on: date | None = None):
    """Completion across the 党小组 the actor sees (?org= narrows to a subtree): due so far, done, rate."""
    d = selectors.group_duty_list_get(actor=request.user, list_id=list_id)
    board = selectors.group_duty_board(actor=request.user, duty_list=d, org=org_filter(request, org), on=on)
    rows = [{"party_group_id": r["group_id"], "name": r["name"], "org_id": r["org_id"], "org_name": r["org_name"],
             "leader": r["leader"], "due": r["due"], "done": r["done"], "percent": r["percent"],
             "open_now": [i.id for i in r["open_now"]]} for r in board["rows"]]
    return {"list_id": d.id, "on": board["on"], "due": board["due"], "done": board["done"],
            "percent": board["percent"], "items": rows, "count": len(rows)}


@router.get("/duties/group-duty-lists/{list_id}/groups/{group_id}", response={200: SheetOut, 404: ERRORS[404]})
def group_duty_sheet(request, list_id: int, group_id: int):
    d = selectors.group_duty_list_get(actor=request.user, list_id=list_id)
    group = selectors.group_of_list(actor=request.user, duty_list=d, group_id=group_id)
    sheet = selectors.group_duty_sheet(duty_list=d, group=group)
    return {"list_id": d.id, "party_group_id": group.id, "name": group.name, "leader": group.leader,
            "items": [{"item_id": row["item"].id, "content": row["item"].content, "frequency": row["item"].frequency,
                       "done": row["done"], "due": row["due"],
                       "periods": [{"period": c["period"], "state": c["state"],
                                    "done_on": c["record"].done_on if c["record"] else None,
                                    "note": c["record"].note if c["record"] else ""} for c in row["cells"]]}
                      for row in sheet]}


@router.post("/duties/group-duty-lists/{list_id}/records", response={201: RecordOut, **ERRORS})
def group_duty_record(request, list_id: int, payload: RecordIn):
    """The group's leader (or the branch) records one item done in one period: 2025-03, 2025-Q1 or 2025."""
    d = selectors.group_duty_list_get(actor=request.user, list_id=list_id)
    group = selectors.group_of_list(actor=request.user, duty_list=d, group_id=payload.party_group_id)
    r = services.group_duty_record(actor=request.user, duty_list=d, group=group, item_id=payload.item_id,
                                   period=payload.period, done_on=payload.done_on or timezone.localdate(),
                                   note=payload.note)
    return 201, {"id": r.id, "list_id": d.id, "party_group_id": group.id, "item_id": r.item_id, "period": r.period,
                 "done_on": r.done_on, "note": r.note}
