"""Pages: activity calendar and list, publish, detail with sign-up / check-in / hours / summary / photos;
good deeds."""
import calendar
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can
from dangjian.core.errors import DomainError
from dangjian.core.files import file_response
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.orgs.tree import subtree_q

from .. import selectors, services
from ..forms import ActivityForm, DeedForm
from ..models import Activity, ActivityPhoto, VolunteerProfile, VolunteerUnit
from ._common import CHOICES_MAX, editable_orgs, query_string, staff_org


def _month(raw: str) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        y, m = (int(x) for x in raw.split("-"))
        if 2000 <= y <= 2100 and 1 <= m <= 12:
            return y, m
    except ValueError:
        pass
    return today.year, today.month


@login_required
def activities(request):
    org = staff_org(request)
    y, m = _month(request.GET.get("month", ""))
    view = request.GET.get("view", "calendar")
    state = request.GET.get("state", "") if request.GET.get("state") in Activity.State.values else ""
    qs = selectors.activity_list(actor=request.user, org=org, state=state, month=f"{y}-{m}",
                                 q=request.GET.get("q", ""))
    weeks = []
    if view == "calendar":
        by_day: dict[date, list] = {}
        for a in qs[:1000]:
            by_day.setdefault(timezone.localtime(a.starts_at).date(), []).append(a)
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(y, m):
            weeks.append([{"day": d, "in_month": d.month == m, "items": sorted(by_day.get(d, []),
                                                                               key=lambda a: a.starts_at)}
                          for d in week])
    prev_m = (y - 1, 12) if m == 1 else (y, m - 1)
    next_m = (y + 1, 1) if m == 12 else (y, m + 1)
    return render(request, "volunteers/activities.html", {
        "org": org, "view": view, "weeks": weeks, "page": page_of(qs, request) if view != "calendar" else None,
        "month": f"{y}-{m:02d}", "prev": f"{prev_m[0]}-{prev_m[1]:02d}", "next": f"{next_m[0]}-{next_m[1]:02d}",
        "state": state, "states": Activity.State.choices, "query": query_string(request), "today": timezone.localdate(),
        "can_edit": can(request.user, "volunteers.edit", org),
    })


