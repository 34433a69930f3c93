"""Pages of the study app: managers' lists and ledgers, and the member's phone pages."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import can, has_any, org_get_visible, require
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.core.forms import apply_domain_error
from dangjian.core.pagination import page_of
from dangjian.core.shell import current_org
from dangjian.core.xlsx import build_workbook, xlsx_response
from dangjian.members.selectors import member_get, member_of_user, members_on_rolls

from . import selectors, services
from .forms import AttendanceForm, CourseForm, MaterialForm, QuestionForm, QuizForm
from .models import Course, Material, QuizAttempt, StudyLeader

STATUSES = [("", "全部"), ("unmet", "未达标（不含免于提醒）"), ("met", "已达标"), ("exempt", "免于提醒")]


def _need(request, perm="study.view"):
    if not has_any(request.user, perm):
        raise Http404


def _org(request):
    if request.GET.get("org"):
        return org_get_visible(actor=request.user, org_id=request.GET["org"])
    org = current_org(request)
    if org is None:
        raise Http404
    return org


def _int(request, name, low=2000, high=2999):
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


def _query(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _form_page(request, form, action, *, success, redirect_to, title, back, template="study/form.html", extra=None):
    if request.method == "POST" and form.is_valid():
        try:
            result = action(form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
    return render(request, template, {"form": form, "title": title, "back": back, **(extra or {})})


# --- Materials --------------------------------------------------------------------------------

@login_required
def materials(request):
    _need(request)
    org = _org(request)
    series = request.GET.get("series", "") if request.GET.get("series") in Material.Series.values else ""
    period = request.GET.get("period", "").strip()[:8]
    q = request.GET.get("q", "").strip()[:50]
    qs = selectors.material_list(actor=request.user, org=org, series=series, period=period, q=q)
    return render(request, "study/materials.html", {
        "org": org, "page": page_of(qs, request), "series": series, "period": period, "q": q,
        "all_series": Material.Series.choices, "query": _query(request),
        "can_create": can(request.user, "study.edit", org)})


@login_required
def material_create(request):
    _need(request)
    org = _org(request)
    require(request.user, "study.edit", org)
    form = MaterialForm(request.POST or None)

    def action(d):
        return services.material_create(actor=request.user, org=org, title=d["title"], kind=d["kind"],
                                        series=d["series"], duration_seconds=d["minutes"] * 60,
                                        published_on=d["published_on"], body=d["body"], url=d["url"])

    return _form_page(request, form, action, success="学习资料已发布",
                      redirect_to=lambda m: reverse("study:material_detail", args=[m.id]),
                      title=f"{org.name} · 发布学习资料", back=reverse("study:materials"))


@login_required
def material_detail(request, material_id: int):
    """Managers see the material and its readers; a member reads it and the time is credited."""
    material = selectors.material_get(actor=request.user, material_id=material_id)
    member = member_of_user(request.user)
    targeted = member is not None and selectors.materials_for_member(member).filter(pk=material.pk).exists()
    mine = selectors.progress_of(member, [material]).get(material.id) if targeted else None
    stats = selectors.material_stats(material) if has_any(request.user, "study.view") else None
    return render(request, "study/material_detail.html", {
        "m": material, "targeted": targeted, "my_seconds": mine.seconds if mine else 0,
        "done": bool(mine and mine.completed_at), "stats": stats})


# --- My study (phone) -------------------------------------------------------------------------

@login_required
def me(request):
    member = member_of_user(request.user)
    if member is None:
        return render(request, "study/me.html", {"member": None})
    from dangjian.duties.selectors import led_groups  # a 党小组长 reaches the group's duty list from here

    return render(request, "study/me.html", {**selectors.my_study(member),
                                             "leads_group": led_groups(request.user).exists()})


# --- Courses ----------------------------------------------------------------------------------

@login_required
def courses(request):
    _need(request)
    org = _org(request)
    year = _int(request, "year")
    kind = request.GET.get("kind", "") if request.GET.get("kind") in Course.Kind.values else ""
    qs = selectors.course_list(actor=request.user, org=org, year=year, kind=kind)
    return render(request, "study/courses.html", {
        "org": org, "page": page_of(qs, request), "year": year, "kind": kind, "kinds": Course.Kind.choices,
        "query": _query(request), "can_create": can(request.user, "study.edit", org)})


@login_required
def course_create(request):
    _need(request)
    org = _org(request)
    require(request.user, "study.edit", org)
    form = CourseForm(request.POST or None)
    return _form_page(request, form, lambda d: services.course_create(actor=request.user, org=org, **d),
                      success="培训已创建", redirect_to=lambda c: reverse("study:course_detail", args=[c.id]),
                      title=f"{org.name} · 新建集中培训", back=reverse("study:courses"))


@login_required
def course_detail(request, course_id: int):
    _need(request)
    course = selectors.course_get(actor=request.user, course_id=course_id)
    org = current_org(request)
    base = org if org is not None and org.path.startswith(course.org.path) else course.org
    if not can(request.user, "study.edit", base):
        base = None
    members = (members_on_rolls(base).select_related("org").exclude(study_course_attendance__course=course)
               .order_by("org__path", "name")[:500]) if base is not None else []
    form = AttendanceForm(request.POST or None, members=members)
    context = {"course": course, "attendance": selectors.attendance_of(actor=request.user, course=course),
               "can_record": bool(members)}
    if request.method == "POST":
        if base is None:
            raise PermissionDenied("您没有执行此操作的权限")

        def action(d):
            chosen = [member_get(actor=request.user, member_id=i) for i in d["member_ids"]]
            return services.course_attendance_record(actor=request.user, course=course, members=chosen,
                                                     hours=d["hours"], certificate_no=d["certificate_no"])

        return _form_page(request, form, action, success="参训情况已登记，学时已计入",
                          redirect_to=reverse("study:course_detail", args=[course.id]), title="", back="",
                          template="study/course_detail.html", extra=context)
    return render(request, "study/course_detail.html", {**context, "form": form})


# --- Quizzes ----------------------------------------------------------------------------------

@login_required
def quizzes(request):
    _need(request)
    org = _org(request)
    qs = selectors.quiz_list(actor=request.user, org=org)
    return render(request, "study/quizzes.html", {
        "org": org, "page": page_of(qs, request), "query": _query(request),
        "questions": selectors.question_list(actor=request.user).order_by("-id")[:20],
        "question_form": QuestionForm(), "can_create": can(request.user, "study.edit", org)})


@login_required
@require_POST
def question_create(request):
    _need(request)
    org = _org(request)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_create(actor=request.user, org=org, text=form.cleaned_data["text"],
                                     choices=form.cleaned_data["choice_list"], answer=form.cleaned_data["answer"])
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, "题目已加入题库")
    else:
        messages.error(request, "请填写题目和选项")
    return redirect("study:quizzes")


@login_required
def quiz_create(request):
    _need(request)
    org = _org(request)
    require(request.user, "study.edit", org)
    form = QuizForm(request.POST or None, questions=selectors.question_list(actor=request.user).order_by("-id")[:500])
    return _form_page(request, form, lambda d: services.quiz_create(actor=request.user, org=org, **d),
                      success="测试已发布", redirect_to=lambda q: reverse("study:quiz_detail", args=[q.id]),
                      title=f"{org.name} · 发布在线测试", back=reverse("study:quizzes"))


@login_required
def quiz_detail(request, quiz_id: int):
    quiz = selectors.quiz_get(actor=request.user, quiz_id=quiz_id)
    results = selectors.quiz_results(actor=request.user, quiz=quiz) if has_any(request.user, "study.view") else []
    return render(request, "study/quiz_detail.html", {"quiz": quiz, "results": results})


@login_required
def quiz_take(request, quiz_id: int):
    """The member's test on the phone: questions drawn for them, submitted once."""
    quiz = selectors.quiz_get(actor=request.user, quiz_id=quiz_id)
    member = member_of_user(request.user)
    if member is None:
        raise Http404
    try:
        if request.method == "POST":
            answers = {}
            for key in request.POST:
                if key.startswith("q"):
                    answers[key[1:]] = [int(v) for v in request.POST.getlist(key) if v.isdigit()]
            attempt = services.quiz_submit(actor=request.user, quiz=quiz, answers=answers)
            messages.success(request, f"得分 {attempt.score}，{'通过' if attempt.passed else '未通过'}")
            return redirect("study:quiz_take", quiz_id=quiz.id)
        attempt = QuizAttempt.objects.filter(quiz=quiz, member=member).first()
        if attempt is None or attempt.submitted_at is None:
            attempt = services.quiz_start(actor=request.user, quiz=quiz)
    except DomainError as exc:
        messages.error(request, exc.detail)
        attempt = QuizAttempt.objects.filter(quiz=quiz, member=member).first()
    by_id = {q.id: q for q in quiz.questions.filter(id__in=attempt.question_ids)} if attempt else {}
    questions = [by_id[i] for i in (attempt.question_ids if attempt else []) if i in by_id]
    return render(request, "study/quiz_take.html", {"quiz": quiz, "attempt": attempt, "questions": questions})


