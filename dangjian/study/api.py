"""JSON API of the study app: /api/v1/study/…"""
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.scope import org_get_visible, scope_paths
from dangjian.core.api import Detail, Page
from dangjian.core.pagination import paginate
from dangjian.members.selectors import member_get, member_of_user

from . import selectors, services

router = Router(tags=["学习教育"])
ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}


class MaterialIn(Schema):
    org_id: int
    title: str = Field(max_length=400)
    kind: str
    duration_seconds: int
    published_on: date
    series: str = "other"
    body: str = Field("", max_length=200000)
    url: str = Field("", max_length=1000)


class MaterialOut(Schema):
    id: int
    org_id: int
    org_name: str
    title: str
    kind: str
    series: str
    period: str
    duration_seconds: int
    published_on: date
    url: str


class MaterialDetailOut(MaterialOut):
    body: str
    my_seconds: int | None = None


class StudyProgressIn(Schema):
    material_id: int
    seconds: int = Field(ge=0, le=10 ** 7)


class StudyProgressOut(Schema):
    material_id: int
    seconds: int
    duration_seconds: int
    credited_seconds: int
    completed: bool
    hours: Decimal


class HoursRow(Schema):
    member_id: int
    name: str
    org_id: int
    hours: Decimal
    required: Decimal
    met: bool
    is_leader: bool
    trained: bool
    exempt: bool


class HoursParams(Schema):
    org: int
    year: int | None = Field(None, ge=2000, le=2999)
    status: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class MyStudyOut(Schema):
    member_id: int
    year: int
    hours: Decimal
    required: Decimal
    met: bool
    percent: int
    is_leader: bool
    exempt: bool


class LessonIn(Schema):
    title: str = Field(max_length=400)
    teacher: str = Field("", max_length=100)


class CourseIn(Schema):
    org_id: int
    title: str = Field(max_length=400)
    kind: str = "concentrated"
    starts_on: date
    ends_on: date
    hours: Decimal = Field(max_digits=6, decimal_places=1)
    location: str = Field("", max_length=200)
    description: str = Field("", max_length=40000)
    lessons: list[LessonIn] = Field(default_factory=list, max_length=100)


class CourseOut(Schema):
    id: int
    org_id: int
    title: str
    kind: str
    starts_on: date
    ends_on: date
    hours: Decimal
    location: str


class StudyAttendanceIn(Schema):
    member_ids: list[int] = Field(max_length=1000)
    hours: Decimal | None = Field(None, max_digits=6, decimal_places=1)
    certificate_no: str = Field("", max_length=100)


class QuestionIn(Schema):
    org_id: int
    text: str = Field(max_length=1000)
    choices: list[str] = Field(max_length=20)
    answer: list[int] = Field(max_length=20)


class QuestionOut(Schema):
    id: int
    text: str
    choices: list[str]


class QuizIn(Schema):
    org_id: int
    title: str = Field(max_length=400)
    question_ids: list[int] = Field(max_length=1000)
    question_count: int
    pass_score: Decimal = Field(Decimal(60), max_digits=6, decimal_places=2)
    deadline: datetime | None = None
    credit_hours: Decimal = Field(Decimal(0), max_digits=6, decimal_places=2)


class QuizOut(Schema):
    id: int
    org_id: int
    title: str
    question_count: int
    pass_score: Decimal
    deadline: datetime | None
    credit_hours: Decimal


class AttemptOut(Schema):
    quiz_id: int
    questions: list[QuestionOut]
    submitted: bool
    score: Decimal | None
    passed: bool | None


class SubmitIn(Schema):
    answers: dict[str, list[int]] = Field(max_length=500)


class CreditReverseIn(Schema):
    reason: str = Field(max_length=400)


class StudyListParams(Schema):
    org: int | None = None
    series: str = ""
    kind: str = ""
    period: str = Field("", max_length=8)
    q: str = Field("", max_length=50)
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


def _material(m) -> dict:
    return {"id": m.id, "org_id": m.org_id, "org_name": m.org.name, "title": m.title, "kind": m.kind,
            "series": m.series, "period": m.period, "duration_seconds": m.duration_seconds,
            "published_on": m.published_on, "url": m.url}


def _course(c) -> dict:
    return {"id": c.id, "org_id": c.org_id, "title": c.title, "kind": c.kind, "starts_on": c.starts_on,
            "ends_on": c.ends_on, "hours": c.hours, "location": c.location}


def _quiz(q) -> dict:
    return {"id": q.id, "org_id": q.org_id, "title": q.title, "question_count": q.question_count,
            "pass_score": q.pass_score, "deadline": q.deadline, "credit_hours": q.credit_hours}


