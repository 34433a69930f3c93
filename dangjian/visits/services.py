"""Writes of 民情走访 and 结对帮扶: one transaction each, audited in it (DESIGN rule 3)."""
import secrets
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError, FieldErrors
from dangjian.members.choices import ACTIVE_STATUSES
from dangjian.members.rules import FieldError
from dangjian.orgs.models import Org

from . import rules
from .models import (AnalysisMeeting, HelpRecord, Household, MonthlyPublication, Pairing, Resident, SpotCheck,
                     SpotCheckItem, VisitLog, VisitPlan, VisitSettings)

FEN = Decimal("0.01")
HOUSEHOLD_FIELDS = {"name": 50, "address": 200, "grid": 50, "phone": 20, "circumstances": 1000}
RESIDENT_FIELDS = {"name": 50, "phone": 20, "note": 200}
RESIDENT_LABELS = {"name": "姓名", "phone": "联系电话", "note": "备注"}
MAX_RESIDENTS = 30


def _today() -> date:
    return timezone.localdate()


def _text(data: dict, key: str, limit: int, errors: list, *, required: bool = False, label: str = "") -> str:
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors.append(FieldError(key, f"{label or key}不能为空"))
    if len(value) > limit:
        errors.append(FieldError(key, f"{label or key}不能超过 {limit} 个字"))
    return value


def settings_for(org: Org) -> VisitSettings:
    """The nearest ancestor's ⚙ settings (an unsaved default row when none)."""
    paths = [org.path[:i] for i in range(org.steplen, len(org.path) + 1, org.steplen)]
    row = VisitSettings.objects.filter(org__path__in=paths).select_related("org").order_by("-org__depth").first()
    return row or VisitSettings(org=org)


# --- Households ------------------------------------------------------------------------------

LABELS = {"name": "户主姓名", "address": "住址", "grid": "网格", "phone": "联系电话", "circumstances": "家庭情况"}


def _clean_household(data: dict) -> tuple[dict, list[dict]]:
    errors: list[FieldError] = []
    clean = {}
    for key, limit in HOUSEHOLD_FIELDS.items():
        clean[key] = _text(data, key, limit, errors, required=key in ("name", "address"), label=LABELS[key])
    if clean["phone"] and not (clean["phone"].replace("-", "").isdigit() and 7 <= len(clean["phone"]) <= 20):
        errors.append(FieldError("phone", "联系电话应为数字（可含“-”）"))
    size = data.get("size", 1)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 30:
        errors.append(FieldError("size", "家庭人口应为 1 至 30 之间的整数"))
    clean["size"] = size
    tags = data.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in tags.split(",") if t]
    bad = rules.unknown_tags(tags)
    if bad:
        errors.append(FieldError("tags", f"未知的标签：{'、'.join(map(str, bad))}"))
    clean["tags"] = rules.tags_to_text(tags)
    residents = data.get("residents") or []
    if len(residents) > MAX_RESIDENTS:
        errors.append(FieldError("residents", f"家庭成员不能超过 {MAX_RESIDENTS} 人"))
    cleaned_residents = []
    relations = dict(rules.RELATIONS)
    for i, r in enumerate(residents[:MAX_RESIDENTS]):
        sub: list[FieldError] = []
        row = {k: _text(r, k, lim, sub, required=k == "name", label=f"第 {i + 1} 位家庭成员的{RESIDENT_LABELS[k]}")
               for k, lim in RESIDENT_FIELDS.items()}
        errors += [FieldError("residents", e.message) for e in sub]
        relation = r.get("relation") or "other"
        if relation not in relations:
            errors.append(FieldError("residents", f"第 {i + 1} 位家庭成员的关系无效"))
        year = r.get("birth_year")
        if year not in (None, "") and (not isinstance(year, int) or not 1900 <= year <= _today().year):
            errors.append(FieldError("residents", f"第 {i + 1} 位家庭成员的出生年份无效"))
        cleaned_residents.append({**row, "relation": relation, "birth_year": year or None})
    if errors:
        raise FieldErrors(errors)
    return clean, cleaned_residents


