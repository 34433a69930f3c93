"""Writes of the study app: one transaction each, with its audit event (DESIGN rule 3)."""
import random
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.members.models import Member
from dangjian.members.selectors import member_of_user
from dangjian.orgs.models import Org

from . import rules, selectors
from .models import (Course, CourseAttendance, CourseLesson, Material, MaterialProgress, Question, Quiz, QuizAttempt,
                     StudyCredit, StudyLeader, StudyPolicy)


def _text(value, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    if value is not None and not isinstance(value, str):
        raise DomainError(f"{label}格式不正确", field=field)
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"{label}不能为空", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 个字", field=field)
    return value


def _decimal(value, *, field: str, label: str, low: Decimal, high: Decimal, places: int = 2) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(f"{label}应为数字", field=field)
    if not result.is_finite() or not low <= result <= high or result != round(result, places):
        raise DomainError(f"{label}应在 {low} 到 {high} 之间（最多 {places} 位小数）", field=field)
    return result


def _date(value, *, field: str, label: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise DomainError(f"请填写{label}", field=field)
    return value


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def acting_member(actor) -> Member:
    """The member record of the logged-in user (self-service study)."""
    member = member_of_user(actor)
    if member is None:
        raise DomainError("当前账号没有关联党员信息，不能记录学习", status=403)
    return member


def _credit(*, member: Member, on: date, source: str, actor, seconds: int = 0, hours: Decimal = Decimal(0),
            note: str = "", **refs) -> StudyCredit:
    return StudyCredit.objects.create(member=member, org_id=member.org_id, region_id=member.region_id, year=on.year,
                                      credited_on=on, source=source, seconds=seconds, hours=hours, note=note,
                                      created_by=actor if getattr(actor, "pk", None) else None, **refs)


# --- Policy and leaders -------------------------------------------------------------------------------

@transaction.atomic
def policy_set(*, actor, org: Org, member_hours, leader_hours, leader_needs_training: bool,
               online_minutes_per_hour: int) -> StudyPolicy:
    """A committee's own numbers for RULES §5 (⚙), inherited by every org under it."""
    require(actor, "study.manage", org)
    if org.kind == Org.Kind.BRANCH:
        raise DomainError("学时要求由党委设置", field="org_id")
    member_hours = _decimal(member_hours, field="member_hours", label="党员年度学时", low=Decimal(1), high=Decimal(500))
    leader_hours = _decimal(leader_hours, field="leader_hours", label="书记、委员年度学时", low=Decimal(1),
                            high=Decimal(500))
    if leader_hours < member_hours:
        raise DomainError("书记、委员的学时要求不能低于普通党员", field="leader_hours")
    if not isinstance(online_minutes_per_hour, int) or not 30 <= online_minutes_per_hour <= 120:
        raise DomainError("线上学习每学时分钟数应在 30 到 120 之间", field="online_minutes_per_hour")
    policy, _ = StudyPolicy.objects.get_or_create(org=org)
    before = {"member_hours": policy.member_hours, "leader_hours": policy.leader_hours,
              "leader_needs_training": policy.leader_needs_training,
              "online_minutes_per_hour": policy.online_minutes_per_hour}
    policy.member_hours, policy.leader_hours = member_hours, leader_hours
    policy.leader_needs_training, policy.online_minutes_per_hour = bool(leader_needs_training), online_minutes_per_hour
    policy.save()
    audit(actor=actor, verb="study.policy", target=policy, org=org, before=before,
          after={"member_hours": member_hours, "leader_hours": leader_hours,
                 "leader_needs_training": bool(leader_needs_training),
                 "online_minutes_per_hour": online_minutes_per_hour})
    return policy


@transaction.atomic
def leader_mark(*, actor, member: Member, title: str) -> StudyLeader:
    """Mark a member as secretary / committee member for R-STUDY-56."""
    require(actor, "study.edit", member.org)
    title = _text(title, field="title", label="职务", max_len=50)
    if StudyLeader.objects.filter(member=member).exists():
        raise Conflict(f"{member.name} 已标记为书记或委员")
    mark = StudyLeader.objects.create(member=member, title=title, created_by=actor)
    audit(actor=actor, verb="study.leader_mark", target=member, org=member.org, after={"title": title})
    return mark


@transaction.atomic
def leader_unmark(*, actor, member: Member) -> None:
    require(actor, "study.edit", member.org)
    mark = StudyLeader.objects.filter(member=member).first()
    if mark is None:
        raise DomainError("该党员未标记为书记或委员")
    audit(actor=actor, verb="study.leader_unmark", target=member, org=member.org, before={"title": mark.title})
    mark.delete()


# --- Materials and progress ---------------------------------------------------------------------------

@transaction.atomic
def material_create(*, actor, org: Org, title: str, kind: str, duration_seconds: int, published_on: date,
                    series: str = "other", body: str = "", url: str = "") -> Material:
    require(actor, "study.edit", org)
    title = _text(title, field="title", label="标题", max_len=200)
    if kind not in Material.Kind.values:
        raise DomainError("资料类型应为图文、视频、链接或 PDF 文档", field="kind")
    if series not in Material.Series.values:
        raise DomainError("栏目无效", field="series")
    if (not isinstance(duration_seconds, int) or isinstance(duration_seconds, bool)
            or not 1 <= duration_seconds <= rules.MAX_MATERIAL_SECONDS):
        raise DomainError("学习时长应为 1 秒到 24 小时之间的整数秒", field="duration_seconds")
    published_on = _date(published_on, field="published_on", label="发布日期")
    body = _text(body, field="body", label="正文", max_len=100000, required=False)
    url = _text(url, field="url", label="链接", max_len=500, required=False)
    if url and not url.startswith(("https://", "http://")):
        raise DomainError("链接应以 http:// 或 https:// 开头", field="url")
    material = Material.objects.create(org=org, region_id=org.region_id, title=title, kind=kind, series=series,
                                       period=rules.period_of(published_on, series), body=body, url=url,
                                       duration_seconds=duration_seconds, published_on=published_on,
                                       created_by=actor)
    audit(actor=actor, verb="study.material_create", target=material, org=org,
          after={"title": title, "kind": kind, "series": series, "duration_seconds": duration_seconds,
                 "published_on": published_on})
    return material


@transaction.atomic
def material_open(*, actor, material: Material, now: datetime | None = None) -> MaterialProgress:
    """The member opens the material: the study clock starts (or restarts) now."""
    member = acting_member(actor)
    material = selectors.material_for_member(member=member, material_id=material.id)
    now = _now(now)
    progress, created = MaterialProgress.objects.select_for_update().get_or_create(
        material=material, member=member, defaults={"anchor_at": now, "region_id": member.region_id})
    if not created:
        progress.anchor_at = now
        progress.save(update_fields=["anchor_at", "updated_at"])
    return progress


@transaction.atomic
def progress_report(*, actor, material: Material, seconds: int,
                    now: datetime | None = None) -> tuple[MaterialProgress, int]:
    """Credit study time: `seconds` is how far the member has studied the material in all.

    Capped at the material's length, never credited twice, never faster than real time since the
    material was opened or last reported. Online time is credited in real hours (RULES §5 Decision).
    """
    member = acting_member(actor)
    material = selectors.material_for_member(member=member, material_id=material.id)
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        raise DomainError("学习进度应为非负整数秒", field="seconds")
    now = _now(now)
    progress = MaterialProgress.objects.select_for_update().filter(material=material, member=member).first()
    if progress is None:
        raise DomainError("请先打开学习资料再记录进度", field="material_id")
    elapsed = (now - progress.anchor_at).total_seconds()
    try:
        new = rules.credit_progress(credited=progress.seconds, reported=seconds,
                                    duration=material.duration_seconds, elapsed_seconds=elapsed)
    except rules.TooFast:
        raise DomainError("学习进度快于实际时间，未予记录", field="seconds")
    if new:
        before = progress.seconds
        progress.seconds += new
        progress.anchor_at = now
        if progress.seconds >= material.duration_seconds and progress.completed_at is None:
            progress.completed_at = now
        progress.save()
        _credit(member=member, on=timezone.localtime(now).date(), source=StudyCredit.Source.ONLINE, actor=actor,
                seconds=new, material=material)
        if progress.completed_at == now or before == 0:
            audit(actor=actor, verb="study.progress", target=material, org=member.org,
                  before={"seconds": before}, after={"seconds": progress.seconds, "member_id": member.id})
    return progress, new


# --- Courses ------------------------------------------------------------------------------------------

@transaction.atomic
def course_create(*, actor, org: Org, title: str, kind: str, starts_on: date, ends_on: date, hours,
                  location: str = "", description: str = "", lessons: list[dict] | None = None) -> Course:
    require(actor, "study.edit", org)
    title = _text(title, field="title", label="培训名称", max_len=200)
    if kind not in Course.Kind.values:
        raise DomainError("培训类型无效", field="kind")
    starts_on = _date(starts_on, field="starts_on", label="开始日期")
    ends_on = _date(ends_on, field="ends_on", label="结束日期")
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期", field="ends_on")
    hours = _decimal(hours, field="hours", label="学时", low=Decimal("0.5"), high=Decimal(500), places=1)
    location = _text(location, field="location", label="地点", max_len=100, required=False)
    description = _text(description, field="description", label="培训内容", max_len=20000, required=False)
    cleaned = [(_text(x.get("title"), field="lessons", label="课程名称", max_len=200),
                _text(x.get("teacher"), field="lessons", label="授课人", max_len=50, required=False))
               for x in (lessons or [])]
    course = Course.objects.create(org=org, region_id=org.region_id, title=title, kind=kind, starts_on=starts_on,
                                   ends_on=ends_on, hours=hours, location=location, description=description,
                                   created_by=actor)
    CourseLesson.objects.bulk_create([CourseLesson(course=course, order=n, title=t, teacher=teacher)
                                      for n, (t, teacher) in enumerate(cleaned, start=1)])
    audit(actor=actor, verb="study.course_create", target=course, org=org,
          after={"title": title, "kind": kind, "starts_on": starts_on, "ends_on": ends_on, "hours": hours})
    return course


@transaction.atomic
def course_attendance_record(*, actor, course: Course, members: list[Member], hours=None,
                             certificate_no: str = "") -> list[CourseAttendance]:
    """Record who attended (a 集中培训 for R-STUDY-56) and credit the hours (at most the course's)."""
    if not members:
        raise DomainError("请选择参加培训的党员", field="member_ids")
    hours = course.hours if hours in (None, "") else _decimal(hours, field="hours", label="认定学时",
                                                               low=Decimal("0.5"), high=course.hours, places=1)
    certificate_no = _text(certificate_no, field="certificate_no", label="结业证书编号", max_len=50, required=False)
    if course.starts_on > timezone.localdate():
        raise DomainError("培训尚未开始，不能登记参训", field="member_ids")
    for member in members:
        require(actor, "study.edit", member.org)
        if not member.org.path.startswith(course.org.path):
            raise DomainError(f"{member.name} 不在本次培训的组织范围内", field="member_ids")
    existing = set(CourseAttendance.objects.filter(course=course, member__in=members).values_list("member_id",
                                                                                                   flat=True))
    if existing:
        names = "、".join(m.name for m in members if m.id in existing)
        raise Conflict(f"已登记参训：{names}", field="member_ids")
    rows = []
    try:
        with transaction.atomic():
            for member in members:
                rows.append(CourseAttendance.objects.create(course=course, member=member, region_id=member.region_id,
                                                            hours=hours, certificate_no=certificate_no,
                                                            recorded_by=actor))
                _credit(member=member, on=course.ends_on, source=StudyCredit.Source.COURSE, actor=actor, hours=hours,
                        course=course)
    except IntegrityError:
        raise Conflict("有党员已登记参训", field="member_ids")
    audit(actor=actor, verb="study.attendance", target=course, org=course.org,
          after={"member_ids": [m.id for m in members], "hours": hours, "certificate_no": certificate_no})
    return rows


# --- Questions and quizzes -----------------------------------------------------------------------------

@transaction.atomic
def question_create(*, actor, org: Org, text: str, choices: list[str], answer: list[int]) -> Question:
    require(actor, "study.edit", org)
    text = _text(text, field="text", label="题目", max_len=500)
    problem = rules.check_question(choices, answer)
    if problem:
        raise DomainError(problem, field="answer" if "答案" in problem else "choices")
    question = Question.objects.create(org=org, text=text, choices=[c.strip() for c in choices],
                                       answer=sorted(answer), created_by=actor)
    audit(actor=actor, verb="study.question_create", target=question, org=org, after={"text": text})
    return question


@transaction.atomic
def quiz_create(*, actor, org: Org, title: str, question_ids: list[int], question_count: int, pass_score=60,
                deadline: datetime | None = None, credit_hours=0) -> Quiz:
    require(actor, "study.edit", org)
    title = _text(title, field="title", label="名称", max_len=200)
    ids = set(question_ids or [])
    pool = list(selectors.question_list(actor=actor).filter(id__in=ids))
    if not ids or len(pool) != len(ids):
        raise DomainError("请从题库中选择有效的题目", field="question_ids")
    if not isinstance(question_count, int) or not 1 <= question_count <= len(pool):
        raise DomainError(f"每次抽题数应在 1 到 {len(pool)} 之间", field="question_count")
    pass_score = _decimal(pass_score, field="pass_score", label="及格分", low=Decimal(0), high=Decimal(100))
    credit_hours = _decimal(credit_hours, field="credit_hours", label="认定学时", low=Decimal(0), high=Decimal(10))
    if deadline is not None and deadline <= timezone.now():
        raise DomainError("截止时间应晚于现在", field="deadline")
    quiz = Quiz.objects.create(org=org, region_id=org.region_id, title=title, question_count=question_count,
                               pass_score=pass_score, deadline=deadline, credit_hours=credit_hours, created_by=actor)
    quiz.questions.set(pool)
    audit(actor=actor, verb="study.quiz_create", target=quiz, org=org,
          after={"title": title, "pool": sorted(ids), "question_count": question_count, "pass_score": pass_score})
    return quiz


def _closed(quiz: Quiz, now: datetime) -> bool:
    return quiz.deadline is not None and now > quiz.deadline


@transaction.atomic
def quiz_start(*, actor, quiz: Quiz, now: datetime | None = None, rng: random.Random | None = None) -> QuizAttempt:
    """Draw the member's questions at random from the pool (the same draw if already started)."""
    member = acting_member(actor)
    if not selectors.quizzes_for_member(member).filter(pk=quiz.pk).exists():
        raise DomainError("该测试不面向您所在的党组织", status=403)
    now = _now(now)
    attempt = QuizAttempt.objects.filter(quiz=quiz, member=member).first()
    if attempt is not None:
        if attempt.submitted_at is not None:
            raise Conflict("您已提交过该测试")
        return attempt
    if _closed(quiz, now):
        raise DomainError("测试已截止")
    pool = sorted(quiz.questions.values_list("id", flat=True))
    drawn = (rng or random.SystemRandom()).sample(pool, min(quiz.question_count, len(pool)))
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(quiz=quiz, member=member, region_id=member.region_id,
                                              question_ids=drawn, started_at=now)
    except IntegrityError:
        return QuizAttempt.objects.get(quiz=quiz, member=member)


@transaction.atomic
def quiz_submit(*, actor, quiz: Quiz, answers: dict, now: datetime | None = None) -> QuizAttempt:
    """Grade the attempt; refused when already submitted (409) or after the deadline."""
    member = acting_member(actor)
    now = _now(now)
    attempt = QuizAttempt.objects.select_for_update().filter(quiz=quiz, member=member).first()
    if attempt is None:
        raise DomainError("请先开始测试", field="answers")
    if attempt.submitted_at is not None:
        raise Conflict("您已提交过该测试，不能重复提交")
    if _closed(quiz, now):
        raise DomainError("测试已截止，不能提交", field="answers")
    if not isinstance(answers, dict):
        raise DomainError("答案格式不正确", field="answers")
    drawn = set(attempt.question_ids)
    cleaned: dict[int, list[int]] = {}
    for key, value in answers.items():
        try:
            qid = int(key)
        except (TypeError, ValueError):
            raise DomainError("答案格式不正确", field="answers")
        if qid not in drawn:
            raise DomainError("答案中有不属于本次测试的题目", field="answers")
        if not isinstance(value, list) or any(not isinstance(v, int) or isinstance(v, bool) for v in value):
            raise DomainError("每题的答案应为选项序号列表", field="answers")
        cleaned[qid] = sorted(set(value))
    key = {q.id: q.answer for q in Question.objects.filter(id__in=drawn)}
    correct, score = rules.quiz_grade(key=key, answers=cleaned)
    attempt.answers = {str(k): v for k, v in cleaned.items()}
    attempt.submitted_at, attempt.correct, attempt.score = now, correct, score
    attempt.passed = rules.quiz_passed(score=score, pass_score=quiz.pass_score)
    attempt.save()
    if attempt.passed and quiz.credit_hours:
        _credit(member=member, on=timezone.localtime(now).date(), source=StudyCredit.Source.QUIZ, actor=actor,
                hours=quiz.credit_hours, quiz=quiz)
    audit(actor=actor, verb="study.quiz_submit", target=quiz, org=member.org,
          after={"member_id": member.id, "score": score, "passed": attempt.passed})
    return attempt


# --- Ledger corrections ---------------------------------------------------------------------------------

@transaction.atomic
def credit_reverse(*, actor, credit: StudyCredit, reason: str) -> StudyCredit:
    """Cancel a wrong credit with a reversing entry (the ledger is append-only)."""
    require(actor, "study.edit", credit.org)
    reason = _text(reason, field="reason", label="冲正原因", max_len=200)
    if credit.source == StudyCredit.Source.REVERSAL:
        raise DomainError("冲正记录不能再冲正")
    if StudyCredit.objects.filter(reverses=credit).exists():
        raise Conflict("该记录已冲正")
    reversal = StudyCredit.objects.create(
        member=credit.member, org=credit.org, region_id=credit.region_id, year=credit.year,
        credited_on=timezone.localdate(), source=StudyCredit.Source.REVERSAL, reverses=credit,
        seconds=-credit.seconds, hours=-credit.hours, note=reason, created_by=actor)
    audit(actor=actor, verb="study.credit_reverse", target=credit.member, org=credit.org,
          after={"credit_id": credit.id, "seconds": -credit.seconds, "hours": -credit.hours, "reason": reason})
    return reversal
