"""述职评议: a committee's scheme (criteria, thresholds), secretaries' reports, reviewers' scores."""
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404

from dangjian.accounts.scope import can, in_scope, require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.orgs.models import Org

from .. import rules
from ..models import DutyReport, ReviewCriterion, ReviewScheme, ReviewScore
from .common import decimal, not_branch, not_future, strictly_under, text, year as check_year

MAX_CRITERIA = 30


def _clean_criteria(criteria: list[dict]) -> list[dict]:
    if not isinstance(criteria, list) or not criteria:
        raise DomainError("请至少设置一个评议项目", field="criteria")
    if len(criteria) > MAX_CRITERIA:
        raise DomainError(f"评议项目不能超过 {MAX_CRITERIA} 个", field="criteria")
    cleaned, names = [], set()
    for n, c in enumerate(criteria, start=1):
        name = text(c.get("name"), field="criteria", label=f"第 {n} 个评议项目名称", max_len=100)
        if name in names:
            raise DomainError(f"评议项目“{name}”重复", field="criteria")
        names.add(name)
        max_score = decimal(c.get("max_score"), field="criteria", label=f"“{name}”的满分")
        if max_score <= 0 or max_score > 1000 or max_score != max_score.quantize(rules.CENT):
            raise DomainError(f"“{name}”的满分应大于 0、不超过 1000，最多两位小数", field="criteria")
        cleaned.append({"name": name, "max_score": max_score})
    return cleaned


def _clean_thresholds(thresholds) -> tuple[Decimal, Decimal, Decimal]:
    if thresholds is None:
        return rules.DEFAULT_THRESHOLDS
    if not isinstance(thresholds, (list, tuple)) or len(thresholds) != 3:
        raise DomainError("等次分数线应为“好、较好、一般”三个得分率", field="thresholds")
    values = tuple(decimal(t, field="thresholds", label="等次分数线") for t in thresholds)
    if not (100 >= values[0] > values[1] > values[2] > 0):
        raise DomainError("等次分数线应满足 100 ≥ 好 > 较好 > 一般 > 0", field="thresholds")
    return values


@transaction.atomic
def review_scheme_create(*, actor, org: Org, year: int, title: str, criteria: list[dict],
                         thresholds=None) -> ReviewScheme:
    require(actor, "duties.edit", org)
    not_branch(org, what="组织述职评议")
    check_year(year)
    title = text(title, field="title", label="名称", max_len=100)
    cleaned = _clean_criteria(criteria)
    good, fairly_good, average = _clean_thresholds(thresholds)
    if ReviewScheme.objects.filter(org=org, year=year, title=title).exists():
        raise Conflict(f"{year} 年已有名为“{title}”的述职评议", field="title")
    scheme = ReviewScheme.objects.create(org=org, region_id=org.region_id, year=year, title=title,
                                         good_min=good, fairly_good_min=fairly_good, average_min=average,
                                         created_by=actor)
    ReviewCriterion.objects.bulk_create([ReviewCriterion(scheme=scheme, order=n, **c)
                                         for n, c in enumerate(cleaned, start=1)])
    audit(actor=actor, verb="review.scheme_create", target=scheme, org=org,
          after={"year": year, "title": title, "criteria": cleaned, "thresholds": [good, fairly_good, average]})
    return scheme


@transaction.atomic
def duty_report_submit(*, actor, scheme: ReviewScheme, org: Org, reporter: str, content: str,
                       submitted_on: date) -> DutyReport:
    require(actor, "duties.edit", org)
    if not strictly_under(org, scheme.org):
        raise DomainError("述职组织必须是评议党委的下级党组织", field="org_id")
    reporter = text(reporter, field="reporter", label="述职人", max_len=50)
    content = text(content, field="content", label="述职内容", max_len=20000)
    if not isinstance(submitted_on, date):
        raise DomainError("请填写提交日期", field="submitted_on")
    not_future(submitted_on, field="submitted_on", label="提交日期")
    if DutyReport.objects.filter(scheme=scheme, org=org).exists():
        raise Conflict("该组织已提交本次述职报告")
    report = DutyReport.objects.create(scheme=scheme, org=org, region_id=org.region_id, reporter=reporter,
                                       content=content, submitted_on=submitted_on, submitted_by=actor)
    audit(actor=actor, verb="review.report_submit", target=report, org=org,
          after={"scheme_id": scheme.id, "reporter": reporter})
    return report


@transaction.atomic
def duty_report_score(*, actor, report: DutyReport, scores: list[dict]) -> list[ReviewScore]:
    """One reviewer's sheet: a score for every criterion, each within 0 … its maximum, given once."""
    scheme = report.scheme
    if not in_scope(actor, report.org):
        raise Http404
    if not can(actor, "duties.edit", scheme.org):
        raise PermissionDenied("只有组织评议的党委可以评分")
    if report.submitted_by_id == actor.pk:
        raise DomainError("不能为自己提交的述职报告评分", field="scores")
    criteria = {c.id: c for c in scheme.criteria.all()}
    if not isinstance(scores, list):
        raise DomainError("评分格式不正确", field="scores")
    given: dict[int, Decimal] = {}
    for row in scores:
        cid = row.get("criterion_id")
        if cid not in criteria:
            raise DomainError("评分项目不属于本次述职评议", field="scores")
        if cid in given:
            raise DomainError(f"“{criteria[cid].name}”重复评分", field="scores")
        score = decimal(row.get("score"), field="scores", label=f"“{criteria[cid].name}”的得分")
        if not rules.score_in_range(score, criteria[cid].max_score):
            raise DomainError(f"“{criteria[cid].name}”的得分应在 0 到 {criteria[cid].max_score.normalize():f} 之间"
                              f"（最多两位小数）", field="scores")
        given[cid] = score
    missing = [c.name for cid, c in criteria.items() if cid not in given]
    if missing:
        raise DomainError("请为每个评议项目评分，缺少：" + "、".join(missing), field="scores")
    if ReviewScore.objects.filter(report=report, reviewer=actor).exists():
        raise Conflict("您已为该述职报告评分，不能重复评分")
    try:
        with transaction.atomic():
            rows = ReviewScore.objects.bulk_create([ReviewScore(report=report, reviewer=actor, criterion=criteria[c],
                                                                score=s) for c, s in given.items()])
    except IntegrityError:
        raise Conflict("您已为该述职报告评分，不能重复评分")
    audit(actor=actor, verb="review.score", target=report, org=report.org,
          after={str(c): s for c, s in given.items()})
    return rows