AUDITED = ["name", "address", "grid", "size", "tags", "is_active"]  # phone and circumstances: never in the log


@transaction.atomic
def household_create(*, actor, org: Org, data: dict) -> Household:
    require(actor, "visits.edit", org)
    clean, residents = _clean_household(data)
    household = Household.objects.create(org=org, region_id=org.region_id, **clean)
    Resident.objects.bulk_create([Resident(household=household, **r) for r in residents])
    audit(actor=actor, verb="household.create", target=household, org=org,
          after={k: getattr(household, k) for k in AUDITED} | {"residents": len(residents)})
    return household


@transaction.atomic
def household_update(*, actor, household: Household, data: dict) -> Household:
    require(actor, "visits.edit", household.org)
    household = Household.objects.select_for_update().get(pk=household.pk)
    merged = {k: getattr(household, k) for k in HOUSEHOLD_FIELDS} | {"size": household.size,
                                                                       "tags": household.tag_list}
    merged.update({k: v for k, v in data.items() if k in merged})
    replace_residents = "residents" in data
    merged["residents"] = data.get("residents") or []
    clean, residents = _clean_household(merged)
    before = {k: getattr(household, k) for k in AUDITED}
    for key, value in clean.items():
        setattr(household, key, value)
    if "is_active" in data:
        household.is_active = bool(data["is_active"])
    household.save()
    if replace_residents:
        household.residents.all().delete()
        Resident.objects.bulk_create([Resident(household=household, **r) for r in residents])
    after = {k: getattr(household, k) for k in AUDITED}
    changed = {k for k in AUDITED if before[k] != after[k]}
    audit(actor=actor, verb="household.update", target=household, org=household.org,
          before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return household


# --- Pairings (结对帮扶) ------------------------------------------------------------------------

@transaction.atomic
def pairing_create(*, actor, member, household: Household, started_on: date | None = None,
                   note: str = "") -> Pairing:
    require(actor, "visits.edit", member.org)
    require(actor, "visits.view", household.org)
    started_on = started_on or _today()
    if started_on > _today():
        raise DomainError("结对日期不能晚于今天", field="started_on", rule="R-PAIRING")
    if member.status not in ACTIVE_STATUSES or member.stage not in ("probationary", "full"):
        raise DomainError("只有在册党员可以结对帮扶", field="member_id", rule="R-PAIRING")
    if not household.is_active:
        raise DomainError("该户已不在册", field="household_id")
    note = (note or "").strip()
    if len(note) > 500:
        raise DomainError("帮扶措施不能超过 500 个字", field="note")
    try:
        with transaction.atomic():
            pairing = Pairing.objects.create(org=member.org, region_id=member.org.region_id, member=member, household=household,
                                             started_on=started_on, note=note, created_by=actor)
    except IntegrityError:
        raise Conflict("该党员已与该户结对", field="household_id", rule="R-PAIRING")
    audit(actor=actor, verb="pairing.create", target=pairing, org=member.org,
          after={"member_id": member.id, "household_id": household.id, "started_on": started_on})
    return pairing


@transaction.atomic
def pairing_end(*, actor, pairing: Pairing, ended_on: date | None = None, reason: str = "") -> Pairing:
    require(actor, "visits.edit", pairing.org)
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.ended_on:
        raise Conflict("该结对已结束")
    ended_on = ended_on or _today()
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise DomainError("请填写结束原因（不超过 200 字）", field="reason")
    if ended_on < pairing.started_on or ended_on > _today():
        raise DomainError("结束日期应在结对日期与今天之间", field="ended_on")
    pairing.ended_on, pairing.end_reason = ended_on, reason
    pairing.save(update_fields=["ended_on", "end_reason"])
    audit(actor=actor, verb="pairing.end", target=pairing, org=pairing.org,
          after={"ended_on": ended_on, "reason": reason})
    return pairing


def to_amount(value) -> Decimal:
    """Money as Decimal rounded half-up to the fen (DESIGN rule 8); ValueError for junk."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(FEN, ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValueError("金额格式不正确")
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ValueError("金额应为不小于 0 的数")
    return amount


@transaction.atomic
def help_record_create(*, actor, pairing: Pairing, given_on: date, kind: str, amount, description: str) -> HelpRecord:
    require(actor, "visits.edit", pairing.org)
    if kind not in dict(rules.HELP_KINDS):
        raise DomainError("帮扶类别无效", field="kind")
    if given_on > _today() or given_on < pairing.started_on:
        raise DomainError("帮扶日期应在结对之后且不晚于今天", field="given_on")
    try:
        amount = to_amount(amount)
    except ValueError as exc:
        raise DomainError(str(exc), field="amount")
    description = (description or "").strip()
    if not description or len(description) > 500:
        raise DomainError("请填写帮扶内容（不超过 500 字）", field="description")
    record = HelpRecord.objects.create(pairing=pairing, org=pairing.org, given_on=given_on, kind=kind,
                                       amount=amount, description=description, created_by=actor)
    audit(actor=actor, verb="pairing.help", target=pairing, org=pairing.org,
          after={"given_on": given_on, "kind": kind, "amount": amount})
    return record


# --- Visit plans and logs --------------------------------------------------------------------

def member_area_households(member) -> set[int]:
    """Households explicitly given to the member: active pairings and plans (any month)."""
    paired = Pairing.objects.filter(member=member, ended_on__isnull=True).values_list("household_id", flat=True)
    planned = VisitPlan.households.through.objects.filter(visitplan__member=member).values_list("household_id",
                                                                                                flat=True)
    return set(paired) | set(planned)


def in_area(member, household: Household) -> bool:
    return (rules.in_member_area(member_org_path=member.org.path, household_org_path=household.org.path)
            or household.id in member_area_households(member))


@transaction.atomic
def visit_plan_save(*, actor, member, month: str, households: list[Household], note: str = "") -> VisitPlan:
    """Create or replace the member's plan for the month (R-VISIT-PLAN: the member's area only)."""
    require(actor, "visits.edit", member.org)
    try:
        first, last = rules.parse_month(month)
    except ValueError as exc:
        raise DomainError(str(exc), field="month")
    if not households:
        raise DomainError("请至少选择一户", field="household_ids")
    if len(households) > 200:
        raise DomainError("一个月的计划不能超过 200 户", field="household_ids")
    outside = [h.name for h in households
               if not rules.in_member_area(member_org_path=member.org.path, household_org_path=h.org.path)
               and not Pairing.objects.filter(member=member, household=h, ended_on__isnull=True).exists()]
    if outside:
        raise DomainError(f"不在该党员的走访区域内：{'、'.join(outside[:5])}", field="household_ids",
                          rule="R-VISIT-AREA")
    note = (note or "").strip()[:200]
    plan, created = VisitPlan.objects.get_or_create(member=member, month=rules.month_of(first),
                                                    defaults={"org": member.org, "note": note, "created_by": actor})
    before = sorted(plan.households.values_list("id", flat=True)) if not created else []
    if not created:
        plan.note = note
        plan.save(update_fields=["note", "updated_at"])
    plan.households.set(households)
    audit(actor=actor, verb="visit_plan.create" if created else "visit_plan.update", target=plan, org=member.org,
          before={"household_ids": before} if not created else None,
          after={"member_id": member.id, "month": plan.month, "household_ids": sorted(h.id for h in households)})
    return plan


def _may_write_for(actor, member) -> bool:
    """A member writes their own 民情日记 (self-service); others need visits.edit on the member's org."""
    return getattr(member, "user_id", None) is not None and member.user_id == getattr(actor, "pk", None)


