"""Pages of 关怀帮扶: anniversaries calendar, 三色生日表, 光荣在党50年, greeting cards, visit plans, funds."""
import os
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.shell import current_org
from dangjian.members.selectors import members_on_rolls
from dangjian.core.files import file_response, pdf_response

from . import rules, selectors, services
from .forms import CareProfileForm, DisburseForm, FundForm, IncomeForm, PlanForm, ReliefForm, VisitForm


def _home(request, name: str):
    org = current_org(request)
    if org is None or not can(request.user, "care.view", org):
        raise Http404
    return redirect(name, org_id=org.id)


@login_required
def index(request):
    return _home(request, "care:anniversaries")


@login_required
def plans_index(request):
    return _home(request, "care:plans")


@login_required
def funds_index(request):
    return _home(request, "care:funds")


def _date_param(request, name: str, default: date) -> date:
    value = request.GET.get(name)
    try:
        parsed = parse_date(value) if value else None
    except ValueError:
        parsed = None
    return parsed if parsed and 1900 <= parsed.year <= 2100 else default


@login_required
def anniversaries(request, org_id: int):
    """The anniversaries calendar (三色: birthday, 政治生日, work) with milestone markers and greeting buttons."""
    org = selectors.care_org_get(actor=request.user, org_id=org_id)
    today = selectors.today()
    start = _date_param(request, "from", today)
    end = _date_param(request, "to", start + timedelta(days=30))
    if end < start or (end - start).days > rules.MAX_WINDOW_DAYS:
        end = start + timedelta(days=30)
    kind = request.GET.get("kind") if request.GET.get("kind") in rules.KIND_LABELS else None
    items = selectors.anniversaries(actor=request.user, org=org, start=start, end=end, kinds=[kind] if kind else None)
    days: dict[date, list] = {}
    for a in items:
        days.setdefault(a.date, []).append(a)
    return render(request, "care/anniversaries.html", {
        "org": org, "start": start, "end": end, "kind": kind, "days": days, "count": len(items),
        "kinds": rules.KIND_LABELS, "colours": rules.KIND_COLOURS, "today": today,
        "can_edit": can(request.user, "care.edit", org), "gifts": rules.GIFTS,
        "pending": selectors.pending_greetings(actor=request.user, org=org)[:50]})


@login_required
@require_POST
def greet(request):
    """htmx: record a greeting as given (default gifts: card and message); returns the item's badge."""
    member = selectors.care_member_get(actor=request.user, member_id=request.POST.get("member"), perm="care.edit")
    gifts = request.POST.getlist("gifts") or ["card", "message"]
    try:
        g = services.greeting_give(actor=request.user, member=member, kind=request.POST.get("kind", ""),
                                   occasion_date=request.POST.get("date", ""), gifts=gifts)
    except DomainError as exc:
        return render(request, "care/_partials/greet_result.html", {"error": exc.detail})
    return render(request, "care/_partials/greet_result.html", {"greeting": g})


@login_required
def colour_table(request, org_id: int):
    org = selectors.care_org_get(actor=request.user, org_id=org_id)
    return render(request, "care/colour_table.html", {"org": org,
                                                      "rows": selectors.three_colour_table(actor=request.user, org=org)})


@login_required
def medal50(request, org_id: int):
    org = selectors.care_org_get(actor=request.user, org_id=org_id)
    try:
        year = int(request.GET.get("year") or selectors.today().year)
    except ValueError:
        year = selectors.today().year
    year = min(max(year, 1950), 2100)
    rows = selectors.medal50(actor=request.user, org=org, year=year)
    return render(request, "care/medal50.html", {"org": org, "year": year, "rows": rows,
                                                 "new": sum(1 for r in rows if r.new)})


@login_required
def card(request, member_id: int, kind: str, on: str):
    """A printable greeting card (HTML; ?format=pdf renders it with WeasyPrint and the WenQuanYi font)."""
    member = selectors.care_member_get(actor=request.user, member_id=member_id)
    occasion = parse_date(on) if len(on) == 10 else None
    if occasion is None:
        raise Http404
    try:
        ctx = selectors.card_context(actor=request.user, member=member, kind=kind, occasion_date=occasion)
    except DomainError:
        raise Http404
    if request.GET.get("format") == "pdf":
        return pdf_response(render_to_string("care/card_pdf.html", ctx), request=request,
                            filename=f"card-{member.id}-{occasion:%Y%m%d}.pdf")
    return render(request, "care/card.html", ctx)


# --- members ---------------------------------------------------------------------------------------

