"""Pages: the post board (岗位), claims to confirm, the 《党员领岗协议书》 (print and PDF), the public list."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.files import pdf_response

from .. import selectors, services
from ..forms import PostForm
from ..models import PostClaim
from ._common import editable_orgs, staff_org


@login_required
def posts(request):
    org = staff_org(request)
    return render(request, "volunteers/posts.html", {
        "org": org, "posts": selectors.post_list(actor=request.user, org=org)[:300],
        "pending": selectors.claim_list(actor=request.user, org=org, state=PostClaim.State.PENDING)[:200],
        "can_edit": can(request.user, "volunteers.edit", org),
    })


@login_required
def post_new(request):
    org = staff_org(request, "volunteers.edit")
    form = PostForm(request.POST or None, orgs=editable_orgs(request, org))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            target = selectors.org_visible(actor=request.user, org_id=data.pop("org_id"))
            post = services.post_create(actor=request.user, org=target, data=data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已设立岗位：{post.title}")
            return redirect("volunteers:post_detail", post_id=post.id)
    return render(request, "volunteers/form.html", {"form": form, "title": "设立服务岗位", "back": "volunteers:posts"})


@login_required
def post_detail(request, post_id: int):
    post = selectors.post_get(actor=request.user, post_id=post_id)
    staff = can(request.user, "volunteers.view", post.org)
    member = selectors.own_member(request.user)
    claims = selectors.claim_list(actor=request.user, org=post.org if staff else None, post=post)
    if not staff:
        claims = claims.filter(member=member)
    held = post.claims.filter(selectors.in_force_q()).count()
    mine_open = member is not None and post.claims.filter(
        member=member, state__in=[PostClaim.State.PENDING, PostClaim.State.CONFIRMED]).exists()
    return render(request, "volunteers/post_detail.html", {
        "post": post, "claims": claims, "held": held, "staff": staff,
        "can_edit": can(request.user, "volunteers.edit", post.org), "member": member,
        "can_claim": member is not None and not mine_open and post.is_active and held < post.capacity
        and member.org.path.startswith(post.org.path),
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def post_claim(request, post_id: int):
    post = selectors.post_get(actor=request.user, post_id=post_id)
    try:
        member = selectors.own_member(request.user)
        if member is None:
            raise DomainError("您的账号未关联党员信息，请联系党支部")
        services.claim_create(actor=request.user, post=post, member=member, pledge=request.POST.get("pledge", ""))
        messages.success(request, f"已申领岗位“{post.title}”，待社区确认")
    except DomainError as exc:
        messages.error(request, exc.detail)
    if request.POST.get("next") == "me":
        return redirect("volunteers:me")
    return redirect("volunteers:post_detail", post_id=post.id)


CLAIM_ACTIONS = {"confirm", "decline", "withdraw", "end", "renew"}


@login_required
@require_POST
def claim_action(request, claim_id: int, action: str):
    if action not in CLAIM_ACTIONS:
        raise Http404
    claim = selectors.claim_get(actor=request.user, claim_id=claim_id)
    reason = request.POST.get("reason", "")
    try:
        if action == "confirm":
            claim = services.claim_confirm(actor=request.user, claim=claim)
            messages.success(request, f"已确认 {claim.member.name} 领岗，协议编号 {claim.agreement_no}")
        elif action == "decline":
            services.claim_decline(actor=request.user, claim=claim, reason=reason)
            messages.success(request, "已驳回该领岗申请")
        elif action == "withdraw":
            services.claim_withdraw(actor=request.user, claim=claim)
            messages.success(request, "已撤回领岗申请")
        elif action == "end":
            services.claim_end(actor=request.user, claim=claim, reason=reason)
            messages.success(request, "已结束该领岗")
        elif action == "renew":
            new = services.claim_renew(actor=request.user, claim=claim)
            messages.success(request, f"已续岗至 {new.ends_on:%Y-%m-%d}")
    except DomainError as exc:
        messages.error(request, exc.detail)
    nxt = request.POST.get("next", "")
    if nxt == "me":
        return redirect("volunteers:me")
    if nxt == "posts":
        return redirect("volunteers:posts")
    return redirect("volunteers:post_detail", post_id=claim.post_id)


def _agreement_claim(request, claim_id: int) -> PostClaim:
    claim = selectors.claim_get(actor=request.user, claim_id=claim_id)
    if claim.state not in (PostClaim.State.CONFIRMED, PostClaim.State.ENDED) or not claim.agreement_no:
        raise Http404
    return claim


def _agreement_context(claim: PostClaim) -> dict:
    return {"c": claim, "post": claim.post, "org": claim.org, "member": claim.member}


@login_required
def agreement(request, claim_id: int):
    """《党员领岗协议书》 as a printable page (the browser's print gives paper or PDF)."""
    claim = _agreement_claim(request, claim_id)
    return render(request, "volunteers/agreement.html", {**_agreement_context(claim), "printable": True})


@login_required
def agreement_pdf(request, claim_id: int):
    """The same agreement as a PDF (WeasyPrint, Debian CJK fonts)."""
    claim = _agreement_claim(request, claim_id)
    html = render_to_string("volunteers/agreement_pdf.html", _agreement_context(claim), request=request)
    return pdf_response(html, request=request, filename=f"党员领岗协议书-{claim.member.name}-{claim.agreement_no}.pdf")


def public_claims(request, org_id: int):
    """公开: who holds which post, for the residents' supervision (no login; names and pledges only)."""
    org = selectors.public_org_get(org_id=org_id)
    claims = selectors.public_claims(org=org)[:1000]
    return render(request, "volunteers/public_claims.html", {"org": org, "claims": claims,
                                                             "today": timezone.localdate()})