@transaction.atomic
def visit_log_create(*, actor, member, household: Household | None, visited_on: date, notes: str,
                     needs: str = "", reason: str = "", create_petition: bool = False,
                     create_need: bool = False) -> VisitLog:
    self_service = _may_write_for(actor, member)
    if not self_service:
        require(actor, "visits.edit", member.org)
    errors: list[FieldError] = []
    notes = _text({"notes": notes}, "notes", 2000, errors, required=True, label="民情记录")
    needs = _text({"needs": needs}, "needs", 1000, errors, label="群众诉求")
    reason = _text({"reason": reason}, "reason", 200, errors, label="跨区域走访说明")
    if errors:
        raise FieldErrors(errors)
    check = rules.check_visit_date(visited_on, today=_today())
    if not check.ok:
        raise DomainError(check.message, field="visited_on", rule=check.rule)
    if member.stage not in ("probationary", "full", "activist", "candidate"):
        raise DomainError("该人员不能登记民情日记", field="member_id")
    if household is not None:
        if not in_area(member, household) and not reason:
            raise DomainError("该户不在该党员的走访区域内，请填写跨区域走访说明", field="reason",
                              rule="R-VISIT-AREA")
        if not household.is_active:
            raise DomainError("该户已不在册", field="household_id")
    if (create_petition or create_need) and not needs:
        raise DomainError("转为诉求或志愿服务需求前请填写群众诉求", field="needs")
    log = VisitLog.objects.create(org=member.org, region_id=member.org.region_id, member=member,
                                  household=household, visited_on=visited_on, notes=notes, needs=needs,
                                  off_area_reason=reason, created_by=actor)
    audit(actor=actor, verb="visit_log.create", target=log, org=member.org,
          after={"member_id": member.id, "household_id": household.id if household else None,
                 "visited_on": visited_on, "self_service": self_service, "off_area": bool(reason)})
    if create_petition:
        from dangjian.petitions.services import petition_create_from_log

        petition_create_from_log(actor=actor, log=log)
    if create_need:
        _need_from_log(actor=actor, log=log)
    return log


