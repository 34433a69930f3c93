"""Pages of the secretary: meetings list, plan, create/edit, detail with attendance sheet and QR code."""
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, org_get_visible, require, scope_q
from dangjian.core.errors import DomainError
from dangjian.core.files import file_response
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.core.shell import current_org
from dangjian.orgs.models import Org, PartyGroup
from dangjian.orgs.tree import subtree_q

from . import checkin_queue, rules, selectors, services, signin
from .forms import AttachmentForm, MeetingEditForm, MeetingForm
from .models import Attendance, MeetingAttachment

BRANCH_CHOICES_MAX = 500


def _int(value, default=None, lo=None, hi=None):
    try:
        value = int(value)
    except (TypeError, ValueError):
        return default
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return default
    return value


def page_org(request, perm: str = "meetings.view") -> Org:
    """The org a page works on: ?org= when in scope, else the current org; 404 for plain members."""
    org = current_org(request)
    if request.GET.get("org"):
        org = org_get_visible(actor=request.user, org_id=request.GET["org"])
    if org is None:
        raise Http404
    require(request.user, perm, org)
    return org


def editable_branches(actor, under: Org):
    return (Org.objects.filter(scope_q(actor, perm="meetings.edit"), subtree_q(under.path), kind=Org.Kind.BRANCH,
                               is_active=True).order_by("path")[:BRANCH_CHOICES_MAX])


@login_required
def meeting_list(request):
    org = page_org(request)
    f = selectors.MeetingFilters(kind=request.GET.get("kind", "") if request.GET.get("kind") in rules.MEETING_KINDS
                                 else "", state=request.GET.get("state", "") if request.GET.get("state") in
                                 ("planned", "held", "cancelled") else "",
                                 year=_int(request.GET.get("year"), lo=2000, hi=2100),
                                 month=_int(request.GET.get("month"), lo=1, hi=12), q=request.GET.get("q", "")[:100])
    page = page_of(selectors.meeting_list(actor=request.user, org=org, filters=f), request)
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(request, "meetings/list.html", {
        "org": org, "page": page, "f": f, "query": query, "kinds": rules.KIND_CHOICES,
        "can_edit": can(request.user, "meetings.edit", org), "now": timezone.now(),
        "can_manage": can(request.user, "meetings.manage", org)})


@login_required
def meeting_plan(request):
    """Annual plan of one branch (months × kinds); the month links to that month's list."""
    org = page_org(request)
    year = _int(request.GET.get("year"), timezone.localdate().year, 2000, 2100)
    branches = list(Org.objects.filter(subtree_q(org.path), kind=Org.Kind.BRANCH).order_by("path")[:BRANCH_CHOICES_MAX])
    branch = org if org.kind == Org.Kind.BRANCH else None
    if branch is None and request.GET.get("branch"):
        branch = org_get_visible(actor=request.user, org_id=request.GET["branch"])
    plan = selectors.year_plan(actor=request.user, org=branch, year=year) if branch else None
    result, rows = None, []
    if branch:
        result = selectors.compliance(actor=request.user, org=branch, year=year)["branches"]
        result = result[0]["kinds"] if result else None
        for month in range(1, 13):
            cells = []
            for code in rules.MEETING_KINDS:
                info = (result or {}).get(code, {})
                key = rules.period_key(date(year, month, 1), info.get("freq", rules.MONTH))
                cells.append({"kind": code, "meetings": plan["months"][month][code], "period": key,
                              "missing": key in info.get("missing_periods", []),
                              "due": key in info.get("due_periods", []), "applies": info.get("applies", True)})
            rows.append({"month": month, "cells": cells})
    return render(request, "meetings/plan.html", {
        "org": org, "branch": branch, "branches": branches, "year": year, "rows": rows, "compliance": result,
        "kinds": rules.KIND_CHOICES, "kind_labels": rules.KIND_LABELS,
        "can_edit": branch is not None and can(request.user, "meetings.edit", branch)})


