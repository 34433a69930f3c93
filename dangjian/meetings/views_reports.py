"""Compliance matrix, attendance rates and R-ABSENT-6M warnings, 谈心谈话, settings ⚙."""
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.scope import can
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.members.selectors import member_get, members_on_rolls

from . import rules, selectors, services
from .forms import HeartTalkForm, SettingsForm
from .views import _int, page_org

TALK_MEMBER_CHOICES_MAX = 1000


def short_period(key: str) -> str:
    """"2026-03" → "3月", "2026-Q2" → "Q2", "2026" → "全年" (the matrix is per year)."""
    if len(key) == 4:
        return "全年"
    rest = key.split("-")[1]
    return rest if rest.startswith("Q") else f"{int(rest)}月"


@login_required
def compliance(request):
    org = page_org(request)
    year = _int(request.GET.get("year"), timezone.localdate().year, 2000, 2100)
    page = _int(request.GET.get("page"), 1, 1)
    data = selectors.compliance(actor=request.user, org=org, year=year, page=page, page_size=100)
    pages = max(1, (data["count"] + 99) // 100)
    kinds = [(k, rules.KIND_LABELS[k]) for k in rules.COMPLIANCE_KINDS]
    for b in data["branches"]:
        b["cells"] = [{**b["kinds"][k], "missing": [(p, short_period(p)) for p in b["kinds"][k]["missing_periods"]],
                       "due": [short_period(p) for p in b["kinds"][k]["due_periods"]]} for k in rules.COMPLIANCE_KINDS]
    summary = {"branches": len(data["branches"]), "compliant": sum(1 for b in data["branches"] if b["compliant"]),
               "missing": sum(b["missing"] for b in data["branches"])}
    return render(request, "meetings/compliance.html", {
        "org": org, "year": year, "data": data, "kinds": kinds, "summary": summary, "page": page, "pages": pages,
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        "freq_labels": rules.FREQ_LABELS})


@login_required
def attendance_report(request):
    org = page_org(request)
    today = timezone.localdate()
    year = _int(request.GET.get("year"), today.year, 2000, 2100)
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    branches = selectors.branch_attendance_rates(actor=request.user, org=org, start=start, end=end)
    members = None
    if org.kind == "branch":
        members = selectors.member_attendance_rates(actor=request.user, org=org, start=start, end=end)
    warnings = selectors.absence_warnings(actor=request.user, org=org)
    return render(request, "meetings/attendance_report.html", {
        "org": org, "year": year, "branches": branches, "members": members, "warnings": warnings[:300],
        "warnings_count": len(warnings), "settings": selectors.settings_for(org)})


@login_required
def talks(request):
    org = page_org(request)
    year = _int(request.GET.get("year"), timezone.localdate().year, 2000, 2100)
    can_edit = can(request.user, "meetings.edit", org)
    form = None
    if can_edit:
        roll = (members_on_rolls(org).select_related("org")
                .order_by("org__path", "name_pinyin", "name")[:TALK_MEMBER_CHOICES_MAX])
        form = HeartTalkForm(request.POST or None, members=roll, initial={"talked_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                member = member_get(actor=request.user, member_id=data.pop("member_id"))
                services.heart_talk_create(actor=request.user, member=member, data=data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "已登记谈心谈话")
                return redirect(f"{request.path}?org={org.id}&year={year}")
    missing = selectors.heart_talk_missing(actor=request.user, org=org, year=year)
    return render(request, "meetings/talks.html", {
        "org": org, "year": year, "form": form, "page": page_of(selectors.heart_talks(actor=request.user, org=org,
                                                                                     year=year), request),
        "missing": missing[:200], "missing_count": missing.count(), "query": f"org={org.id}&year={year}"})


@login_required
def settings_page(request):
    org = page_org(request, "meetings.manage")
    eff = selectors.settings_for(org)
    initial = {"checkin_lead_minutes": eff.checkin_lead_minutes, "lecture_freq": eff.lecture_freq,
               "assembly_quorum": eff.assembly_quorum, "absent_warning_months": eff.absent_warning_months,
               "review_excellent_cap": eff.review_excellent_cap}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_settings_set(actor=request.user, org=org, data=form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已保存，{org.name}及其下级组织适用")
            return redirect(f"{request.path}?org={org.id}")
    inherited = eff.source_org_id not in (None, org.id)
    return render(request, "meetings/settings.html", {"org": org, "form": form, "inherited": inherited, "eff": eff})