def _need_from_log(*, actor, log: VisitLog) -> None:
    """A need heard on a visit goes to the volunteers' needs board (issue 9 item 1), open for a week."""
    from datetime import datetime, time, timedelta

    from django.apps import apps as django_apps
    from django.utils import timezone as tz

    if not django_apps.is_installed("dangjian.volunteers"):
        raise DomainError("未启用志愿服务模块，不能转为志愿服务需求", field="create_need")
    from dangjian.volunteers.services import demand_create

    start = tz.make_aware(datetime.combine(_today() + timedelta(days=1), time(9, 0)))
    where = log.household.address if log.household_id else ""
    demand_create(actor=actor, org=log.org, data={
        "title": log.needs[:100], "description": f"{log.needs}（来自 {log.visited_on:%Y-%m-%d} 民情日记）",
        "place": where[:200], "grid": (log.household.grid if log.household_id else "")[:50],
        "starts_at": start, "ends_at": start + timedelta(days=7)})


# --- 民情分析会, publication, spot checks ----------------------------------------------------------

@transaction.atomic
def analysis_meeting_create(*, actor, org: Org, held_on: date, topic: str, attendees: str = "",
                            summary: str = "", decisions: str = "", logs=()) -> AnalysisMeeting:
    require(actor, "visits.edit", org)
    errors: list[FieldError] = []
    data = {"topic": topic, "attendees": attendees, "summary": summary, "decisions": decisions}
    topic = _text(data, "topic", 100, errors, required=True, label="议题")
    attendees = _text(data, "attendees", 500, errors, label="参会人员")
    summary = _text(data, "summary", 2000, errors, label="分析情况")
    decisions = _text(data, "decisions", 2000, errors, label="工作部署")
    if errors:
        raise FieldErrors(errors)
    if held_on > _today():
        raise DomainError("召开日期不能晚于今天", field="held_on")
    logs = list(logs)
    for log in logs:
        if not log.org.path.startswith(org.path):
            raise DomainError("只能关联本组织及下级的民情日记", field="log_ids")
        if log.visited_on > held_on:
            raise DomainError("关联的民情日记晚于会议日期", field="log_ids")
    meeting = AnalysisMeeting.objects.create(org=org, held_on=held_on, topic=topic, attendees=attendees,
                                             summary=summary, decisions=decisions, created_by=actor)
    meeting.logs.set(logs)
    audit(actor=actor, verb="analysis_meeting.create", target=meeting, org=org,
          after={"held_on": held_on, "topic": topic, "log_ids": sorted(log.id for log in logs)})
    return meeting


