"""Pages of 标准化规范化: an org's checklist, coverage (orgs × items), issuing and re-checking, evidence and
verdicts, size warnings."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.errors import DomainError
from dangjian.core.files import file_response
from dangjian.core.forms import apply_domain_error
from dangjian.core.shell import redirect_to_current_org
from dangjian.core.xlsx import build_workbook, xlsx_response

from . import rules, selectors, services
from .forms import ChecklistForm, EvidenceForm, SizeSettingsForm, VerdictForm


def _home(request, name: str):
    return redirect_to_current_org(request, name, "standards.view")


@login_required
def index(request):
    return _home(request, "standards:coverage")


@login_required
def venues_index(request):
    return _home(request, "standards:venues")


@login_required
def models_index(request):
    return _home(request, "standards:models")


@login_required
def warnings_index(request):
    return _home(request, "standards:warnings")


# --- one org ---------------------------------------------------------------------------------------

@login_required
def org_standards(request, org_id: int):
    org = selectors.standards_org_get(actor=request.user, org_id=org_id)
    checklist, checks = selectors.org_standards(org)
    met = sum(1 for c in checks if c.verdict == rules.MET)
    return render(request, "standards/org.html", {"org": org, "checklist": checklist, "checks": checks, "met": met,
                                                  "percent": rules.percent(met, len(checks))})


# --- coverage and checklists -----------------------------------------------------------------------

def _pick_checklist(request, org):
    checklists = list(selectors.checklists_covering(actor=request.user, org=org)[:50])
    wanted = request.GET.get("checklist")
    chosen = next((c for c in checklists if str(c.id) == wanted), None) if wanted else None
    return checklists, chosen or (checklists[0] if checklists else None)


@login_required
def coverage(request, org_id: int):
    """Orgs × items with gaps highlighted; ?format=xlsx exports it."""
    org = selectors.standards_org_get(actor=request.user, org_id=org_id)
    checklists, checklist = _pick_checklist(request, org)
    data = selectors.coverage(actor=request.user, org=org, checklist=checklist) if checklist else None
    if data and request.GET.get("format") == "xlsx":
        selectors.standards_org_get(actor=request.user, org_id=org_id, perm="standards.export")
        labels = dict(rules.VERDICTS)
        rows = [[r.org.name, *[labels[c.verdict] if c else "—" for c in r.cells], f"{r.percent}%"] for r in data["rows"]]
        wb = build_workbook(title=f"{org.name} {checklist} 检查覆盖表", sheet_title=f"{checklist.year}年",
                            headers=["党组织", *[i.name for i in data["items"]], "达标率"], rows=rows,
                            widths=[28] + [10] * len(data["items"]) + [10])
        return xlsx_response(wb, f"{org.name}{checklist.year}年标准化检查覆盖表.xlsx")
    can_issue = can(request.user, "standards.edit", org) and org.kind != "branch"
    return render(request, "standards/coverage.html", {
        "org": org, "checklists": checklists, "checklist": checklist, "data": data, "can_issue": can_issue,
        "checklist_link": checklist is not None and can(request.user, "standards.view", checklist.org)})


@login_required
def checklists(request, org_id: int):
    """The checklists this org issued, and the form to issue one (default 八有)."""
    org = selectors.standards_org_get(actor=request.user, org_id=org_id)
    can_issue = can(request.user, "standards.edit", org) and org.kind != "branch"
    form = ChecklistForm(request.POST or None, initial={"year": selectors.today().year})
    status = 200
    if request.method == "POST":
        selectors.standards_org_get(actor=request.user, org_id=org_id, perm="standards.edit")
        status = 400
        if form.is_valid():
            try:
                checklist = services.checklist_issue(actor=request.user, org=org, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, f"已向 {checklist.checks.values('org').distinct().count()} 个党组织下发清单")
                return redirect("standards:checklist", standard_checklist_id=checklist.id)
    issued = selectors.checklists_covering(actor=request.user, org=org).filter(org=org)
    return render(request, "standards/checklists.html", {"org": org, "form": form, "can_issue": can_issue,
                                                         "issued": issued}, status=status)


@login_required
def checklist_detail(request, standard_checklist_id: int):
    checklist = selectors.checklist_get(actor=request.user, checklist_id=standard_checklist_id)
    data = selectors.coverage(actor=request.user, org=checklist.org, checklist=checklist)
    return render(request, "standards/checklist.html", {
        "checklist": checklist, "org": checklist.org, "data": data,
        "can_edit": can(request.user, "standards.edit", checklist.org),
        "rechecked": checklist.rechecks.order_by("year").first()})


@login_required
@require_POST
def checklist_recheck(request, standard_checklist_id: int):
    checklist = selectors.checklist_get(actor=request.user, checklist_id=standard_checklist_id, perm="standards.edit")
    try:
        new = services.checklist_recheck(actor=request.user, checklist=checklist)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("standards:checklist", standard_checklist_id=checklist.id)
    messages.success(request, f"已发起 {new.year} 年度复查")
    return redirect("standards:checklist", standard_checklist_id=new.id)


# --- one check: evidence and verdict ---------------------------------------------------------------

def _check_page(request, check, *, evidence_form=None, verdict_form=None, status=200):
    return render(request, "standards/check.html", {
        "check": check, "org": check.org, "evidence": check.evidence.select_related("uploaded_by"),
        "can_upload": can(request.user, "standards.edit", check.org),
        "can_judge": can(request.user, "standards.edit", check.checklist.org),
        "evidence_form": evidence_form or EvidenceForm(initial={"kind": _default_kind(check)}),
        "verdict_form": verdict_form or VerdictForm(initial={"verdict": check.verdict, "note": check.note}),
        "hints": rules.KIND_HINTS,
    }, status=status)


def _default_kind(check) -> str:
    return next((k for code, _, _, k in rules.BAYOU if code == check.item.code), rules.PHOTO)


@login_required
def check_detail(request, standard_check_id: int):
    check = selectors.check_get(actor=request.user, check_id=standard_check_id)
    return _check_page(request, check)


@login_required
@require_POST
def evidence_add(request, standard_check_id: int):
    check = selectors.check_get(actor=request.user, check_id=standard_check_id, perm="standards.edit")
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evidence_add(actor=request.user, check=check, kind=data["kind"], upload=data["file"],
                                  figure_value=data["figure_value"], figure_unit=data["figure_unit"],
                                  caption=data["caption"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已上传佐证材料")
            return redirect("standards:check", standard_check_id=check.id)
    return _check_page(request, check, evidence_form=form, status=400)


@login_required
@require_POST
def check_judge(request, standard_check_id: int):
    check = selectors.check_get(actor=request.user, check_id=standard_check_id)
    form = VerdictForm(request.POST)
    if form.is_valid():
        try:
            services.check_judge(actor=request.user, check=check, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已记录检查结论")
            return redirect("standards:check", standard_check_id=check.id)
    return _check_page(request, check, verdict_form=form, status=400)


@login_required
def evidence_file(request, evidence_id: int):
    return file_response(selectors.evidence_get(actor=request.user, evidence_id=evidence_id).file)


# --- size warnings ---------------------------------------------------------------------------------

def _warnings_page(request, org, *, settings_form=None, status=200):
    rows = selectors.size_warnings(actor=request.user, org=org)
    counts = {}
    for s in rows:
        for w in s.warnings:
            counts[w.rule] = counts.get(w.rule, 0) + 1
    committee_min = selectors.committee_min_many([org])[org.id]
    return render(request, "standards/warnings.html", {
        "org": org, "rows": rows, "counts": counts, "committee_min": committee_min,
        "can_settings": org.kind == "committee" and can(request.user, "standards.edit", org),
        "settings_form": settings_form or SizeSettingsForm(initial={"committee_min_members": committee_min})},
        status=status)


@login_required
def size_warnings(request, org_id: int):
    org = selectors.standards_org_get(actor=request.user, org_id=org_id)
    return _warnings_page(request, org)


@login_required
@require_POST
def size_settings(request, org_id: int):
    """R-COMMITTEE-100 ⚙: a 党委's own threshold for setting up a 基层党委."""
    org = selectors.standards_org_get(actor=request.user, org_id=org_id, perm="standards.edit")
    form = SizeSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.size_settings_set(actor=request.user, org=org,
                                       committee_min_members=form.cleaned_data["committee_min_members"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("standards:warnings", org_id=org.id)
    return _warnings_page(request, org, settings_form=form, status=400)
