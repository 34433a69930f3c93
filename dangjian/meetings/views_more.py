"""Pages of 民主评议党员, 每周工作提示 and 双重组织生活 (thin: parse, call one service or selector, render)."""
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, org_get_visible, require
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.core.xlsx import build_workbook, xlsx_response
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import cadres, prompts, reviews, rules
from .models import Meeting, Review
from .views import BRANCH_CHOICES_MAX, _int, page_org


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _error(exc) -> str:
    return exc.detail if isinstance(exc, DomainError) else (str(exc) or "没有权限")


# --- 民主评议党员 ---

@login_required
def review_index(request):
    org = page_org(request)
    year = _int(request.GET.get("year"), timezone.localdate().year, 2000, 2100)
    branches = list(Org.objects.filter(subtree_q(org.path), kind=Org.Kind.BRANCH, is_active=True)
                    .order_by("path")[:BRANCH_CHOICES_MAX])
    by_org = {r.org_id: r for r in reviews.review_list(actor=request.user, org=org, year=year)}
    rows = [{"org": b, "review": by_org.get(b.id), "can_edit": can(request.user, "meetings.edit", b)}
            for b in branches]
    return render(request, "meetings/reviews.html", {
        "org": org, "year": year, "rows": rows, "grades": rules.REVIEW_GRADES,
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1)})


@login_required
@require_POST
def review_open(request):
    branch = org_get_visible(actor=request.user, org_id=request.POST.get("org_id"))
    year = _int(request.POST.get("year"), 0)
    meeting = (Meeting.objects.filter(org=branch, kind="review", starts_at__year=year).order_by("-starts_at")
               .values_list("id", flat=True).first())
    try:
        review = reviews.review_open(actor=request.user, org=branch, year=year, meeting_id=meeting)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, _error(exc))
        return redirect(f"{reverse('meetings:reviews')}?org={branch.id}&year={year or ''}")
    messages.success(request, f"已建立 {year} 年度民主评议")
    return redirect("meetings:review", review_id=review.id)


@login_required
def review_detail(request, review_id: int):
    review = reviews.review_get(actor=request.user, review_id=review_id)
    require(request.user, "meetings.view", review.org)
    can_edit = can(request.user, "meetings.edit", review.org) and review.state == Review.State.OPEN
    if request.method == "POST":
        require(request.user, "meetings.edit", review.org)
        rows = []
        for key, grade in request.POST.items():
            if not key.startswith("grade_") or not grade:
                continue
            mid = key.removeprefix("grade_")
            rows.append({"member_id": mid, "grade": grade, "self_assessment": request.POST.get(f"self_{mid}", ""),
                         "mutual_opinion": request.POST.get(f"mutual_{mid}", ""),
                         "note": request.POST.get(f"note_{mid}", ""),
                         "rectify_deadline": _date(request.POST.get(f"deadline_{mid}"))})
        try:
            reviews.review_grades_set(actor=request.user, review=review, rows=rows)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, f"已保存 {len(rows)} 名党员的评定")
            return redirect("meetings:review", review_id=review.id)
    sheet = reviews.review_sheet(review)
    return render(request, "meetings/review_detail.html", {
        "review": review, "rows": sheet, "summary": reviews.review_summary(review, sheet), "can_edit": can_edit,
        "grades": rules.REVIEW_GRADE_CHOICES, "grade_labels": rules.REVIEW_GRADES, "posted": request.POST,
        "can_close": can_edit and can(request.user, "members.edit", review.org)})


@login_required
@require_POST
def review_close(request, review_id: int):
    review = reviews.review_get(actor=request.user, review_id=review_id)
    try:
        reviews.review_close(actor=request.user, review=review, closed_on=_date(request.POST.get("closed_on")))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "评议结果已评定；不合格党员已转入限期改正处置")
    return redirect("meetings:review", review_id=review.id)


# --- 每周工作提示 ---

