"""API: service posts (岗位), claims (领岗) and residents' needs with matching (对接)."""
from datetime import date, datetime

from ninja import Query, Router, Schema

from dangjian.core.api import Page
from dangjian.core.pagination import paginate

from .. import selectors, services
from ..models import Demand, Post, PostClaim
from ._common import member_or_own, org_or_none, responses

router = Router(tags=["志愿服务"])


class PostIn(Schema):
    org_id: int
    title: str
    capacity: int
    duty: str = ""
    place: str = ""
    schedule: str = ""


class PostPatch(Schema):
    title: str | None = None
    capacity: int | None = None
    duty: str | None = None
    place: str | None = None
    schedule: str | None = None
    is_active: bool | None = None


class PostOut(Schema):
    id: int
    org_id: int
    org_name: str
    title: str
    duty: str
    place: str
    schedule: str
    capacity: int
    held: int
    is_active: bool


class ClaimIn(Schema):
    member_id: int | None = None
    pledge: str = ""


class ClaimOut(Schema):
    id: int
    post_id: int
    post_title: str
    org_id: int
    member_id: int
    member_name: str
    pledge: str
    state: str
    starts_on: date | None
    ends_on: date | None
    agreement_no: str
    decline_reason: str


class VolunteersPostsReasonIn(Schema):
    reason: str = ""


class NeedIn(Schema):
    org_id: int
    title: str
    description: str = ""
    skills: list[str] = []
    starts_at: str | None = None
    ends_at: str | None = None
    place: str = ""
    grid: str = ""
    urgency: str | None = None
    requester_name: str = ""
    requester_phone: str = ""


class NeedOut(Schema):
    id: int
    org_id: int
    title: str
    description: str
    skills: list[str]
    starts_at: datetime
    ends_at: datetime
    place: str
    grid: str
    urgency: str
    source: str
    state: str
    volunteer_id: int | None
    match_score: int | None
    match_reasons: list[str]
    rating: int | None
    feedback: str


class MatchOut(Schema):
    volunteer_id: int
    name: str
    score: int
    reasons: list[str]


class MatchesOut(Schema):
    items: list[MatchOut]
    count: int


class VolunteersAssignIn(Schema):
    volunteer_id: int


class VolunteersCompleteIn(Schema):
    rating: int
    feedback: str = ""


def post_out(p: Post, held: int | None = None) -> dict:
    if held is None:
        held = getattr(p, "n_held", None)
        if held is None:
            held = p.claims.filter(selectors.in_force_q()).count()
    return {"id": p.id, "org_id": p.org_id, "org_name": p.org.name, "title": p.title, "duty": p.duty,
            "place": p.place, "schedule": p.schedule, "capacity": p.capacity, "held": held, "is_active": p.is_active}


def claim_out(c: PostClaim) -> dict:
    return {"id": c.id, "post_id": c.post_id, "post_title": c.post.title, "org_id": c.org_id, "member_id": c.member_id,
            "member_name": c.member.name, "pledge": c.pledge, "state": c.state, "starts_on": c.starts_on,
            "ends_on": c.ends_on, "agreement_no": c.agreement_no, "decline_reason": c.decline_reason}


def need_out(d: Demand) -> dict:
    return {"id": d.id, "org_id": d.org_id, "title": d.title, "description": d.description, "skills": d.skills,
            "starts_at": d.starts_at, "ends_at": d.ends_at, "place": d.place, "grid": d.grid, "urgency": d.urgency,
            "source": d.source, "state": d.state, "volunteer_id": d.volunteer_id, "match_score": d.match_score,
            "match_reasons": d.match_reasons or [], "rating": d.rating, "feedback": d.feedback}


# --- Posts and claims ---------------------------------------------------------------------------------

@router.post("/volunteers/posts", response=responses(201, PostOut))
def post_create(request, payload: PostIn):
    org = org_or_none(request.user, payload.org_id)
    return 201, post_out(services.post_create(actor=request.user, org=org, data=payload.dict(exclude={"org_id"})), 0)


@router.get("/volunteers/posts", response=responses(200, Page[PostOut]))
def post_list(request, org_id: int | None = None, page: int = Query(1, ge=1, le=100000),
              page_size: int = Query(50, ge=1, le=200)):
    org = org_or_none(request.user, org_id)
    result = paginate(selectors.post_list(actor=request.user, org=org), page=page, page_size=page_size)
    return {"items": [post_out(p) for p in result["items"]], "count": result["count"]}


@router.get("/volunteers/posts/{post_id}", response=responses(200, PostOut))
def post_detail(request, post_id: int):
    return post_out(selectors.post_get(actor=request.user, post_id=post_id))


@router.patch("/volunteers/posts/{post_id}", response=responses(200, PostOut))
def post_patch(request, post_id: int, payload: PostPatch):
    post = selectors.post_get(actor=request.user, post_id=post_id)
    return post_out(services.post_update(actor=request.user, post=post, data=payload.dict(exclude_unset=True)))


@router.post("/volunteers/posts/{post_id}/claims", response=responses(201, ClaimOut))
def claim_create(request, post_id: int, payload: ClaimIn):
    """领岗: claim for yourself (no member_id) or, for staff, record a member's claim. Full post → 409."""
    post = selectors.post_get(actor=request.user, post_id=post_id)
    member = member_or_own(request.user, payload.member_id)
    return 201, claim_out(services.claim_create(actor=request.user, post=post, member=member, pledge=payload.pledge))


