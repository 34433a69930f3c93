"""JSON API of 民主评议党员, 每周工作提示 and 双重组织生活 (registered on the app's one router)."""
from datetime import date, datetime

from django.utils import timezone
from ninja import Query, Schema
from pydantic import Field

from dangjian.accounts.scope import org_get_visible, require
from dangjian.core.api import Page
from dangjian.core.pagination import paginate

from . import cadres, prompts, reviews, rules
from .api import ERRORS, router
from .models import Review, WorkPrompt

# --- 民主评议党员 ---


class ReviewIn(Schema):
    year: int
    meeting_id: int | None = None


class GradeIn(Schema):
    member_id: int
    grade: str = Field(max_length=30)
    self_assessment: str = Field("", max_length=5000)
    mutual_opinion: str = Field("", max_length=500)
    note: str = Field("", max_length=500)
    rectify_deadline: date | None = None


class GradesIn(Schema):
    grades: list[GradeIn] = Field(max_length=500)


class CloseIn(Schema):
    closed_on: date | None = None


class ReviewOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    state: str
    meeting_id: int | None
    closed_on: date | None
    excellent_cap: int | None
    graded: int | None = None


class GradeOut(Schema):
    member_id: int
    name: str
    grade: str | None
    grade_label: str
    self_assessment: str
    mutual_opinion: str
    note: str
    rectify_deadline: date | None
    disposal_id: int | None


class ReviewDetailOut(ReviewOut):
    summary: dict
    grades: list[GradeOut]


def _review_out(r: Review) -> dict:
    return {"id": r.id, "org_id": r.org_id, "org_name": r.org.name, "year": r.year, "state": r.state,
            "meeting_id": r.meeting_id, "closed_on": r.closed_on, "excellent_cap": r.excellent_cap,
            "graded": getattr(r, "n_graded", None)}


def _review_detail(r: Review) -> dict:
    rows = reviews.review_sheet(r)
    grades = []
    for row in rows:
        g = row["grade"]
        grades.append({"member_id": row["member"].id, "name": row["member"].name, "grade": g.grade if g else None,
                       "grade_label": rules.REVIEW_GRADES.get(g.grade, "") if g else "未评定",
                       "self_assessment": g.self_assessment if g else "", "mutual_opinion": g.mutual_opinion if g else "",
                       "note": g.note if g else "", "rectify_deadline": g.rectify_deadline if g else None,
                       "disposal_id": g.disposal_id if g else None})
    return {**_review_out(r), "summary": reviews.review_summary(r, rows), "grades": grades}


@router.post("/orgs/{org_id}/reviews", response={201: ReviewDetailOut, **ERRORS})
def review_open(request, org_id: int, payload: ReviewIn):
    """Open the year's 民主评议党员 of a branch (R-MEET-REVIEW); one per branch and year."""
    org = org_get_visible(actor=request.user, org_id=org_id)
    review = reviews.review_open(actor=request.user, org=org, year=payload.year, meeting_id=payload.meeting_id)
    return 201, _review_detail(review)


