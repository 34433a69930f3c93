from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.scope import can, require, scope_q
from dangjian.core.pagination import page_of
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from .. import selectors, services
from ..forms import ReportForm, SchemeForm, ScoreForm
from .common import int_param, need, page_org, run_form


@login_required
def schemes(request):
    need(request)
    org = page_org(request)
    year = int_param(request, "year", low=2000)
    page = page_of(selectors.scheme_list(actor=request.user, org=org, year=year), request)
    return render(request, "duties/schemes.html", {
        "org": org, "page": page, "year": year,
        "can_create": org.kind != Org.Kind.BRANCH and can(request.user, "duties.edit", org)})


@login_required
def scheme_create(request):
    need(request)
    org = page_org(request)
    require(request.user, "duties.edit", org)
    form = SchemeForm(request.POST or None)
    return run_form(request, form, lambda d: services.review_scheme_create(actor=request.user, org=org, **d),
                    success="述职评议已创建", redirect_to=lambda s: reverse("duties:scheme_detail", args=[s.id]),
                    context={"title": f"{org.name} · 新建年度述职评议", "back": reverse("duties:schemes"),
                             "intro": "等次按得分率：好 ≥ 90%，较好 ≥ 80%，一般 ≥ 60%，其余为差（可通过接口按党委调整）。"})


def _reportable_orgs(actor, scheme):
    """Orgs under the scheme's committee where the actor may submit and that have not reported yet."""
    reported = scheme.reports.values("org_id")
    return (Org.objects.filter(subtree_q(scheme.org.path), scope_q(actor, perm="duties.edit"), is_active=True)
            .exclude(pk=scheme.org_id).exclude(id__in=reported).order_by("path")[:500])


@login_required
def scheme_detail(request, scheme_id: int):
    scheme = selectors.scheme_get(actor=request.user, scheme_id=scheme_id)
    results = selectors.scheme_results(actor=request.user, scheme=scheme)
    orgs = list(_reportable_orgs(request.user, scheme))
    form = ReportForm(request.POST or None, orgs=orgs, initial={"submitted_on": timezone.localdate()})
    context = {"scheme": scheme, "results": results, "criteria": list(scheme.criteria.all()),
               "can_score": can(request.user, "duties.edit", scheme.org), "report_form": form if orgs else None}
    if request.method == "POST":
        if not orgs:
            raise PermissionDenied("没有需要提交述职报告的组织")

        def action(d):
            return services.duty_report_submit(actor=request.user, scheme=scheme,
                                               org=Org.objects.get(pk=d["org_id"]), reporter=d["reporter"],
                                               content=d["content"], submitted_on=timezone.localdate())

        context["form"] = form
        return run_form(request, form, action, success="述职报告已提交",
                        redirect_to=reverse("duties:scheme_detail", args=[scheme.id]),
                        template="duties/scheme_detail.html", context=context)
    return render(request, "duties/scheme_detail.html", context)


@login_required
def report_detail(request, report_id: int):
    report = selectors.report_get(actor=request.user, report_id=report_id)
    criteria = list(report.scheme.criteria.all())
    can_score = (can(request.user, "duties.edit", report.scheme.org)
                 and not selectors.reviewer_has_scored(report=report, reviewer=request.user)
                 and report.submitted_by_id != request.user.pk)
    form = ScoreForm(request.POST or None, criteria=criteria)
    context = {"report": report, "can_score": can_score,
               "my_scores": report.scores.filter(reviewer=request.user).select_related("criterion"),
               "result": next((r for r in selectors.scheme_results(actor=request.user, scheme=report.scheme)
                               if r["report_id"] == report.id), None)}
    if request.method == "POST":
        return run_form(request, form, lambda d: services.duty_report_score(actor=request.user, report=report,
                                                                            scores=form.scores()),
                        success="评分已提交", redirect_to=reverse("duties:report_detail", args=[report.id]),
                        template="duties/report_detail.html", context=context)
    return render(request, "duties/report_detail.html", {**context, "form": form})