@login_required
def meeting_create(request):
    org = page_org(request, "meetings.edit")
    branches = list(editable_branches(request.user, org))
    groups = PartyGroup.objects.filter(org__in=branches).select_related("org").order_by("org__path", "name")
    initial = {}
    if request.GET.get("kind") in rules.MEETING_KINDS:
        initial["kind"] = request.GET["kind"]
    if org.kind == Org.Kind.BRANCH:
        initial["org_id"] = org.id
    form = MeetingForm(request.POST or None, orgs=branches, groups=groups, initial=initial,
                       venues=selectors.venues_for_many(branches))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            target = org_get_visible(actor=request.user, org_id=data.pop("org_id"))
            meeting = services.meeting_create(actor=request.user, org=target, data=data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已新建会议")
            return redirect("meetings:detail", meeting_id=meeting.id)
    return render(request, "meetings/form.html", {"form": form, "title": "新建会议", "org": org})


@login_required
def meeting_edit(request, meeting_id: int):
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    require(request.user, "meetings.edit", meeting.org)
    form = MeetingEditForm(request.POST or None, meeting=meeting, venues=selectors.venues_for(meeting.org))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for key in ("starts_at", "ends_at"):  # the form has minutes only: unchanged unless the minute changed
            if data[key] == getattr(meeting, key).replace(second=0, microsecond=0):
                data.pop(key)
        try:
            services.meeting_update(actor=request.user, meeting=meeting, data=data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("meetings:detail", meeting_id=meeting.id)
    return render(request, "meetings/form.html", {"form": form, "title": f"编辑：{meeting.title}", "meeting": meeting,
                                                  "org": meeting.org})


@login_required
def meeting_detail(request, meeting_id: int):
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    if not can(request.user, "meetings.view", meeting.org):
        return redirect("meetings:mine")  # a member of the branch: their own page shows the meeting
    return _detail_page(request, meeting)


def _detail_page(request, meeting, *, upload_form=None, status=200):
    return render(request, "meetings/detail.html", {
        "meeting": meeting, "rows": selectors.attendance_sheet(meeting), "summary": selectors.meeting_summary(meeting),
        "leaves": selectors.leave_requests_of(meeting), "attachments": meeting.attachments.all(),
        "makeups": meeting.makeups.select_related("member").order_by("state", "member__name"),
        "can_edit": can(request.user, "meetings.edit", meeting.org), "statuses": Attendance.Status.choices,
        "refresh": signin.TOKEN_REFRESH_SECONDS, "upload_form": upload_form or AttachmentForm()}, status=status)


@login_required
def qr_panel(request, meeting_id: int):
    """The QR code card (htmx partial, polled so the code rotates)."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    require(request.user, "meetings.edit", meeting.org)
    lead = selectors.settings_for(meeting.org).checkin_lead_minutes
    opens, closes = rules.checkin_window(starts_at=meeting.starts_at, ends_at=meeting.ends_at, lead_minutes=lead)
    state = rules.checkin_state(now=timezone.now(), starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                                lead_minutes=lead)
    ctx = {"meeting": meeting, "state": state, "opens": opens, "closes": closes, "lead": lead,
           "refresh": signin.TOKEN_REFRESH_SECONDS if state == "open" else 60}
    if state == "open" and meeting.state != "cancelled":
        url = request.build_absolute_uri(reverse("meetings:checkin", args=[signin.make_token(meeting.id)]))
        ctx.update(url=url, svg=signin.qr_svg(url))
        checkin_queue.sheet_warm(meeting.id)  # before the first scan, not during it
    return render(request, "meetings/_partials/qr.html", ctx)


@login_required
@require_POST
def attendance_toggle(request, meeting_id: int):
    """htmx: the secretary sets one member's attendance; answers with the updated row."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    require(request.user, "meetings.edit", meeting.org)
    error = None
    try:
        member = services.attendee_get(meeting, request.POST.get("member_id"))
        row = services.attendance_set(actor=request.user, meeting=meeting, member=member,
                                      status=request.POST.get("status", ""))
    except DomainError as exc:
        if not request.htmx:
            messages.error(request, exc.detail)
            return redirect("meetings:detail", meeting_id=meeting.id)
        row = (meeting.attendances.select_related("member")
               .filter(member_id=_int(request.POST.get("member_id"), 0)).first())
        if row is None:
            return render(request, "meetings/_partials/error.html", {"message": exc.detail}, status=400)
        error = exc.detail
    else:
        row = meeting.attendances.select_related("member").get(pk=row.pk)
    if not request.htmx:
        return redirect("meetings:detail", meeting_id=meeting.id)
    return render(request, "meetings/_partials/att_row.html", {
        "r": row, "meeting": meeting, "can_edit": True, "statuses": Attendance.Status.choices, "error": error,
        "summary": selectors.meeting_summary(meeting)})


@login_required
@require_POST
def leave_decide(request, request_id: int):
    leave = selectors.leave_request_get(actor=request.user, request_id=request_id)
    try:
        services.leave_request_decide(actor=request.user, leave=leave, approve=request.POST.get("approve") == "1",
                                      note=request.POST.get("note", ""))
        messages.success(request, "已审批")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("meetings:detail", meeting_id=leave.meeting_id)


@login_required
@require_POST
def attachment_upload(request, meeting_id: int):
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    require(request.user, "meetings.edit", meeting.org)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(actor=request.user, meeting=meeting, upload=form.cleaned_data["file"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已上传")
            return redirect("meetings:detail", meeting_id=meeting.id)
    return _detail_page(request, meeting, upload_form=form, status=400)  # the refusal on the form, not a flash


@login_required
def attachment_download(request, attachment_id: int):
    row = MeetingAttachment.objects.select_related("meeting", "meeting__org").filter(id=attachment_id).first()
    if row is None:
        raise Http404
    require(request.user, "meetings.view", row.meeting.org)
    return file_response(row.file, filename=row.name)
