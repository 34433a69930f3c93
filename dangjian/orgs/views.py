from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, has_any, require, scope_q
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.shell import current_org

from . import selectors, services
from .forms import OrgCreateForm, OrgEditForm, OrgMoveForm, PartyGroupForm
from .models import Org, Unit
from .tree import subtree_q

MOVE_TARGETS_MAX = 500


@login_required
def tree(request):
    org = current_org(request)
    if org is None:
        raise Http404
    return redirect("orgs:detail", org_id=org.id)


@login_required
def detail(request, org_id: int):
    org = selectors.org_get(actor=request.user, org_id=org_id)
    q = request.GET.get("q", "").strip()
    results = None
    if q:
        results = selectors.org_subtree(actor=request.user, org=org, q=q)[:100]
    children = selectors.org_children(actor=request.user, org=org)
    return render(request, "orgs/detail.html", {
        "org": org, "children": children, "q": q, "results": results,
        "ancestors": selectors.org_ancestors(actor=request.user, org=org),
        "groups": org.party_groups.all() if org.kind == Org.Kind.BRANCH else None,
        "can_manage": can(request.user, "orgs.manage", org),
        "can_edit": can(request.user, "orgs.edit", org),
        "group_form": PartyGroupForm(),
    })


@login_required
def create_child(request, org_id: int):
    parent = selectors.org_get(actor=request.user, org_id=org_id)
    require(request.user, "orgs.manage", parent)
    if not parent.allowed_child_kinds():
        messages.error(request, "党支部下不能再设立党组织")
        return redirect("orgs:detail", org_id=parent.id)
    form = OrgCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = None
            if data["unit_name"].strip():
                unit = Unit.objects.filter(name=data["unit_name"].strip()).first() or services.unit_create(
                    actor=request.user, name=data["unit_name"], kind=data["unit_kind"] or Unit.Kind.OTHER)
            org = services.org_create(actor=request.user, parent=parent, name=data["name"], kind=data["kind"],
                                      unit=unit, is_region=data["is_region"], founded_on=data["founded_on"],
                                      secretary=data["secretary"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已创建 {org.name}")
            return redirect("orgs:detail", org_id=parent.id)
    return render(request, "orgs/form.html", {"form": form, "parent": parent, "title": f"在「{parent.name}」下新建组织"})


@login_required
def edit(request, org_id: int):
    org = selectors.org_get(actor=request.user, org_id=org_id)
    require(request.user, "orgs.manage", org)
    form = OrgEditForm(request.POST or None, initial={"name": org.name, "founded_on": org.founded_on,
                                                      "secretary": org.secretary})
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(actor=request.user, org=org, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("orgs:detail", org_id=org.id)
    return render(request, "orgs/form.html", {"form": form, "parent": org, "title": f"编辑「{org.name}」"})


@login_required
def move(request, org_id: int):
    org = selectors.org_get(actor=request.user, org_id=org_id)
    require(request.user, "orgs.manage", org)
    targets = (Org.objects.filter(scope_q(request.user, perm="orgs.manage"))
               .exclude(subtree_q(org.path)).exclude(kind=Org.Kind.BRANCH).order_by("path")[:MOVE_TARGETS_MAX])
    form = OrgMoveForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            new_parent = selectors.org_get(actor=request.user, org_id=form.cleaned_data["parent_id"])
            services.org_move(actor=request.user, org=org, new_parent=new_parent)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已将 {org.name} 移到 {new_parent.name} 之下")
            return redirect("orgs:detail", org_id=org.id)
    return render(request, "orgs/form.html", {"form": form, "parent": org, "title": f"移动「{org.name}」"})


@login_required
@require_POST
def group_create(request, org_id: int):
    org = selectors.org_get(actor=request.user, org_id=org_id)
    form = PartyGroupForm(request.POST)
    if form.is_valid():
        try:
            services.party_group_create(actor=request.user, org=org, **form.cleaned_data)
            messages.success(request, "已新建党小组")
        except DomainError as exc:
            messages.error(request, exc.detail)
    else:
        messages.error(request, "请填写党小组名称（不超过 50 字）")
    return redirect("orgs:detail", org_id=org.id)


@login_required
def picker(request):
    """Choose the current org among those in scope (search for large trees)."""
    if not has_any(request.user, "orgs.view"):
        raise Http404
    q = request.GET.get("q", "").strip()
    nxt = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    qs = selectors.org_list(actor=request.user)
    if q:
        qs = qs.filter(name__icontains=q)
    else:
        qs = qs.filter(depth__lte=min([o.depth for o in qs[:1]] or [1]) + 2)
    return render(request, "orgs/picker.html", {"orgs": qs[:200], "q": q, "next": nxt})
