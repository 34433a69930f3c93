"""Staff pages of 诉求: the queue with SLA badges, entry, the case with its steps, transfer, ledger, figures."""
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.core.shell import current_org
from dangjian.core.xlsx import build_workbook, xlsx_response
from dangjian.orgs.models import Org

from . import rules, selectors, services
from .forms import PetitionForm, StepForm
from .models import Petition

EXPORT_MAX = 20000


def scoped_org(request, perm: str = "petitions.view") -> Org:
    org = current_org(request)
    if org is None or not can(request.user, perm, org):
        raise Http404
    return org


def _filters(request) -> selectors.PetitionFilters:
    return selectors.PetitionFilters(state=request.GET.get("state", "open"), kind=request.GET.get("kind", ""),
                                     channel=request.GET.get("channel", ""), category=request.GET.get("category", ""),
                                     overdue=request.GET.get("overdue") == "1",
                                     escalated=request.GET.get("escalated") == "1", q=request.GET.get("q", ""))


@login_required
def queue(request):
    org = scoped_org(request)
    filters = _filters(request)
    page = page_of(selectors.petition_list(actor=request.user, org=org, filters=filters), request)
    today = timezone.localdate()
    rows = [{"p": p, "sla": selectors.sla_badge(p, today=today)} for p in page]
    query = "&".join(f"{k}={request.GET[k]}" for k in ("state", "kind", "channel", "category", "overdue", "escalated",
                                                        "q") if request.GET.get(k))
    return render(request, "petitions/queue.html", {
        "org": org, "page": page, "rows": rows, "filters": filters, "query": query,
        "states": Petition.State.choices, "kinds": Petition.Kind.choices, "channels": Petition.Channel.choices,
        "overdue_count": selectors.petitions_in_subtree(org).filter(selectors.overdue_q(today)).count(),
        "can_edit": can(request.user, "petitions.edit", org), "can_export": can(request.user, "petitions.export", org)})


@login_required
def petition_create(request):
    org = scoped_org(request, "petitions.edit")
    form = PetitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        received_on = data.pop("received_on")
        try:
            p = services.petition_create(actor=request.user, org=org, data=data, received_on=received_on)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记，查询码 {p.tracking_code}")
            return redirect("petitions:detail", petition_id=p.id)
    return render(request, "petitions/form.html", {"form": form, "title": f"登记群众诉求（{org.name}）",
                                                   "back": "petitions:queue"}, status=400 if form.errors else 200)


@login_required
def detail(request, petition_id: int, step_form=None, status=200):
    p = selectors.petition_get(actor=request.user, petition_id=petition_id)
    can_edit = can(request.user, "petitions.edit", p.org)
    targets = (Org.objects.filter(region_id=p.org.region_id, is_active=True).exclude(id=p.org_id)
               .order_by("path")[:300]) if can_edit else []
    return render(request, "petitions/detail.html", {
        "p": p, "steps": selectors.step_rows(p), "sla": selectors.sla_badge(p), "can_edit": can_edit,
        "step_form": step_form or StepForm(initial={"step": p.pending_step, "done_on": timezone.localdate()}),
        "targets": targets, "mediations": p.mediations.all()}, status=status)


@login_required
@require_POST
def step(request, petition_id: int):
    p = selectors.petition_get(actor=request.user, petition_id=petition_id)
    form = StepForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.petition_step(actor=request.user, petition=p, step=data["step"], note=data["note"],
                                   done_on=data["done_on"], resolved={"1": True, "0": False}.get(data["resolved"]),
                                   satisfaction=data["satisfaction"], public_reply=data["public_reply"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记“{rules.STEP_LABELS[data['step']]}”环节")
            return redirect("petitions:detail", petition_id=p.id)
    return detail(request, petition_id, step_form=form, status=400)


@login_required
@require_POST
def transfer(request, petition_id: int):
    p = selectors.petition_get(actor=request.user, petition_id=petition_id)
    try:
        t = services.petition_transfer(actor=request.user, petition=p, to_org_id=request.POST.get("to_org_id"),
                                       reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("petitions:detail", petition_id=p.id)
    messages.success(request, f"已转办至 {t.to_org.name}")
    return redirect("petitions:queue")


@login_required
def export(request):
    """诉求台账 as xlsx: masked phones; every export audited (DESIGN rule 7)."""
    org = scoped_org(request, "petitions.export")
    filters = _filters(request)
    qs = selectors.petition_list(actor=request.user, org=org, filters=filters).prefetch_related("steps")[:EXPORT_MAX]
    rows = []
    for p in qs:
        done = {s.step: s for s in p.steps.all()}
        rows.append([p.received_on, p.tracking_code, p.org.name, p.get_kind_display(), p.get_channel_display(),
                     p.get_category_display(), p.title, "匿名" if p.anonymous else p.submitter_name,
                     p.submitter_phone_masked, p.get_state_display()]
                    + [done[s].done_on if s in done else "" for s in rules.STEPS]
                    + [p.due_of(p.pending_step) if p.pending_step else "",
                       "是" if any(s.late for s in done.values()) or selectors.sla_badge(p)["tone"] == "danger" else "",
                       {True: "已解决", False: "未解决", None: ""}[p.resolved], p.get_satisfaction_display()])
    wb = build_workbook(
        title=f"{org.name} 群众诉求台账",
        headers=["受理日期", "查询码", "承办组织", "类别", "渠道", "分类", "标题", "反映人", "联系电话", "状态",
                 "沟通", "受理", "办理", "反馈", "当前时限", "逾期", "办理结果", "满意度"],
        rows=rows, widths=[12, 15, 18, 9, 9, 10, 30, 10, 14, 9, 12, 12, 12, 12, 12, 6, 10, 10], sheet_title="诉求台账")
    audit(actor=request.user, verb="petition.export", target=org, org=org, after={"rows": len(rows)})
    return xlsx_response(wb, f"群众诉求台账-{org.name}.xlsx")


def _date(value, default: date) -> date:
    try:
        return parse_date(value or "") or default
    except ValueError:
        return default


@login_required
def figures(request):
    org = scoped_org(request)
    today = timezone.localdate()
    end = _date(request.GET.get("to"), today)
    start = _date(request.GET.get("from"), end.replace(month=1, day=1))
    if start > end:
        start, end = end, start
    f = selectors.service_figures(actor=request.user, org=org, start=start, end=end)
    return render(request, "petitions/figures.html", {"org": org, "f": f, "start": start, "end": end})
