"""Pages of the office's side of 民情通: monthly plans, 结对 coverage, 民情分析会, 公示 and 抽查."""
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error

from . import rules, selectors, services
from .forms import MeetingForm, PairingForm, PlanForm, SpotCheckForm
from .views import MAX_CHOICES, _month, scoped_org


# --- Plans -------------------------------------------------------------------------------------

@login_required
def plans(request):
    org = scoped_org(request)
    month = _month(request)
    plans = list(selectors.plan_list(actor=request.user, org=org, month=month)[:500])
    progress = selectors.plans_progress(plans, month=month)
    rows = [{"plan": plan, "planned": progress[plan.id][0], "visited": progress[plan.id][1]} for plan in plans]
    first = rules.parse_month(month)[0]
    return render(request, "visits/plans.html", {
        "org": org, "month": month, "rows": rows, "can_edit": can(request.user, "visits.edit", org),
        "prev": rules.month_of(first - relativedelta(months=1)), "next": rules.month_of(first + relativedelta(months=1)),
        "coverage": selectors.coverage(actor=request.user, org=org, month=month)})


@login_required
def plan_create(request):
    org = scoped_org(request, "visits.edit")
    members = list(selectors.members_for_org(org)[:MAX_CHOICES])
    households = list(selectors.households_in_subtree(org).filter(is_active=True).order_by("grid", "address")
                      [:MAX_CHOICES])
    initial = {"month": _month(request), "member_id": request.GET.get("member")}
    form = PlanForm(request.POST or None, members=members, households=households, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = selectors.member_for_visits(actor=request.user, member_id=data["member_id"])
            chosen = [h for h in households if h.id in set(data["household_ids"])]
            plan = services.visit_plan_save(actor=request.user, member=member, month=data["month"], households=chosen,
                                            note=data["note"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已保存 {plan.member.name} {plan.month} 的走访计划")
            return redirect(f"/visits/plans/?month={plan.month}")
    return render(request, "visits/form.html", {"form": form, "title": "制定月度走访计划", "back": "visits:plans"},
                  status=400 if form.errors else 200)


@login_required
def plan_detail(request, visit_plan_id: int):
    plan = selectors.plan_get(actor=request.user, plan_id=visit_plan_id)
    return render(request, "visits/plan_detail.html", {"plan": plan, "progress": selectors.plan_progress(plan)})


# --- Coverage (结对帮扶) ---------------------------------------------------------------------------

@login_required
def coverage(request):
    org = scoped_org(request)
    month = _month(request)
    data = selectors.coverage(actor=request.user, org=org, month=month)
    can_edit = can(request.user, "visits.edit", org)
    form = None
    if can_edit:
        households = list(selectors.households_in_subtree(org).filter(is_active=True)
                          .filter(tags__contains=f",{rules.HARDSHIP_TAG},")[:MAX_CHOICES]) or \
            list(selectors.households_in_subtree(org).filter(is_active=True)[:MAX_CHOICES])
        form = PairingForm(members=data["members_without_pairing"] or selectors.members_for_org(org)[:MAX_CHOICES],
                           households=data["hardship_without_pairing"] or households)
    pairings = selectors.pairing_list(actor=request.user, org=org)[:300]
    return render(request, "visits/coverage.html", {"org": org, "c": data, "form": form, "pairings": pairings,
                                                    "can_edit": can_edit})


# --- 民情分析会, 公示, 抽查 -------------------------------------------------------------------------

@login_required
def checks(request):
    org = scoped_org(request)
    today = timezone.localdate()
    last_month = rules.month_of(today.replace(day=1) - timedelta(days=1))
    size = services.settings_for(org).spot_check_size
    return render(request, "visits/checks.html", {
        "org": org, "meetings": selectors.meeting_list(actor=request.user, org=org)[:30],
        "gaps": selectors.meeting_gaps(org=org, start=today - timedelta(days=56), end=today),
        "publications": selectors.publication_list(actor=request.user, org=org)[:24],
        "checks": selectors.spot_check_list(actor=request.user, org=org)[:30],
        "spot_form": SpotCheckForm(initial={"month": last_month, "sample_size": size}),
        "last_month": last_month, "can_edit": can(request.user, "visits.edit", org)})


@login_required
def meeting_create(request):
    org = scoped_org(request, "visits.edit")
    since = timezone.localdate() - timedelta(days=31)
    logs = list(selectors.log_list(actor=request.user, org=org).filter(visited_on__gte=since)[:200])
    form = MeetingForm(request.POST or None, logs=logs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            chosen = selectors.logs_by_ids(actor=request.user, org=org, ids=data.pop("log_ids"))
            services.analysis_meeting_create(actor=request.user, org=org, logs=chosen, **data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "民情分析会记录已保存")
            return redirect("visits:checks")
    return render(request, "visits/form.html", {"form": form, "title": "记录民情分析会", "back": "visits:checks"},
                  status=400 if form.errors else 200)


@login_required
def meeting_detail(request, analysis_meeting_id: int):
    m = selectors.meeting_get(actor=request.user, meeting_id=analysis_meeting_id)
    return render(request, "visits/meeting_detail.html",
                  {"m": m, "logs": m.logs.select_related("member", "household").order_by("visited_on")})


@login_required
@require_POST
def publication_create(request):
    org = scoped_org(request, "visits.edit")
    try:
        pub = services.publication_create(actor=request.user, org=org, month=request.POST.get("month", ""),
                                          note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("visits:checks")
    messages.success(request, f"{pub.month} 走访情况已公示")
    return redirect("visits:publication", monthly_publication_id=pub.id)


@login_required
def publication_detail(request, monthly_publication_id: int):
    pub = selectors.publication_get(actor=request.user, publication_id=monthly_publication_id)
    return render(request, "visits/publication.html", {"pub": pub, "f": pub.figures})


@login_required
@require_POST
def spot_check_create(request):
    org = scoped_org(request, "visits.edit")
    form = SpotCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写月份与 1 至 %d 之间的抽查篇数" % rules.SPOT_CHECK_MAX_SIZE)
        return redirect("visits:checks")
    data = form.cleaned_data
    try:
        check = services.spot_check_create(actor=request.user, org=org, month=data["month"],
                                           sample_size=data["sample_size"], seed=data["seed"], note=data["note"])
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("visits:checks")
    return redirect("visits:spot_check", spot_check_id=check.id)


@login_required
def spot_check_detail(request, spot_check_id: int):
    check = selectors.spot_check_get(actor=request.user, check_id=spot_check_id)
    redraw = selectors.spot_check_redraw(check)
    stored = [i.log_id for i in check.items.all()]
    return render(request, "visits/spot_check.html", {"check": check, "reproducible": redraw == stored,
                                                      "can_edit": can(request.user, "visits.edit", check.org)})


@login_required
@require_POST
def spot_check_record(request, spot_check_id: int, spot_check_item_id: int):
    check = selectors.spot_check_get(actor=request.user, check_id=spot_check_id)
    item = selectors.spot_check_item_get(actor=request.user, check=check, item_id=spot_check_item_id)
    confirmed = {"1": True, "0": False}.get(request.POST.get("confirmed", ""))
    error = ""
    try:
        item = services.spot_check_record(actor=request.user, item=item, confirmed=confirmed,
                                          remark=request.POST.get("remark", ""))
    except DomainError as exc:
        error = exc.detail
    if request.htmx:
        item.refresh_from_db()
        return render(request, "visits/_partials/spot_item.html", {"item": item, "check": check, "error": error,
                                                                   "can_edit": True}, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("visits:spot_check", spot_check_id=check.id)
