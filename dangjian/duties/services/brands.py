"""党建服务品牌 and 支部工作法: creation by branches, step records, ratings by the committees above."""
from datetime import date

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.orgs.models import Org

from .. import rules, selectors
from ..models import Rating, ServiceBrand, WorkMethod, WorkMethodRecord, WorkStepRecord
from .common import not_branch, not_future, require_above, text, year as check_year
from .common import photo as check_photo


@transaction.atomic
def brand_create(*, actor, org: Org, name: str, year: int, idea: str = "", practices: str = "",
                 results: str = "", photo=None) -> ServiceBrand:
    require(actor, "duties.edit", org)
    name = text(name, field="name", label="品牌名称", max_len=100)
    check_year(year)
    photo = check_photo(photo)
    idea = text(idea, field="idea", label="品牌理念", max_len=5000, required=False)
    practices = text(practices, field="practices", label="主要做法", max_len=20000, required=False)
    results = text(results, field="results", label="工作成效", max_len=20000, required=False)
    if ServiceBrand.objects.filter(org=org, name=name).exists():
        raise Conflict(f"{org.name} 已有名为“{name}”的服务品牌", field="name")
    brand = ServiceBrand.objects.create(org=org, region_id=org.region_id, name=name, year=year, idea=idea,
                                        practices=practices, results=results, photo=photo, created_by=actor)
    audit(actor=actor, verb="brand.create", target=brand, org=org, after={"name": name, "year": year})
    return brand


def _rating(value: str) -> str:
    if value not in Rating.values:
        raise DomainError("评定结果应为优秀、提名奖或未评定", field="rating")
    return value


@transaction.atomic
def brand_rate(*, actor, brand: ServiceBrand, rating: str) -> ServiceBrand:
    require_above(actor, brand.org, "duties.edit", message="服务品牌须由上级党组织评定")
    rating = _rating(rating)
    before = {"rating": brand.rating}
    brand.rating, brand.rated_by, brand.rated_on = rating, actor, timezone.localdate()
    brand.save(update_fields=["rating", "rated_by", "rated_on"])
    audit(actor=actor, verb="brand.rate", target=brand, org=brand.org, before=before, after={"rating": rating})
    return brand


@transaction.atomic
def work_method_create(*, actor, org: Org, name: str, steps: list[str]) -> WorkMethod:
    """A committee's own step template (⚙); the default is seed 002's seven steps."""
    require(actor, "duties.edit", org)
    not_branch(org, what="设置支部工作法")
    name = text(name, field="name", label="名称", max_len=100)
    if not isinstance(steps, list):
        raise DomainError("步骤格式不正确", field="steps")
    problem = rules.check_steps(steps)
    if problem:
        raise DomainError(problem, field="steps")
    steps = [s.strip() for s in steps]
    if WorkMethod.objects.filter(org=org, name=name).exists():
        raise Conflict(f"已有名为“{name}”的工作法", field="name")
    method = WorkMethod.objects.create(org=org, name=name, steps=steps)
    audit(actor=actor, verb="work_method.create", target=method, org=org, after={"name": name, "steps": steps})
    return method


@transaction.atomic
def work_record_create(*, actor, method: WorkMethod, org: Org, title: str, year: int) -> WorkMethodRecord:
    require(actor, "duties.edit", org)
    if not selectors.work_methods_for(actor=actor, org=org).filter(pk=method.pk).exists():
        raise DomainError("该工作法不适用于此党组织", field="method_id")
    title = text(title, field="title", label="工作事项", max_len=100)
    check_year(year)
    record = WorkMethodRecord.objects.create(method=method, org=org, region_id=org.region_id, title=title,
                                             year=year, created_by=actor)
    audit(actor=actor, verb="work_method.record", target=record, org=org,
          after={"method_id": method.id, "title": title, "year": year})
    return record


@transaction.atomic
def work_step_record(*, actor, record: WorkMethodRecord, step_no: int, done_on: date,
                     content: str) -> WorkStepRecord:
    require(actor, "duties.edit", record.org)
    steps = record.method.steps
    if not isinstance(step_no, int) or not 1 <= step_no <= len(steps):
        raise DomainError(f"步骤序号应在 1 到 {len(steps)} 之间", field="step_no")
    if not isinstance(done_on, date):
        raise DomainError("请填写完成日期", field="done_on")
    not_future(done_on, field="done_on", label="完成日期")
    content = text(content, field="content", label="记录", max_len=20000)
    if record.step_records.filter(step_no=step_no).exists():
        raise Conflict(f"“{steps[step_no - 1]}”已有记录")
    row = WorkStepRecord.objects.create(record=record, step_no=step_no, done_on=done_on, content=content,
                                        recorded_by=actor)
    audit(actor=actor, verb="work_method.step", target=record, org=record.org,
          after={"step_no": step_no, "step": steps[step_no - 1], "done_on": done_on})
    return row


@transaction.atomic
def work_record_rate(*, actor, record: WorkMethodRecord, rating: str) -> WorkMethodRecord:
    require_above(actor, record.org, "duties.edit", message="支部工作法须由上级党组织评定")
    rating = _rating(rating)
    before = {"rating": record.rating}
    record.rating, record.rated_by = rating, actor
    record.save(update_fields=["rating", "rated_by"])
    audit(actor=actor, verb="work_method.rate", target=record, org=record.org, before=before,
          after={"rating": rating})
    return record
