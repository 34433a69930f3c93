from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, require
from dangjian.core.pagination import page_of
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from .. import selectors, services
from ..forms import AssignForm, InstructorForm, LogForm
from .common import int_param, need, page_org, post_action, query_without_page, run_form, this_year
from .pledges import _invalid


@login_required
def instructors(request):
    need(request)
    org = page_org(request)
    q = request.GET.get("q", "").strip()[:50]
    page = page_of(selectors.instructor_list(actor=request.user, org=org, q=q), request)
    return render(request, "duties/instructors.html", {
        "org": org, "page": page, "q": q, "query": query_without_page(request),
        "coverage": selectors.instructor_coverage(actor=request.user, org=org),
        "enterprise": selectors.instructor_coverage(actor=request.user, org=org, enterprise_only=True),
        "can_create": can(request.user, "duties.edit", org)})


@login_required
def instructor_create(request):
    need(request)
    org = page_org(request)
    require(request.user, "duties.edit", org)
    form = InstructorForm(request.POST or None)
    return run_form(request, form, lambda d: services.instructor_create(actor=request.user, org=org, **d),
                    success="已登记党建指导员",
                    redirect_to=lambda i: reverse("duties:instructor_detail", args=[i.id]),
                    context={"title": f"{org.name} · 选派党建指导员", "back": reverse("duties:instructors")})


@login_required
def instructor_detail(request, instructor_id: int):
    instructor = selectors.instructor_get(actor=request.user, instructor_id=instructor_id)
    editable = can(request.user, "duties.edit", instructor.org)
    orgs = (Org.objects.filter(subtree_q(instructor.org.path), is_active=True).exclude(pk=instructor.org_id)
            .order_by("path")[:500]) if editable else []
    form = AssignForm(request.POST or None, orgs=orgs)
    context = {"instructor": instructor, "editable": editable,
               "assignments": selectors.assignments_of(actor=request.user, instructor=instructor)}
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("只有选派组织可以安排指导关系")
        return run_form(request, form, lambda d: services.instructor_assign(
            actor=request.user, instructor=instructor, org=Org.objects.get(pk=d["org_id"]),
            started_on=d["started_on"], note=d["note"]), success="已安排指导关系",
            redirect_to=reverse("duties:instructor_detail", args=[instructor.id]),
            template="duties/instructor_detail.html", context=context)
    return render(request, "duties/instructor_detail.html", {**context, "form": form})


@login_required
def assignment_detail(request, assignment_id: int):
    a = selectors.assignment_get(actor=request.user, assignment_id=assignment_id)
    year = int_param(request, "year", low=2000) or this_year()
    form = LogForm(request.POST or None, items=selectors.checklist_for(a.org))
    context = {"a": a, "year": year, "checklist": selectors.assignment_checklist(assignment=a, year=year),
               "logs": a.logs.select_related("item", "created_by")[:100],
               "can_end": a.ended_on is None and can(request.user, "duties.edit", a.instructor.org)}
    if request.method == "POST":
        def action(d):
            category, item_id = form.category_and_item()
            return services.instructor_log_create(actor=request.user, assignment=a, category=category,
                                                  item_id=item_id, happened_on=d["happened_on"],
                                                  content=d["content"])

        return run_form(request, form, action, success="工作记录已保存",
                        redirect_to=reverse("duties:assignment_detail", args=[a.id]),
                        template="duties/assignment_detail.html", context=context)
    return render(request, "duties/assignment_detail.html", {**context, "form": form})


@login_required
@require_POST
def assignment_end(request, assignment_id: int):
    from django import forms as djforms

    a = selectors.assignment_get(actor=request.user, assignment_id=assignment_id)
    form = djforms.Form(request.POST)
    form.fields["ended_on"] = djforms.DateField(label="结束日期")
    back = reverse("duties:assignment_detail", args=[a.id])
    if not form.is_valid():
        return post_action(request, lambda: _invalid(form), success="", back=back)
    return post_action(request, lambda: services.assignment_end(actor=request.user, assignment=a,
                                                                ended_on=form.cleaned_data["ended_on"]),
                       success="指导关系已结束", back=back)
