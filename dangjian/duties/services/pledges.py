"""党建工作责任书: issue a template to the orgs below, sign, report progress per item."""
from datetime import date

from django.db import transaction

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from .. import rules
from ..models import PledgeItem, PledgeProgress, PledgeTemplate, ResponsibilityPledge
from .common import decimal, not_branch, not_future, text, today, year as check_year

MAX_ITEMS = 50


def _clean_items(items: list[dict]) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise DomainError("责任书至少需要一个责任事项", field="items")
    if len(items) > MAX_ITEMS:
        raise DomainError(f"责任事项不能超过 {MAX_ITEMS} 项", field="items")
    cleaned = []
    for n, item in enumerate(items, start=1):
        content = text(item.get("content"), field="items", label=f"第 {n} 项的内容", max_len=300)
        weight = decimal(item.get("weight"), field="items", label=f"第 {n} 项的权重")
        if weight != weight.quantize(rules.CENT):
            raise DomainError(f"第 {n} 项的权重最多保留两位小数", field="items")
        cleaned.append({"content": content, "weight": weight})
    problem = rules.check_pledge_weights([i["weight"] for i in cleaned])
    if problem:
        raise DomainError(problem, field="items")
    return cleaned


def _targets(org: Org, target_ids: list[int] | None) -> list[Org]:
    if target_ids is None:
        targets = list(org.get_children().filter(is_active=True))
    else:
        ids = set(target_ids)
        targets = list(Org.objects.filter(subtree_q(org.path), id__in=ids, is_active=True).exclude(pk=org.pk))
        if len(targets) != len(ids):
            raise DomainError("发放对象必须是本组织的下级党组织", field="target_org_ids")
    if not targets:
        raise DomainError("没有可发放的下级党组织", field="target_org_ids")
    return sorted(targets, key=lambda o: o.path)


@transaction.atomic
def pledge_template_issue(*, actor, org: Org, year: int, title: str, items: list[dict],
                          target_org_ids: list[int] | None = None) -> PledgeTemplate:
    """Create the year's template and issue one pledge to each target org (default: direct children)."""
    require(actor, "duties.edit", org)
    not_branch(org, what="发放责任书")
    check_year(year)
    title = text(title, field="title", label="标题", max_len=100)
    cleaned = _clean_items(items)
    targets = _targets(org, target_org_ids)
    if PledgeTemplate.objects.filter(org=org, year=year, title=title).exists():
        raise Conflict(f"{year} 年已有名为“{title}”的责任书", field="title")
    template = PledgeTemplate.objects.create(org=org, region_id=org.region_id, year=year, title=title,
                                             created_by=actor)
    item_rows = PledgeItem.objects.bulk_create(
        [PledgeItem(template=template, order=n, content=i["content"], weight=i["weight"])
         for n, i in enumerate(cleaned, start=1)])
    ResponsibilityPledge.objects.bulk_create(
        [ResponsibilityPledge(template=template, org=t, region_id=t.region_id) for t in targets])
    pledges = list(template.pledges.all())
    PledgeProgress.objects.bulk_create(
        [PledgeProgress(pledge=p, item=i, updated_by=actor) for p in pledges for i in item_rows])
    audit(actor=actor, verb="pledge.issue", target=template, org=org,
          after={"year": year, "title": title, "items": cleaned, "targets": [t.id for t in targets]})
    return template


@transaction.atomic
def pledge_sign(*, actor, pledge: ResponsibilityPledge, signer: str, signed_on: date) -> ResponsibilityPledge:
    require(actor, "duties.edit", pledge.org)
    pledge = ResponsibilityPledge.objects.select_for_update().select_related("template", "org").get(pk=pledge.pk)
    if pledge.state == ResponsibilityPledge.State.SIGNED:
        raise Conflict("该责任书已签订")
    signer = text(signer, field="signer", label="签订人", max_len=50)
    if not isinstance(signed_on, date):
        raise DomainError("请填写签订日期", field="signed_on")
    not_future(signed_on, field="signed_on", label="签订日期")
    if signed_on.year < pledge.template.year - 1:
        raise DomainError("签订日期早于责任书年度", field="signed_on")
    pledge.state, pledge.signer, pledge.signed_on, pledge.signed_by = (
        ResponsibilityPledge.State.SIGNED, signer, signed_on, actor)
    pledge.save(update_fields=["state", "signer", "signed_on", "signed_by"])
    audit(actor=actor, verb="pledge.sign", target=pledge, org=pledge.org,
          after={"signer": signer, "signed_on": signed_on})
    return pledge


@transaction.atomic
def pledge_progress_update(*, actor, pledge: ResponsibilityPledge, item_id: int, percent: int,
                           note: str = "") -> PledgeProgress:
    require(actor, "duties.edit", pledge.org)
    pledge = ResponsibilityPledge.objects.select_related("org").get(pk=pledge.pk)
    if pledge.state != ResponsibilityPledge.State.SIGNED:
        raise DomainError("责任书签订后才能填报进度", field="item_id")
    problem = rules.check_percent(percent)
    if problem:
        raise DomainError(problem, field="percent")
    note = text(note, field="note", label="进展说明", max_len=300, required=False)
    row = (PledgeProgress.objects.select_for_update().filter(pledge=pledge, item_id=item_id)
           .select_related("item").first())
    if row is None:
        raise DomainError("该事项不属于这份责任书", field="item_id")
    before = {"percent": row.percent, "note": row.note}
    row.percent, row.note, row.updated_by = percent, note, actor
    row.save(update_fields=["percent", "note", "updated_by", "updated_at"])
    audit(actor=actor, verb="pledge.progress", target=pledge, org=pledge.org, before=before,
          after={"item_id": row.item_id, "percent": percent, "note": note})
    return row


def default_year() -> int:
    return today().year
