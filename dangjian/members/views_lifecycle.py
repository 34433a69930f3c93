"""Pages for transfers, mobile members, disposals and the Excel import."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, require
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.orgs.models import Org

from . import lifecycle, rules, selectors
from .forms import DisposalForm, MobileForm, TransferForm
from .models import ImportJob, Transfer
from .views import _org_from

MAX_UPLOAD = 10 * 1024 * 1024


@login_required
def transfers(request):
    org = _org_from(request)
    state = request.GET.get("state", "")
    overdue = request.GET.get("overdue") == "1"
    qs = lifecycle.transfer_list(actor=request.user, org=org, state=state if state in Transfer.State.values else "",
                                 overdue_only=overdue)
    page = page_of(qs, request)
    today = timezone.localdate()
    for t in page:
        t.overdue = t.state == Transfer.State.IN_TRANSIT and rules.transfer_overdue(report_by=t.report_by, today=today)
        t.can_decide = t.state == Transfer.State.IN_TRANSIT and can(request.user, "members.edit", lifecycle._receiving_org(t))
    return render(request, "members/transfers.html", {"org": org, "page": page, "state": state, "overdue": overdue,
                                                      "states": Transfer.State.choices,
                                                      "query": f"org={org.id}&state={state}&overdue={int(overdue)}"})


@login_required
def transfer_new(request, member_id: int):
    member = selectors.member_get(actor=request.user, member_id=member_id)
    require(request.user, "members.edit", member.org)
    branches = Org.objects.filter(kind=Org.Kind.BRANCH, is_active=True, region_id=member.org.region_id).exclude(
        id=member.org_id).order_by("path")[:500]
    form = TransferForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            to_org = Org.objects.filter(id=data["to_org_id"], is_active=True).first() if data["to_org_id"] else None
            if to_org is None and not data["external_org_name"].strip():
                raise DomainError("请选择系统内接收党支部，或填写系统外接收组织名称", field="to_org_id")
            lifecycle.transfer_out(actor=request.user, member=member, to_org=to_org,
                                   external_org_name=data["external_org_name"], letter_no=data["letter_no"],
                                   cross_province=data["cross_province"], reason=data["reason"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已开具组织关系介绍信，等待接收方办理")
            return redirect("members:detail", member_id=member.id)
    return render(request, "members/simple_form.html", {"form": form, "title": f"组织关系转出 · {member.name}",
                                                        "back": f"/members/{member.id}/"})


@login_required
@require_POST
def transfer_decide(request, transfer_id: int):
    t = lifecycle.transfer_get(actor=request.user, transfer_id=transfer_id)
    try:
        if request.POST.get("decision") == "accept":
            lifecycle.transfer_accept(actor=request.user, transfer=t)
            messages.success(request, f"已接收 {t.member.name} 的组织关系")
        else:
            lifecycle.transfer_reject(actor=request.user, transfer=t, reason=request.POST.get("reason", ""))
            messages.success(request, "已退回")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("members:transfers")


@login_required
def mobile(request):
    org = _org_from(request)
    stale = request.GET.get("stale") == "1"
    records = lifecycle.mobile_list(actor=request.user, org=org, stale_only=stale)
    return render(request, "members/mobile.html", {"org": org, "records": records[:500], "stale": stale,
                                                   "total": len(records)})


@login_required
def mobile_new(request, member_id: int):
    member = selectors.member_get(actor=request.user, member_id=member_id)
    require(request.user, "members.edit", member.org)
    form = MobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.mobile_register(actor=request.user, member=member, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已登记流动党员信息")
            return redirect("members:detail", member_id=member.id)
    return render(request, "members/simple_form.html", {"form": form, "title": f"流动党员登记 · {member.name}",
                                                        "back": f"/members/{member.id}/"})


@login_required
@require_POST
def mobile_action(request, record_id: int):
    record = lifecycle.mobile_get(actor=request.user, record_id=record_id)
    today = timezone.localdate()
    try:
        if request.POST.get("action") == "end":
            lifecycle.mobile_end(actor=request.user, record=record, on=today)
            messages.success(request, "已结束流动")
        else:
            lifecycle.mobile_contact(actor=request.user, record=record, on=today)
            messages.success(request, "已记录今日联系")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("members:mobile")


@login_required
def cases(request):
    org = _org_from(request)
    state = request.GET.get("state", "")
    page = page_of(lifecycle.disposal_list(actor=request.user, org=org, state=state if state in ("open", "closed") else ""),
                   request)
    return render(request, "members/cases.html", {"org": org, "page": page, "state": state,
                                                  "pending": selectors.change_requests_pending(actor=request.user, org=org).count(),
                                                  "query": f"org={org.id}&state={state}"})


@login_required
def disposal_new(request, member_id: int):
    member = selectors.member_get(actor=request.user, member_id=member_id)
    require(request.user, "members.edit", member.org)
    form = DisposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.disposal_record(actor=request.user, member=member, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已记录处置决定")
            return redirect("members:detail", member_id=member.id)
    return render(request, "members/simple_form.html", {"form": form, "title": f"处置 · {member.name}",
                                                        "back": f"/members/{member.id}/",
                                                        "note": "处置记录永久保存，不能删除。劝退、除名须经支部大会讨论并报上级批准（RULES §7）。"})


# --- Excel import ------------------------------------------------------------------------

@login_required
def import_page(request):
    """Upload → dry-run preview with per-row errors and the column mapping → confirm.

    Files above the synchronous limit (50 000 rows) run as a background job whose progress the page
    polls; the same preview and confirmation follow.
    """
    org = _org_from(request)
    require(request.user, "members.edit", org)
    from .importing import RosterTooLarge, import_roster, parse_roster, validate_roster
    from .tasks import import_job_enqueue

    context = {"org": org}
    if request.method == "GET" and request.GET.get("job", "").isdigit():
        job = ImportJob.objects.filter(id=int(request.GET["job"]), org=org, created_by=request.user).first()
        if job is None:
            raise Http404
        context["bgjob"] = job
        template = "members/_partials/import_job.html" if request.htmx else "members/import.html"
        return render(request, template, context)
    if request.method == "POST":
        upload = request.FILES.get("file")
        job_id = request.POST.get("job")
        job = ImportJob.objects.filter(id=job_id, org=org, created_by=request.user).first() if job_id else None
        if upload is None and job is None:
            messages.error(request, "请选择要导入的 Excel 文件（.xlsx 或 .xls）")
            return redirect(f"/members/import/?org={org.id}")
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                messages.error(request, "文件超过 10 MB，请拆分后导入")
                return redirect(f"/members/import/?org={org.id}")
            job = ImportJob.objects.create(org=org, created_by=request.user, file=upload, filename=upload.name[:200],
                                           state=ImportJob.State.PREVIEW)
        mapping = {k[4:]: v for k, v in request.POST.items() if k.startswith("map_") and v} or job.mapping or None
        confirm, only_valid = bool(request.POST.get("confirm")), bool(request.POST.get("only_valid"))
        with job.file.open("rb") as fh:
            data = fh.read()
        try:
            parsed = parse_roster(data, filename=job.filename, mapping=mapping)
        except RosterTooLarge:
            job.mapping = mapping or {}
            job.save(update_fields=["mapping"])
            import_job_enqueue(job, commit=confirm, only_valid=only_valid)
            return redirect(f"/members/import/?org={org.id}&job={job.id}")
        except DomainError as exc:
            job.state, job.report = ImportJob.State.FAILED, {"detail": exc.detail}
            job.save(update_fields=["state", "report"])
            messages.error(request, exc.detail)
            return redirect(f"/members/import/?org={org.id}")
        report = validate_roster(parsed, actor=request.user, org=org, today=timezone.localdate())
        job.mapping = mapping or {}
        job.save(update_fields=["mapping"])
        if confirm and (report.valid or only_valid):
            try:
                created = import_roster(report, actor=request.user, org=org, only_valid=only_valid, job=job)
            except DomainError as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, f"已导入 {created} 名党员")
                return redirect(f"/members/?org={org.id}")
        from .importing import FIELDS

        context.update({"job": job, "parsed": parsed, "report": report, "fields": FIELDS})
    return render(request, "members/import.html", context)
