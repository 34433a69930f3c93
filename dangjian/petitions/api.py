"""JSON API of 诉求 / 建议 / 领导信箱 (首问负责 steps), 矛盾纠纷调解 and the service figures.

Two endpoints need no login: POST /petitions/public (honeypot, per-IP hourly limit) and
GET /petitions/track/{code} (status and steps, no personal data).
"""
from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.scope import home_org, org_get_visible
from dangjian.core.api import Detail, Page
from dangjian.core.errors import DomainError
from dangjian.core.middleware import client_ip_of
from dangjian.core.pagination import paginate

from . import public, selectors, services
from .models import Mediation, Petition

router = Router(tags=["群众诉求与调解"])
ERR = {400: Detail, 403: Detail, 404: Detail, 409: Detail}
TEXT = 5000  # hard cap before the services' own limits (which answer in Chinese)


class ResidentIn(Schema):
    name: str = Field("", max_length=TEXT)
    phone: str = Field("", max_length=TEXT)
    anonymous: bool = False
    household_id: int | None = None


class PetitionIn(Schema):
    org_id: int
    kind: str = "demand"
    channel: str = Field(max_length=20)
    category: str = "other"
    title: str = Field(max_length=TEXT)
    content: str = Field(max_length=TEXT)
    resident: ResidentIn = Field(default_factory=ResidentIn)
    allow_public: bool = False
    received_on: date | None = None


class PublicPetitionIn(Schema):
    org_id: int
    kind: str = "demand"
    category: str = "other"
    title: str = Field(max_length=TEXT)
    content: str = Field(max_length=TEXT)
    name: str = Field("", max_length=TEXT)
    phone: str = Field("", max_length=TEXT)
    anonymous: bool = False
    allow_public: bool = False
    website: str = Field("", max_length=TEXT)  # honeypot: people never see it, robots fill it in


class Deadlines(Schema):
    contact: date
    accept: date
    handle: date
    feedback: date


class PetitionCreated(Schema):
    id: int
    tracking_code: str
    state: str
    deadlines: Deadlines


class PublicCreated(Schema):
    tracking_code: str
    deadlines: Deadlines


class SlaOut(Schema):
    label: str
    tone: str
    step: str | None
    due: date | None


class PetitionOut(Schema):
    id: int
    org_id: int
    org_name: str
    kind: str
    channel: str
    category: str
    title: str
    submitter_name: str
    submitter_phone_masked: str
    anonymous: bool
    tracking_code: str
    state: str
    received_on: date
    deadlines: Deadlines
    overdue: bool
    sla: SlaOut
    resolved: bool | None
    satisfaction: str


class PetitionsStepOut(Schema):
    step: str
    label: str
    due: date
    done_on: date | None
    late: bool
    overdue: bool
    note: str
    actor: str


class PetitionDetailOut(PetitionOut):
    content: str
    steps: list[PetitionsStepOut]
    transfers: list[dict]
    escalations: list[dict]
    public_reply: str
    visit_log_id: int | None
    household_id: int | None


def _petition(p: Petition, today: date) -> dict:
    badge = selectors.sla_badge(p, today=today)
    return {"id": p.id, "org_id": p.org_id, "org_name": p.org.name, "kind": p.kind, "channel": p.channel,
            "category": p.category, "title": p.title, "submitter_name": p.submitter_name,
            "submitter_phone_masked": p.submitter_phone_masked, "anonymous": p.anonymous,
            "tracking_code": p.tracking_code, "state": p.state, "received_on": p.received_on,
            "deadlines": services.deadlines_of(p), "overdue": badge["tone"] == "danger", "sla": badge,
            "resolved": p.resolved, "satisfaction": p.satisfaction}


def _detail(p: Petition) -> dict:
    today = timezone.localdate()
    steps = [{"step": r["step"], "label": r["label"], "due": r["due"],
              "done_on": r["row"].done_on if r["row"] else None, "late": r["row"].late if r["row"] else False,
              "overdue": r["overdue"], "note": r["row"].note if r["row"] else "",
              "actor": r["row"].actor_name if r["row"] else ""} for r in selectors.step_rows(p, today=today)]
    return {**_petition(p, today), "content": p.content, "steps": steps, "public_reply": p.public_reply,
            "transfers": [{"from_org": t.from_org.name, "to_org": t.to_org.name, "reason": t.reason,
                           "at": t.created_at.isoformat()} for t in p.transfers.all()],
            "escalations": [{"step": e.step, "due": e.due.isoformat(), "to_org": e.to_org.name,
                             "created_on": e.created_on.isoformat()} for e in p.escalations.all()],
            "visit_log_id": p.visit_log_id, "household_id": p.household_id}


