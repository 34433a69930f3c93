"""Pages: the needs board with suggested matches (对接), and the member's own 我的志愿服务 page."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error

from .. import rules, selectors, services
from ..forms import DemandForm, ProfileForm
from ..models import Activity, Demand, Post, PostClaim, Signup
from ._common import editable_orgs, staff_org
from .units import _profile_data, _profile_initial


@login_required
def needs(request):
    org = staff_org(request)
    qs = selectors.demand_list(actor=request.user, org=org)
    columns = [(state, label, []) for state, label in Demand.State.choices]
    index = {state: items for state, _, items in columns}
    for d in qs.filter(Q(state__in=[Demand.State.OPEN, Demand.State.ASSIGNED])
                       | Q(created_at__gte=timezone.now() - timezone.timedelta(days=90)))[:600]:
        index[d.state].append(d)
    return render(request, "volunteers/needs.html", {"org": org, "columns": columns,
                                                     "can_edit": can(request.user, "volunteers.edit", org)})


@login_required
def need_new(request):
    org = staff_org(request, "volunteers.edit")
    form = DemandForm(request.POST or None, orgs=editable_orgs(request, org))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            target = selectors.org_visible(actor=request.user, org_id=data.pop("org_id"))
            demand = services.demand_create(actor=request.user, org=target, data=data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记需求：{demand.title}")
            return redirect("volunteers:need_detail", need_id=demand.id)
    return render(request, "volunteers/form.html", {"form": form, "title": "登记居民需求", "back": "volunteers:needs"})


@login_required
def need_detail(request, need_id: int):
    demand = selectors.demand_get(actor=request.user, demand_id=need_id)
    staff = can(request.user, "volunteers.view", demand.org)
    matches = []
    if staff and demand.state == Demand.State.OPEN:
        matches = selectors.demand_matches(actor=request.user, demand=demand, limit=10)
    return render(request, "volunteers/need_detail.html", {
        "d": demand, "matches": matches, "staff": staff, "can_edit": can(request.user, "volunteers.edit", demand.org),
    })


NEED_ACTIONS = {"assign", "complete", "cancel"}


@login_required
@require_POST
def need_action(request, need_id: int, action: str):
    if action not in NEED_ACTIONS:
        raise Http404
    demand = selectors.demand_get(actor=request.user, demand_id=need_id)
    try:
        if action == "assign":
            volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=request.POST.get("volunteer_id"))
            services.demand_assign(actor=request.user, demand=demand, volunteer=volunteer)
            messages.success(request, f"已派单给 {volunteer.name}")
        elif action == "complete":
            services.demand_complete(actor=request.user, demand=demand, rating=request.POST.get("rating"),
                                     feedback=request.POST.get("feedback", ""))
            messages.success(request, "需求已办结")
        elif action == "cancel":
            services.demand_cancel(actor=request.user, demand=demand, reason=request.POST.get("reason", ""))
            messages.success(request, "需求已取消")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("volunteers:need_detail", need_id=demand.id)


# --- 我的志愿服务 (self-service on a phone) -----------------------------------------------------------

@login_required
def me(request):
    member = selectors.own_member(request.user)
    own = selectors.own_volunteer(request.user)
    form = ProfileForm(request.POST or None, initial=_profile_initial(own) if own else {"max_load": 2})
    if request.method == "POST" and member is not None and form.is_valid():
        try:
            if own is None:
                services.volunteer_register(actor=request.user, member=member, data=_profile_data(form.cleaned_data))
                messages.success(request, "志愿者登记成功")
            else:
                services.volunteer_update(actor=request.user, volunteer=own, data=_profile_data(form.cleaned_data))
                messages.success(request, "已保存")
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("volunteers:me")
    ctx = {"member": member, "own": own, "form": form, "now": timezone.now()}
    if member is not None:
        chain = [member.org.path[: i * member.org.steplen] for i in range(1, member.org.depth + 1)]
        signed = {}
        if own is not None:
            signed = {s.activity_id: s for s in Signup.objects.filter(volunteer=own, state=Signup.State.SIGNED_UP)}
        open_acts = list(Activity.objects.filter(org__path__in=chain, state=Activity.State.PUBLISHED,
                                                 ends_at__gt=timezone.now()).select_related("org")
                         .order_by("starts_at")[:30])
        for a in open_acts:
            a.my_signup = signed.get(a.id)
        ctx.update({
            "activities": open_acts,
            "posts": Post.objects.filter(org__path__in=chain, is_active=True).select_related("org")
            .order_by("title")[:30],
            "claims": PostClaim.objects.filter(member=member).select_related("post", "org")
            .order_by("-created_at")[:20],
            "open_claim_posts": set(PostClaim.objects.filter(member=member, state__in=[
                PostClaim.State.PENDING, PostClaim.State.CONFIRMED]).values_list("post_id", flat=True)),
            "demands": Demand.objects.filter(volunteer=own).order_by("-created_at")[:20] if own else [],
            "year_hours": selectors.volunteer_year_hours(volunteer=own, year=timezone.localdate().year) if own else 0,
            "slots": rules.slots_from_json(own.availability) if own else [],
        })
    return render(request, "volunteers/me.html", ctx)
