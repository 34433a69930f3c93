"""Pages of 民情走访: households, my plan (phone), 民情日记 and its export. Thin: parse, call, render."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.core.shell import current_org
from dangjian.core.xlsx import build_workbook, xlsx_response

from . import rules, selectors, services
from .forms import HelpForm, HouseholdForm, LogForm, PairingForm
from .models import Household

MAX_CHOICES = 500
EXPORT_MAX = 20000


def scoped_org(request, perm: str = "visits.view"):
    """The current org, if the actor holds `perm` there; else 404."""
    org = current_org(request)
    if org is None or not can(request.user, perm, org):
        raise Http404
    return org


def _month(request) -> str:
    month = request.GET.get("month") or rules.month_of(timezone.localdate())
    try:
        rules.parse_month(month)
    except ValueError:
        month = rules.month_of(timezone.localdate())
    return month


# --- Households ------------------------------------------------------------------------------

@login_required
def households(request):
    org = scoped_org(request)
    filters = selectors.HouseholdFilters(q=request.GET.get("q", ""), grid=request.GET.get("grid", ""),
                                         tag=request.GET.get("tag", ""), unpaired=request.GET.get("unpaired") == "1")
    qs = selectors.household_list(actor=request.user, org=org, filters=filters)
    query = "&".join(f"{k}={request.GET[k]}" for k in ("q", "grid", "tag", "unpaired") if request.GET.get(k))
    return render(request, "visits/households.html", {
        "org": org, "page": page_of(qs, request), "filters": filters, "grids": selectors.grids_of(org),
        "tags": rules.HOUSEHOLD_TAGS, "query": query, "can_edit": can(request.user, "visits.edit", org)})


def _household_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["tags"] = list(data.get("tags") or [])
    return data


@login_required
def household_create(request):
    org = scoped_org(request, "visits.edit")
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            h = services.household_create(actor=request.user, org=org, data=_household_data(form))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记 {h.name} 户")
            return redirect("visits:household", household_id=h.id)
    return render(request, "visits/form.html", {"form": form, "title": f"登记居民户（{org.name}）",
                                                "back": "visits:households"}, status=400 if form.errors else 200)


@login_required
def household_edit(request, household_id: int):
    h = selectors.household_get(actor=request.user, household_id=household_id)
    initial = {"name": h.name, "address": h.address, "grid": h.grid, "phone": h.phone, "size": h.size,
               "tags": h.tag_list, "circumstances": h.circumstances,
               "residents": "\n".join(f"{r.name} {r.get_relation_display()} {r.birth_year or ''}".strip()
                                      for r in h.residents.all())}
    form = HouseholdForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(actor=request.user, household=h, data=_household_data(form))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("visits:household", household_id=h.id)
    return render(request, "visits/form.html", {"form": form, "title": f"编辑 {h.name} 户",
                                                "back": "visits:households"}, status=400 if form.errors else 200)


@login_required
def household_detail(request, household_id: int):
    h = selectors.household_get(actor=request.user, household_id=household_id)
    can_edit = can(request.user, "visits.edit", h.org)
    members = list(selectors.members_for_org(current_org(request) or h.org)[:MAX_CHOICES]) if can_edit else []
    return render(request, "visits/household_detail.html", {
        "h": h, **selectors.household_detail(household=h), "can_edit": can_edit,
        "pair_form": PairingForm(members=members, households=[h], initial={"household_id": h.id}),
        "help_form": HelpForm()})


# --- My plan (a member on a phone) ------------------------------------------------------------

@login_required
def my_plan(request):
    month = _month(request)
    member, plan, progress = selectors.my_plan(actor=request.user, month=month)
    pairings = list(selectors.my_pairings(member)) if member else []
    first, last = rules.parse_month(month)
    logs = list(member.visit_logs.filter(visited_on__range=(first, last)).select_related("household")
                .order_by("-visited_on", "-id")[:50]) if member else []
    done = sum(1 for p in progress if p["visits"])
    return render(request, "visits/my_plan.html", {"member": member, "plan": plan, "progress": progress,
                                                   "pairings": pairings, "month": month, "logs": logs,
                                                   "done": done})


# --- 民情日记 ------------------------------------------------------------------------------------

def _log_filters(request) -> selectors.LogFilters:
    def as_int(key):
        try:
            return int(request.GET.get(key) or 0) or None
        except ValueError:
            return None

    month = request.GET.get("month", "")
    try:
        rules.parse_month(month) if month else None
    except ValueError:
        month = ""
    return selectors.LogFilters(month=month, member=as_int("member"), household=as_int("household"),
                                with_needs=request.GET.get("with_needs") == "1", q=request.GET.get("q", ""))


@login_required
def logs(request):
    org = scoped_org(request)
    filters = _log_filters(request)
    qs = selectors.log_list(actor=request.user, org=org, filters=filters)
    query = "&".join(f"{k}={request.GET[k]}" for k in ("month", "member", "household", "with_needs", "q")
                     if request.GET.get(k))
    return render(request, "visits/logs.html", {"org": org, "page": page_of(qs, request), "filters": filters,
                                                "query": query, "can_export": can(request.user, "visits.export", org)})


@login_required
def log_create(request):
    """A secretary logs for a member of the current org; a member logs their own visit (self-service)."""
    from dangjian.members.selectors import member_of_user

    org = current_org(request)
    own = member_of_user(request.user)
    if org is not None and can(request.user, "visits.edit", org):
        members = list(selectors.members_for_org(org)[:MAX_CHOICES])
        households = list(selectors.households_in_subtree(org).filter(is_active=True).order_by("grid", "address")
                          [:MAX_CHOICES])
        if own and own.id not in {m.id for m in members}:
            members.insert(0, own)
    elif own is not None:
        members = [own]
        ids = services.member_area_households(own)
        households = list(Household.objects.filter(id__in=ids, is_active=True).order_by("grid", "address"))
    else:
        raise Http404
    initial = {"member_id": own.id if own else None, "household_id": request.GET.get("household")}
    form = LogForm(request.POST or None, members=members, households=households, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = selectors.member_for_visits(actor=request.user, member_id=data["member_id"])
            household = (selectors.household_for_member(actor=request.user, member=member,
                                                        household_id=data["household_id"])
                         if data["household_id"] else None)
            log = services.visit_log_create(actor=request.user, member=member, household=household,
                                            visited_on=data["visited_on"], notes=data["notes"], needs=data["needs"],
                                            reason=data["reason"], create_petition=data["create_petition"],
                                            create_need=data.get("create_need", False))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "民情日记已保存" + ("，并已转为诉求" if data["create_petition"] else ""))
            return redirect("visits:log", visit_log_id=log.id)
    return render(request, "visits/form.html", {"form": form, "title": "写民情日记", "narrow": True,
                                                "back": "visits:my"}, status=400 if form.errors else 200)


@login_required
def log_detail(request, visit_log_id: int):
    log = selectors.log_get(actor=request.user, log_id=visit_log_id)
    petitions = list(log.petitions.all())
    return render(request, "visits/log_detail.html", {"log": log, "petitions": petitions,
                                                      "can_petitions": can(request.user, "petitions.view", log.org),
                                                      "meetings": list(log.analysis_meetings.all())})


@login_required
def logs_export(request):
    """民情日记 as xlsx: masked phones, audited (DESIGN rule 7)."""
    org = scoped_org(request, "visits.export")
    filters = _log_filters(request)
    qs = selectors.log_list(actor=request.user, org=org, filters=filters)[:EXPORT_MAX]
    rows = [(x.visited_on, x.org.name, x.member.name, x.household.name if x.household_id else "（不入户）",
             x.household.address if x.household_id else "", x.household.grid if x.household_id else "",
             x.household.phone_masked if x.household_id else "", x.notes, x.needs, x.off_area_reason) for x in qs]
    wb = build_workbook(title=f"{org.name} 民情日记{('（' + filters.month + '）') if filters.month else ''}",
                        headers=["走访日期", "党组织", "走访党员", "走访户", "住址", "网格", "联系电话", "民情记录",
                                 "群众诉求", "跨区域说明"],
                        rows=rows, widths=[12, 18, 10, 10, 24, 10, 14, 50, 30, 16], sheet_title="民情日记")
    audit(actor=request.user, verb="visit_log.export", org=org, target=org,
          after={"rows": len(rows), "month": filters.month})
    return xlsx_response(wb, f"民情日记-{org.name}.xlsx")


# --- Pairings from the household page -------------------------------------------------------

@login_required
@require_POST
def pairing_create(request):
    org = scoped_org(request, "visits.edit")
    members = list(selectors.members_for_org(org)[:MAX_CHOICES])
    household = selectors.household_get(actor=request.user, household_id=request.POST.get("household_id"))
    form = PairingForm(request.POST, members=members, households=[household])
    if not form.is_valid():
        messages.error(request, "请选择党员和帮扶户")
        return _after_pairing(request, household)
    try:
        member = selectors.member_for_visits(actor=request.user, member_id=form.cleaned_data["member_id"])
        services.pairing_create(actor=request.user, member=member, household=household,
                                started_on=form.cleaned_data["started_on"], note=form.cleaned_data["note"])
        messages.success(request, f"{member.name} 已与 {household.name} 户结对")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return _after_pairing(request, household)


def _after_pairing(request, household):
    if request.POST.get("next") == "coverage":
        return redirect("visits:coverage")
    return redirect("visits:household", household_id=household.id)


@login_required
@require_POST
def pairing_end(request, pairing_id: int):
    p = selectors.pairing_get(actor=request.user, pairing_id=pairing_id)
    try:
        services.pairing_end(actor=request.user, pairing=p, reason=request.POST.get("reason", ""))
        messages.success(request, "结对已结束")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("visits:household", household_id=p.household_id)


@login_required
@require_POST
def help_create(request, pairing_id: int):
    p = selectors.pairing_get(actor=request.user, pairing_id=pairing_id)
    form = HelpForm(request.POST)
    if form.is_valid():
        try:
            services.help_record_create(actor=request.user, pairing=p, **form.cleaned_data)
            messages.success(request, "帮扶记录已登记")
        except DomainError as exc:
            messages.error(request, exc.detail)
    else:
        messages.error(request, "请完整填写帮扶记录（金额不小于 0）")
    return redirect("visits:household", household_id=p.household_id)
