"""The residents' side, without login: submit a case (honeypot + per-IP hourly limit) and follow it by code.

Nothing here reveals personal data: a tracking answer holds the state, the steps and their dates only.
"""
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.orgs.models import Org, Unit

from . import rules, services
from .models import Petition, TrackingCode


class RateLimited(DomainError):
    status = 429


def _window() -> str:
    return timezone.now().strftime("%Y%m%d%H")


def hit(bucket: str, ip: str | None, *, limit: int) -> bool:
    """Count one attempt from ip in this hour's window; True when the limit is already used up."""
    key = f"petitions:{bucket}:{ip or 'unknown'}:{_window()}"
    cache.add(key, 0, timeout=3700)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=3700)
        count = 1
    return count > limit


def public_queues() -> QuerySet[Org]:
    """Where a resident may send a case: the committees (镇党委 = 领导信箱, 社区党委) and village branches."""
    return (Org.objects.filter(is_active=True)
            .filter(Q(kind=Org.Kind.COMMITTEE) | Q(kind=Org.Kind.BRANCH, unit__kind=Unit.Kind.VILLAGE))
            .order_by("path"))


def public_org_get(org_id) -> Org:
    try:
        return public_queues().get(id=int(org_id))
    except (Org.DoesNotExist, TypeError, ValueError):
        raise Http404


def submit(*, ip: str | None, org_id, data: dict, honeypot: str = "") -> Petition:
    """R-PET-PUBLIC: a robot (honeypot filled) or an IP over its hourly limit is refused; nothing stored."""
    org = public_org_get(org_id)
    limit = services.settings_for(org).public_per_hour
    if hit("public", ip, limit=limit):
        raise RateLimited("提交过于频繁，请一小时后再试", rule="R-PET-PUBLIC")
    if honeypot:
        raise DomainError("提交未被接受，请刷新页面后重试", rule="R-PET-PUBLIC")
    return services.petition_submit_public(org=org, data=data)


def track(*, ip: str | None, code: str) -> dict:
    """The public status of one case; 404 for an unknown code, with no hint about any other case."""
    if hit("track", ip, limit=rules.TRACK_LOOKUPS_PER_HOUR):
        raise RateLimited("查询过于频繁，请稍后再试", rule="R-PET-PUBLIC")
    code = rules.normalize_tracking_code(code)
    if len(code) != rules.TRACKING_LENGTH:
        raise Http404
    # The reference table names the region, so the lookup hits one shard (DESIGN rule 9, docs/scale.md).
    ref = TrackingCode.objects.filter(code=code).values_list("region_id", "petition_id").first()
    petition = ref and Petition.objects.select_related("org").filter(region_id=ref[0], id=ref[1]).first()
    if petition is None:
        raise Http404
    return public_status(petition)


def public_status(petition: Petition, *, today=None) -> dict:
    today = today or timezone.localdate()
    done = {s.step: s for s in petition.steps.all()}
    steps = []
    for step in rules.STEPS:
        row = done.get(step)
        due = row.due if row else petition.due_of(step)
        steps.append({"step": step, "label": rules.STEP_LABELS[step], "due": due,
                      "done_on": row.done_on if row else None, "late": row.late if row else False,
                      "overdue": row is None and petition.pending_step == step
                      and rules.is_overdue(due=due, today=today)})
    reply = petition.public_reply if petition.allow_public else ""
    return {"tracking_code": petition.tracking_code, "kind": petition.kind, "kind_label": petition.get_kind_display(),
            "category": petition.get_category_display(), "org": petition.org.name, "state": petition.state,
            "state_label": petition.get_state_display(), "received_on": petition.received_on, "steps": steps,
            "resolved": petition.resolved if petition.state == Petition.State.CLOSED else None,
            "public_reply": reply}


def format_code(code: str) -> str:
    """ABCD-EFGH-JKMN for reading aloud; lookups ignore the dashes."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))

