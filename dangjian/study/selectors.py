"""Reads of study data, scoped by the actor (DESIGN rule 2).

Managers see what their orgs published plus what was published to them from above; a member sees
what was published to their branch or any org above it, and only their own progress and hours.
"""
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.accounts.scope import as_id, in_scope, org_get_visible, scope_paths, scope_q
from dangjian.members.models import Member
from dangjian.members.selectors import member_of_user, members_on_rolls
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import (Course, CourseAttendance, Material, MaterialProgress, Question, Quiz, QuizAttempt, StudyCredit,
                     StudyLeader, StudyPolicy)

LEADER_ROLES = [Role.Kind.SECRETARY, Role.Kind.COMMITTEE_MEMBER]


def today() -> date:
    return timezone.localdate()


def ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(Org.steplen, len(path) + 1, Org.steplen)]


def in_or_above_scope_q(actor, *, field: str = "org__path") -> Q:
    paths = scope_paths(actor)
    if paths is None:
        return Q()
    above = {a for p in paths for a in ancestor_paths(p)}
    return scope_q(actor, field=field) | Q(**{f"{field}__in": sorted(above)})


def _one(qs, pk):
    obj = qs.filter(pk=as_id(pk)).first()
    if obj is None:
        raise Http404
    return obj


def targeted_q(member: Member, *, field: str = "org__path") -> Q:
    """Things published to the member's org or any org above it."""
    return Q(**{f"{field}__in": ancestor_paths(member.org.path)})


# --- Policy (⚙ per committee) --------------------------------------------------------------------

def policies_for(paths) -> dict[str, rules.Policy]:
    """The policy in force for each org path: the nearest org at or above it with its own, else the default."""
    paths = set(paths)
    wanted = {a for p in paths for a in ancestor_paths(p)}
    own = {p.org.path: p for p in StudyPolicy.objects.filter(org__path__in=wanted).select_related("org")}
    out = {}
    for path in paths:
        row = next((own[a] for a in reversed(ancestor_paths(path)) if a in own), None)
        out[path] = rules.DEFAULT_POLICY if row is None else rules.Policy(
            member_hours=row.member_hours, leader_hours=row.leader_hours,
            leader_needs_training=row.leader_needs_training, online_minutes_per_hour=row.online_minutes_per_hour)
    return out


def policy_for(org: Org) -> rules.Policy:
    return policies_for([org.path])[org.path]


# --- Materials -----------------------------------------------------------------------------------

def material_list(*, actor, org: Org | None = None, series: str = "", kind: str = "", period: str = "",
                  q: str = "") -> QuerySet:
    qs = Material.objects.filter(in_or_above_scope_q(actor))
    if org is not None:
        qs = qs.filter(Q(subtree_q(org.path, field="org__path")) | Q(org__path__in=ancestor_paths(org.path)))
    if series:
        qs = qs.filter(series=series)
    if kind:
        qs = qs.filter(kind=kind)
    if period:
        qs = qs.filter(period=period)
    if q:
        qs = qs.filter(title__icontains=q.strip())
    return qs.select_related("org").order_by("-published_on", "-id")


def materials_for_member(member: Member, *, on: date | None = None) -> QuerySet:
    return (Material.objects.filter(targeted_q(member), published_on__lte=on or today())
            .select_related("org").order_by("-published_on", "-id"))


def material_get(*, actor, material_id) -> Material:
    """A manager's view (in or above scope) or a member's (published to them)."""
    q = in_or_above_scope_q(actor)
    member = member_of_user(actor)
    if member is not None:
        q |= targeted_q(member) & Q(published_on__lte=today())
    return _one(Material.objects.filter(q).select_related("org"), material_id)


def material_for_member(*, member: Member, material_id) -> Material:
    return _one(materials_for_member(member), material_id)


def material_stats(material: Material) -> dict:
    agg = material.progress.aggregate(readers=Count("id"),
                                      completed=Count("id", filter=Q(completed_at__isnull=False)))
    return agg


