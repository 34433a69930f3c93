"""三亮一评: members' yearly pledges (亮身份, 亮承诺, 亮标准, then 亮实绩) and 群众评议, recorded by the branch
(re-exported by services.py). One transaction each, with its audit event.

R-POINTS-PLEDGE   one pledge per member and year; the year lies within the last 5 years or the next one;
                  the pledge's content can change until it is assessed; the assessment is made once the
                  year has begun and may be corrected (audited), it never touches the ledger.
R-POINTS-RATING   one 群众评议 per member and period (the committee's 考评周期); the grade comes from the
                  satisfaction score (rules.rating_grade) and feeds the ledger through the automatic interface
                  (source "points.public_rating", event = the rating's id: idempotent).
"""
from datetime import date

from django.db import IntegrityError, transaction

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.members.models import Member

from . import rules, selectors
from .models import Pledge, PublicRating

RATING_SOURCE = "points.public_rating"
PLEDGE_FIELDS = {"identity": ("亮身份", 100, True), "text": ("承诺事项", 500, True), "standard": ("践诺标准", 300, False)}


def _clean(value, *, field: str, label: str, max_len: int, required: bool) -> str:
    if value is not None and not isinstance(value, str):
        raise DomainError(f"{label}应为文字", field=field)
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"请填写{label}", field=field, rule="R-POINTS-PLEDGE")
    if len(value) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 个字", field=field)
    return value


def _on_rolls(member: Member) -> Member:
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    if not Member.objects.filter(selectors.members_on_rolls_q(), pk=member.pk).exists():
        raise DomainError(f"{member.name} 不在党员名册中（仅预备党员、正式党员参加三亮一评）", field="member_id",
                          rule="R-POINTS-ROLLS")
    return member


@transaction.atomic
def pledge_save(*, actor, member: Member, year, data: dict) -> Pledge:
    """Make or change a member's pledge for a year (the branch records it; the member's own words)."""
    require(actor, "points.edit", member.org)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError("承诺年度应为四位年份", field="year", rule="R-POINTS-PLEDGE")
    problem = rules.pledge_year_problem(year=year, today=selectors.today())
    if problem:
        raise DomainError(problem, field="year", rule="R-POINTS-PLEDGE")
    member = _on_rolls(member)
    clean = {f: _clean(data.get(f), field=f, label=label, max_len=n, required=req)
             for f, (label, n, req) in PLEDGE_FIELDS.items()}
    pledge = Pledge.objects.select_for_update().filter(member=member, year=year).first()
    if pledge is not None and pledge.fulfilment:
        raise Conflict(f"{member.name} {year} 年的承诺已评定，不能再修改承诺内容", rule="R-POINTS-PLEDGE")
    before = {f: getattr(pledge, f) for f in clean} if pledge else None
    if pledge is None:
        try:
            with transaction.atomic():
                pledge = Pledge.objects.create(member=member, org=member.org, year=year, created_by=actor, **clean)
        except IntegrityError:
            raise Conflict(f"{member.name} {year} 年的承诺已存在", rule="R-POINTS-PLEDGE")
    else:
        for f, v in clean.items():
            setattr(pledge, f, v)
        pledge.save(update_fields=[*clean, "updated_at"])
    audit(actor=actor, verb="points.pledge_save", target=pledge, org=member.org, before=before,
          after={"year": year, **clean})
    return pledge


@transaction.atomic
def pledge_assess(*, actor, pledge: Pledge, fulfilment: str, result: str, assessed_on: date) -> Pledge:
    """亮实绩: the branch records how the pledge was kept."""
    pledge = Pledge.objects.select_for_update().select_related("member", "org").get(pk=pledge.pk)
    require(actor, "points.edit", pledge.org)
    if fulfilment not in {c for c in Pledge.Fulfilment.values if c}:
        raise DomainError("兑现情况应为已兑现、部分兑现或未兑现", field="fulfilment", rule="R-POINTS-PLEDGE")
    result = _clean(result, field="result", label="践诺情况", max_len=500, required=True)
    if not isinstance(assessed_on, date):
        raise DomainError("评定日期格式应为 YYYY-MM-DD", field="assessed_on")
    if assessed_on > selectors.today():
        raise DomainError("评定日期不能晚于今天", field="assessed_on", rule="R-POINTS-DATE")
    if assessed_on < date(pledge.year, 1, 1):
        raise DomainError(f"评定日期不能早于 {pledge.year} 年", field="assessed_on", rule="R-POINTS-PLEDGE")
    before = {"fulfilment": pledge.fulfilment, "result": pledge.result, "assessed_on": pledge.assessed_on}
    pledge.fulfilment, pledge.result, pledge.assessed_on = fulfilment, result, assessed_on
    pledge.save(update_fields=["fulfilment", "result", "assessed_on", "updated_at"])
    audit(actor=actor, verb="points.pledge_assess", target=pledge, org=pledge.org, before=before,
          after={"fulfilment": fulfilment, "result": result, "assessed_on": assessed_on})
    return pledge