@transaction.atomic
def publication_create(*, actor, org: Org, month: str, note: str = "") -> MonthlyPublication:
    from .selectors import month_figures

    require(actor, "visits.edit", org)
    try:
        first, last = rules.parse_month(month)
    except ValueError as exc:
        raise DomainError(str(exc), field="month")
    if not rules.can_publish(last, today=_today()):
        raise DomainError("当月结束后（次月初）方可公示走访情况", field="month", rule="R-VISIT-PUBLISH")
    month = rules.month_of(first)
    if MonthlyPublication.objects.filter(org=org, month=month).exists():
        raise Conflict(f"{month} 的走访情况已公示", field="month")
    pub = MonthlyPublication.objects.create(org=org, month=month, published_on=_today(),
                                            figures=month_figures(org=org, month=month),
                                            note=(note or "").strip()[:500], created_by=actor)
    audit(actor=actor, verb="visit_publication.create", target=pub, org=org, after={"month": month, **pub.figures})
    return pub


@transaction.atomic
def spot_check_create(*, actor, org: Org, month: str, sample_size: int | None = None, seed: int | None = None,
                      note: str = "") -> SpotCheck:
    """R-SPOT-CHECK: draw `sample_size` logs of the month at random; seed recorded (given or fresh)."""
    require(actor, "visits.edit", org)
    try:
        first, last = rules.parse_month(month)
    except ValueError as exc:
        raise DomainError(str(exc), field="month")
    if first > _today():
        raise DomainError("不能抽查尚未开始的月份", field="month", rule="R-SPOT-CHECK")
    if sample_size is None:
        sample_size = settings_for(org).spot_check_size
    problem = rules.check_sample_size(sample_size)
    if problem:
        raise DomainError(problem, field="sample_size", rule="R-SPOT-CHECK")
    if seed is None:
        seed = secrets.randbelow(rules.SEED_MAX)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= rules.SEED_MAX:
        raise DomainError("随机种子应为 0 至 2147483647 之间的整数", field="seed", rule="R-SPOT-CHECK")
    from .selectors import logs_in_subtree

    population = list(logs_in_subtree(org).filter(visited_on__range=(first, last)).values_list("id", flat=True))
    if not population:
        raise DomainError("该月没有可抽查的民情日记", field="month", rule="R-SPOT-CHECK")
    sample = rules.spot_check_sample(population, size=sample_size, seed=seed)
    check = SpotCheck.objects.create(org=org, month=rules.month_of(first), seed=seed, sample_size=sample_size,
                                     population_ids=sorted(population), reviewer=actor,
                                     note=(note or "").strip()[:200])
    SpotCheckItem.objects.bulk_create([SpotCheckItem(spot_check=check, log_id=log_id, position=i + 1)
                                       for i, log_id in enumerate(sample)])
    audit(actor=actor, verb="spot_check.create", target=check, org=org,
          after={"month": check.month, "seed": seed, "sample_size": sample_size, "log_ids": sample,
                 "population": len(population)})
    return check


@transaction.atomic
def spot_check_record(*, actor, item: SpotCheckItem, confirmed: bool, remark: str = "") -> SpotCheckItem:
    check = item.spot_check
    require(actor, "visits.edit", check.org)
    if not isinstance(confirmed, bool):
        raise DomainError("请选择核查结果（属实 / 不属实）", field="confirmed")
    remark = (remark or "").strip()
    if len(remark) > 200:
        raise DomainError("核查说明不能超过 200 个字", field="remark")
    if not confirmed and not remark:
        raise DomainError("核查不属实时请填写说明", field="remark", rule="R-SPOT-CHECK")
    item = SpotCheckItem.objects.select_for_update().get(pk=item.pk)
    before = {"confirmed": item.confirmed, "remark": item.remark}
    item.confirmed, item.remark = confirmed, remark
    item.checked_at, item.checked_by = timezone.now(), actor
    item.save(update_fields=["confirmed", "remark", "checked_at", "checked_by"])
    audit(actor=actor, verb="spot_check.record", target=check, org=check.org, before=before,
          after={"log_id": item.log_id, "confirmed": confirmed, "remark": remark})
    return item
