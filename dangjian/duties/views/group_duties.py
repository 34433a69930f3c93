"""党小组长责任清单 pages: the lists, completion across groups, and a group's sheet where its leader records."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from dangjian.accounts.scope import can, has_any, org_get_visible, require
from dangjian.core.errors import DomainError

from .. import selectors, services
from ..forms import GroupDutyListForm, GroupDutyRecordForm
from .common import int_param, page_org, run_form


def _manager(request) -> bool:
    return has_any(request.user, "duties.view")


@login_required
def group_duties(request):
    """Managers: the lists issued in or above the picked org; 党小组长: the lists of their own group."""
    led = list(selectors.led_groups(request.user).select_related("org"))
    manager = _manager(request)
    if not manager and not led:
        raise Http404
    org = page_org(request) if manager else None
    year = int_param(request, "year", low=2000)
    lists = list(selectors.group_duty_lists(actor=request.user, org=org, year=year)[:50])
    return render(request, "duties/group_duties.html", {
        "org": org, "year": year, "lists": lists, "led": led, "manager": manager,
        "can_create": org is not None and can(request.user, "duties.edit", org)})


@login_required
def group_duty_list_create(request):
    if not _manager(request):
        raise Http404
    org = page_org(request)
    require(request.user, "duties.edit", org)
    form = GroupDutyListForm(request.POST or None)
    return run_form(request, form, lambda d: services.group_duty_list_create(
        actor=request.user, org=org, year=d["year"], title=d["title"], items=d["items"]),
        success="责任清单已制定，下级各党小组长可按清单填报",
        redirect_to=lambda d: reverse("duties:group_duty_board", args=[d.id]),
        context={"title": f"{org.name} · 制定党小组长责任清单", "back": reverse("duties:group_duties"),
                 "intro": "清单适用于本组织及下级各党支部的全部党小组；党小组长按月、季度或年度填报完成情况（草塔镇做法）。"})


@login_required
def group_duty_board(request, list_id: int):
    duty_list = selectors.group_duty_list_get(actor=request.user, list_id=list_id)
    org = None
    if request.GET.get("org"):
        org = org_get_visible(actor=request.user, org_id=request.GET["org"])
    board = selectors.group_duty_board(actor=request.user, duty_list=duty_list, org=org)
    return render(request, "duties/group_duty_board.html", {"d": duty_list, "board": board, "org": org})


@login_required
def group_duty_sheet(request, list_id: int, group_id: int):
    duty_list = selectors.group_duty_list_get(actor=request.user, list_id=list_id)
    group = selectors.group_of_list(actor=request.user, duty_list=duty_list, group_id=group_id)
    may_record = selectors.may_record_for(request.user, group)
    form, status = GroupDutyRecordForm(), 200
    if request.method == "POST":
        if not may_record:
            if not can(request.user, "duties.view", group.org):
                raise Http404
            raise PermissionDenied("只有党小组长或支部可以填报")
        form = GroupDutyRecordForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.group_duty_record(actor=request.user, duty_list=duty_list, group=group,
                                           item_id=d["item_id"], period=d["period"], done_on=d["done_on"],
                                           note=d["note"])
            except DomainError as exc:
                messages.error(request, exc.detail)
                status = 400
            else:
                messages.success(request, f"已填报 {d['period']} 的完成情况")
                return redirect("duties:group_duty_sheet", list_id=duty_list.id, group_id=group.id)
        else:
            messages.error(request, "请填写有效的周期和完成日期")
            status = 400
    return render(request, "duties/group_duty_sheet.html", {
        "d": duty_list, "group": group, "sheet": selectors.group_duty_sheet(duty_list=duty_list, group=group),
        "may_record": may_record, "form": form, "today": selectors.today(),
        "manager": can(request.user, "duties.view", group.org)}, status=status)