# --- 学时台账 -----------------------------------------------------------------------------------

def _hours_rows(request):
    org = _org(request)
    year = _int(request, "year") or timezone.localdate().year
    status = request.GET.get("status", "") if request.GET.get("status") in dict(STATUSES) else ""
    q = request.GET.get("q", "").strip()[:50]
    return org, year, status, q, selectors.hours_rows(actor=request.user, org=org, year=year, status=status, q=q)


@login_required
def hours(request):
    _need(request)
    org, year, status, q, rows = _hours_rows(request)
    return render(request, "study/hours.html", {
        "org": org, "year": year, "status": status, "q": q, "statuses": STATUSES, "query": _query(request),
        "page": page_of(rows, request, per_page=50), "total": len(rows),
        "unmet": sum(1 for r in rows if not r["met"] and not r["exempt"]),
        "can_edit": can(request.user, "study.edit", org)})


@login_required
def hours_export(request):
    """The 学时台账 as xlsx; every export of personal data is audited."""
    _need(request, "study.export")
    org, year, status, q, rows = _hours_rows(request)
    require(request.user, "study.export", org)
    data = [[r["name"], r["org_name"], "书记/委员" if r["is_leader"] else "党员", r["hours"], r["required"],
             "是" if r["trained"] else "否", "达标" if r["met"] else "未达标", "是" if r["exempt"] else "",
             r["rule"]] for r in rows]
    wb = build_workbook(title=f"{org.name} {year} 年党员学时台账", headers=[
        "姓名", "所在党组织", "类别", "年度学时", "要求学时", "参加集中培训", "是否达标", "免于提醒", "依据"],
        rows=data, widths=[12, 24, 10, 10, 10, 12, 10, 10, 12], sheet_title="学时台账")
    audit(actor=request.user, verb="study.hours_export", org=org, after={"year": year, "rows": len(data),
                                                                        "status": status})
    return xlsx_response(wb, f"学时台账-{org.name}-{year}.xlsx")


