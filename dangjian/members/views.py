"""Member pages: roster, profile, forms, self-service. Transfers, mobile and cases are in views_lifecycle."""
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, require
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.models import AuditEvent
from dangjian.core.pagination import page_of
from dangjian.core.shell import current_org
from dangjian.orgs.models import Org, PartyGroup
from dangjian.orgs.selectors import org_get

from . import selectors, services
from .choices import Education, Gender, Stage, Status
from .forms import ChangeRequestForm, MemberForm

from .selectors import AGE_BANDS, PARTY_YEAR_BANDS, MemberFilters

FILTER_KEYS = ["q", "stage", "status", "education", "gender", "party_group", "age_band", "party_years", "flag"]
AGE_LABELS = {"lt35": "35 岁以下", "35-45": "35–45 岁", "46-55": "46–55 岁", "56-65": "56–65 岁", "gt65": "65 岁以上"}
PARTY_YEAR_LABELS = {"lt10": "10 年以下", "10-29": "10–29 年", "30-49": "30–49 年", "50+": "50 年及以上"}
FLAG_LABELS = {"veteran": "老党员（党龄 50 年+）", "in_hardship": "困难党员", "is_retired": "离退休", "is_cadre": "领导干部",
               "is_exempt": "送学上门"}


def _filters_from(request) -> MemberFilters:
    data = {k: request.GET.get(k, "").strip()[:50] for k in FILTER_KEYS}
    try:
        data["party_group"] = int(data["party_group"]) if data["party_group"] else None
    except ValueError:
        data["party_group"] = None
    return MemberFilters(**data)


def _org_from(request) -> Org:
    org_id = request.GET.get("org")
    if org_id:
        return org_get(actor=request.user, org_id=org_id)
    org = current_org(request)
    if org is None:
        raise Http404
    return org


@login_required
def roster(request):
    org = _org_from(request)
    filters = _filters_from(request)
    qs = selectors.member_list(actor=request.user, org=org, filters=filters)
    page = page_of(qs, request, per_page=30)
    query = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    groups = PartyGroup.objects.filter(org=org) if org.kind == Org.Kind.BRANCH else []
    template = "members/_partials/roster_table.html" if request.htmx and request.htmx.target == "roster" else "members/roster.html"
    return render(request, template, {
        "org": org, "page": page, "filters": filters, "query": query, "groups": groups,
        "filtered": any(v for v in filters.__dict__.values()),
        "stages": Stage.choices, "statuses": Status.choices, "educations": Education.choices, "genders": Gender.choices,
        "age_bands": [(k, AGE_LABELS[k]) for k in AGE_BANDS], "party_year_bands": [(k, PARTY_YEAR_LABELS[k]) for k in PARTY_YEAR_BANDS],
        "flags": FLAG_LABELS.items(), "can_edit": can(request.user, "members.edit", org),
        "can_export": can(request.user, "members.export", org),
        "pending": selectors.change_requests_pending(actor=request.user, org=org).count(),
    })


@login_required
def export(request):
    org = _org_from(request)
    require(request.user, "members.export", org)
    from dangjian.core.xlsx import xlsx_response

    from .exporting import roster_workbook

    filters = _filters_from(request)
    qs = selectors.member_list(actor=request.user, org=org, filters=filters)
    audit(actor=request.user, verb="member.export", target=org, org=org,
          after={"filters": {k: v for k, v in filters.__dict__.items() if v}, "count": qs.count(), "format": "xlsx"})
    return xlsx_response(roster_workbook(qs, reveal_ids=False), f"{org.name}党员花名册.xlsx")


@login_required
def export_pdf(request):
    from dangjian.core.files import download_response

    org = _org_from(request)
    require(request.user, "members.export", org)
    from .exporting import roster_pdf

    qs = selectors.member_list(actor=request.user, org=org, filters=_filters_from(request))
    audit(actor=request.user, verb="member.export", target=org, org=org, after={"count": qs.count(), "format": "pdf"})
    return download_response(roster_pdf(qs, org=org, title=f"{org.name}党员花名册"), inline=True,
                             filename=f"{org.name}党员花名册.pdf", content_type="application/pdf")


