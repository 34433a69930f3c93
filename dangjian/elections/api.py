"""/api/v1/orgs/{org_id}/elections, /committee, /terms and /elections/{election_id}…: committees and 换届选举."""
from datetime import date

from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.core.api import Detail, Page
from dangjian.core.pagination import paginate

from . import rules, selectors, services
from .models import Committee, Election

router = Router(tags=["换届选举"])
ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}
Count = Field(ge=0, le=1_000_000)


class CandidateIn(Schema):
    member_id: int
    votes: int = Field(ge=0, le=1_000_000)


class ElectionIn(Schema):
    held_on: date
    entitled: int = Count
    present: int = Count
    seats: int = Field(ge=1, le=rules.OTHER_MAX_SEATS)
    ballots_issued: int = Count
    ballots_returned: int = Count
    candidates: list[CandidateIn] = Field(max_length=200)
    entitled_reason: str = Field("", max_length=200)
    title: str = Field("", max_length=100)


class RoundIn(Schema):
    held_on: date
    entitled: int = Count
    present: int = Count
    ballots_issued: int = Count
    ballots_returned: int = Count
    candidates: list[CandidateIn] = Field(max_length=200)
    entitled_reason: str = Field("", max_length=200)


class ElectionCreated(Schema):
    id: int
    valid: bool
    elected: list[int]
    state: str
    revote: list[int]
    seats_left: int


class CandidateOut(Schema):
    member_id: int
    name: str
    votes: int | None
    elected: bool
    tied: bool


class ElectionOut(Schema):
    id: int
    org_id: int
    title: str
    state: str
    round_kind: str
    parent_id: int | None
    seats: int
    held_on: date | None
    entitled: int | None
    present: int | None
    ballots_issued: int | None
    ballots_returned: int | None
    valid: bool | None
    seats_left: int
    candidates: list[CandidateOut]


class SeatIn(Schema):
    member_id: int
    duty: str = Field(max_length=20)


class SeatOut(Schema):
    member_id: int
    duty: str


class CommitteeOut(Schema):
    members: list[SeatOut]
    elected_on: date | None
    term_years: int
    expires_on: date | None


class InstallIn(Schema):
    took_office_on: date
    members: list[SeatIn] = Field(max_length=rules.OTHER_MAX_SEATS)


class PostponeIn(Schema):
    new_expires_on: date
    approved_on: date
    approval_org: str = Field(max_length=100)
    approval_doc: str = Field("", max_length=100)
    reason: str = Field(max_length=500)


class PostponeOut(Schema):
    id: int
    previous_expires_on: date
    new_expires_on: date


class TermOut(Schema):
    org_id: int
    org_name: str
    state: str
    elected_on: date | None
    expires_on: date | None
    days_left: int | None
    term_years: int


class TermsParams(Schema):
    org_id: int
    state: str | None = Field(None, pattern="^(expiring|overdue|none|ok)$")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


def _created(e: Election) -> dict:
    cands = list(e.candidates.order_by("-votes", "order"))
    return {"id": e.id, "valid": bool(e.valid), "elected": [c.member_id for c in cands if c.elected],
            "state": e.state, "revote": [c.member_id for c in cands if c.tied], "seats_left": e.seats_left}


def _election_out(e: Election) -> dict:
    return {**{f: getattr(e, f) for f in ("id", "org_id", "title", "state", "round_kind", "parent_id", "seats",
                                          "held_on", "entitled", "present", "ballots_issued", "ballots_returned",
                                          "valid", "seats_left")},
            "candidates": [{"member_id": c.member_id, "name": c.member.name, "votes": c.votes, "elected": c.elected,
                            "tied": c.tied} for c in selectors.candidates_of(e)]}


def _committee_out(org, c: Committee | None) -> dict:
    if c is None:
        return {"members": [], "elected_on": None, "term_years": selectors.term_years_for(org), "expires_on": None}
    return {"members": [{"member_id": s.member_id, "duty": s.duty} for s in c.seats.all()],
            "elected_on": c.elected_on, "term_years": c.term_years, "expires_on": c.expires_on}


