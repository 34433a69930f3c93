"""Writes: service posts (服务岗位) and claims (领岗): claim → the community confirms or declines →
《党员领岗协议书》; claims run one year and are ended or renewed (seed 003; R-VOL-CLAIM-*)."""
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import Conflict, DomainError
from dangjian.orgs.models import Org

from .. import rules
from ..models import Post, PostClaim
from . import _common as c

POST_FIELDS = ["title", "duty", "place", "schedule", "capacity", "is_active"]
RENEW_WINDOW = timedelta(days=60)  # R-VOL-CLAIM-TERM: renewal opens 60 days before the term ends


def _clean_post(data: dict, *, partial: bool) -> dict:
    out = {}
    if not partial or "title" in data:
        out["title"] = c.text(data.get("title"), field="title", label="岗位名称", max_len=100, required=True)
    for key, label, max_len in (("duty", "岗位职责", 2000), ("place", "服务地点", 200), ("schedule", "服务时间", 200)):
        if not partial or key in data:
            out[key] = c.text(data.get(key), field=key, label=label, max_len=max_len)
    if not partial or "capacity" in data:
        out["capacity"] = c.integer(data.get("capacity"), field="capacity", label="设岗人数", lo=1, hi=500)
    if partial and "is_active" in data:
        out["is_active"] = bool(data["is_active"])
    return out


@transaction.atomic
def post_create(*, actor, org: Org, data: dict) -> Post:
    require(actor, "volunteers.edit", org)
    post = Post.objects.create(org=org, region_id=org.region_id, created_by=actor, **_clean_post(data, partial=False))
    audit(actor=actor, verb="post.create", target=post, org=org, after=snapshot(post, POST_FIELDS))
    return post


@transaction.atomic
def post_update(*, actor, post: Post, data: dict) -> Post:
    require(actor, "volunteers.edit", post.org)
    post = Post.objects.select_for_update(of=("self",)).select_related("org").get(pk=post.pk)
    cleaned = _clean_post(data, partial=True)
    if "capacity" in cleaned:
        held = post.claims.filter(rules_in_force()).count()
        if cleaned["capacity"] < held:
            raise Conflict(f"设岗人数不能少于在岗人数（{held} 人）", field="capacity", rule="R-VOL-CLAIM-CAP")
    before = snapshot(post, POST_FIELDS)
    for k, v in cleaned.items():
        setattr(post, k, v)
    post.save()
    after = snapshot(post, POST_FIELDS)
    if after != before:
        audit(actor=actor, verb="post.update", target=post, org=post.org, before=before, after=after)
    return post


def rules_in_force():
    from ..selectors import in_force_q

    return in_force_q()


def _check_capacity(post: Post) -> None:
    held = post.claims.filter(rules_in_force()).count()
    rules.check_post_capacity(confirmed=held, capacity=post.capacity)


@transaction.atomic
def claim_create(*, actor, post: Post, member, pledge: str = "") -> PostClaim:
    """领岗: a member claims for themself; staff may record a claim for a member of their org."""
    if not c.is_self(actor, member):
        require(actor, "volunteers.edit", post.org)
    if not member.org.path.startswith(post.org.path):
        raise DomainError("只能认领本组织或上级组织设立的岗位", field="post_id")
    post = Post.objects.select_for_update(of=("self",)).select_related("org").get(pk=post.pk)
    if not post.is_active:
        raise Conflict("该岗位已停用")
    pledge = c.text(pledge, field="pledge", label="服务承诺", max_len=500)
    if post.claims.filter(member=member, state__in=[PostClaim.State.PENDING, PostClaim.State.CONFIRMED]).exists():
        raise Conflict(f"{member.name} 已认领该岗位", rule="R-VOL-CLAIM-CAP")
    _check_capacity(post)
    try:
        with transaction.atomic():
            claim = PostClaim.objects.create(post=post, org=post.org, region_id=post.org.region_id, member=member,
                                             pledge=pledge, claimed_by=actor)
    except IntegrityError:
        raise Conflict(f"{member.name} 已认领该岗位")
    audit(actor=actor, verb="post.claim", target=claim, org=post.org,
          after={"post_id": post.id, "member_id": member.id, "pledge": pledge})
    return claim


def _lock_claim(claim: PostClaim) -> PostClaim:
    return PostClaim.objects.select_for_update(of=("self",)).select_related("post", "org", "member").get(pk=claim.pk)


def agreement_no_for(claim: PostClaim) -> str:
    return f"LG{claim.starts_on:%Y}-{claim.org_id:04d}-{claim.id:06d}"


