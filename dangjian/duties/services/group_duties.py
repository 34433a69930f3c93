"""党小组长责任清单 (seed 001): an org defines the year's duties of its 党小组 leaders; each group's completion is
recorded per item and period by its leader (or the branch)."""
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404

from dangjian.accounts.scope import in_scope, require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.orgs.models import Org, PartyGroup

from .. import rules, selectors
from ..models import Frequency, GroupDutyItem, GroupDutyList, GroupDutyRecord
from .common import text, today, year as check_year


def _clean_items(items) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise DomainError("责任清单至少需要一个事项", field="items")
    if len(items) > rules.GROUP_DUTY_MAX_ITEMS:
        raise DomainError(f"责任事项不能超过 {rules.GROUP_DUTY_MAX_ITEMS} 项", field="items")
    cleaned, seen = [], set()
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise DomainError(f"第 {n} 项格式不正确", field="items")
        content = text(item.get("content"), field="items", label=f"第 {n} 项的内容", max_len=200)
        frequency = item.get("frequency") or Frequency.MONTH
        if frequency not in Frequency.values:
            raise DomainError(f"第 {n} 项的完成周期应为每月、每季度或每年", field="items")
        if content in seen:
            raise DomainError(f"事项“{content[:20]}”重复", field="items")
        seen.add(content)
        cleaned.append({"content": content, "frequency": frequency})
    return cleaned


@transaction.atomic
def group_duty_list_create(*, actor, org: Org, year: int, title: str, items: list[dict]) -> GroupDutyList:
    """The year's 党小组长责任清单 of org; it applies to every 党小组 in the branches under org (org included)."""
    require(actor, "duties.edit", org)
    check_year(year)
    title = text(title, field="title", label="名称", max_len=100)
    cleaned = _clean_items(items)
    if GroupDutyList.objects.filter(org=org, year=year, title=title).exists():
        raise Conflict(f"{year} 年已有名为“{title}”的责任清单", field="title")
    duty_list = GroupDutyList.objects.create(org=org, region_id=org.region_id, year=year, title=title,
                                             created_by=actor)
    GroupDutyItem.objects.bulk_create([GroupDutyItem(duty_list=duty_list, order=n, **i)
                                       for n, i in enumerate(cleaned, start=1)])
    audit(actor=actor, verb="group_duty.list_create", target=duty_list, org=org,
          after={"year": year, "title": title, "items": cleaned})
    return duty_list


@transaction.atomic
def group_duty_record(*, actor, duty_list: GroupDutyList, group: PartyGroup, item_id: int, period: str,
                      done_on: date, note: str = "") -> GroupDutyRecord:
    """Record that the group did one item in one period (once; a second record of it is a conflict)."""
    if not group.org.path.startswith(duty_list.org.path):
        raise DomainError("该党小组不在这份清单的适用范围内", field="party_group_id")
    if not selectors.may_record_for(actor, group):
        if in_scope(actor, group.org):
            raise PermissionDenied("只有党小组长或支部可以填报")
        raise Http404
    item = duty_list.items.filter(pk=item_id).first() if isinstance(item_id, int) else None
    if item is None:
        raise DomainError("该事项不属于这份责任清单", field="item_id")
    if not isinstance(done_on, date):
        raise DomainError("请填写完成日期", field="done_on")
    problem = rules.check_duty_record(frequency=item.frequency, period=str(period or ""), year=duty_list.year,
                                      done_on=done_on, today=today())
    if problem:
        raise DomainError(problem, field="period" if "周期" in problem else "done_on")
    note = text(note, field="note", label="完成情况", max_len=300, required=False)
    if GroupDutyRecord.objects.filter(item=item, party_group=group, period=period).exists():
        raise Conflict(f"{group.name}已填报 {period}“{item.content[:20]}”的完成情况", field="period")
    try:
        with transaction.atomic():
            record = GroupDutyRecord.objects.create(
                duty_list=duty_list, item=item, party_group=group, org=group.org, region_id=group.org.region_id,
                period=period, done_on=done_on, note=note, recorded_by=actor)
    except IntegrityError:
        raise Conflict(f"{group.name}已填报 {period}“{item.content[:20]}”的完成情况", field="period")
    audit(actor=actor, verb="group_duty.record", target=record, org=group.org,
          after={"list_id": duty_list.id, "group_id": group.id, "item_id": item.id, "period": period,
                 "done_on": done_on, "note": note})
    return record
