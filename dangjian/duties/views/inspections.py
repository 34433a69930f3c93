from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, require
from dangjian.core.audit import audit
from dangjian.core.pagination import page_of
from dangjian.core.xlsx import build_workbook, xlsx_response
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from .. import selectors, services
from ..forms import CompleteForm, FindingForm, InspectionForm, RecheckForm
from ..models import Rectification, Severity
from .common import int_param, need, page_org, post_action, query_without_page, run_form, this_year
from .pledges import _invalid


@login_required
def inspections(request):
    need(request)
    org = page_org(request)
    year, quarter = int_param(request, "year", low=2000), int_param(request, "quarter", high=4)
    page = page_of(selectors.inspection_list(actor=request.user, org=org, year=year, quarter=quarter), request)
    overdue = selectors.annotate_overdue(selectors.rectification_list(actor=request.user, org=org, overdue=True)[:10])
    return render(request, "duties/inspections.html", {
        "org": org, "page": page, "year": year, "quarter": quarter, "overdue": overdue,
        "query": query_without_page(request),
        "can_create": org.kind != Org.Kind.BRANCH and can(request.user, "duties.edit", org)})


@login_required
def inspection_create(request):
    need(request)
    org = page_org(request)
    require(request.user, "duties.edit", org)
    form = InspectionForm(request.POST or None)
    return run_form(request, form, lambda d: services.inspection_create(actor=request.user, org=org, **d),
                    success="督查计划已创建", redirect_to=lambda i: reverse("duties:inspection_detail", args=[i.id]),
                    context={"title": f"{org.name} · 新建季度督查", "back": reverse("duties:inspections")})


@login_required
def inspection_detail(request, inspection_id: int):
    inspection = selectors.inspection_get(actor=request.user, inspection_id=inspection_id)
    findings = list(selectors.findings_of(actor=request.user, inspection=inspection))
    for f in findings:
        f.rects = selectors.annotate_overdue(f.rectifications.all())
    editable = can(request.user, "duties.edit", inspection.org)
    context = {"inspection": inspection, "findings": findings, "editable": editable}
    if not editable:
        if request.method == "POST":
            raise PermissionDenied("只有组织督查的党组织可以记录问题")
        return render(request, "duties/inspection_detail.html", context)
    orgs = Org.objects.filter(subtree_q(inspection.org.path), is_active=True).exclude(pk=inspection.org_id)
    form = FindingForm(request.POST or None, orgs=orgs.order_by("path")[:500])

    def action(d):
        return services.finding_create(actor=request.user, inspection=inspection, org=Org.objects.get(pk=d["org_id"]),
                                       description=d["description"], severity=d["severity"],
                                       found_on=d["found_on"], rectifications=d["tasks"])

    return run_form(request, form, action, success="已记录督查发现的问题",
                    redirect_to=reverse("duties:inspection_detail", args=[inspection.id]),
                    template="duties/inspection_detail.html", context=context)


def _rect_filters(request):
    state = request.GET.get("state", "")
    severity = request.GET.get("severity", "")
    return {"state": state if state in Rectification.State.values else "",
            "severity": severity if severity in Severity.values else "",
            "overdue": request.GET.get("overdue") == "1", "year": int_param(request, "year", low=2000),
            "inspection_id": int_param(request, "inspection", high=2 ** 62)}


@login_required
def rectifications(request):
    need(request)
    org = page_org(request)
    filters = _rect_filters(request)
    page = page_of(selectors.rectification_list(actor=request.user, org=org, **filters), request, per_page=50)
    page.object_list = selectors.annotate_overdue(page.object_list)
    return render(request, "duties/rectifications.html", {
        "org": org, "page": page, "f": filters, "states": Rectification.State.choices, "severities": Severity.choices,
        "query": query_without_page(request), "year": this_year()})


@login_required
def rectifications_export(request):
    """The 整改台账 as xlsx (same filters as the page); the export is audited."""
    need(request, "duties.export")
    org = page_org(request)
    require(request.user, "duties.export", org)
    filters = _rect_filters(request)
    rows = selectors.annotate_overdue(selectors.rectification_list(actor=request.user, org=org, **filters))
    states = dict(Rectification.State.choices)
    severities = dict(Severity.choices)
    data = [[r.finding.inspection.year, f"第{r.finding.inspection.quarter}季度", r.finding.inspection.title,
             r.org.name, r.finding.description, severities.get(r.finding.severity, ""), r.task, r.owner, r.deadline,
             states[r.state] + ("（逾期）" if r.is_overdue else ""), r.days_overdue or "", r.completed_on,
             "是" if r.was_late else "", r.evidence, r.rechecked_on, r.recheck_note] for r in rows]
    wb = build_workbook(title=f"{org.name} 督查整改台账", headers=[
        "年度", "季度", "督查主题", "整改组织", "发现问题", "严重程度", "整改措施", "责任人", "整改期限", "状态", "逾期天数",
        "完成日期", "逾期完成", "整改佐证", "复查日期", "复查意见"], rows=data,
        widths=[8, 10, 20, 20, 30, 10, 30, 10, 12, 14, 10, 12, 10, 30, 12, 20], sheet_title="整改台账")
    audit(actor=request.user, verb="rectification.export", org=org, after={"rows": len(data), **{
        k: v for k, v in filters.items() if v}})
    return xlsx_response(wb, f"督查整改台账-{org.name}.xlsx")


@login_required
def rectification_detail(request, rectification_id: int):
    rect = selectors.rectification_get(actor=request.user, rectification_id=rectification_id)
    selectors.annotate_overdue([rect])
    return render(request, "duties/rectification_detail.html", {
        "r": rect, "can_complete": rect.state == "open" and can(request.user, "duties.edit", rect.org),
        "can_recheck": rect.state == "submitted" and can(request.user, "duties.edit", rect.finding.inspection.org),
        "complete_form": CompleteForm(), "recheck_form": RecheckForm()})


@login_required
@require_POST
def rectification_complete(request, rectification_id: int):
    rect = selectors.rectification_get(actor=request.user, rectification_id=rectification_id)
    form = CompleteForm(request.POST)
    back = reverse("duties:rectification_detail", args=[rect.id])
    if not form.is_valid():
        return post_action(request, lambda: _invalid(form), success="", back=back)
    return post_action(request, lambda: services.rectification_complete(actor=request.user, rectification=rect,
                                                                        **form.cleaned_data),
                       success="已提交整改佐证，等待复查", back=back)


@login_required
@require_POST
def rectification_recheck(request, rectification_id: int):
    rect = selectors.rectification_get(actor=request.user, rectification_id=rectification_id)
    form = RecheckForm(request.POST)
    back = reverse("duties:rectification_detail", args=[rect.id])
    if not form.is_valid():
        return post_action(request, lambda: _invalid(form), success="", back=back)
    return post_action(request, lambda: services.rectification_recheck(actor=request.user, rectification=rect,
                                                                       **form.cleaned_data),
                       success="复查结果已记录", back=back)