def _attempt(attempt) -> dict:
    by_id = {q.id: q for q in attempt.quiz.questions.filter(id__in=attempt.question_ids)}
    return {"quiz_id": attempt.quiz_id, "submitted": attempt.submitted_at is not None, "score": attempt.score,
            "passed": attempt.passed,
            "questions": [{"id": i, "text": by_id[i].text, "choices": by_id[i].choices} for i in attempt.question_ids
                          if i in by_id]}


def _member_only(user):
    """The member record of a user with no org role (a plain member sees what is published to them)."""
    paths = scope_paths(user)
    return member_of_user(user) if paths is not None and not paths else None


def _org(request, org_id):
    return org_get_visible(actor=request.user, org_id=org_id) if org_id is not None else None


# --- Materials and progress ---------------------------------------------------------------------

@router.post("/study/materials", response={201: MaterialOut, **ERRORS})
def material_create(request, payload: MaterialIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    return 201, _material(services.material_create(actor=request.user, org=org,
                                                   **payload.dict(exclude={"org_id"})))


@router.get("/study/materials", response={200: Page[MaterialOut], 404: Detail})
def material_list(request, params: Query[StudyListParams]):
    """Managers: published in or above their orgs. Members: published to them (their branch and above)."""
    member = _member_only(request.user)
    if params.org is None and member is not None:
        qs = selectors.materials_for_member(member)
        qs = qs.filter(series=params.series) if params.series else qs
    else:
        qs = selectors.material_list(actor=request.user, org=_org(request, params.org), series=params.series,
                                     kind=params.kind, period=params.period, q=params.q)
    result = paginate(qs, page=params.page, page_size=params.page_size)
    return {"items": [_material(m) for m in result["items"]], "count": result["count"]}


@router.get("/study/materials/{material_id}", response={200: MaterialDetailOut, 404: Detail})
def material_detail(request, material_id: int):
    """The material; for a member it was published to, the first read starts the study clock."""
    material = selectors.material_get(actor=request.user, material_id=material_id)
    member = member_of_user(request.user)
    mine = selectors.progress_of(member, [material]).get(material.id) if member else None
    if mine is None and member is not None and selectors.materials_for_member(member).filter(pk=material.pk).exists():
        mine = services.material_open(actor=request.user, material=material)  # reading starts the study clock
    return {**_material(material), "body": material.body, "my_seconds": mine.seconds if mine else None}


@router.post("/study/materials/{material_id}/open", response={200: StudyProgressOut, **ERRORS})
def material_open(request, material_id: int):
    """The member starts reading: the study clock starts now (progress is checked against it)."""
    member = services.acting_member(request.user)
    material = selectors.material_for_member(member=member, material_id=material_id)
    progress = services.material_open(actor=request.user, material=material)
    return _progress(member, material, progress, 0)


def _progress(member, material, progress, credited) -> dict:
    return {"material_id": material.id, "seconds": progress.seconds, "duration_seconds": material.duration_seconds,
            "credited_seconds": credited, "completed": progress.completed_at is not None,
            "hours": selectors.member_hours(member, year=timezone.localdate().year)["hours"]}


@router.post("/study/progress", response={200: StudyProgressOut, **ERRORS})
def progress_report(request, payload: StudyProgressIn):
    """`seconds`: how far the logged-in member has studied the material in all. Capped at its length,
    never credited twice, refused when faster than real time since it was opened or last reported."""
    member = services.acting_member(request.user)
    material = selectors.material_for_member(member=member, material_id=payload.material_id)
    progress, credited = services.progress_report(actor=request.user, material=material, seconds=payload.seconds)
    return _progress(member, material, progress, credited)


# --- Hours --------------------------------------------------------------------------------------

@router.get("/study/hours", response={200: Page[HoursRow], 404: Detail})
def hours(request, params: Query[HoursParams]):
    """Each member's 学时 of the year against R-STUDY-32 / R-STUDY-56 (?status=unmet leaves exempt members out)."""
    org = org_get_visible(actor=request.user, org_id=params.org)
    rows = selectors.hours_rows(actor=request.user, org=org, year=params.year or timezone.localdate().year,
                                status=params.status)
    start = (params.page - 1) * params.page_size
    return {"items": rows[start:start + params.page_size], "count": len(rows)}


@router.get("/study/me", response={200: MyStudyOut, 403: Detail})
def my_study(request, year: int | None = Query(None, ge=2000, le=2999)):
    member = services.acting_member(request.user)
    row = selectors.member_hours(member, year=year or timezone.localdate().year)
    return {**row, "year": year or timezone.localdate().year}


@router.post("/study/credits/{credit_id}/reverse", response={201: dict, **ERRORS})
def credit_reverse(request, credit_id: int, payload: CreditReverseIn):
    credit = selectors.credit_get(actor=request.user, credit_id=credit_id)
    reversal = services.credit_reverse(actor=request.user, credit=credit, reason=payload.reason)
    return 201, {"id": reversal.id, "reverses": credit.id, "hours": str(reversal.hours), "seconds": reversal.seconds}


# --- Courses ------------------------------------------------------------------------------------

@router.post("/study/courses", response={201: CourseOut, **ERRORS})
def course_create(request, payload: CourseIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    data = payload.dict(exclude={"org_id"})
    return 201, _course(services.course_create(actor=request.user, org=org, **data))


@router.get("/study/courses", response={200: Page[CourseOut], 404: Detail})
def course_list(request, org: int | None = None, year: int | None = Query(None, ge=2000, le=2999),
                page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    qs = selectors.course_list(actor=request.user, org=_org(request, org), year=year)
    result = paginate(qs, page=page, page_size=page_size)
    return {"items": [_course(c) for c in result["items"]], "count": result["count"]}


@router.post("/study/courses/{course_id}/attendance", response={201: dict, **ERRORS})
def course_attendance(request, course_id: int, payload: StudyAttendanceIn):
    course = selectors.course_get(actor=request.user, course_id=course_id)
    members = [member_get(actor=request.user, member_id=i) for i in dict.fromkeys(payload.member_ids)]
    rows = services.course_attendance_record(actor=request.user, course=course, members=members,
                                             hours=payload.hours, certificate_no=payload.certificate_no)
    return 201, {"course_id": course.id, "recorded": len(rows)}


# --- Questions and quizzes ----------------------------------------------------------------------

@router.post("/study/questions", response={201: QuestionOut, **ERRORS})
def question_create(request, payload: QuestionIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    q = services.question_create(actor=request.user, org=org, text=payload.text, choices=payload.choices,
                                 answer=payload.answer)
    return 201, {"id": q.id, "text": q.text, "choices": q.choices}


@router.post("/study/quizzes", response={201: QuizOut, **ERRORS})
def quiz_create(request, payload: QuizIn):
    org = org_get_visible(actor=request.user, org_id=payload.org_id)
    return 201, _quiz(services.quiz_create(actor=request.user, org=org, **payload.dict(exclude={"org_id"})))


@router.get("/study/quizzes", response={200: Page[QuizOut], 404: Detail})
def quiz_list(request, org: int | None = None, page: int = Query(1, ge=1),
              page_size: int = Query(50, ge=1, le=200)):
    member = _member_only(request.user)
    if org is None and member is not None:
        qs = selectors.quizzes_for_member(member)
    else:
        qs = selectors.quiz_list(actor=request.user, org=_org(request, org))
    result = paginate(qs, page=page, page_size=page_size)
    return {"items": [_quiz(q) for q in result["items"]], "count": result["count"]}


@router.post("/study/quizzes/{quiz_id}/start", response={200: AttemptOut, **ERRORS})
def quiz_start(request, quiz_id: int):
    """Draw this member's questions at random from the quiz's pool (answers are not sent)."""
    quiz = selectors.quiz_get(actor=request.user, quiz_id=quiz_id)
    return _attempt(services.quiz_start(actor=request.user, quiz=quiz))


@router.post("/study/quizzes/{quiz_id}/submit", response={200: AttemptOut, **ERRORS})
def quiz_submit(request, quiz_id: int, payload: SubmitIn):
    """Auto-graded; a second submission is 409, one after the deadline 400."""
    quiz = selectors.quiz_get(actor=request.user, quiz_id=quiz_id)
    return _attempt(services.quiz_submit(actor=request.user, quiz=quiz, answers=payload.answers))


# --- New secretaries' training (R-STUDY-56) ------------------------------------------------------

class SecretaryParams(Schema):
    org: int
    status: str = Field("untrained", pattern="^(|untrained|overdue|pending|late|on_time)$")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class SecretaryRow(Schema):
    org_id: int
    org_name: str
    member_id: int
    name: str
    took_office_on: date
    deadline: date
    trained_on: date | None
    course_title: str
    status: str
    status_label: str
    days_left: int


@router.get("/study/secretary-training", response={200: Page[SecretaryRow], 404: Detail})
def secretary_training(request, params: Query[SecretaryParams]):
    """Current secretaries under org and their training within half a year of taking office (R-STUDY-56).
    ?status=untrained (default: pending + overdue), overdue, pending, late, on_time, or empty for all."""
    org = org_get_visible(actor=request.user, org_id=params.org)
    rows = selectors.secretary_training(actor=request.user, org=org, status=params.status)
    start = (params.page - 1) * params.page_size
    return {"items": rows[start:start + params.page_size], "count": len(rows)}
