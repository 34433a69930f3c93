"""督查 and 整改: quarterly plans, findings per org, rectification tasks, evidence, re-check."""
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from dangjian.accounts.scope import can, in_scope, require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.orgs.models import Org

from .. import rules
from ..models import Finding, Inspection, Rectification, Severity
from .common import not_branch, not_future, strictly_under, text, today, year as check_year

RECT_FIELDS = ["state", "deadline", "evidence", "completed_on", "rechecked_on", "recheck_passed", "recheck_note",
               "rounds"]


@transaction.atomic
def inspection_create(*, actor, org: Org, year: int, quarter: int, title: str, planned_on: date | None = None,
                      notes: str = "") -> Inspection:
    require(actor, "duties.edit", org)
    not_branch(org, what="组织督查")
    check_year(year)
    if quarter not in rules.QUARTERS:
        raise DomainError("季度应为 1 到 4", field="quarter")
    title = text(title, field="title", label="督查主题", max_len=100)
    notes = text(notes, field="notes", label="督查内容", max_len=5000, required=False)
    if planned_on is not None and (planned_on.year != year or rules.quarter_of(planned_on) != quarter):
        raise DomainError(f"计划日期不在 {year} 年第 {quarter} 季度内", field="planned_on")
    inspection = Inspection.objects.create(org=org, region_id=org.region_id, year=year, quarter=quarter,
                                           title=title, planned_on=planned_on, notes=notes, created_by=actor)
    audit(actor=actor, verb="inspection.create", target=inspection, org=org,
          after={"year": year, "quarter": quarter, "title": title})
    return inspection


def _clean_task(data: dict, *, found_on: date, n: int = 0) -> dict:
    prefix = f"第 {n} 项整改的" if n else ""
    task = text(data.get("task"), field="task", label=f"{prefix}整改措施", max_len=300)
    owner = text(data.get("owner"), field="owner", label=f"{prefix}责任人", max_len=50)
    deadline = data.get("deadline")
    if not isinstance(deadline, date):
        raise DomainError(f"请填写{prefix}整改期限", field="deadline")
    if deadline < found_on:
        raise DomainError(f"{prefix}整改期限不能早于发现问题的日期", field="deadline")
    return {"task": task, "owner": owner, "deadline": deadline}


@transaction.atomic
def finding_create(*, actor, inspection: Inspection, org: Org, description: str, severity: str,
                   found_on: date, rectifications: list[dict] | None = None) -> Finding:
    require(actor, "duties.edit", inspection.org)
    if not strictly_under(org, inspection.org):
        raise DomainError("被督查组织必须是督查组织的下级党组织", field="org_id")
    description = text(description, field="description", label="发现问题", max_len=500)
    if severity not in Severity.values:
        raise DomainError("严重程度无效", field="severity")
    if not isinstance(found_on, date):
        raise DomainError("请填写发现日期", field="found_on")
    not_future(found_on, field="found_on", label="发现日期")
    tasks = [_clean_task(t, found_on=found_on, n=n) for n, t in enumerate(rectifications or [], start=1)]
    finding = Finding.objects.create(inspection=inspection, org=org, region_id=org.region_id,
                                     description=description, severity=severity, found_on=found_on,
                                     created_by=actor)
    for t in tasks:
        Rectification.objects.create(finding=finding, org=org, region_id=org.region_id, **t)
    audit(actor=actor, verb="inspection.finding", target=finding, org=org,
          after={"inspection_id": inspection.id, "severity": severity, "description": description,
                 "rectifications": tasks})
    return finding


@transaction.atomic
def rectification_create(*, actor, finding: Finding, task: str, owner: str, deadline: date) -> Rectification:
    require(actor, "duties.edit", finding.inspection.org)
    data = _clean_task({"task": task, "owner": owner, "deadline": deadline}, found_on=finding.found_on)
    rect = Rectification.objects.create(finding=finding, org=finding.org, region_id=finding.region_id, **data)
    audit(actor=actor, verb="rectification.create", target=rect, org=finding.org, after=data)
    return rect


def _snapshot(rect: Rectification) -> dict:
    from dangjian.core.audit import snapshot

    return snapshot(rect, RECT_FIELDS)


@transaction.atomic
def rectification_complete(*, actor, rectification: Rectification, evidence: str,
                           completed_on: date) -> Rectification:
    """The rectifying org submits evidence; the task then waits for the re-check."""
    require(actor, "duties.edit", rectification.org)
    rect = Rectification.objects.select_for_update().select_related("finding").get(pk=rectification.pk)
    if rect.state != Rectification.State.OPEN:
        raise Conflict("该整改已提交复查" if rect.state == Rectification.State.SUBMITTED else "该整改已销号")
    evidence = text(evidence, field="evidence", label="整改佐证", max_len=5000, required=False)
    if not evidence:
        raise DomainError("请提供整改佐证材料后再提交完成", field="evidence")
    if not isinstance(completed_on, date):
        raise DomainError("请填写完成日期", field="completed_on")
    not_future(completed_on, field="completed_on", label="完成日期")
    if completed_on < rect.finding.found_on:
        raise DomainError("完成日期不能早于发现问题的日期", field="completed_on")
    before = _snapshot(rect)
    rect.state, rect.evidence, rect.completed_on, rect.completed_by = (
        Rectification.State.SUBMITTED, evidence, completed_on, actor)
    rect.save()
    audit(actor=actor, verb="rectification.complete", target=rect, org=rect.org, before=before,
          after=_snapshot(rect))
    return rect


@transaction.atomic
def rectification_recheck(*, actor, rectification: Rectification, passed: bool, rechecked_on: date,
                          note: str = "", new_deadline: date | None = None) -> Rectification:
    """The inspecting committee re-checks: passed closes the task (销号); failed reopens it."""
    inspection_org = rectification.finding.inspection.org
    if not in_scope(actor, rectification.org):
        raise Http404
    if not can(actor, "duties.edit", inspection_org):
        raise PermissionDenied("复查须由组织督查的党组织进行")
    rect = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if rect.state != Rectification.State.SUBMITTED:
        raise Conflict("只有已提交整改佐证的任务才能复查")
    note = text(note, field="note", label="复查意见", max_len=300, required=False)
    if not isinstance(rechecked_on, date):
        raise DomainError("请填写复查日期", field="rechecked_on")
    not_future(rechecked_on, field="rechecked_on", label="复查日期")
    if rechecked_on < rect.completed_on:
        raise DomainError("复查日期不能早于整改完成日期", field="rechecked_on")
    before = _snapshot(rect)
    rect.rechecked_on, rect.recheck_passed, rect.recheck_note, rect.rechecked_by = (
        rechecked_on, passed, note, actor)
    if passed:
        rect.state = Rectification.State.CLOSED
    else:
        if not note:
            raise DomainError("复查未通过时请填写复查意见", field="note")
        if not isinstance(new_deadline, date) or new_deadline < today():
            raise DomainError("复查未通过时请重新确定整改期限（不早于今天）", field="new_deadline")
        rect.state, rect.deadline, rect.rounds = Rectification.State.OPEN, new_deadline, rect.rounds + 1
        rect.evidence, rect.completed_on, rect.completed_by = "", None, None
    rect.save()
    audit(actor=actor, verb="rectification.recheck", target=rect, org=rect.org, before=before,
          after=_snapshot(rect))
    return rect
