"""Pages of the rule catalog and the committee's scheme."""
from datetime import timedelta

from django.contrib import messages
from django.db.models import Count
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date

from dangjian.accounts.scope import can, require
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.orgs.models import Org

from . import selectors, services
from .forms import RuleForm, SchemeForm, VersionForm
from .models import Category, PointRule
from .views import bad_request, org_from


@login_required
def rules_view(request):
    org = org_from(request)
    day_text = request.GET.get("on", "").strip()
    try:
        day = parse_date(day_text) if day_text else None
    except ValueError:
        day = None
    if day_text and day is None:
        return bad_request(request, "日期格式应为 YYYY-MM-DD")
    org, versions = selectors.rule_catalog(actor=request.user, org_id=org.id, day=day)
    groups = {}
    for v in versions:
        groups.setdefault(v.get_category_display(), []).append(v)
    return render(request, "points/rules.html", {
        "org": org, "groups": groups, "count": len(versions), "day": day or selectors.today(),
        "can_edit": can(request.user, "points.edit", org), "scheme": selectors.scheme_for(org),
        "formula": selectors.formula_text(selectors.scheme_for(org)), "is_branch": org.kind == Org.Kind.BRANCH,
    })


@login_required
def rule_create(request):
    org = org_from(request)
    require(request.user, "points.edit", org)
    is_branch = org.kind == Org.Kind.BRANCH
    initial = {"valid_from": selectors.today(), "subject": PointRule.Subject.MEMBER}
    code = request.GET.get("code", "")
    parent = selectors.rule_version_in_force(org=org, code=code, day=selectors.today()) if code else None
    if parent is not None:  # start an override from the inherited version
        initial.update({f: getattr(parent, f) for f in ("name", "category", "points", "cap_per_period",
                                                        "evidence_required", "self_report_allowed",
                                                        "requires_approval")}, code=code)
    form = RuleForm(request.POST or None, initial=initial, branch=is_branch)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("code", "subject", "valid_from")}
            try:
                rule = services.rule_create(actor=request.user, org=org, code=form.cleaned_data["code"], data=data,
                                            valid_from=form.cleaned_data["valid_from"],
                                            subject=form.cleaned_data.get("subject") or PointRule.Subject.MEMBER)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已{'调整' if rule.overrides_id else '新建'}积分标准 {rule.code}")
                return redirect(f"{reverse('points:rules')}?org={org.id}")
        status = 400
    title = f"{'调整上级积分标准' if is_branch else '新建积分标准'} · {org.name}"
    return render(request, "points/form.html", {"form": form, "title": title, "org": org, "multipart": False,
                                                "back": f"{reverse('points:rules')}?org={org.id}",
                                                "parent": parent}, status=status)


@login_required
def rule_detail(request, point_rule_id: int):
    rule = selectors.rule_get(actor=request.user, rule_id=point_rule_id)
    versions = selectors.rule_versions(rule)
    current = versions[0]
    can_edit = can(request.user, "points.edit", rule.org)
    is_branch = rule.org.kind == Org.Kind.BRANCH
    initial = {f: getattr(current, f) for f in VersionForm.base_fields if hasattr(current, f)}
    initial["valid_from"] = max(selectors.today(), current.valid_from + timedelta(days=1))
    form = VersionForm(request.POST or None, initial=initial, branch=is_branch)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "retire":
                day = parse_date(request.POST.get("valid_to", "") or "")
                if day is None:
                    raise DomainError("请填写停用日期（YYYY-MM-DD）", field="valid_to")
                services.rule_retire(actor=request.user, rule=rule, valid_to=day)
                messages.success(request, f"已设定自 {day} 起停用")
                return redirect("points:rule_detail", point_rule_id=rule.id)
            if form.is_valid():
                data = {k: v for k, v in form.cleaned_data.items() if k != "valid_from"}
                version = services.rule_revise(actor=request.user, rule=rule, data=data,
                                               valid_from=form.cleaned_data["valid_from"])
                messages.success(request, f"已发布第 {version.version} 版，自 {version.valid_from} 起施行")
                return redirect("points:rule_detail", point_rule_id=rule.id)
        except ValueError:
            messages.error(request, "日期格式应为 YYYY-MM-DD")
        except DomainError as exc:
            if action == "retire":
                messages.error(request, exc.detail)
            else:
                apply_domain_error(form, exc)
        status = 400
    counts = dict(rule.entries.order_by().values("rule_version_id").annotate(n=Count("id"))
                  .values_list("rule_version_id", "n"))
    for v in versions:
        v.entry_count = counts.get(v.id, 0)
    return render(request, "points/rule_detail.html", {
        "rule": rule, "versions": versions, "current": current, "form": form, "can_edit": can_edit,
        "overrides": rule.overridden_by.select_related("org").order_by("org__path"),
    }, status=status)


@login_required
def scheme_view(request):
    org = org_from(request)
    require(request.user, "points.view", org)
    scheme = selectors.scheme_for(org)
    own = scheme.pk is not None and scheme.org_id == org.id
    can_edit = can(request.user, "points.edit", org) and org.kind != Org.Kind.BRANCH
    initial = {"base": scheme.base, "period_kind": scheme.period_kind, "objection_days": scheme.objection_days,
               "warn_below": scheme.warn_below,
               "unqualified_below": scheme.unqualified_below, "note": scheme.note,
               "star_thresholds": ",".join(f"{m}:{s}" for m, s in scheme.stars())}
    for c in Category.values:
        initial[f"weight_{c}"] = scheme.weight(c)
    form = SchemeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.scheme_save(actor=request.user, org=org, data=form.service_data())
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "已保存先锋指数方案")
                return redirect(f"{reverse('points:scheme')}?org={org.id}")
        status = 400
    return render(request, "points/scheme.html", {
        "org": org, "scheme": scheme, "own": own, "form": form, "can_edit": can_edit,
        "weights": [(label, scheme.weight(c)) for c, label in Category.choices if scheme.weight(c) != 1],
        "formula": selectors.formula_text(scheme)}, status=status)
