"""党建指导员: appointment, assignment to branches, 五必 work logs; committees' own checklist items."""
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from dangjian.accounts.scope import can, in_scope, require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.orgs.models import Org

from .. import selectors
from ..models import ChecklistCategory, ChecklistItem, Instructor, InstructorAssignment, InstructorLog
from .common import not_branch, not_future, strictly_under, text


@transaction.atomic
def instructor_create(*, actor, org: Org, name: str, phone: str = "", unit: str = "", member=None,
                      user=None) -> Instructor:
    require(actor, "duties.edit", org)
    name = text(name, field="name", label="姓名", max_len=50)
    phone = text(phone, field="phone", label="联系电话", max_len=20, required=False)
    if phone and not phone.replace("-", "").isdigit():
        raise DomainError("联系电话只能包含数字和“-”", field="phone")
    unit = text(unit, field="unit", label="工作单位及职务", max_len=100, required=False)
    if member is not None and not in_scope(actor, member.org):
        raise Http404
    instructor = Instructor.objects.create(org=org, region_id=org.region_id, name=name, phone=phone, unit=unit,
                                           member=member, user=user)
    audit(actor=actor, verb="instructor.create", target=instructor, org=org,
          after={"name": name, "member_id": getattr(member, "id", None), "user_id": getattr(user, "id", None)})
    return instructor


@transaction.atomic
def instructor_assign(*, actor, instructor: Instructor, org: Org, started_on: date,
                      note: str = "") -> InstructorAssignment:
    """Send the instructor to an org under the appointing committee."""
    require(actor, "duties.edit", instructor.org)
    if not instructor.is_active:
        raise DomainError("该指导员已不在任", field="instructor_id")
    if not strictly_under(org, instructor.org):
        raise DomainError("指导的党组织必须在选派组织之下", field="org_id")
    if not isinstance(started_on, date):
        raise DomainError("请填写开始日期", field="started_on")
    note = text(note, field="note", label="备注", max_len=200, required=False)
    if InstructorAssignment.objects.filter(instructor=instructor, org=org, ended_on__isnull=True).exists():
        raise Conflict(f"{instructor.name} 已在指导 {org.name}")
    assignment = InstructorAssignment.objects.create(instructor=instructor, org=org, region_id=org.region_id,
                                                     started_on=started_on, note=note)
    audit(actor=actor, verb="instructor.assign", target=assignment, org=org,
          after={"instructor_id": instructor.id, "started_on": started_on})
    return assignment


@transaction.atomic
def assignment_end(*, actor, assignment: InstructorAssignment, ended_on: date) -> InstructorAssignment:
    require(actor, "duties.edit", assignment.instructor.org)
    if assignment.ended_on is not None:
        raise Conflict("该指导关系已结束")
    if not isinstance(ended_on, date) or ended_on < assignment.started_on:
        raise DomainError("结束日期不能早于开始日期", field="ended_on")
    assignment.ended_on = ended_on
    assignment.save(update_fields=["ended_on"])
    audit(actor=actor, verb="instructor.assignment_end", target=assignment, org=assignment.org,
          after={"ended_on": ended_on})
    return assignment


def _may_log(actor, assignment: InstructorAssignment) -> bool:
    return (assignment.instructor.user_id == getattr(actor, "pk", None)
            or can(actor, "duties.edit", assignment.org) or can(actor, "duties.edit", assignment.instructor.org))


@transaction.atomic
def instructor_log_create(*, actor, assignment: InstructorAssignment, category: str, happened_on: date,
                          content: str, item_id: int | None = None) -> InstructorLog:
    """A 五必知/到/访/办 record by the instructor (or the committee or branch for them)."""
    if not _may_log(actor, assignment):
        if in_scope(actor, assignment.org) or in_scope(actor, assignment.instructor.org):
            raise PermissionDenied("您没有执行此操作的权限")
        raise Http404
    if category not in ChecklistCategory.values:
        raise DomainError("类别应为五必知、五必到、五必访或五必办", field="category")
    item = None
    if item_id is not None:
        item = selectors.checklist_for(assignment.org).filter(id=item_id).first()
        if item is None or item.category != category:
            raise DomainError("该事项不属于所选类别的清单", field="item_id")
    if not isinstance(happened_on, date):
        raise DomainError("请填写日期", field="happened_on")
    not_future(happened_on, field="happened_on", label="日期")
    if happened_on < assignment.started_on or (assignment.ended_on and happened_on > assignment.ended_on):
        raise DomainError("日期不在指导期内", field="happened_on")
    content = text(content, field="content", label="工作内容", max_len=5000)
    log = InstructorLog.objects.create(assignment=assignment, org=assignment.org, region_id=assignment.region_id,
                                       category=category, item=item, happened_on=happened_on, content=content,
                                       created_by=actor)
    audit(actor=actor, verb="instructor.log", target=log, org=assignment.org,
          after={"assignment_id": assignment.id, "category": category, "item_id": item_id,
                 "happened_on": happened_on})
    return log


@transaction.atomic
def checklist_item_add(*, actor, org: Org, category: str, text_: str) -> ChecklistItem:
    """A committee adds its own 五必 item (⚙); it applies to every org under it."""
    require(actor, "duties.edit", org)
    not_branch(org, what="设置指导员清单")
    if category not in ChecklistCategory.values:
        raise DomainError("类别应为五必知、五必到、五必访或五必办", field="category")
    value = text(text_, field="text", label="事项", max_len=100)
    if selectors.checklist_for(org).filter(category=category, text=value).exists():
        raise Conflict("清单中已有该事项", field="text")
    order = ChecklistItem.objects.filter(org=org, category=category).count() + 100
    item = ChecklistItem.objects.create(org=org, category=category, order=order, text=value)
    audit(actor=actor, verb="instructor.checklist_add", target=item, org=org, after={"category": category,
                                                                                   "text": value})
    return item