def _count(value, field: str, label: str) -> int:
    if isinstance(value, bool):
        raise DomainError(f"{label}票数应为不小于 0 的整数", field=field, rule="R-POINTS-RATING")
    try:
        n = int(str(value).strip()) if value not in (None, "") else 0
    except ValueError:
        raise DomainError(f"{label}票数应为不小于 0 的整数", field=field, rule="R-POINTS-RATING")
    if n < 0 or n > rules.RATING_MAX_VOTERS:
        raise DomainError(f"{label}票数应在 0 到 {rules.RATING_MAX_VOTERS} 之间", field=field, rule="R-POINTS-RATING")
    return n


@transaction.atomic
def rating_record(*, actor, member: Member, rated_on: date, satisfied, basically_satisfied, unsatisfied,
                  note: str = "") -> PublicRating:
    """群众评议 of one member: the tally, its grade, and the points the grade earns (when the catalog has
    the grade's rule code in force; otherwise the rating stands and `points_note` says why no points)."""
    from .services import points_award_automatic, _check_not_locked

    require(actor, "points.edit", member.org)
    if not isinstance(rated_on, date):
        raise DomainError("评议日期格式应为 YYYY-MM-DD", field="rated_on")
    if rated_on > selectors.today():
        raise DomainError("评议日期不能晚于今天", field="rated_on", rule="R-POINTS-DATE")
    counts = {"satisfied": _count(satisfied, "satisfied", "满意"),
              "basically_satisfied": _count(basically_satisfied, "basically_satisfied", "基本满意"),
              "unsatisfied": _count(unsatisfied, "unsatisfied", "不满意")}
    note = _clean(note, field="note", label="说明", max_len=200, required=False)
    try:
        score = rules.rating_score(satisfied=counts["satisfied"], basically=counts["basically_satisfied"],
                                   unsatisfied=counts["unsatisfied"])
    except ValueError as exc:
        raise DomainError(str(exc), field="satisfied", rule="R-POINTS-RATING")
    member = _on_rolls(member)
    period = rules.period_of(rated_on, selectors.scheme_for(member.org).period_kind)
    _check_not_locked(member.org, rated_on)
    if PublicRating.objects.filter(member=member, period=period.label).exists():
        raise Conflict(f"{member.name} {period.label} 已有群众评议结果；如需更正请冲正其积分后另行说明",
                       rule="R-POINTS-RATING")
    grade = rules.rating_grade(score)
    try:
        with transaction.atomic():
            rating = PublicRating.objects.create(member=member, org=member.org, period=period.label, rated_on=rated_on,
                                                 score=score, grade=grade, note=note, created_by=actor, **counts)
    except IntegrityError:
        raise Conflict(f"{member.name} {period.label} 已有群众评议结果", rule="R-POINTS-RATING")
    label = PublicRating.Grade(grade).label
    award = points_award_automatic(rule_code=rules.RATING_RULE_CODES[grade], member=member, occurred_on=rated_on,
                                   source=RATING_SOURCE, source_event_id=rating.id,
                                   note=f"群众评议{label}（满意度 {score}）")
    rating.entry = award.entry
    rating.points_note = (f"已计 {award.entry.points:+} 分" if award.entry else f"未计分：{award.refused}")[:200]
    rating.save(update_fields=["entry", "points_note"])
    audit(actor=actor, verb="points.rating_record", target=rating, org=member.org,
          after={"period": period.label, **counts, "score": score, "grade": grade,
                 "entry": award.entry.pk if award.entry else None})
    return rating
