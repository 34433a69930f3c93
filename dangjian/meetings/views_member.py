"""A member's own pages, made for a phone: scan-to-sign-in, my meetings, leave, 补学."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError

from . import checkin_queue, selectors, services
from .models import Meeting


@login_required
def checkin(request, token: str):
    """Opened from the QR code: the logged-in member is signed in (idempotent)."""
    got = checkin_queue.accept(token=token, user_id=request.user.pk) if checkin_queue.enabled() else None
    if isinstance(got, checkin_queue.Accepted):  # decided on the write-behind sheet
        meeting = Meeting.objects.select_related("org").get(pk=got.meeting_id)
        return render(request, "meetings/checkin.html", {"ok": True, "created": got.created, "row": got,
                                                         "meeting": meeting})
    try:
        row, created = services.meeting_check_in(actor=request.user, token=token)
    except (DomainError, PermissionDenied) as exc:
        message = exc.detail if isinstance(exc, DomainError) else (str(exc) or "不能签到")
        return render(request, "meetings/checkin.html", {"ok": False, "message": message}, status=400)
    meeting = Meeting.objects.select_related("org").get(pk=row.meeting_id)
    return render(request, "meetings/checkin.html", {"ok": True, "created": created, "row": row, "meeting": meeting})


@login_required
def mine(request):
    data = selectors.my_meetings(user=request.user)
    return render(request, "meetings/mine.html", {"data": data})


@login_required
@require_POST
def leave_request(request, meeting_id: int):
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    try:
        services.leave_request_create(actor=request.user, meeting=meeting, reason=request.POST.get("reason", ""))
        messages.success(request, "请假申请已提交，等待书记审批")
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, exc.detail if isinstance(exc, DomainError) else str(exc))
    return redirect("meetings:mine")


@login_required
@require_POST
def makeup_done(request, makeup_id: int):
    makeup = selectors.makeup_get(actor=request.user, makeup_id=makeup_id)
    try:
        services.makeup_complete(actor=request.user, makeup=makeup, note=request.POST.get("note", ""))
        messages.success(request, "已登记补学")
    except DomainError as exc:
        messages.error(request, exc.detail)
    if request.POST.get("next") == "detail":
        return redirect("meetings:detail", meeting_id=makeup.meeting_id)
    return redirect("meetings:mine")