@router.get("/volunteers/claims", response=responses(200, Page[ClaimOut]))
def claim_list(request, org_id: int | None = None, state: str = "", page: int = Query(1, ge=1, le=100000),
               page_size: int = Query(50, ge=1, le=200)):
    org = org_or_none(request.user, org_id)
    result = paginate(selectors.claim_list(actor=request.user, org=org, state=state), page=page, page_size=page_size)
    return {"items": [claim_out(c) for c in result["items"]], "count": result["count"]}


@router.get("/volunteers/claims/{claim_id}", response=responses(200, ClaimOut))
def claim_detail(request, claim_id: int):
    return claim_out(selectors.claim_get(actor=request.user, claim_id=claim_id))


@router.post("/volunteers/claims/{claim_id}/confirm", response=responses(200, ClaimOut))
def claim_confirm(request, claim_id: int):
    claim = selectors.claim_get(actor=request.user, claim_id=claim_id)
    return claim_out(services.claim_confirm(actor=request.user, claim=claim))


@router.post("/volunteers/claims/{claim_id}/decline", response=responses(200, ClaimOut))
def claim_decline(request, claim_id: int, payload: VolunteersPostsReasonIn):
    claim = selectors.claim_get(actor=request.user, claim_id=claim_id)
    return claim_out(services.claim_decline(actor=request.user, claim=claim, reason=payload.reason))


@router.post("/volunteers/claims/{claim_id}/withdraw", response=responses(200, ClaimOut))
def claim_withdraw(request, claim_id: int):
    claim = selectors.claim_get(actor=request.user, claim_id=claim_id)
    return claim_out(services.claim_withdraw(actor=request.user, claim=claim))


@router.post("/volunteers/claims/{claim_id}/end", response=responses(200, ClaimOut))
def claim_end(request, claim_id: int, payload: VolunteersPostsReasonIn):
    claim = selectors.claim_get(actor=request.user, claim_id=claim_id)
    return claim_out(services.claim_end(actor=request.user, claim=claim, reason=payload.reason))


@router.post("/volunteers/claims/{claim_id}/renew", response=responses(201, ClaimOut))
def claim_renew(request, claim_id: int):
    claim = selectors.claim_get(actor=request.user, claim_id=claim_id)
    return 201, claim_out(services.claim_renew(actor=request.user, claim=claim))


# --- Residents' needs -----------------------------------------------------------------------------------

@router.post("/volunteers/needs", response=responses(201, NeedOut))
def need_create(request, payload: NeedIn):
    org = org_or_none(request.user, payload.org_id)
    return 201, need_out(services.demand_create(actor=request.user, org=org, data=payload.dict(exclude={"org_id"})))


@router.get("/volunteers/needs", response=responses(200, Page[NeedOut]))
def need_list(request, org_id: int | None = None, state: str = "", page: int = Query(1, ge=1, le=100000),
              page_size: int = Query(50, ge=1, le=200)):
    org = org_or_none(request.user, org_id)
    result = paginate(selectors.demand_list(actor=request.user, org=org, state=state), page=page, page_size=page_size)
    return {"items": [need_out(d) for d in result["items"]], "count": result["count"]}


@router.get("/volunteers/needs/{need_id}", response=responses(200, NeedOut))
def need_detail(request, need_id: int):
    return need_out(selectors.demand_get(actor=request.user, demand_id=need_id))


@router.get("/volunteers/needs/{need_id}/matches", response=responses(200, MatchesOut))
def need_matches(request, need_id: int, limit: int = Query(20, ge=1, le=100)):
    """Volunteers ranked for the need, best first, each with its score and reasons (R-VOL-MATCH)."""
    from dangjian.accounts.scope import require

    demand = selectors.demand_get(actor=request.user, demand_id=need_id)
    require(request.user, "volunteers.view", demand.org)
    matches = selectors.demand_matches(actor=request.user, demand=demand, limit=limit)
    items = [{"volunteer_id": m.volunteer_id, "name": m.name, "score": m.score, "reasons": m.reasons}
             for m in matches]
    return {"items": items, "count": len(items)}


@router.post("/volunteers/needs/{need_id}/assign", response=responses(200, NeedOut))
def need_assign(request, need_id: int, payload: VolunteersAssignIn):
    demand = selectors.demand_get(actor=request.user, demand_id=need_id)
    volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=payload.volunteer_id)
    return need_out(services.demand_assign(actor=request.user, demand=demand, volunteer=volunteer))


@router.post("/volunteers/needs/{need_id}/complete", response=responses(200, NeedOut))
def need_complete(request, need_id: int, payload: VolunteersCompleteIn):
    demand = selectors.demand_get(actor=request.user, demand_id=need_id)
    return need_out(services.demand_complete(actor=request.user, demand=demand, rating=payload.rating,
                                             feedback=payload.feedback))


@router.post("/volunteers/needs/{need_id}/cancel", response=responses(200, NeedOut))
def need_cancel(request, need_id: int, payload: VolunteersPostsReasonIn):
    demand = selectors.demand_get(actor=request.user, demand_id=need_id)
    return need_out(services.demand_cancel(actor=request.user, demand=demand, reason=payload.reason))
