"""Writes: residents' needs (居民需求) and their matching (对接) to a volunteer, tracked to done."""
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import Conflict, DomainError
from dangjian.orgs.models import Org

from .. import matching, rules
from ..models import Demand, VolunteerProfile
from . import _common as c

DEMAND_FIELDS = ["title", "description", "skills", "starts_at", "ends_at", "place", "grid", "urgency",
                 "requester_name", "source", "state"]


def _clean_demand(data: dict) -> dict:
    out = {
        "title": c.text(data.get("title"), field="title", label="需求", max_len=100, required=True),
        "description": c.text(data.get("description"), field="description", label="详细说明", max_len=2000),
        "skills": rules.clean_tags(data.get("skills"), field="skills", label="所需特长"),
        "place": c.text(data.get("place"), field="place", label="地点", max_len=200),
        "grid": c.text(data.get("grid"), field="grid", label="网格", max_len=50),
        "urgency": c.choice(data.get("urgency"), field="urgency", label="紧急程度", choices=Demand.Urgency,
                            default=Demand.Urgency.LOW),
        "requester_name": c.text(data.get("requester_name"), field="requester_name", label="居民姓名", max_len=50),
        "requester_phone": c.phone(data.get("requester_phone"), field="requester_phone", label="居民电话"),
    }
    starts = data.get("starts_at")
    ends = data.get("ends_at")
    out["starts_at"] = c.moment(starts, field="starts_at", label="开始时间") if starts not in (None, "") else None
    out["ends_at"] = c.moment(ends, field="ends_at", label="结束时间") if ends not in (None, "") else None
    rules.check_need(skills=out["skills"], description=out["description"], starts_at=out["starts_at"],
                     ends_at=out["ends_at"])
    return out


@transaction.atomic
def demand_create(*, actor, org: Org, data: dict) -> Demand:
    """Staff enter a need they collected (微信群, 公告栏, 走访)."""
    require(actor, "volunteers.edit", org)
    demand = Demand.objects.create(org=org, region_id=org.region_id, created_by=actor, source=Demand.Source.STAFF,
                                   **_clean_demand(data))
    audit(actor=actor, verb="demand.create", target=demand, org=org, after=snapshot(demand, DEMAND_FIELDS))
    return demand


@transaction.atomic
def demand_submit(*, org: Org, data: dict) -> Demand:
    """A resident submits a need without an account (for the portal app): name and phone required."""
    cleaned = _clean_demand(data)
    if not cleaned["requester_name"] or not cleaned["requester_phone"]:
        raise DomainError("请填写您的姓名和手机号，便于社区联系", field="requester_phone")
    demand = Demand.objects.create(org=org, region_id=org.region_id, source=Demand.Source.PORTAL, **cleaned)
    audit(actor=None, verb="demand.submit", target=demand, org=org, after=snapshot(demand, DEMAND_FIELDS))
    return demand


@transaction.atomic
def demand_assign(*, actor, demand: Demand, volunteer: VolunteerProfile) -> Demand:
    """派单: staff assign a volunteer (usually from the matcher's list; the score and reasons are kept)."""
    require(actor, "volunteers.edit", demand.org)
    demand = Demand.objects.select_for_update(of=("self",)).select_related("org").get(pk=demand.pk)
    if demand.state != Demand.State.OPEN:
        raise Conflict(f"该需求{demand.get_state_display()}，不能派单")
    if not volunteer.is_active:
        raise DomainError("该志愿者已停用", field="volunteer_id")
    if not volunteer.org.path.startswith(demand.org.path):
        raise DomainError("只能派给本组织及下级组织的志愿者", field="volunteer_id", rule="R-VOL-MATCH")
    from ..selectors import candidate_of, need_spec, open_loads

    match = matching.score(need_spec(demand), candidate_of(volunteer, open_loads([volunteer.id]).get(volunteer.id, 0)))
    demand.state, demand.volunteer = Demand.State.ASSIGNED, volunteer
    demand.assigned_at, demand.assigned_by = timezone.now(), actor
    demand.match_score = match.score if match else None
    demand.match_reasons = match.reasons if match else ["人工指派（不在推荐名单中）"]
    demand.save()
    audit(actor=actor, verb="demand.assign", target=demand, org=demand.org,
          after={"volunteer_id": volunteer.id, "score": demand.match_score})
    return demand


@transaction.atomic
def demand_complete(*, actor, demand: Demand, rating, feedback: str = "") -> Demand:
    """办结 with the resident's rating (1-5) and words."""
    require(actor, "volunteers.edit", demand.org)
    rating = c.integer(rating, field="rating", label="满意度", lo=1, hi=5)
    feedback = c.text(feedback, field="feedback", label="居民评价", max_len=500)
    demand = Demand.objects.select_for_update(of=("self",)).select_related("org").get(pk=demand.pk)
    if demand.state != Demand.State.ASSIGNED:
        raise Conflict(f"该需求{demand.get_state_display()}，不能办结")
    demand.state, demand.done_at, demand.rating, demand.feedback = Demand.State.DONE, timezone.now(), rating, feedback
    demand.save()
    audit(actor=actor, verb="demand.complete", target=demand, org=demand.org,
          after={"rating": rating, "feedback": feedback})
    return demand


@transaction.atomic
def demand_cancel(*, actor, demand: Demand, reason: str) -> Demand:
    require(actor, "volunteers.edit", demand.org)
    reason = c.text(reason, field="reason", label="取消原因", max_len=200, required=True)
    demand = Demand.objects.select_for_update(of=("self",)).select_related("org").get(pk=demand.pk)
    if demand.state in (Demand.State.DONE, Demand.State.CANCELLED):
        raise Conflict(f"该需求{demand.get_state_display()}")
    demand.state = Demand.State.CANCELLED
    demand.save(update_fields=["state"])
    audit(actor=actor, verb="demand.cancel", target=demand, org=demand.org, after={"reason": reason})
    return demand