@login_required
def member(request, member_id: int):
    m = selectors.care_member_get(actor=request.user, member_id=member_id)
    data = selectors.member_care(m)
    can_edit = can(request.user, "care.edit", m.org)
    p = data["profile"]
    form = CareProfileForm(request.POST or None, initial={"is_ill": p.is_ill, "laid_off": p.laid_off,
                                                          "lives_alone": p.lives_alone, "note": p.note} if p else None)
    if request.method == "POST":
        selectors.care_member_get(actor=request.user, member_id=member_id, perm="care.edit")
        if form.is_valid():
            try:
                services.care_profile_set(actor=request.user, member=m, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect("care:member", member_id=m.id)
    return render(request, "care/member.html", {"member": m, **data, "form": form, "can_edit": can_edit},
                  status=400 if form.errors else 200)


# --- plans and visits ----------------------------------------------------------------------------

@login_required
def plans(request, org_id: int):
    org = selectors.care_org_get(actor=request.user, org_id=org_id)
    funds = list(selectors.funds_usable(actor=request.user, org=org))
    form = PlanForm(request.POST or None, funds=funds)
    if request.method == "POST":
        selectors.care_org_get(actor=request.user, org_id=org_id, perm="care.edit")
        if form.is_valid():
            data = dict(form.cleaned_data)
            fund_id = data.pop("fund_id")
            try:
                fund = selectors.fund_get(actor=request.user, fund_id=fund_id) if fund_id else None
                plan = services.care_plan_create(actor=request.user, org=org, fund=fund, **data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "已创建慰问计划")
                return redirect("care:plan", plan_id=plan.id)
    return render(request, "care/plans.html", {"org": org, "plans": selectors.plans(actor=request.user, org=org)[:100],
                                               "form": form, "can_edit": can(request.user, "care.edit", org)},
                  status=400 if form.errors else 200)


@login_required
def plan(request, plan_id: int):
    p = selectors.plan_get(actor=request.user, plan_id=plan_id)
    due = selectors.due_list(actor=request.user, org=p.org, plan=p)
    choices = list(members_on_rolls(p.org).select_related("org").order_by("org__path", "name_pinyin")[:1000])
    form = VisitForm(request.POST or None, request.FILES or None, members=choices,
                     initial={"visited_on": selectors.today(), "member_id": request.GET.get("member")})
    if request.method == "POST":
        selectors.plan_get(actor=request.user, plan_id=plan_id, perm="care.edit")
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                target = selectors.care_member_get(actor=request.user, member_id=data.pop("member_id"),
                                                   perm="care.edit")
                services.care_visit_record(actor=request.user, member=target, plan=p, occasion=p.occasion, **data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已登记走访 {target.name}")
                return redirect("care:plan", plan_id=p.id)
    visits = list(selectors.plan_visits(p))
    return render(request, "care/plan.html", {
        "plan": p, "due": due, "visits": visits, "form": form, "can_edit": can(request.user, "care.edit", p.org),
        "spent": sum((v.money for v in visits), rules.ZERO), "visited": sum(1 for r in due if r.visits)},
        status=400 if form.errors else 200)


@login_required
def visit_photo(request, care_visit_id: int):
    """A visit's photo: a download with nosniff and a sandbox CSP, to those who may see the visit."""
    visit = selectors.visit_get(actor=request.user, care_visit_id=care_visit_id)
    return file_response(visit.photo, filename=f"走访照片-{visit.visited_on:%Y%m%d}{os.path.splitext(visit.photo.name)[1]}")


# --- funds -----------------------------------------------------------------------------------------

@login_required
def funds(request, org_id: int):
    org = selectors.care_org_get(actor=request.user, org_id=org_id)
    form = FundForm(request.POST or None)
    if request.method == "POST":
        selectors.care_org_get(actor=request.user, org_id=org_id, perm="care.edit")
        if form.is_valid():
            try:
                fund = services.fund_create(actor=request.user, org=org, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已建立 {fund.name}")
                return redirect("care:fund", fund_id=fund.id)
    return render(request, "care/funds.html", {"org": org, "funds": selectors.funds(actor=request.user, org=org),
                                               "form": form, "can_edit": can(request.user, "care.edit", org)},
                  status=400 if form.errors else 200)


def _fund_page(request, fund, *, forms=None, status=200):
    try:
        year = int(request.GET.get("year") or selectors.today().year)
    except ValueError:
        year = selectors.today().year
    year = min(max(year, 2000), 2100)
    members = list(members_on_rolls(fund.org).select_related("org").order_by("org__path", "name_pinyin")[:1000])
    forms = {"income_form": IncomeForm(), "disburse_form": DisburseForm(), "relief_form": ReliefForm(members=members),
             **(forms or {})}
    return render(request, "care/fund.html", {
        "fund": fund, "year": year, "report": selectors.fund_report(fund, year=year),
        "entries": selectors.fund_ledger(fund)[:200], "can_edit": can(request.user, "care.edit", fund.org), **forms},
        status=status)


@login_required
def fund(request, fund_id: int):
    return _fund_page(request, selectors.fund_get(actor=request.user, fund_id=fund_id))


@login_required
@require_POST
def fund_post(request, fund_id: int, action: str):
    f = selectors.fund_get(actor=request.user, fund_id=fund_id, perm="care.edit")
    if action == "income":
        form, key = IncomeForm(request.POST), "income_form"
    elif action == "disburse":
        form, key = DisburseForm(request.POST), "disburse_form"
    elif action == "relief":
        members = members_on_rolls(f.org).select_related("org").order_by("org__path", "name_pinyin")[:1000]
        form, key = ReliefForm(request.POST, members=list(members)), "relief_form"
    else:
        raise Http404
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if action == "income":
                services.fund_income(actor=request.user, fund=f, **data)
            elif action == "disburse":
                services.fund_disburse(actor=request.user, fund=f, **data)
            else:
                target = selectors.care_member_get(actor=request.user, member_id=data.pop("member_id"))
                services.relief_grant(actor=request.user, fund=f, member=target, **data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已记账")
            return redirect("care:fund", fund_id=f.id)
    return _fund_page(request, f, forms={key: form}, status=400)


@login_required
@require_POST
def fund_reverse(request, fund_id: int, entry_id: int):
    f = selectors.fund_get(actor=request.user, fund_id=fund_id, perm="care.edit")
    entry = selectors.fund_entry_get(actor=request.user, fund=f, entry_id=entry_id)
    try:
        services.fund_reverse(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
        messages.success(request, "已冲销")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect(reverse("care:fund", args=[f.id]))
