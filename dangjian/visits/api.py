"""JSON API of 民情走访: households, pairings, plans, 民情日记, analysis meetings, publications, spot checks."""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.scope import can, org_get_visible
from dangjian.core.api import Detail, Page
from dangjian.core.errors import DomainError
from dangjian.core.pagination import paginate

from . import rules, selectors, services
from .models import Household, SpotCheck, VisitLog, VisitPlan

router = Router(tags=["民情走访"])
ERR = {400: Detail, 403: Detail, 404: Detail, 409: Detail}
TEXT = 5000  # hard cap on any string before the services' own limits (which answer in Chinese)


class VisitsResidentIn(Schema):
    name: str = Field(max_length=TEXT)
    relation: str = "other"
    birth_year: int | None = None
    phone: str = Field("", max_length=TEXT)
    note: str = Field("", max_length=TEXT)


class HouseholdIn(Schema):
    org_id: int
    name: str = Field(max_length=TEXT)
    address: str = Field(max_length=TEXT)
    grid: str = Field("", max_length=TEXT)
    phone: str = Field("", max_length=TEXT)
    size: int = 1
    circumstances: str = Field("", max_length=TEXT)
    tags: list[str] = Field(default_factory=list, max_length=20)
    residents: list[VisitsResidentIn] = Field(default_factory=list, max_length=100)


class HouseholdPatch(Schema):
    name: str | None = Field(None, max_length=TEXT)
    address: str | None = Field(None, max_length=TEXT)
    grid: str | None = Field(None, max_length=TEXT)
    phone: str | None = Field(None, max_length=TEXT)
    size: int | None = None
    circumstances: str | None = Field(None, max_length=TEXT)
    tags: list[str] | None = Field(None, max_length=20)
    residents: list[VisitsResidentIn] | None = Field(None, max_length=100)
    is_active: bool | None = None


class HouseholdOut(Schema):
    id: int
    org_id: int
    org_name: str
    name: str
    address: str
    grid: str
    phone_masked: str
    size: int
    tags: list[str]
    tag_labels: list[str]
    active_pairs: int | None = None


class ResidentOut(Schema):
    name: str
    relation: str
    birth_year: int | None
    phone_masked: str


class HouseholdDetailOut(HouseholdOut):
    phone: str | None = None  # only for an actor who may edit the household
    circumstances: str
    residents: list[ResidentOut]


def _household(h: Household, **extra) -> dict:
    return {"id": h.id, "org_id": h.org_id, "org_name": h.org.name, "name": h.name, "address": h.address,
            "grid": h.grid, "phone_masked": h.phone_masked, "size": h.size, "tags": h.tag_list,
            "tag_labels": h.tag_labels, "active_pairs": getattr(h, "active_pairs", None), **extra}


def _household_detail(actor, h: Household) -> dict:
    residents = [{"name": r.name, "relation": r.relation, "birth_year": r.birth_year,
                  "phone_masked": rules.mask_phone(r.phone)} for r in h.residents.all()]
    return _household(h, circumstances=h.circumstances, residents=residents,
                      phone=h.phone if can(actor, "visits.edit", h.org) else None)


class HouseholdParams(Schema):
    org: int | None = None
    grid: str = ""
    tag: str = ""
    q: str = ""
    unpaired: bool = False
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


def _org(request, org_id):
    from dangjian.accounts.scope import home_org

    if org_id is None:
        org = home_org(request.user)
        if org is None:
            raise DomainError("请指定党组织（org）", field="org", status=404)
        return org
    return org_get_visible(actor=request.user, org_id=org_id)