def progress_of(member: Member, materials) -> dict[int, MaterialProgress]:
    return {p.material_id: p for p in MaterialProgress.objects.filter(member=member, material__in=list(materials))}


# --- Courses and quizzes --------------------------------------------------------------------------

def course_list(*, actor, org: Org | None = None, year: int | None = None, kind: str = "") -> QuerySet:
    qs = Course.objects.filter(in_or_above_scope_q(actor))
    if org is not None:
        qs = qs.filter(Q(subtree_q(org.path, field="org__path")) | Q(org__path__in=ancestor_paths(org.path)))
    if year:
        qs = qs.filter(starts_on__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("org").annotate(attendees=Count("attendance")).order_by("-starts_on", "-id")


def course_get(*, actor, course_id) -> Course:
    return _one(Course.objects.filter(in_or_above_scope_q(actor)).select_related("org")
                .prefetch_related("lessons"), course_id)


def attendance_of(*, actor, course: Course) -> QuerySet:
    """Attendees the actor may see (a course run from above lists only the actor's own members)."""
    return (course.attendance.filter(scope_q(actor, field="member__org__path"))
            .select_related("member", "member__org").order_by("member__org__path", "member__name"))


def question_list(*, actor) -> QuerySet:
    return Question.objects.filter(in_or_above_scope_q(actor)).select_related("org")


def quiz_list(*, actor, org: Org | None = None) -> QuerySet:
    qs = Quiz.objects.filter(in_or_above_scope_q(actor))
    if org is not None:
        qs = qs.filter(Q(subtree_q(org.path, field="org__path")) | Q(org__path__in=ancestor_paths(org.path)))
    return qs.select_related("org").annotate(pool=Count("questions", distinct=True)).order_by("-created_at", "-id")


def quiz_get(*, actor, quiz_id) -> Quiz:
    q = in_or_above_scope_q(actor)
    member = member_of_user(actor)
    if member is not None:
        q |= targeted_q(member)
    return _one(Quiz.objects.filter(q).select_related("org"), quiz_id)


def quizzes_for_member(member: Member) -> QuerySet:
    return Quiz.objects.filter(targeted_q(member)).select_related("org").order_by("-created_at")


def quiz_results(*, actor, quiz: Quiz) -> QuerySet:
    return (quiz.attempts.filter(scope_q(actor, field="member__org__path"), submitted_at__isnull=False)
            .select_related("member", "member__org").order_by("-score", "member__name"))


# --- 学时 (R-STUDY-32 / R-STUDY-56) ---------------------------------------------------------------

def _annotated_members(qs: QuerySet, year: int) -> QuerySet:
    in_year = Q(study_credits__year=year)
    return qs.annotate(
        offline=Sum("study_credits__hours", filter=in_year),
        online=Sum("study_credits__seconds", filter=in_year),
        trained=Exists(CourseAttendance.objects.filter(member=OuterRef("pk"), course__starts_on__year=year)),
        leader_mark=Exists(StudyLeader.objects.filter(member=OuterRef("pk"))),
        leader_role=Exists(Role.objects.filter(user_id=OuterRef("user_id"), role__in=LEADER_ROLES,
                                               org__is_active=True)),
    )


def _hours_met(offline, online, *, trained, is_leader: bool, policy: rules.Policy) -> tuple[rules.Decimal, bool]:
    """The year's 学时 from the sums of _annotated_members, and whether they meet the minimum (the list and the
    home card's count read the same figures through this)."""
    hours = rules.annual_hours(offline_hours=offline or 0, online_seconds=online or 0,
                               online_minutes_per_hour=policy.online_minutes_per_hour)
    return hours, rules.hours_met(hours=hours, is_leader=is_leader, trained=bool(trained), policy=policy)


def hours_row(member, policy: rules.Policy) -> dict:
    is_leader = bool(member.leader_mark or member.leader_role)
    hours, met = _hours_met(member.offline, member.online, trained=member.trained, is_leader=is_leader,
                            policy=policy)
    required = rules.required_hours(is_leader=is_leader, policy=policy).quantize(rules.CENT)
    return {"member": member, "member_id": member.id, "name": member.name, "org_id": member.org_id,
            "org_name": member.org.name, "hours": hours, "required": required, "is_leader": is_leader,
            "trained": bool(member.trained), "exempt": member.is_exempt, "met": met,
            "percent": rules.progress_percent(hours=hours, required=required),
            "shortfall": max(required - hours, rules.Decimal("0.00")),
            "rule": "R-STUDY-56" if is_leader else "R-STUDY-32"}


def hours_rows(*, actor, org: Org, year: int, status: str = "", q: str = "") -> list[dict]:
    """Every member on the rolls under org with the year's 学时 against the minimum.

    status: "unmet" (alerts: exempt members left out), "met", "exempt"; empty for all.
    """
    org = org_get_visible(actor=actor, org_id=org.id)
    members = members_on_rolls(org).select_related("org")
    if q:
        members = members.filter(name__icontains=q.strip())
    members = list(_annotated_members(members.order_by("org__path", "name", "id"), year))
    policies = policies_for({m.org.path for m in members})
    rows = [hours_row(m, policies[m.org.path]) for m in members]
    if status == "unmet":
        rows = [r for r in rows if not r["met"] and not r["exempt"]]
    elif status == "met":
        rows = [r for r in rows if r["met"]]
    elif status == "exempt":
        rows = [r for r in rows if r["exempt"]]
    return rows


def hours_unmet_count(*, actor, org: Org, year: int) -> int:
    """How many members on the rolls under org, not exempt, are below the year's minimum: the count of
    hours_rows(status="unmet"), by the same rules and policies, read as plain values. The home page's card of a
    province took 97 s through hours_rows (a million member objects, each decrypting its ID number)."""
    org = org_get_visible(actor=actor, org_id=org.id)
    rows = (_annotated_members(members_on_rolls(org).filter(is_exempt=False), year)
            .values_list("org__path", "offline", "online", "trained", "leader_mark", "leader_role").order_by())
    by_path: dict[str, list] = {}
    for path, *figures in rows:
        by_path.setdefault(path, []).append(figures)
    unmet = 0
    for path, policy in policies_for(by_path).items():
        for offline, online, trained, leader_mark, leader_role in by_path[path]:
            unmet += not _hours_met(offline, online, trained=trained, is_leader=bool(leader_mark or leader_role),
                                    policy=policy)[1]
    return unmet


def member_hours(member: Member, *, year: int) -> dict:
    annotated = _annotated_members(Member.objects.filter(pk=member.pk).select_related("org"), year).get()
    return hours_row(annotated, policy_for(member.org))


def credits_of(member: Member, *, year: int) -> QuerySet:
    return (StudyCredit.objects.filter(member=member, year=year)
            .select_related("material", "course", "quiz").order_by("-credited_on", "-id"))


def credit_get(*, actor, credit_id) -> StudyCredit:
    return _one(StudyCredit.objects.filter(scope_q(actor, field="org__path")).select_related("member", "org"),
                credit_id)


def my_study(member: Member, *, year: int | None = None) -> dict:
    year = year or today().year
    materials = list(materials_for_member(member)[:20])
    progress = progress_of(member, materials)
    for m in materials:
        p = progress.get(m.id)
        m.my_seconds = p.seconds if p else 0
        m.my_percent = min(100, m.my_seconds * 100 // max(1, m.duration_seconds))
        m.my_done = bool(p and p.completed_at)
    attempts = {a.quiz_id: a for a in QuizAttempt.objects.filter(member=member)}
    quizzes = list(quizzes_for_member(member)[:10])
    for quiz in quizzes:
        quiz.my_attempt = attempts.get(quiz.id)
    return {"member": member, "year": year, "summary": member_hours(member, year=year), "materials": materials,
            "quizzes": quizzes, "credits": list(credits_of(member, year=year)[:20]),
            "courses": list(member.study_course_attendance.select_related("course")
                            .filter(course__starts_on__year=year))}


# --- New secretaries' training (R-STUDY-56) -------------------------------------------------------

SECRETARY_FILTERS = {"": None, "untrained": (rules.PENDING, rules.OVERDUE), "overdue": (rules.OVERDUE,),
                     "pending": (rules.PENDING,), "late": (rules.LATE,), "on_time": (rules.ON_TIME,)}


def _took_office(committee) -> date:
    return committee.took_office_on or committee.elected_on


def secretary_training(*, actor, org: Org, status: str = "", on: date | None = None) -> list[dict]:
    """Every current secretary of an org under org (the 书记 seat of its current 班子, from elections) with the day
    they took office, the deadline of R-STUDY-56 and their first qualifying training since. A secretary re-elected
    without a break counts from the first term they took office in. 3 queries."""
    from dangjian.elections.models import CommitteeSeat

    org = org_get_visible(actor=actor, org_id=org.id)
    on = on or today()
    seats = (CommitteeSeat.objects.filter(subtree_q(org.path, field="committee__org__path"), duty="secretary",
                                          committee__org__is_active=True)
             .select_related("committee", "committee__org", "member")
             .order_by("committee__org__path", "-committee__elected_on", "-committee_id"))
    by_org: dict[int, list] = {}
    for seat in seats:
        by_org.setdefault(seat.committee.org_id, []).append(seat)
    current = []
    for history in by_org.values():
        if not history[0].committee.is_current:
            continue
        member_id, took_office = history[0].member_id, _took_office(history[0].committee)
        for older in history[1:]:  # the same secretary in the terms just before: counted from the first of them
            if older.member_id != member_id:
                break
            took_office = _took_office(older.committee)
        current.append((history[0], took_office))
    trainings: dict[int, list] = {}
    for member_id, ends_on, title in (CourseAttendance.objects
                                      .filter(member_id__in=[s.member_id for s, _ in current],
                                              course__kind__in=rules.NEW_SECRETARY_COURSE_KINDS)
                                      .order_by("course__ends_on", "course_id")
                                      .values_list("member_id", "course__ends_on", "course__title")):
        trainings.setdefault(member_id, []).append((ends_on, title))
    wanted = SECRETARY_FILTERS.get(status)
    rows = []
    for seat, took_office in current:
        first = next(((d, t) for d, t in trainings.get(seat.member_id, []) if d >= took_office), None)
        state = rules.new_secretary_status(took_office_on=took_office, trained_on=first[0] if first else None,
                                           today=on)
        if wanted and state not in wanted:
            continue
        deadline = rules.new_secretary_deadline(took_office)
        rows.append({"org": seat.committee.org, "org_id": seat.committee.org_id, "org_name": seat.committee.org.name,
                     "member": seat.member, "member_id": seat.member_id, "name": seat.member.name,
                     "took_office_on": took_office, "deadline": deadline,
                     "trained_on": first[0] if first else None, "course_title": first[1] if first else "",
                     "status": state, "status_label": rules.SECRETARY_STATUS_LABELS[state],
                     "days_left": (deadline - on).days, "days_over": max(0, (on - deadline).days)})
    order = {rules.OVERDUE: 0, rules.PENDING: 1, rules.LATE: 2, rules.ON_TIME: 3}
    rows.sort(key=lambda r: (order[r["status"]], r["deadline"], r["org"].path))
    return rows


def home_cards(*, actor, org: Org) -> list[dict]:
    if not in_scope(actor, org):
        return []
    year = today().year
    unmet = hours_unmet_count(actor=actor, org=org, year=year)
    overdue = len(secretary_training(actor=actor, org=org, status="overdue"))
    return [{"label": f"{year} 年学时未达标", "value": unmet, "icon": "ti-clock-hour-4"},
            {"label": "新任书记逾期未培训", "value": overdue, "icon": "ti-school"}]
