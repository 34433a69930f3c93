"""Pages for transfers, mobile members, disposals and the Excel import."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, require
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.orgs.models import Org

from . import lifecycle, rules, selectors
from .forms import DisposalForm, MobileForm, TransferForm
from .models import Transfer
from .views import _org_from


@login_required
def transfers(request):
    org = _org_from(request)
    state = request.GET.get("state", "")
    overdue = request.GET.get("overdue") == "1"
    qs = lifecycle.transfer_list(actor=request.user, org=org, state=state if state in Transfer.State.values else "",
                                 overdue_only=overdue)
    page = page_of(qs, request)
    today = timezone.localdate()
    for t in page:
        t.overdue = t.state == Transfer.State.IN_TRANSIT and rules.transfer_overdue(report_by=t.report_by, today=today)
        t.can_decide = t.state == Transfer.State.IN_TRANSIT and can(request.user, "members.edit", lifecycle._receiving_org(t))
    return render(request, "members/transfers.html", {"org": org, "page": page, "state": state, "overdue": overdue,
                                                      "states": Transfer.State.choices,
                                                      "query": f"org={org.id}&state={state}&overdue={int(overdue)}"})


@login_required
def transfer_new(request, member_id: int):
    member = selectors.member_get(actor=request.user, member_id=member_id)
    require(request.user, "members.edit", member.org)
    branches = Org.objects.filter(kind=Org.Kind.BRANCH, is_active=True, region_id=member.org.region_id).exclude(
        id=member.org_id).order_by("path")[:500]
    form = TransferForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            to_org = Org.objects.filter(id=data["to_org_id"], is_active=True).first() if data["to_org_id"] else None
            if to_org is None and not data["external_org_name"].strip():
                raise DomainError("请选择系统内接收党支部，或填写系统外接收组织名称", field="to_org_id")
            lifecycle.transfer_out(actor=request.user, member=member, to_org=to_org,
                                   external_org_name=data["external_org_name"], letter_no=data["letter_no"],
                                   cross_province=data["cross_province"], reason=data["reason"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已开具组织关系介绍信，等待接收方办理")
            return redirect("members:detail", member_id=member.id)
    return render(request, "members/simple_form.html", {"form": form, "title": f"组织关系转出 · {member.name}",
                                                        "back": f"/members/{member.id}/"})


@login_required
@require_POST
def transfer_decide(request, transfer_id: int):
    t = lifecycle.transfer_get(actor=request.user, transfer_id=transfer_id)
    try:
        if request.POST.get("decision") == "accept":
            lifecycle.transfer_accept(actor=request.user, transfer=t)
            messages.success(request, f"已接收 {t.member.name} 的组织关系")
        else:
            lifecycle.transfer_reject(actor=request.user, transfer=t, reason=request.POST.get("reason", ""))
            messages.success(request, "已退回")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("members:transfers")


@login_required
def mobile(request):
    org = _org_from(request)
    stale = request.GET.get("stale") == "1"
    records = lifecycle.mobile_list(actor=request.user, org=org, stale_only=stale)
    return render(request, "members/mobile.html", {"org": org, "records": records[:500], "stale": stale,
                                                   "total": len(records)})


@login_required
def mobile_new(request, member_id: int):
    member = selectors.member_get(actor=request.user, member_id=member_id)
    require(request.user, "members.edit", member.org)
    form = MobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.mobile_register(actor=request.user, member=member, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已登记流动党员信息")
            return redirect("members:detail", member_id=member.id)
    return render(request, "members/simple_form.html", {"form": form, "title": f"流动党员登记 · {member.name}",
                                                        "back": f"/members/{member.id}/"})


@login_required
@require_POST
def mobile_action(request, record_id: int):
    record = lifecycle.mobile_get(actor=request.user, record_id=record_id)
    today = timezone.localdate()
    try:
        if request.POST.get("action") == "end":
            lifecycle.mobile_end(actor=request.user, record=record, on=today)
            messages.success(request, "已结束流动")
        else:
            lifecycle.mobile_contact(actor=request.user, record=record, on=today)
            messages.success(request, "已记录今日联系")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("members:mobile")


@login_required
def cases(request):
    org = _org_from(request)
    state = request.GET.get("state", "")
    page = page_of(lifecycle.disposal_list(actor=request.user, org=org, state=state if state in ("open", "closed") else ""),
                   request)
    return render(request, "members/cases.html", {"org": org, "page": page, "state": state,
                                                  "pending": selectors.change_requests_pending(actor=request.user, org=org).count(),
                                                  "query": f"org={org.id}&state={state}"})


@login_required
def disposal_new(request, member_id: int):
    member = selectors.member_get(actor=request.user, member_id=member_id)
    require(request.user, "members.edit", member.org)
    form = DisposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.disposal_record(actor=request.user, member=member, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已记录处置决定")
            return redirect("members:detail", member_id=member.id)
    return render(request, "members/simple_form.html", {"form": form, "title": f"处置 · {member.name}",
                                                        "back": f"/members/{member.id}/",
                                                        "note": "处置记录永久保存，不能删除。劝退、除名须经支部大会讨论并报上级批准（RULES §7）。"})