@router.post("/petitions", response={201: PetitionCreated, **ERR})
def petition_create(request, payload: PetitionIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    household = None
    if payload.resident.household_id is not None:
        from dangjian.visits.selectors import household_get

        household = household_get(actor=request.user, household_id=payload.resident.household_id)
    data = {"kind": payload.kind, "channel": payload.channel, "category": payload.category, "title": payload.title,
            "content": payload.content, "submitter_name": payload.resident.name,
            "submitter_phone": payload.resident.phone, "anonymous": payload.resident.anonymous,
            "allow_public": payload.allow_public}
    p = services.petition_create(actor=request.user, org=org, data=data, received_on=payload.received_on,
                                 household=household)
    return 201, {"id": p.id, "tracking_code": p.tracking_code, "state": p.state, "deadlines": services.deadlines_of(p)}


@router.post("/petitions/public", auth=None, response={201: PublicCreated, 400: Detail, 404: Detail, 429: Detail})
def petition_public(request, payload: PublicPetitionIn):
    data = {"kind": payload.kind, "category": payload.category, "title": payload.title, "content": payload.content,
            "submitter_name": payload.name, "submitter_phone": payload.phone, "anonymous": payload.anonymous,
            "allow_public": payload.allow_public}
    p = public.submit(ip=client_ip_of(request), org_id=payload.org_id, data=data, honeypot=payload.website)
    return 201, {"tracking_code": p.tracking_code, "deadlines": services.deadlines_of(p)}


class TrackStep(Schema):
    step: str
    label: str
    due: date
    done_on: date | None
    late: bool
    overdue: bool


class TrackOut(Schema):
    tracking_code: str
    kind: str
    kind_label: str
    category: str
    org: str
    state: str
    state_label: str
    received_on: date
    steps: list[TrackStep]
    resolved: bool | None
    public_reply: str


@router.get("/petitions/track/{code}", auth=None, response={200: TrackOut, 404: Detail, 429: Detail})
def petition_track(request, code: str):
    return public.track(ip=client_ip_of(request), code=code)


class PetitionsListParams(Schema):
    org: int | None = None
    state: str = ""
    kind: str = ""
    channel: str = ""
    category: str = ""
    overdue: bool = False
    escalated: bool = False
    q: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


def _org(request, org_id):
    if org_id is None:
        org = home_org(request.user)
        if org is None:
            raise DomainError("请指定党组织（org）", field="org", status=404)
        return org
    return org_get_visible(actor=request.user, org_id=org_id)


@router.get("/petitions", response={200: Page[PetitionOut], 404: Detail})
def petition_list(request, params: Query[PetitionsListParams]):
    filters = selectors.PetitionFilters(state=params.state, kind=params.kind, channel=params.channel,
                                        category=params.category, overdue=params.overdue,
                                        escalated=params.escalated, q=params.q)
    qs = selectors.petition_list(actor=request.user, org=_org(request, params.org), filters=filters)
    result = paginate(qs, page=params.page, page_size=params.page_size)
    today = timezone.localdate()
    return {"items": [_petition(p, today) for p in result["items"]], "count": result["count"]}


@router.get("/petitions/{petition_id}", response={200: PetitionDetailOut, 404: Detail})
def petition_detail(request, petition_id: int):
    return _detail(selectors.petition_get(actor=request.user, petition_id=petition_id))


class PetitionsStepIn(Schema):
    step: str = Field(max_length=20)
    note: str = Field("", max_length=TEXT)
    done_on: date | None = None
    resolved: bool | None = None
    satisfaction: str = Field("", max_length=20)
    public_reply: str = Field("", max_length=TEXT)


@router.post("/petitions/{petition_id}/steps", response={201: PetitionDetailOut, **ERR})
def petition_step(request, petition_id: int, payload: PetitionsStepIn):
    p = selectors.petition_get(actor=request.user, petition_id=petition_id)
    services.petition_step(actor=request.user, petition=p, step=payload.step, note=payload.note,
                           done_on=payload.done_on, resolved=payload.resolved, satisfaction=payload.satisfaction,
                           public_reply=payload.public_reply)
    return 201, _detail(selectors.petition_get(actor=request.user, petition_id=petition_id))


class PetitionsTransferIn(Schema):
    to_org_id: int
    reason: str = Field(max_length=TEXT)


@router.post("/petitions/{petition_id}/transfer", response={200: dict, **ERR})
def petition_transfer(request, petition_id: int, payload: PetitionsTransferIn):
    p = selectors.petition_get(actor=request.user, petition_id=petition_id)
    t = services.petition_transfer(actor=request.user, petition=p, to_org_id=payload.to_org_id, reason=payload.reason)
    return {"id": p.id, "org_id": t.to_org_id, "reason": t.reason}


# --- Mediations -----------------------------------------------------------------------------------

class MediationIn(Schema):
    org_id: int
    title: str = Field(max_length=TEXT)
    category: str = "neighbour"
    occurred_on: date
    parties: str = Field("", max_length=TEXT)
    parties_count: int = 2
    people_involved: int
    amount: Decimal | str = "0"
    outcome: str = Field(max_length=20)
    agreement: str = Field("", max_length=TEXT)
    mediator: str = Field("", max_length=TEXT)
    petition_id: int | None = None


class MediationOut(Schema):
    id: int
    org_id: int
    title: str
    category: str
    occurred_on: date
    parties: str
    parties_count: int
    people_involved: int
    amount: Decimal
    outcome: str
    agreement: str
    mediator: str
    follow_up_on: date | None
    follow_up_note: str


class FollowUpIn(Schema):
    follow_up_on: date
    note: str = Field(max_length=TEXT)


def _mediation(m: Mediation) -> dict:
    return {k: getattr(m, k) for k in MediationOut.model_fields}


@router.post("/mediations", response={201: MediationOut, **ERR})
def mediation_create(request, payload: MediationIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    petition = None
    if payload.petition_id is not None:
        petition = selectors.petition_get(actor=request.user, petition_id=payload.petition_id)
    m = services.mediation_create(actor=request.user, org=org, data=payload.dict(exclude={"org_id", "petition_id"}),
                                  petition=petition)
    return 201, _mediation(m)


@router.get("/mediations", response={200: Page[MediationOut], 404: Detail})
def mediation_list(request, org: int | None = None, outcome: str = "", year: int | None = None,
                   page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    qs = selectors.mediation_list(actor=request.user, org=_org(request, org), outcome=outcome, year=year)
    result = paginate(qs, page=page, page_size=page_size)
    return {"items": [_mediation(m) for m in result["items"]], "count": result["count"]}


@router.get("/mediations/{mediation_id}", response={200: MediationOut, 404: Detail})
def mediation_detail(request, mediation_id: int):
    return _mediation(selectors.mediation_get(actor=request.user, mediation_id=mediation_id))


@router.post("/mediations/{mediation_id}/follow-up", response={200: MediationOut, **ERR})
def mediation_follow_up(request, mediation_id: int, payload: FollowUpIn):
    m = selectors.mediation_get(actor=request.user, mediation_id=mediation_id)
    return _mediation(services.mediation_follow_up(actor=request.user, mediation=m,
                                                   follow_up_on=payload.follow_up_on, note=payload.note))


# --- Figures --------------------------------------------------------------------------------------

class FiguresOut(Schema):
    org_id: int
    from_: date = Field(alias="from")
    to: date
    visits: int
    visit_logs: int
    households_covered: int
    petitions_received: int
    petitions_closed: int
    petitions_resolved: int
    petitions_on_time: int
    petitions_overdue: int
    suggestions_received: int
    suggestions_resolved: int
    letters_received: int
    satisfaction_rated: int
    satisfaction_positive: int
    mediations: int
    oral_agreements: int
    written_agreements: int
    mediations_failed: int
    people_involved: int
    amount_involved: Decimal
    pairings_active: int
    help_records: int
    help_amount: Decimal


@router.get("/orgs/{org_id}/service-figures", response={200: FiguresOut, 400: Detail, 404: Detail},
            by_alias=True)
def service_figures(request, org_id: int, from_: date | None = Query(None, alias="from"),
                    to: date | None = None):
    org = org_get_visible(actor=request.user, org_id=org_id)
    today = timezone.localdate()
    end = to or today
    start = from_ or end.replace(month=1, day=1)
    if start > end:
        raise DomainError("起始日期不能晚于截止日期", field="from")
    return selectors.service_figures(actor=request.user, org=org, start=start, end=end)