@login_required
@require_POST
def leader_toggle(request, member_id: int):
    member = member_get(actor=request.user, member_id=member_id)
    try:
        if StudyLeader.objects.filter(member=member).exists():
            services.leader_unmark(actor=request.user, member=member)
            messages.success(request, f"已取消 {member.name} 的书记/委员标记")
        else:
            services.leader_mark(actor=request.user, member=member, title=request.POST.get("title") or "支部委员")
            messages.success(request, f"已将 {member.name} 标记为书记/委员（年度 56 学时）")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect(request.POST.get("back") if (request.POST.get("back") or "").startswith("/study/")
                    else reverse("study:hours"))


# --- 新任书记培训 (R-STUDY-56) -------------------------------------------------------------------

SECRETARY_STATUSES = [("untrained", "未培训（待培训与逾期）"), ("overdue", "逾期未培训"), ("pending", "待培训"),
                      ("late", "逾期后培训"), ("on_time", "已按期培训"), ("", "全部")]


@login_required
def secretaries(request):
    """Secretaries who took office and must be trained within half a year (R-STUDY-56); default: not yet trained."""
    _need(request)
    org = _org(request)
    status = request.GET.get("status", "untrained")
    status = status if status in dict(SECRETARY_STATUSES) else "untrained"
    rows = selectors.secretary_training(actor=request.user, org=org, status=status)
    return render(request, "study/secretaries.html", {
        "org": org, "status": status, "statuses": SECRETARY_STATUSES, "query": _query(request),
        "page": page_of(rows, request, per_page=50), "total": len(rows)})