@router.get("/orgs/{org_id}/reviews", response={200: Page[ReviewOut], **ERRORS})
def review_list(request, org_id: int, year: int | None = Query(None, ge=2000, le=2100),
                page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    org = org_get_visible(actor=request.user, org_id=org_id)
    require(request.user, "meetings.view", org)
    result = paginate(reviews.review_list(actor=request.user, org=org, year=year), page=page, page_size=page_size)
    return {"items": [_review_out(r) for r in result["items"]], "count": result["count"]}


@router.get("/reviews/{review_id}", response={200: ReviewDetailOut, **ERRORS})
def review_detail(request, review_id: int):
    review = reviews.review_get(actor=request.user, review_id=review_id)
    require(request.user, "meetings.view", review.org)
    return _review_detail(review)


@router.post("/reviews/{review_id}/grades", response={200: ReviewDetailOut, **ERRORS})
def review_grades(request, review_id: int, payload: GradesIn):
    """Record grades (all or none); the ⚙ share cap on 优秀 is checked over the whole review."""
    review = reviews.review_get(actor=request.user, review_id=review_id)
    rows = [g.dict() for g in payload.grades]
    return _review_detail(reviews.review_grades_set(actor=request.user, review=review, rows=rows))


@router.post("/reviews/{review_id}/close", response={200: ReviewDetailOut, **ERRORS})
def review_close(request, review_id: int, payload: CloseIn):
    """Fix the result: 不合格 members get a 限期改正 disposal in the members app."""
    review = reviews.review_get(actor=request.user, review_id=review_id)
    return _review_detail(reviews.review_close(actor=request.user, review=review, closed_on=payload.closed_on))


# --- 每周工作提示 ---

class PromptIn(Schema):
    org_id: int
    week_start: date
    title: str = Field(max_length=200)
    body: str = Field("", max_length=5000)


class PromptOut(Schema):
    id: int
    org_id: int
    org_name: str
    week_start: date
    title: str
    body: str
    done: int | None = None


class DoneIn(Schema):
    org_id: int
    note: str = Field("", max_length=500)


class DoneOut(Schema):
    prompt_id: int
    org_id: int
    note: str
    done_at: datetime
    created: bool


def _prompt_out(p: WorkPrompt) -> dict:
    return {"id": p.id, "org_id": p.org_id, "org_name": p.org.name, "week_start": p.week_start, "title": p.title,
            "body": p.body, "done": getattr(p, "n_done", None)}


@router.post("/work-prompts", response={201: PromptOut, **ERRORS})
def prompt_publish(request, payload: PromptIn):
    """A committee publishes a prompt for the week containing `week_start` to every branch below it."""
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    return 201, _prompt_out(prompts.prompt_publish(actor=request.user, org=org, week=payload.week_start,
                                                   title=payload.title, body=payload.body))


@router.get("/work-prompts", response={200: Page[PromptOut], **ERRORS})
def prompt_list(request, org_id: int, week: date | None = None,
                page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    """Prompts reaching the org (from it or above) or published inside its subtree; `week`: that week only."""
    org = org_get_visible(actor=request.user, org_id=org_id)
    require(request.user, "meetings.view", org)
    result = paginate(prompts.prompt_list(actor=request.user, org=org, week=week), page=page, page_size=page_size)
    return {"items": [_prompt_out(p) for p in result["items"]], "count": result["count"]}


@router.get("/work-prompts/{prompt_id}/status", response={200: dict, **ERRORS})
def prompt_status(request, prompt_id: int):
    """The branches reached (that the actor may see): done or not yet."""
    prompt = prompts.prompt_get(actor=request.user, prompt_id=prompt_id)
    rows = prompts.prompt_status(actor=request.user, prompt=prompt)
    return {**_prompt_out(prompt), "branches": [
        {"org_id": r["org"].id, "name": r["org"].name, "done": r["done"] is not None,
         "done_at": r["done"].done_at if r["done"] else None, "note": r["done"].note if r["done"] else ""}
        for r in rows], "not_done": sum(1 for r in rows if r["done"] is None)}


@router.post("/work-prompts/{prompt_id}/done", response={200: DoneOut, **ERRORS})
def prompt_done(request, prompt_id: int, payload: DoneIn):
    """A branch marks the prompt done (idempotent)."""
    prompt = prompts.prompt_get(actor=request.user, prompt_id=prompt_id)
    branch = org_get_visible(actor=request.user, org_id=payload.org_id)
    row, created = prompts.prompt_mark_done(actor=request.user, prompt=prompt, branch=branch, note=payload.note)
    return {"prompt_id": prompt.id, "org_id": branch.id, "note": row.note, "done_at": row.done_at, "created": created}


# --- 双重组织生活 ---

@router.get("/orgs/{org_id}/cadre-attendance", response={200: dict, **ERRORS})
def cadre_attendance(request, org_id: int, year: int | None = Query(None, ge=2000, le=2100)):
    """Leading cadres of the subtree × the meetings of their own branch held in the year (双重组织生活)."""
    org = org_get_visible(actor=request.user, org_id=org_id)
    require(request.user, "meetings.view", org)
    year = year or timezone.localdate().year
    rows = cadres.cadre_attendance(actor=request.user, org=org, year=year)
    return {"year": year, "count": len(rows), "items": [{k: v for k, v in r.items() if k != "member"} for r in rows]}


@router.get("/cadres/{member_id}/reminder-card", response={200: dict, **ERRORS})
def reminder_card(request, member_id: int):
    """The 提醒卡 of a member (the member themself, or anyone whose scope holds them)."""
    card = cadres.reminder_card(actor=request.user, member_id=member_id)
    m = card["member"]
    return {"member_id": m.id, "name": m.name, "org_name": m.org.name, "is_cadre": m.is_cadre, "text": card["text"],
            "year": card["year"], "kinds": card["kinds"], "total": card["total"],
            "upcoming": [{"id": x.id, "kind": x.kind, "title": x.title, "starts_at": x.starts_at, "place": x.place,
                          "venue_name": x.venue.name if x.venue_id else ""} for x in card["upcoming"]]}