@login_required
@require_POST
def bulk_group(request):
    org = _org_from(request)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:500]
    group_id = request.POST.get("party_group_id", "")
    members = list(selectors.member_list(actor=request.user, org=org).filter(id__in=ids))
    group = None
    if group_id:
        group = PartyGroup.objects.filter(id=group_id if group_id.isdigit() else 0, org=org).first()
        if group is None:
            messages.error(request, "请选择本支部的党小组")
            return redirect(f"/members/?org={org.id}")
    if not members:
        messages.error(request, "请先勾选党员")
        return redirect(f"/members/?org={org.id}")
    try:
        moved = services.member_move_to_group(actor=request.user, members=members, group=group)
        messages.success(request, f"已调整 {moved} 名党员的党小组")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect(f"/members/?org={org.id}")


@login_required
def detail(request, member_id: int):
    member = selectors.member_get(actor=request.user, member_id=member_id)
    if not can(request.user, "members.view", member.org):
        raise Http404
    events = AuditEvent.objects.filter(target_type="members.member", target_id=str(member.id))[:100]
    return render(request, "members/detail.html", {
        "m": member, "events": events, "can_edit": can(request.user, "members.edit", member.org),
        "can_reveal": services.can_reveal_id(request.user, member),
        "transfers": member.transfers.select_related("from_org", "to_org")[:20],
        "mobile": member.mobile_records.all()[:20], "disposals": member.disposals.all()[:20],
        "requests": member.change_requests.all()[:20],
    })


@login_required
@require_POST
def reveal_id(request, member_id: int):
    member = selectors.member_get(actor=request.user, member_id=member_id)
    number = services.member_reveal_id(actor=request.user, member=member)
    return render(request, "members/_partials/id_revealed.html", {"number": number})


def _form_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    data["id_number"] = (data.get("id_number") or "").strip()
    data["gender"] = data.get("gender") or None
    return data


@login_required
def create(request):
    org = _org_from(request)
    require(request.user, "members.edit", org)
    if org.kind != Org.Kind.BRANCH:
        messages.info(request, "党员须编入党支部：请先在组织架构中选择一个党支部")
        return redirect(f"/orgs/{org.id}/")
    form = MemberForm(request.POST or None, groups=PartyGroup.objects.filter(org=org))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_create(actor=request.user, org=org, data=_form_data(form))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记党员 {member.name}")
            return redirect("members:detail", member_id=member.id)
    return render(request, "members/form.html", {"form": form, "org": org, "title": f"登记党员 · {org.name}"})


@login_required
def edit(request, member_id: int):
    member = selectors.member_get(actor=request.user, member_id=member_id)
    require(request.user, "members.edit", member.org)
    initial = {f: getattr(member, f) for f in services.EDITABLE if f != "id_number"}
    initial["version"] = services.member_version(member)
    form = MemberForm(request.POST or None, initial=initial, groups=PartyGroup.objects.filter(org=member.org))
    form.fields["version"].required = True
    form.fields["id_number"].help_text = f"当前：{member.id_masked or '未填写'}；留空则不修改"
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        if not data["id_number"]:
            data.pop("id_number")
        try:
            services.member_update(actor=request.user, member=member, data=data,
                                   expected_version=form.cleaned_data["version"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("members:detail", member_id=member.id)
    return render(request, "members/form.html", {"form": form, "org": member.org, "title": f"编辑 · {member.name}",
                                                 "member": member})


# --- Self-service ------------------------------------------------------------------------

@login_required
def me(request):
    member = selectors.member_of_user(request.user)
    if member is None:
        raise Http404
    form = ChangeRequestForm(request.POST or None, fields=services.SELF_SERVICE_FIELDS.items())
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_create(actor=request.user, member=member, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "更正申请已提交，党支部审核通过后生效")
            return redirect("members:me")
    return render(request, "members/me.html", {"m": member, "form": form,
                                               "requests": member.change_requests.all()[:20]})


@login_required
def change_requests(request):
    org = _org_from(request)
    page = page_of(selectors.change_requests_pending(actor=request.user, org=org), request)
    return render(request, "members/change_requests.html", {"org": org, "page": page,
                                                            "labels": services.SELF_SERVICE_FIELDS})


@login_required
@require_POST
def change_request_decide(request, request_id: int):
    req = selectors.change_request_get(actor=request.user, request_id=request_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.change_request_decide(actor=request.user, request=req, approve=approve,
                                       note=request.POST.get("note", "")[:200])
        messages.success(request, "已通过" if approve else "已驳回")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect(f"/members/change-requests/?org={req.member.org_id}")