@login_required
def activity_new(request):
    org = staff_org(request, "volunteers.edit")
    units = VolunteerUnit.objects.filter(subtree_q(org.path, field="org__path"), is_active=True).order_by(
        "level", "name")[:CHOICES_MAX]
    form = ActivityForm(request.POST or None, orgs=editable_orgs(request, org), units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            target = selectors.org_visible(actor=request.user, org_id=data.pop("org_id"))
            unit_id = data.pop("unit_id")
            if unit_id:
                data["unit"] = selectors.unit_get(actor=request.user, unit_id=unit_id)
            activity = services.activity_publish(actor=request.user, org=target, data=data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已发布活动：{activity.title}")
            return redirect("volunteers:activity_detail", activity_id=activity.id)
    return render(request, "volunteers/form.html", {"form": form, "title": "发布志愿活动",
                                                     "back": "volunteers:activities"})


@login_required
def activity_detail(request, activity_id: int):
    return _detail_page(request, selectors.activity_get(actor=request.user, activity_id=activity_id))


def _detail_page(request, activity, *, photo_error: str = "", status: int = 200):
    staff = can(request.user, "volunteers.edit", activity.org)
    viewer = can(request.user, "volunteers.view", activity.org)
    signups = selectors.activity_signups(activity=activity)
    own = selectors.own_volunteer(request.user)
    mine = next((s for s in signups if own is not None and s.volunteer_id == own.id), None)
    pool = []
    if staff and activity.state == Activity.State.PUBLISHED:
        taken = {s.volunteer_id for s in signups}
        pool = [v for v in VolunteerProfile.objects.filter(subtree_q(activity.org.path, field="org__path"),
                                                           is_active=True).select_related("org")
                .order_by("name")[:CHOICES_MAX] if v.id not in taken]
    now = timezone.now()
    return render(request, "volunteers/activity_detail.html", {
        "a": activity, "signups": signups if viewer else ([mine] if mine else []), "count": len(signups),
        "staff": staff, "own": own, "mine": mine, "pool": pool, "photos": activity.photos.all(),
        "started": activity.starts_at <= now, "ended": activity.ends_at <= now,
        "full": len(signups) >= activity.headcount, "photo_error": photo_error,
    }, status=status)


@login_required
def photo(request, activity_id: int, photo_id: int):
    """A photo, served only to those who may see the activity (media is not public), as a download with nosniff
    and a sandbox CSP (an <img> still shows it)."""
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    item = ActivityPhoto.objects.filter(activity=activity, id=selectors.checked_id(photo_id)).first()
    if item is None:
        raise Http404
    return file_response(item.image)


ACTIONS = {"signup", "signup_cancel", "check_in", "check_out", "hours", "summary", "cancel", "photo"}


@login_required
@require_POST
def activity_action(request, activity_id: int, action: str):
    if action not in ACTIONS:
        raise Http404
    activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    if action == "photo":
        return _photo_add(request, activity)
    raw_vid = request.POST.get("volunteer_id", "").strip()
    try:
        if action in ("signup", "signup_cancel", "check_in", "check_out", "hours"):
            if raw_vid:
                volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=raw_vid)
            else:
                volunteer = selectors.own_volunteer(request.user)
                if volunteer is None:
                    raise DomainError("请先登记为志愿者")
        if action == "signup":
            services.activity_signup(actor=request.user, activity=activity, volunteer=volunteer)
            messages.success(request, f"{volunteer.name} 报名成功")
        elif action == "signup_cancel":
            services.activity_signup_cancel(actor=request.user, activity=activity, volunteer=volunteer)
            messages.success(request, f"已取消 {volunteer.name} 的报名")
        elif action == "check_in":
            services.activity_check_in(actor=request.user, activity=activity, volunteer=volunteer)
            messages.success(request, f"{volunteer.name} 已签到")
        elif action == "check_out":
            services.activity_check_out(actor=request.user, activity=activity, volunteer=volunteer)
            messages.success(request, f"{volunteer.name} 已签退，服务时长已自动计入")
        elif action == "hours":
            hours = services.hours_credit(actor=request.user, activity=activity, volunteer=volunteer,
                                          hours=request.POST.get("hours", "").strip(),
                                          reason=request.POST.get("reason", ""))
            messages.success(request, f"{volunteer.name} 的服务时长为 {hours} 小时")
        elif action == "summary":
            services.activity_summarize(actor=request.user, activity=activity, summary=request.POST.get("summary"))
            messages.success(request, "活动总结已保存")
        elif action == "cancel":
            services.activity_cancel(actor=request.user, activity=activity, reason=request.POST.get("reason", ""))
            messages.success(request, "活动已取消")
    except DomainError as exc:
        messages.error(request, exc.detail)
    nxt = request.POST.get("next", "")
    if nxt == "me":
        return redirect("volunteers:me")
    return redirect("volunteers:activity_detail", activity_id=activity.id)


def _photo_add(request, activity):
    """A refused photo shows the page again with the reason under the upload form (400), not a flash message."""
    try:
        services.activity_photo_add(actor=request.user, activity=activity, upload=request.FILES.get("image"),
                                    caption=request.POST.get("caption", ""))
    except DomainError as exc:
        return _detail_page(request, activity, photo_error=exc.detail, status=exc.status)
    messages.success(request, "照片已上传")
    return redirect("volunteers:activity_detail", activity_id=activity.id)


# --- 好人好事 ----------------------------------------------------------------------------------------

@login_required
def deeds(request):
    org = staff_org(request)
    year_raw = request.GET.get("year", "")
    year = int(year_raw) if year_raw.isdigit() and 2000 <= int(year_raw) <= 2100 else None
    form = None
    if can(request.user, "volunteers.edit", org):
        volunteers = (VolunteerProfile.objects.filter(subtree_q(org.path, field="org__path"), is_active=True)
                      .select_related("org").order_by("name")[:CHOICES_MAX])
        units = VolunteerUnit.objects.filter(subtree_q(org.path, field="org__path")).order_by("name")[:CHOICES_MAX]
        form = DeedForm(request.POST or None, volunteers=volunteers, units=units,
                        initial={"done_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                volunteer = selectors.volunteer_get(actor=request.user, volunteer_id=data.pop("volunteer_id"))
                unit_id = data.pop("unit_id")
                unit = selectors.unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
                services.good_deed_record(actor=request.user, volunteer=volunteer, unit=unit, data=data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "已记录好人好事")
                return redirect("volunteers:deeds")
    qs = selectors.good_deeds(actor=request.user, org=org, year=year)
    return render(request, "volunteers/deeds.html", {"org": org, "page": page_of(qs, request), "form": form,
                                                     "year": year, "query": query_string(request)})