@router.post("/orgs/{org_id}/elections", response={201: ElectionCreated, **ERRORS})
def election_create(request, org_id: int, payload: ElectionIn):
    """Record a whole election (candidate list and meeting). 400 with the rule when the quorum (R-ELECT-QUORUM),
    the candidate surplus (R-ELECT-SURPLUS), the ballots (R-ELECT-BALLOTS) or any other rule fails; nothing saved."""
    org = selectors.elections_org_get(actor=request.user, org_id=org_id, perm="elections.edit")
    data = payload.dict()
    candidates = data.pop("candidates")
    return 201, _created(services.election_create(actor=request.user, org=org, candidates=candidates, **data))


@router.get("/orgs/{org_id}/elections", response={200: Page[ElectionOut], **ERRORS})
def election_list(request, org_id: int, page: int = 1, page_size: int = 50):
    org = selectors.elections_org_get(actor=request.user, org_id=org_id)
    result = paginate(selectors.election_list(actor=request.user, org=org), page=page, page_size=page_size)
    return {"items": [_election_out(e) for e in result["items"]], "count": result["count"]}


@router.get("/elections/{election_id}", response={200: ElectionOut, **ERRORS})
def election_detail(request, election_id: int):
    return _election_out(selectors.election_get(actor=request.user, election_id=election_id))


@router.post("/elections/{election_id}/rounds", response={201: ElectionCreated, **ERRORS})
def election_round(request, election_id: int, payload: RoundIn):
    """The next round after a tie (re-vote between the tied) or a shortfall (另行选举)."""
    election = selectors.election_get(actor=request.user, election_id=election_id, perm="elections.edit")
    data = payload.dict()
    candidates = data.pop("candidates")
    return 201, _created(services.election_revote_create(actor=request.user, election=election,
                                                         candidates=candidates, **data))


@router.post("/elections/{election_id}/committee", response={201: CommitteeOut, **ERRORS})
def committee_install(request, election_id: int, payload: InstallIn):
    """The new committee takes office: every member elected, each with a duty."""
    election = selectors.election_get(actor=request.user, election_id=election_id, perm="elections.edit")
    from dangjian.core.errors import DomainError

    duties = {seat.member_id: seat.duty for seat in payload.members}
    if len(duties) != len(payload.members):
        raise DomainError("同一人不能担任两个职务", rule="R-COMMITTEE-7", field="members")
    services.committee_install(actor=request.user, election=election, duties=duties,
                                           took_office_on=payload.took_office_on)
    return 201, _committee_out(election.org, selectors.committee_current(election.org))


@router.get("/orgs/{org_id}/committee", response={200: CommitteeOut, **ERRORS})
def committee_detail(request, org_id: int):
    org = selectors.elections_org_get(actor=request.user, org_id=org_id)
    return _committee_out(org, selectors.committee_current(org))


@router.post("/orgs/{org_id}/committee/postponements", response={201: PostponeOut, **ERRORS})
def committee_postpone(request, org_id: int, payload: PostponeIn):
    """R-TERM-POSTPONE: an approved 延期换届 of the current committee (at most 1 year in all)."""
    from dangjian.core.errors import DomainError

    org = selectors.elections_org_get(actor=request.user, org_id=org_id, perm="elections.edit")
    committee = selectors.committee_current(org)
    if committee is None:
        raise DomainError("本组织没有登记现任班子", rule="R-TERM-POSTPONE")
    return 201, services.term_postpone(actor=request.user, committee=committee, **payload.dict())


@router.get("/terms", response={200: Page[TermOut], **ERRORS})
def terms(request, params: Query[TermsParams]):
    """Terms of every org under org_id, most urgent first (the 换届提醒 and overdue lists)."""
    org = selectors.elections_org_get(actor=request.user, org_id=params.org_id)
    rows = selectors.terms_in_subtree(org)
    if params.state:
        rows = [t for t in rows if t.state == params.state]
    rows.sort(key=lambda t: (t.days_left is None, t.days_left if t.days_left is not None else 0))
    start = (params.page - 1) * params.page_size
    items = [{"org_id": t.org.id, "org_name": t.org.name, "state": t.state,
              "elected_on": t.committee.elected_on if t.committee else None, "expires_on": t.expires_on,
              "days_left": t.days_left, "term_years": t.term_years} for t in rows[start:start + params.page_size]]
    return {"items": items, "count": len(rows)}
