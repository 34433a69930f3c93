"""民主评议党员 (R-MEET-REVIEW, RULES §3 and §7): one review per branch and year.

Self-assessment → mutual assessment → grades at the assembly → 评定意见. Grades are drafts while the
review is open; fixing the result (review_close) checks the ⚙ quota on 优秀 again and opens a 限期改正
disposal for every 不合格 member through the members app (the records are kept, never deleted).
"""
from datetime import date

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import as_id, org_get_visible, require, scope_q
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError, FieldErrors
from dangjian.members import rules as member_rules
from dangjian.members.models import Disposal, Member
from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import Meeting, Review, ReviewGrade
from .selectors import settings_for

TEXT_LIMITS = {"self_assessment": 5000, "mutual_opinion": 500, "note": 500}


def _source(review: Review) -> str:
    return f"meetings:review:{review.id}"


# --- Reads ---

def review_list(*, actor, org: Org, year: int | None = None) -> QuerySet[Review]:
    org = org_get_visible(actor=actor, org_id=org.id)
    qs = Review.objects.filter(subtree_q(org.path, field="org__path")).select_related("org", "meeting")
    if year:
        qs = qs.filter(year=year)
    counts = {f"n_{g}": Count("grades", filter=Q(grades__grade=g)) for g in rules.REVIEW_GRADES}
    return qs.annotate(n_graded=Count("grades"), **counts).order_by("-year", "org__path")


def review_get(*, actor, review_id) -> Review:
    review_id = as_id(review_id)
    review = (Review.objects.select_related("org", "meeting")
              .filter(scope_q(actor, field="org__path"), id=review_id).first())
    if review is None:
        raise Http404
    return review


def review_sheet(review: Review) -> list[dict]:
    """One row per member on the branch's rolls (and any graded member since gone), with their grade."""
    grades = {g.member_id: g for g in review.grades.select_related("member", "disposal")}
    roll = list(members_on_rolls(review.org).order_by("name_pinyin", "name", "id"))
    rows = [{"member": m, "grade": grades.pop(m.id, None)} for m in roll]
    rows += [{"member": g.member, "grade": g} for g in grades.values()]
    return rows


def review_summary(review: Review, rows: list[dict] | None = None) -> dict:
    rows = review_sheet(review) if rows is None else rows
    graded = [r["grade"].grade for r in rows if r["grade"]]
    counts = {g: graded.count(g) for g in rules.REVIEW_GRADES}
    cap = rules.excellent_cap(graded=len(graded), cap_percent=review.excellent_cap)
    return {"members": len(rows), "graded": len(graded), "counts": counts, "cap_percent": review.excellent_cap,
            "excellent_max": cap, "ungraded": len(rows) - len(graded)}


# --- Writes ---

@transaction.atomic
def review_open(*, actor, org: Org, year: int, meeting_id=None) -> Review:
    require(actor, "meetings.edit", org)
    if org.kind != Org.Kind.BRANCH or not org.is_active:
        raise DomainError("民主评议党员以党支部为单位开展，请选择一个党支部", field="org_id", rule="R-MEET-REVIEW")
    today = timezone.localdate()
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= today.year:
        raise DomainError(f"评议年度应在 2000 到 {today.year} 之间", field="year")
    meeting = None
    if meeting_id not in (None, "", 0):
        meeting = Meeting.objects.filter(id=meeting_id, org=org, kind="review").first()
        if meeting is None or meeting.local_date.year != year:
            raise DomainError("评议大会须为本支部本年度的“民主评议党员”会议", field="meeting_id", rule="R-MEET-REVIEW")
    if Review.objects.filter(org=org, year=year).exists():
        raise Conflict(f"{org.name} {year} 年度的民主评议已建立", field="year")
    review = Review.objects.create(org=org, region_id=org.region_id, year=year, meeting=meeting, created_by=actor,
                                   excellent_cap=settings_for(org).review_excellent_cap)
    audit(actor=actor, verb="review.open", target=review, org=org,
          after={"year": year, "meeting": meeting.id if meeting else None, "excellent_cap": review.excellent_cap})
    return review


