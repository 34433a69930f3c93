"""发展党员 pages: the pipeline board per org, a person's timeline with the next allowed steps, a new applicant."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, org_get_visible, scope_q
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.core.shell import current_org
from dangjian.members.choices import Stage
from dangjian.members.selectors import member_get
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q
from dangjian.core.files import download_response

from . import selectors, services
from .dossier import PAPER_CHOICES
from .forms import ApplicantForm, DocumentForm, LeavingForm, PlanForm, StepForm, VoidForm
from .steps import STAGE_LABELS, STEP_BY_CODE, label

BRANCH_CHOICES_MAX = 500


@login_required
def board(request, org_id: int | None = None):
    if org_id is None:
        org = current_org(request)
        if org is None:
            raise Http404
    else:
        org = org_get_visible(actor=request.user, org_id=org_id)
    stage = request.GET.get("stage", "")
    stage = stage if stage in Stage.values else ""
    due = request.GET.get("due", "")
    due = due if due in ("soon", "overdue") else ""
    q = request.GET.get("q", "").strip()[:50]
    today = timezone.localdate()
    qs = selectors.pipeline_list(actor=request.user, org=org, stage=stage, due=due, q=q, today=today)
    page = page_of(qs, request)
    rows = [{**selectors.list_item(r, today), "next_label": label(r.next_step) if r.next_step else "",
             "deadline_label": label(r.deadline_step) if r.deadline_step else "",
             "due_label": label(r.due_step) if r.due_step else "", "stage_label": STAGE_LABELS.get(r.member.stage, "")}
            for r in page.object_list]
    query = "&".join(f"{k}={v}" for k, v in (("stage", stage), ("due", due), ("q", q)) if v)
    return render(request, "recruitment/board.html", {
        "org": org, "counts": selectors.stage_counts(actor=request.user, org=org, today=today), "rows": rows,
        "page": page, "query": query, "stage": stage, "due": due, "q": q, "today": today,
        "due_items": selectors.due_items(actor=request.user, org=org, today=today)[:10],
        "can_edit": can(request.user, "recruitment.edit", org),
    })


def _person_context(request, member_id, forms_override=None, void_form=None):
    p = selectors.pipeline_get(actor=request.user, member_id=member_id)
    member = p.member
    can_edit = can(request.user, "recruitment.edit", member.org)
    step_forms = []
    if can_edit:
        for w in p.evaluation.allowed:
            step = STEP_BY_CODE[w.step]
            if forms_override and w.step in forms_override:
                form = forms_override[w.step]
            else:
                form = StepForm(step=step, member=member, initial={"date": w.earliest or p.today})
                if not w.latest:  # no deadline: nothing can be late
                    del form.fields["late_reason"]
            ready = w.earliest is None or w.earliest <= p.today
            step_forms.append({"window": w, "step": step, "form": form, "ready": ready,
                               "again": w.step in p.evaluation.state.last,
                               "open": bool(forms_override and w.step in forms_override)})
        step_forms.sort(key=lambda f: (f["again"] and not f["window"].latest, f["step"].num))
    if step_forms and not any(f["open"] for f in step_forms):
        first = next((f for f in step_forms if f["ready"]), None)
        if first:
            first["open"] = True
    effective = [r for r in p.rows if not r.voids_id and not any(x.voids_id == r.id for x in p.rows)]
    return {
        "p": p, "member": member, "record": p.record, "ev": p.evaluation, "timeline": selectors.timeline(p),
        "stage_labels": STAGE_LABELS, "stages": list(STAGE_LABELS.items()), "can_edit": can_edit,
        "step_forms": step_forms, "last_row": effective[-1] if len(effective) > 1 else None,
        "void_form": void_form or VoidForm(), "voided": [r for r in p.rows if r.voids_id],
        "leaving_form": LeavingForm(initial={"leaving_on": p.record.leaving_on}),
        "stage_index": list(STAGE_LABELS).index(member.stage) if member.stage in STAGE_LABELS else 0,
        "can_board": can(request.user, "recruitment.view", member.org),
    }


@login_required
def person(request, member_id: int):
    return render(request, "recruitment/person.html", _person_context(request, member_id))


@login_required
@require_POST
def record_step(request, member_id: int):
    member = member_get(actor=request.user, member_id=member_id)
    step = STEP_BY_CODE.get(request.POST.get("step", ""))
    if step is None:
        messages.error(request, "未知的发展党员步骤")
        return redirect("recruitment:person", member_id=member.id)
    form = StepForm(request.POST, step=step, member=member)
    if form.is_valid():
        try:
            _, warnings = services.step_record_create(
                actor=request.user, member=member, step=step.code, on=form.cleaned_data["date"],
                data=form.payload(), late_reason=form.cleaned_data["late_reason"])
        except DomainError as exc:
            apply_domain_error(form, exc)
            if exc.rule:
                form.add_error(None, f"依据：{exc.rule}")
        else:
            messages.success(request, f"已记录{label(step.code)}")
            for w in warnings:
                messages.warning(request, f"{w.detail}（{w.rule}）")
            return redirect("recruitment:person", member_id=member.id)
    context = _person_context(request, member_id, forms_override={step.code: form})
    if step.code not in {w.step for w in context["ev"].allowed}:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs) or "该步骤当前不能记录")
    return render(request, "recruitment/person.html", context, status=400)


@login_required
@require_POST
def void_step(request, member_id: int, step_id: int):
    member = member_get(actor=request.user, member_id=member_id)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.step_record_void(actor=request.user, member=member, step_record_id=step_id,
                                      reason=form.cleaned_data["reason"])
        except DomainError as exc:
            if exc.status == 404:
                raise Http404
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已作废该步骤记录")
            return redirect("recruitment:person", member_id=member.id)
    return render(request, "recruitment/person.html", _person_context(request, member_id, void_form=form),
                  status=400)


@login_required
@require_POST
def set_leaving(request, member_id: int):
    member = member_get(actor=request.user, member_id=member_id)
    form = LeavingForm(request.POST)
    if form.is_valid():
        try:
            services.record_set_leaving(actor=request.user, member=member, leaving_on=form.cleaned_data["leaving_on"])
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, "已保存预计离开工作单位日期")
    else:
        messages.error(request, "日期格式不正确")
    return redirect("recruitment:person", member_id=member.id)


@login_required
def applicant_new(request):
    branches = (Org.objects.filter(scope_q(request.user, perm="recruitment.edit"), kind=Org.Kind.BRANCH,
                                   is_active=True).order_by("path")[:BRANCH_CHOICES_MAX])
    org = current_org(request)
    if org is None or not can(request.user, "recruitment.edit", org):
        raise Http404
    initial = {"applied_on": timezone.localdate()}
    wanted = request.GET.get("org")
    if wanted and wanted.isdigit():
        initial["org_id"] = int(wanted)
    elif org.kind == Org.Kind.BRANCH:
        initial["org_id"] = org.id
    else:
        first = Org.objects.filter(subtree_q(org.path), kind=Org.Kind.BRANCH).order_by("path").first()
        initial["org_id"] = first.id if first else None
    form = ApplicantForm(request.POST or None, branches=branches, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            target = org_get_visible(actor=request.user, org_id=form.cleaned_data["org_id"])
            record = services.applicant_create(actor=request.user, org=target, data=form.member_data(),
                                               applied_on=form.cleaned_data["applied_on"],
                                               leaving_on=form.cleaned_data["leaving_on"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记入党申请人 {record.member.name}")
            return redirect(reverse("recruitment:person", args=[record.member_id]))
    return render(request, "recruitment/applicant_form.html", {"form": form, "org": org},
                  status=400 if request.method == "POST" else 200)


# --- 入党材料档案 ------------------------------------------------------------------------------

def _dossier_context(request, member_id, form=None, void_error=""):
    d = selectors.dossier_get(actor=request.user, member_id=member_id)
    member = d.pipeline.member
    return {"d": d, "member": member, "p": d.pipeline, "items": d.items, "summary": d.summary,
            "can_edit": can(request.user, "recruitment.edit", member.org),
            "can_export": can(request.user, "recruitment.export", member.org),
            "form": form or DocumentForm(initial={"received_on": d.pipeline.today}), "void_error": void_error,
            "labels": {c: lbl for c, lbl in PAPER_CHOICES}}


@login_required
def dossier(request, member_id: int):
    if request.method != "POST":
        return render(request, "recruitment/dossier.html", _dossier_context(request, member_id))
    member = member_get(actor=request.user, member_id=member_id)
    form = DocumentForm(request.POST)
    if form.is_valid():
        try:
            services.dossier_document_add(actor=request.user, member=member, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已登记收到的材料")
            return redirect("recruitment:dossier", member_id=member.id)
    return render(request, "recruitment/dossier.html", _dossier_context(request, member_id, form=form), status=400)


@login_required
@require_POST
def dossier_void(request, member_id: int, document_id: int):
    member = member_get(actor=request.user, member_id=member_id)
    try:
        services.dossier_document_void(actor=request.user, member=member, document_id=document_id,
                                       reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404
        return render(request, "recruitment/dossier.html",
                      _dossier_context(request, member_id, void_error=exc.detail), status=400)
    messages.success(request, "已作废该材料登记")
    return redirect("recruitment:dossier", member_id=member.id)


@login_required
def dossier_pdf(request, member_id: int):
    member = member_get(actor=request.user, member_id=member_id)
    pdf = services.dossier_pdf_export(actor=request.user, member=member)
    return download_response(pdf, filename=f"dossier-{member.id}.pdf", content_type="application/pdf", inline=True)


# --- 发展党员计划 ------------------------------------------------------------------------------

def _year(value, default: int) -> int:
    return int(value) if value and str(value).isdigit() and 2000 <= int(value) <= 2100 else default


@login_required
def plan(request):
    wanted = request.GET.get("org") or request.POST.get("view_org")
    org = org_get_visible(actor=request.user, org_id=wanted) if wanted else current_org(request)
    if org is None or not can(request.user, "recruitment.view", org):
        raise Http404
    today = timezone.localdate()
    year = _year(request.GET.get("year") or request.POST.get("year"), today.year)
    targets = []
    if org.kind == Org.Kind.COMMITTEE and can(request.user, "recruitment.edit", org):
        targets = list(Org.objects.filter(subtree_q(org.path), depth__gt=org.depth, depth__lte=org.depth + 2,
                                          is_active=True).order_by("path")[:BRANCH_CHOICES_MAX])
        for o in targets:
            o.rel_depth = o.depth - org.depth - 1
    form = PlanForm(request.POST or None, orgs=targets, initial={"year": year}) if targets else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                target = org_get_visible(actor=request.user, org_id=form.cleaned_data["org_id"])
                services.plan_set(actor=request.user, org=target, year=form.cleaned_data["year"],
                                  quota=form.cleaned_data["quota"], note=form.cleaned_data["note"])
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已设定 {target.name} {form.cleaned_data['year']} 年发展党员计划")
                return redirect(f"{reverse('recruitment:plan')}?org={org.id}&year={form.cleaned_data['year']}")
        status = 400
    rows = selectors.plan_rows(actor=request.user, org=org, year=year)
    return render(request, "recruitment/plan.html", {
        "org": org, "year": year, "rows": rows, "form": form, "years": range(today.year + 1, today.year - 5, -1),
        "total": rows[0] if rows else None}, status=status)


# --- The person's own view (Member.user) -------------------------------------------------------

@login_required
def me(request):
    try:
        data = selectors.my_progress(actor=request.user)
    except Http404:
        data = None  # not a person in the pipeline: say so (nobody else's file is ever shown here)
    return render(request, "recruitment/me.html", {"me": data, "today": timezone.localdate()})