@transaction.atomic
def claim_confirm(*, actor, claim: PostClaim) -> PostClaim:
    """The community confirms: the term starts today for one year, with an agreement number."""
    require(actor, "volunteers.edit", claim.org)
    if c.is_self(actor, claim.member):
        raise DomainError("不能确认本人的领岗申请，请由其他负责人确认", rule="R-VOL-CLAIM-SELF", status=403)
    Post.objects.select_for_update().filter(pk=claim.post_id).first()
    claim = _lock_claim(claim)
    if claim.state != PostClaim.State.PENDING:
        raise Conflict(f"该领岗申请{claim.get_state_display()}，不能确认")
    _check_capacity(claim.post)
    claim.starts_on, claim.ends_on = rules.claim_term(timezone.localdate())
    claim.state, claim.decided_by, claim.decided_at = PostClaim.State.CONFIRMED, actor, timezone.now()
    claim.agreement_no = agreement_no_for(claim)
    claim.save()
    audit(actor=actor, verb="post.claim_confirm", target=claim, org=claim.org,
          after={"state": claim.state, "starts_on": claim.starts_on, "ends_on": claim.ends_on,
                 "agreement_no": claim.agreement_no})
    return claim


@transaction.atomic
def claim_decline(*, actor, claim: PostClaim, reason: str) -> PostClaim:
    require(actor, "volunteers.edit", claim.org)
    reason = c.text(reason, field="reason", label="未通过原因", max_len=200, required=True)
    if c.is_self(actor, claim.member):
        raise DomainError("不能审核本人的领岗申请", rule="R-VOL-CLAIM-SELF", status=403)
    claim = _lock_claim(claim)
    if claim.state != PostClaim.State.PENDING:
        raise Conflict(f"该领岗申请{claim.get_state_display()}，不能驳回")
    claim.state, claim.decided_by, claim.decided_at = PostClaim.State.DECLINED, actor, timezone.now()
    claim.decline_reason = reason
    claim.save()
    audit(actor=actor, verb="post.claim_decline", target=claim, org=claim.org, after={"reason": reason})
    return claim


@transaction.atomic
def claim_withdraw(*, actor, claim: PostClaim) -> PostClaim:
    if not c.is_self(actor, claim.member):
        require(actor, "volunteers.edit", claim.org)
    claim = _lock_claim(claim)
    if claim.state != PostClaim.State.PENDING:
        raise Conflict("只有待确认的申请可以撤回")
    claim.state = PostClaim.State.WITHDRAWN
    claim.save(update_fields=["state"])
    audit(actor=actor, verb="post.claim_withdraw", target=claim, org=claim.org)
    return claim


@transaction.atomic
def claim_end(*, actor, claim: PostClaim, reason: str = "") -> PostClaim:
    """离岗: a confirmed claim ends today (its agreement stays on record)."""
    require(actor, "volunteers.edit", claim.org)
    reason = c.text(reason, field="reason", label="原因", max_len=200)
    claim = _lock_claim(claim)
    if claim.state != PostClaim.State.CONFIRMED:
        raise Conflict("只有已确认的领岗可以结束")
    before = {"state": claim.state, "ends_on": claim.ends_on}
    today = timezone.localdate()
    claim.state = PostClaim.State.ENDED
    if claim.ends_on and claim.ends_on > today:
        claim.ends_on = max(today, claim.starts_on)
    claim.save(update_fields=["state", "ends_on"])
    audit(actor=actor, verb="post.claim_end", target=claim, org=claim.org, before=before,
          after={"state": claim.state, "ends_on": claim.ends_on, "reason": reason})
    return claim


@transaction.atomic
def claim_renew(*, actor, claim: PostClaim) -> PostClaim:
    """续岗 (R-VOL-CLAIM-TERM): from 60 days before the end; a new confirmed year follows the old one."""
    require(actor, "volunteers.edit", claim.org)
    if c.is_self(actor, claim.member):
        raise DomainError("不能为本人办理续岗", rule="R-VOL-CLAIM-SELF", status=403)
    claim = _lock_claim(claim)
    if claim.state != PostClaim.State.CONFIRMED:
        raise Conflict("只有已确认的领岗可以续岗")
    today = timezone.localdate()
    if claim.ends_on - today > RENEW_WINDOW:
        raise DomainError(f"履岗期满前 60 天内才能续岗（本期至 {claim.ends_on:%Y-%m-%d}）", rule="R-VOL-CLAIM-TERM")
    if not claim.post.is_active:
        raise Conflict("该岗位已停用，不能续岗")
    if claim.ends_on < today:  # lapsed: its seat may have been taken meanwhile
        _check_capacity(claim.post)
    claim.state = PostClaim.State.ENDED
    claim.save(update_fields=["state"])
    start = max(claim.ends_on + timedelta(days=1), today)
    new = PostClaim.objects.create(post=claim.post, org=claim.org, region_id=claim.region_id, member=claim.member,
                                   pledge=claim.pledge, state=PostClaim.State.CONFIRMED, renewed_from=claim,
                                   claimed_by=actor, decided_by=actor, decided_at=timezone.now())
    new.starts_on, new.ends_on = rules.claim_term(start)
    new.agreement_no = agreement_no_for(new)
    new.save(update_fields=["starts_on", "ends_on", "agreement_no"])
    audit(actor=actor, verb="post.claim_renew", target=new, org=new.org,
          after={"renewed_from": claim.id, "starts_on": new.starts_on, "ends_on": new.ends_on})
    return new