@login_required
def prompt_index(request):
    org = page_org(request)
    week = rules.week_start(_date(request.GET.get("week")) or timezone.localdate())
    items = list(prompts.prompt_list(actor=request.user, org=org, week=week))
    done = prompts.done_by_branch(org=org, prompts=items) if org.kind == Org.Kind.BRANCH else set()
    progress = prompts.prompt_progress(org=org, prompts=items) if org.kind != Org.Kind.BRANCH else {}
    for p in items:
        p.progress = progress.get(p.id)
    can_publish = org.kind != Org.Kind.BRANCH and can(request.user, "meetings.edit", org)
    due = prompts.weekly_items([org.id], week).get(org.id, []) if org.kind == Org.Kind.BRANCH else []
    return render(request, "meetings/prompts.html", {
        "org": org, "week": week, "week_end": week + timedelta(days=6), "items": items, "done": done,
        "can_publish": can_publish, "can_mark": can(request.user, "meetings.edit", org),
        "prev": week - timedelta(days=7), "next": week + timedelta(days=7), "due": due,
        "this_week": rules.week_start(timezone.localdate())})


@login_required
@require_POST
def prompt_publish(request):
    org = org_get_visible(actor=request.user, org_id=request.POST.get("org_id"))
    try:
        prompt = prompts.prompt_publish(actor=request.user, org=org, week=_date(request.POST.get("week_start")),
                                        title=request.POST.get("title", ""), body=request.POST.get("body", ""))
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, _error(exc))
        return redirect(f"{reverse('meetings:prompts')}?org={org.id}")
    messages.success(request, "已发布，下级党支部将在本周工作提示中看到")
    return redirect(f"{reverse('meetings:prompts')}?org={org.id}&week={prompt.week_start}")


@login_required
def prompt_detail(request, prompt_id: int):
    prompt = prompts.prompt_get(actor=request.user, prompt_id=prompt_id)
    rows = prompts.prompt_status(actor=request.user, prompt=prompt)
    return render(request, "meetings/prompt_detail.html", {
        "prompt": prompt, "rows": rows, "not_done": sum(1 for r in rows if r["done"] is None)})


@login_required
@require_POST
def prompt_done(request, prompt_id: int):
    prompt = prompts.prompt_get(actor=request.user, prompt_id=prompt_id)
    branch = org_get_visible(actor=request.user, org_id=request.POST.get("org_id"))
    try:
        _, created = prompts.prompt_mark_done(actor=request.user, prompt=prompt, branch=branch,
                                              note=request.POST.get("note", ""))
        messages.success(request, "已标记为落实" if created else "此前已标记为落实")
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, _error(exc))
    return redirect(f"{reverse('meetings:prompts')}?org={branch.id}&week={prompt.week_start}")


# --- 双重组织生活 ---

@login_required
def cadre_report(request):
    org = page_org(request)
    year = _int(request.GET.get("year"), timezone.localdate().year, 2000, 2100)
    rows = cadres.cadre_attendance(actor=request.user, org=org, year=year)
    if request.GET.get("format") == "xlsx":
        require(request.user, "meetings.export", org)
        headers, body = cadres.cadre_rows_for_export(rows)
        audit(actor=request.user, verb="meeting.cadre_export", target=org, org=org,
              after={"year": year, "rows": len(body)})
        wb = build_workbook(title=f"{org.name} {year} 年领导干部双重组织生活情况", headers=headers, rows=body,
                            sheet_title="双重组织生活")
        return xlsx_response(wb, f"双重组织生活_{org.name}_{year}.xlsx")
    kinds = [(k, rules.KIND_LABELS[k]) for k in rules.MEETING_KINDS]
    for r in rows:
        r["cells"] = [r["kinds"][k] for k, _ in kinds]
    return render(request, "meetings/cadres.html", {
        "org": org, "year": year, "rows": rows, "kinds": kinds,
        "can_export": can(request.user, "meetings.export", org),
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1)})


@login_required
def cadre_card(request, member_id: int):
    card = cadres.reminder_card(actor=request.user, member_id=member_id)
    return render(request, "meetings/cadre_card.html", {"card": card})