def _clean_row(row: dict, roll: dict[int, Member], today: date) -> dict:
    try:
        member_id = int(row.get("member_id"))
    except (TypeError, ValueError):
        member_id = 0
    if member_id not in roll:
        raise DomainError("只能评议本支部名册上的党员", field="member_id")
    grade = row.get("grade")
    if grade not in rules.REVIEW_GRADES:
        raise DomainError(rules.check_review_grades([str(grade)])[0], field="grade")
    out = {"member_id": member_id, "grade": grade}
    for key, limit in TEXT_LIMITS.items():
        value = (row.get(key) or "").strip()
        if len(value) > limit:
            raise DomainError(f"{roll[member_id].name}：不能超过 {limit} 个字", field=key)
        out[key] = value
    deadline = row.get("rectify_deadline") or None
    if grade == "unqualified":
        if not out["note"]:
            raise DomainError(f"{roll[member_id].name}评为不合格，须填写评定意见（处置原因）", field="note")
        if deadline is not None:
            errors = member_rules.check_rectify_deadline(decided_on=today, deadline=deadline)
            if errors:
                raise FieldErrors(errors)
    out["rectify_deadline"] = deadline if grade == "unqualified" else None
    return out


@transaction.atomic
def review_grades_set(*, actor, review: Review, rows: list[dict]) -> Review:
    """Record or change grades (all rows or none). The ⚙ 优秀 quota is checked over the whole review."""
    require(actor, "meetings.edit", review.org)
    review = Review.objects.select_for_update(of=("self",)).select_related("org").get(pk=review.pk)
    if review.state != Review.State.OPEN:
        raise Conflict("评议结果已评定，不能修改", field="state")
    if not rows:
        raise DomainError("请至少评定一名党员", field="grades")
    today = timezone.localdate()
    roll = {m.id: m for m in members_on_rolls(review.org)}
    cleaned = [_clean_row(r, roll, today) for r in rows]
    ids = [c["member_id"] for c in cleaned]
    if len(set(ids)) != len(ids):
        raise DomainError("同一名党员只能评定一次", field="member_id")
    existing = {g.member_id: g for g in review.grades.all()}
    final = {mid: g.grade for mid, g in existing.items()} | {c["member_id"]: c["grade"] for c in cleaned}
    problem = rules.check_review_grades(final.values(), cap_percent=review.excellent_cap)
    if problem:
        raise DomainError(problem[0], field=problem[1], rule="R-MEET-REVIEW")
    before = {str(mid): existing[mid].grade for mid in ids if mid in existing}
    for c in cleaned:
        row = existing.get(c["member_id"]) or ReviewGrade(review=review, member_id=c["member_id"])
        for key in ("grade", "self_assessment", "mutual_opinion", "note", "rectify_deadline"):
            setattr(row, key, c[key])
        row.updated_by = actor
        row.save()
    audit(actor=actor, verb="review.grades", target=review, org=review.org, before=before,
          after={str(c["member_id"]): c["grade"] for c in cleaned})
    return review


@transaction.atomic
def review_close(*, actor, review: Review, closed_on: date | None = None) -> Review:
    """Fix the result (评定意见): each 不合格 member gets a 限期改正 disposal (RULES §7 ladder)."""
    from dangjian.members.lifecycle import disposal_record

    require(actor, "meetings.edit", review.org)
    require(actor, "members.edit", review.org)
    review = Review.objects.select_for_update(of=("self",)).select_related("org").get(pk=review.pk)
    if review.state != Review.State.OPEN:
        raise Conflict("评议结果已评定", field="state")
    today = timezone.localdate()
    closed_on = closed_on or today
    if closed_on > today or closed_on < date(review.year, 1, 1):
        raise DomainError(f"评定日期应在 {review.year} 年 1 月 1 日到今天之间", field="closed_on")
    grades = list(review.grades.select_related("member", "member__org"))
    if not grades:
        raise DomainError("尚未评定任何党员，不能确定评议结果", field="grades", rule="R-MEET-REVIEW")
    problem = rules.check_review_grades([g.grade for g in grades], cap_percent=review.excellent_cap)
    if problem:
        raise DomainError(problem[0], field=problem[1], rule="R-MEET-REVIEW")
    opened = []
    for g in grades:
        if g.grade != "unqualified" or g.disposal_id:
            continue
        deadline = g.rectify_deadline or rules.rectify_deadline(closed_on)
        disposal = disposal_record(
            actor=actor, member=g.member, kind=Disposal.Kind.RECTIFY, decided_on=closed_on, deadline=deadline,
            reason=f"{review.year} 年度民主评议党员评定为不合格：{g.note}"[:500], source=_source(review))
        g.disposal, g.rectify_deadline = disposal, deadline
        g.save(update_fields=["disposal", "rectify_deadline", "updated_at"])
        opened.append(disposal.id)
    review.state, review.closed_on = Review.State.CLOSED, closed_on
    review.save(update_fields=["state", "closed_on"])
    audit(actor=actor, verb="review.close", target=review, org=review.org,
          after={"closed_on": closed_on, "grades": {str(g.member_id): g.grade for g in grades},
                 "disposals": opened})
    return review