@router.post("/households", response={201: HouseholdDetailOut, **ERR})
def household_create(request, payload: HouseholdIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    data = payload.dict(exclude={"org_id"})
    h = services.household_create(actor=request.user, org=org, data=data)
    return 201, _household_detail(request.user, h)


@router.get("/households", response={200: Page[HouseholdOut], 404: Detail})
def household_list(request, params: Query[HouseholdParams]):
    filters = selectors.HouseholdFilters(q=params.q, grid=params.grid, tag=params.tag, unpaired=params.unpaired)
    qs = selectors.household_list(actor=request.user, org=_org(request, params.org), filters=filters)
    result = paginate(qs, page=params.page, page_size=params.page_size)
    return {"items": [_household(h) for h in result["items"]], "count": result["count"]}


@router.get("/households/{household_id}", response={200: HouseholdDetailOut, 404: Detail})
def household_detail(request, household_id: int):
    return _household_detail(request.user, selectors.household_get(actor=request.user, household_id=household_id))


@router.patch("/households/{household_id}", response={200: HouseholdDetailOut, **ERR})
def household_patch(request, household_id: int, payload: HouseholdPatch):
    h = selectors.household_get(actor=request.user, household_id=household_id)
    h = services.household_update(actor=request.user, household=h, data=payload.dict(exclude_unset=True))
    return _household_detail(request.user, h)


# --- Pairings ---------------------------------------------------------------------------------

class PairingIn(Schema):
    member_id: int
    household_id: int
    started_on: date | None = None
    note: str = Field("", max_length=TEXT)


class PairingOut(Schema):
    id: int
    org_id: int
    member_id: int
    member_name: str
    household_id: int
    household_name: str
    started_on: date
    ended_on: date | None
    note: str
    help_total: Decimal | None = None


class PairingEndIn(Schema):
    ended_on: date | None = None
    reason: str = Field(max_length=TEXT)


class HelpIn(Schema):
    given_on: date
    kind: str
    amount: Decimal | str = "0"
    description: str = Field(max_length=TEXT)


class HelpOut(Schema):
    id: int
    pairing_id: int
    given_on: date
    kind: str
    amount: Decimal
    description: str


def _pairing(p) -> dict:
    return {"id": p.id, "org_id": p.org_id, "member_id": p.member_id, "member_name": p.member.name,
            "household_id": p.household_id, "household_name": p.household.name, "started_on": p.started_on,
            "ended_on": p.ended_on, "note": p.note, "help_total": _money(getattr(p, "help_total", None))}


def _money(value) -> Decimal | None:
    # SQLite sums decimals as floats: back to the fen, half-up (DESIGN rule 8).
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@router.post("/pairings", response={201: PairingOut, **ERR})
def pairing_create(request, payload: PairingIn):
    member = selectors.member_for_visits(actor=request.user, member_id=payload.member_id)
    household = selectors.household_get(actor=request.user, household_id=payload.household_id)
    p = services.pairing_create(actor=request.user, member=member, household=household,
                                started_on=payload.started_on, note=payload.note)
    return 201, _pairing(p)


@router.get("/pairings", response={200: Page[PairingOut], 404: Detail})
def pairing_list(request, org: int | None = None, active: bool = True, page: int = Query(1, ge=1),
                 page_size: int = Query(50, ge=1, le=200)):
    qs = selectors.pairing_list(actor=request.user, org=_org(request, org), active=active)
    result = paginate(qs, page=page, page_size=page_size)
    return {"items": [_pairing(p) for p in result["items"]], "count": result["count"]}


@router.post("/pairings/{pairing_id}/end", response={200: PairingOut, **ERR})
def pairing_end(request, pairing_id: int, payload: PairingEndIn):
    p = selectors.pairing_get(actor=request.user, pairing_id=pairing_id)
    return _pairing(services.pairing_end(actor=request.user, pairing=p, ended_on=payload.ended_on,
                                         reason=payload.reason))


@router.post("/pairings/{pairing_id}/help", response={201: HelpOut, **ERR})
def pairing_help(request, pairing_id: int, payload: HelpIn):
    p = selectors.pairing_get(actor=request.user, pairing_id=pairing_id)
    r = services.help_record_create(actor=request.user, pairing=p, given_on=payload.given_on, kind=payload.kind,
                                    amount=payload.amount, description=payload.description)
    return 201, {"id": r.id, "pairing_id": p.id, "given_on": r.given_on, "kind": r.kind, "amount": r.amount,
                 "description": r.description}


class VisitsCoverageOut(Schema):
    month: str
    households_total: int
    households_planned: int
    households_visited: int
    planned_visited: int
    members_total: int
    members_paired: int
    pairing_required: bool
    members_without_pairing: list[dict]
    hardship_total: int
    hardship_without_pairing: list[dict]


@router.get("/visits/coverage", response={200: VisitsCoverageOut, 400: Detail, 404: Detail})
def visit_coverage(request, org: int | None = None, month: str = ""):
    month = month or rules.month_of(timezone.localdate())
    try:
        rules.parse_month(month)
    except ValueError as exc:
        raise DomainError(str(exc), field="month")
    c = selectors.coverage(actor=request.user, org=_org(request, org), month=month)
    c["members_without_pairing"] = [{"id": m.id, "name": m.name, "org_name": m.org.name}
                                    for m in c["members_without_pairing"]]
    c["hardship_without_pairing"] = [_household(h) for h in c["hardship_without_pairing"]]
    return c


# --- Plans --------------------------------------------------------------------------------------

class VisitsPlanIn(Schema):
    member_id: int
    month: str = Field(max_length=20)
    household_ids: list[int] = Field(max_length=500)
    note: str = Field("", max_length=TEXT)


class VisitsPlanOut(Schema):
    id: int
    org_id: int
    member_id: int
    member_name: str
    month: str
    household_ids: list[int]
    visited_ids: list[int]
    note: str


def _plan(plan: VisitPlan) -> dict:
    progress = selectors.plan_progress(plan)
    return {"id": plan.id, "org_id": plan.org_id, "member_id": plan.member_id, "member_name": plan.member.name,
            "month": plan.month, "household_ids": [p["household"].id for p in progress],
            "visited_ids": [p["household"].id for p in progress if p["visits"]], "note": plan.note}


@router.post("/visit-plans", response={201: VisitsPlanOut, **ERR})
def plan_save(request, payload: VisitsPlanIn):
    member = selectors.member_for_visits(actor=request.user, member_id=payload.member_id)
    households = [selectors.household_get(actor=request.user, household_id=i) for i in set(payload.household_ids)]
    plan = services.visit_plan_save(actor=request.user, member=member, month=payload.month, households=households,
                                    note=payload.note)
    return 201, _plan(plan)


@router.get("/visit-plans/{visit_plan_id}", response={200: VisitsPlanOut, 404: Detail})
def plan_detail(request, visit_plan_id: int):
    return _plan(selectors.plan_get(actor=request.user, plan_id=visit_plan_id))


# --- 民情日记 -------------------------------------------------------------------------------------

class VisitsVisitIn(Schema):
    member_id: int
    household_id: int | None = None
    visited_on: date
    notes: str = Field(max_length=TEXT)
    needs: str = Field("", max_length=TEXT)
    reason: str = Field("", max_length=TEXT)
    create_petition: bool = False
    create_need: bool = False


class VisitsVisitOut(Schema):
    id: int
    org_id: int
    member_id: int
    member_name: str
    household_id: int | None
    household_name: str | None
    visited_on: date
    notes: str
    needs: str
    off_area_reason: str
    petition_ids: list[int] = []


def _log(log: VisitLog, petition_ids=None) -> dict:
    return {"id": log.id, "org_id": log.org_id, "member_id": log.member_id, "member_name": log.member.name,
            "household_id": log.household_id, "household_name": log.household.name if log.household_id else None,
            "visited_on": log.visited_on, "notes": log.notes, "needs": log.needs,
            "off_area_reason": log.off_area_reason, "petition_ids": petition_ids or []}


class LogParams(Schema):
    org: int | None = None
    month: str = ""
    member: int | None = None
    household: int | None = None
    with_needs: bool = False
    q: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


@router.post("/visits", response={201: VisitsVisitOut, **ERR})
def visit_create(request, payload: VisitsVisitIn):
    member = selectors.member_for_visits(actor=request.user, member_id=payload.member_id)
    household = None
    if payload.household_id is not None:
        household = selectors.household_for_member(actor=request.user, member=member,
                                                   household_id=payload.household_id)
    log = services.visit_log_create(actor=request.user, member=member, household=household,
                                    visited_on=payload.visited_on, notes=payload.notes, needs=payload.needs,
                                    reason=payload.reason, create_petition=payload.create_petition,
                                    create_need=payload.create_need)
    return 201, _log(log, list(log.petitions.values_list("id", flat=True)))


@router.get("/visits", response={200: Page[VisitsVisitOut], 400: Detail, 404: Detail})
def visit_list(request, params: Query[LogParams]):
    if params.month:
        try:
            rules.parse_month(params.month)
        except ValueError as exc:
            raise DomainError(str(exc), field="month")
    filters = selectors.LogFilters(month=params.month, member=params.member, household=params.household,
                                   with_needs=params.with_needs, q=params.q)
    qs = selectors.log_list(actor=request.user, org=_org(request, params.org), filters=filters)
    result = paginate(qs, page=params.page, page_size=params.page_size)
    return {"items": [_log(x) for x in result["items"]], "count": result["count"]}


@router.get("/visits/{visit_log_id}", response={200: VisitsVisitOut, 404: Detail})
def visit_detail(request, visit_log_id: int):
    log = selectors.log_get(actor=request.user, log_id=visit_log_id)
    return _log(log, list(log.petitions.values_list("id", flat=True)))


# --- 民情分析会, publication, spot checks -----------------------------------------------------------

class VisitsMeetingIn(Schema):
    org_id: int
    held_on: date
    topic: str = Field(max_length=TEXT)
    attendees: str = Field("", max_length=TEXT)
    summary: str = Field("", max_length=TEXT)
    decisions: str = Field("", max_length=TEXT)
    log_ids: list[int] = Field(default_factory=list, max_length=500)


class VisitsMeetingOut(Schema):
    id: int
    org_id: int
    held_on: date
    topic: str
    log_ids: list[int]


@router.post("/analysis-meetings", response={201: VisitsMeetingOut, **ERR})
def meeting_create(request, payload: VisitsMeetingIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    logs = selectors.logs_by_ids(actor=request.user, org=org, ids=payload.log_ids)
    m = services.analysis_meeting_create(actor=request.user, org=org, held_on=payload.held_on, topic=payload.topic,
                                         attendees=payload.attendees, summary=payload.summary,
                                         decisions=payload.decisions, logs=logs)
    return 201, {"id": m.id, "org_id": org.id, "held_on": m.held_on, "topic": m.topic,
                 "log_ids": sorted(x.id for x in logs)}


class VisitsPublicationIn(Schema):
    org_id: int
    month: str = Field(max_length=20)
    note: str = Field("", max_length=TEXT)


class VisitsPublicationOut(Schema):
    id: int
    org_id: int
    month: str
    published_on: date
    figures: dict


@router.post("/visit-publications", response={201: VisitsPublicationOut, **ERR})
def publication_create(request, payload: VisitsPublicationIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    p = services.publication_create(actor=request.user, org=org, month=payload.month, note=payload.note)
    return 201, {"id": p.id, "org_id": org.id, "month": p.month, "published_on": p.published_on,
                 "figures": p.figures}


class SpotCheckIn(Schema):
    org_id: int
    month: str = Field(max_length=20)
    sample_size: int | None = None
    seed: int | None = None
    note: str = Field("", max_length=TEXT)


class SpotItemOut(Schema):
    id: int
    log_id: int
    position: int
    confirmed: bool | None
    remark: str


class SpotCheckOut(Schema):
    id: int
    org_id: int
    month: str
    seed: int
    sample_size: int
    population: int
    items: list[SpotItemOut]


class SpotRecordIn(Schema):
    confirmed: bool
    remark: str = Field("", max_length=TEXT)


def _check(c: SpotCheck) -> dict:
    return {"id": c.id, "org_id": c.org_id, "month": c.month, "seed": c.seed, "sample_size": c.sample_size,
            "population": len(c.population_ids),
            "items": [{"id": i.id, "log_id": i.log_id, "position": i.position, "confirmed": i.confirmed,
                       "remark": i.remark} for i in c.items.all()]}


@router.post("/spot-checks", response={201: SpotCheckOut, **ERR})
def spot_check_create(request, payload: SpotCheckIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    c = services.spot_check_create(actor=request.user, org=org, month=payload.month,
                                   sample_size=payload.sample_size, seed=payload.seed, note=payload.note)
    return 201, _check(c)


@router.get("/spot-checks/{spot_check_id}", response={200: SpotCheckOut, 404: Detail})
def spot_check_detail(request, spot_check_id: int):
    return _check(selectors.spot_check_get(actor=request.user, check_id=spot_check_id))


@router.post("/spot-checks/{spot_check_id}/items/{spot_check_item_id}", response={200: SpotItemOut, **ERR})
def spot_check_record(request, spot_check_id: int, spot_check_item_id: int, payload: SpotRecordIn):
    c = selectors.spot_check_get(actor=request.user, check_id=spot_check_id)
    item = selectors.spot_check_item_get(actor=request.user, check=c, item_id=spot_check_item_id)
    i = services.spot_check_record(actor=request.user, item=item, confirmed=payload.confirmed, remark=payload.remark)
    return {"id": i.id, "log_id": i.log_id, "position": i.position, "confirmed": i.confirmed, "remark": i.remark}
