"""Pages: unit tree, volunteer roster and records, stats and the 志愿服务台账 export."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.core.xlsx import build_workbook, xlsx_response
from dangjian.members.models import Member
from dangjian.members.selectors import member_get
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from .. import rules, selectors, services
from ..forms import ProfileForm, StaffProfileForm, UnitForm, UnitMemberForm, slots_text
from ..models import VolunteerProfile, VolunteerUnit
from ._common import CHOICES_MAX, editable_orgs, query_string, staff_org


@login_required
def units(request):
    org = staff_org(request)
    chain = [org.path[: i * Org.steplen] for i in range(1, org.depth)]
    above = (VolunteerUnit.objects.filter(org__path__in=chain, is_active=True).exclude(level="team")
             .order_by("org__path", "level")) if chain else []
    return render(request, "volunteers/units.html", {
        "org": org, "tree": selectors.unit_tree(actor=request.user, org=org), "above": above,
        "stats": selectors.registration_stats(org=org),
        "employed": selectors.registration_stats(org=org, employed_only=True),
        "target": rules.REGISTRATION_TARGET, "can_edit": can(request.user, "volunteers.edit", org),
    })


def _parent_choices(request, org: Org):
    """Units the actor sees under org, plus those of org's ancestors (a team may hang from the town's station)."""
    chain = [org.path[: i * Org.steplen] for i in range(1, org.depth)]
    return (VolunteerUnit.objects.filter(Q(org__path__in=chain) | subtree_q(org.path, field="org__path"))
            .exclude(level="team").filter(is_active=True).select_related("org").order_by("org__path", "level")
            [:CHOICES_MAX])


@login_required
def unit_new(request):
    org = staff_org(request, "volunteers.edit")
    form = UnitForm(request.POST or None, orgs=editable_orgs(request, org), parents=_parent_choices(request, org))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = selectors.org_visible(actor=request.user, org_id=data["org_id"])
            parent = (selectors.unit_parent_get(actor=request.user, parent_id=data["parent_id"], org=target)
                      if data["parent_id"] else None)
            unit = services.unit_create(actor=request.user, org=target, name=data["name"], level=data["level"],
                                        parent=parent, specialty=data["specialty"], description=data["description"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已新建{unit.get_level_display()}：{unit.name}")
            return redirect("volunteers:unit_detail", unit_id=unit.id)
    return render(request, "volunteers/form.html", {"form": form, "title": "新建志愿服务组织",
                                                     "back": "volunteers:units"})


@login_required
def unit_detail(request, unit_id: int):
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id)
    can_edit = can(request.user, "volunteers.edit", unit.org)
    members = selectors.unit_members(unit=unit)
    form = None
    if can_edit:
        pool = (VolunteerProfile.objects.filter(subtree_q(unit.org.path, field="org__path"), is_active=True)
                .exclude(memberships__unit=unit).select_related("org").order_by("name")[:CHOICES_MAX])
        form = UnitMemberForm(request.POST or None, volunteers=pool)
        if request.method == "POST" and form.is_valid():
            try:
                volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=form.cleaned_data["volunteer_id"])
                services.unit_add_member(actor=request.user, unit=unit, volunteer=volunteer,
                                         role=form.cleaned_data["role"])
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已将 {volunteer.name} 加入{unit.name}")
                return redirect("volunteers:unit_detail", unit_id=unit.id)
    children = unit.children.select_related("org").order_by("level", "name")
    return render(request, "volunteers/unit_detail.html", {"unit": unit, "members": members, "form": form,
                                                           "children": children, "can_edit": can_edit})


@login_required
@require_POST
def unit_member_remove(request, unit_id: int, volunteer_id: int):
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id)
    volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=volunteer_id)
    try:
        services.unit_remove_member(actor=request.user, unit=unit, volunteer=volunteer)
        messages.success(request, f"已将 {volunteer.name} 移出{unit.name}")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("volunteers:unit_detail", unit_id=unit.id)


# --- Roster and records -----------------------------------------------------------------------------

@login_required
def profiles(request):
    org = staff_org(request)
    f = {k: request.GET.get(k, "").strip() for k in ("q", "skill", "grid", "kind", "weekday")}
    weekday = int(f["weekday"]) if f["weekday"].isdigit() and 1 <= int(f["weekday"]) <= 7 else None
    qs = selectors.volunteer_list(actor=request.user, org=org, q=f["q"], skill=f["skill"], grid=f["grid"],
                                  kind=f["kind"], weekday=weekday)
    return render(request, "volunteers/profiles.html", {
        "org": org, "page": page_of(qs, request), "f": f, "query": query_string(request),
        "skills": selectors.skill_choices(org=org)[:60], "weekdays": rules.WEEKDAYS,
        "can_edit": can(request.user, "volunteers.edit", org), "year": timezone.localdate().year,
    })


def _profile_data(cleaned: dict) -> dict:
    keys = ("skills", "interests", "capacity", "availability", "grid", "phone", "address", "max_load")
    return {k: cleaned[k] for k in keys if k in cleaned}


@login_required
def profile_new(request):
    org = staff_org(request, "volunteers.edit")
    members = (Member.objects.filter(subtree_q(org.path, field="org__path"), volunteer__isnull=True,
                                     stage__in=["probationary", "full"]).select_related("org")
               .order_by("org__path", "name")[:CHOICES_MAX])
    form = StaffProfileForm(request.POST or None, members=members, orgs=editable_orgs(request, org))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["member_id"]:
                member = member_get(actor=request.user, member_id=data["member_id"])
                profile = services.volunteer_register(actor=request.user, member=member, data=_profile_data(data))
            else:
                if not data["org_id"]:
                    raise DomainError("请选择党员，或选择群众志愿者的所属组织", field="org_id")
                target = selectors.org_visible(actor=request.user, org_id=data["org_id"])
                profile = services.volunteer_register(actor=request.user, org=target,
                                                      data={**_profile_data(data), "name": data["name"]})
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记志愿者：{profile.name}")
            return redirect("volunteers:profile_detail", volunteer_id=profile.id)
    return render(request, "volunteers/form.html", {"form": form, "title": "登记志愿者",
                                                     "back": "volunteers:profiles"})


@login_required
def profile_detail(request, volunteer_id: int):
    volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=volunteer_id)
    year = timezone.localdate().year
    entries = volunteer.hours_entries.select_related("activity").order_by("-served_on", "-id")[:50]
    return render(request, "volunteers/profile_detail.html", {
        "v": volunteer, "slots": rules.slots_from_json(volunteer.availability),
        "units": volunteer.memberships.select_related("unit"), "entries": entries,
        "year": year,
        "year_hours": selectors.volunteer_year_hours(volunteer=volunteer, year=year),
        "deeds": volunteer.good_deeds.order_by("-done_on")[:20],
        "demands": volunteer.demands.order_by("-created_at")[:20],
        "can_edit": can(request.user, "volunteers.edit", volunteer.org) or (
            volunteer.member_id and volunteer.member.user_id == request.user.pk),
    })


def _profile_initial(v: VolunteerProfile) -> dict:
    return {"skills": "、".join(v.skills or []), "interests": "、".join(v.interests or []), "capacity": v.capacity,
            "availability": slots_text(v.availability), "grid": v.grid, "phone": v.phone, "address": v.address,
            "max_load": v.max_load}


@login_required
def profile_edit(request, volunteer_id: int):
    volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=volunteer_id)
    form = ProfileForm(request.POST or None, initial=_profile_initial(volunteer))
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(actor=request.user, volunteer=volunteer, data=_profile_data(form.cleaned_data))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存志愿者信息")
            return redirect("volunteers:profile_detail", volunteer_id=volunteer.id)
    back = "volunteers:profiles" if can(request.user, "volunteers.view", volunteer.org) else "volunteers:me"
    return render(request, "volunteers/form.html", {"form": form, "title": f"编辑志愿者：{volunteer.name}",
                                                     "back": back})


# --- Stats and export -----------------------------------------------------------------------------------

@login_required
def stats(request):
    org = staff_org(request)
    this_year = timezone.localdate().year
    year_raw = request.GET.get("year", str(this_year))
    year = int(year_raw) if year_raw.isdigit() and 2000 <= int(year_raw) <= 2100 else None
    by = request.GET.get("by", "person") if request.GET.get("by") in ("person", "team", "org") else "person"
    rows = selectors.totals(actor=request.user, org=org, year=year, by=by)
    series = selectors.totals_by_year(actor=request.user, org=org)
    return render(request, "volunteers/stats.html", {
        "org": org, "rows": rows[:200], "count": len(rows), "year": year, "by": by, "series": series,
        "years": list(range(this_year, this_year - 6, -1)),
        "chart": {"years": [s["year"] for s in series], "hours": [float(s["hours"]) for s in series],
                  "deeds": [s["deeds"] for s in series], "activities": [s["activities"] for s in series]},
        "by_org": selectors.registration_by_org(actor=request.user, org=org)[:200],
        "stats": selectors.registration_stats(org=org), "target": rules.REGISTRATION_TARGET,
    })


LEDGER_HEADERS = ["序号", "姓名", "身份", "所属组织", "联系电话", "特长", "兴趣", "服务能力", "服务时间", "网格",
                  "所在服务队", "本年服务时长（小时）", "本年好人好事（件）", "登记方式", "状态"]


@login_required
def export_ledger(request):
    """志愿服务台账 (xlsx); every export of personal data is audited (DESIGN rule 7)."""
    org = staff_org(request, "volunteers.export")
    year_raw = request.GET.get("year", "")
    year = int(year_raw) if year_raw.isdigit() and 2000 <= int(year_raw) <= 2100 else timezone.localdate().year
    rows = selectors.ledger_rows(actor=request.user, org=org, year=year)
    wb = build_workbook(title=f"{org.name}志愿服务台账（{year}年）", headers=LEDGER_HEADERS, rows=rows,
                        widths=[6, 10, 6, 22, 14, 24, 18, 20, 30, 10, 22, 12, 12, 12, 8], sheet_title="志愿服务台账")
    audit(actor=request.user, verb="volunteer.export", target=org, org=org, after={"year": year, "rows": len(rows)})
    return xlsx_response(wb, f"{org.name}志愿服务台账{year}.xlsx")
