"""公示: publish a period's scores with an objection window; objections filed and answered
(re-exported by services.py).

R-POINTS-PUBLISH    only after the period has ended and with no entry still pending review.
R-POINTS-OBJECTION  the window runs from the publication day through the N-th working day after it
                    (N from the committee's scheme, default 5; the calendar counts holidays and 调休).
R-POINTS-LOCK       the period locks when the window has closed and every objection is answered.
"""
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.core.workdays import add_working_days_db
from dangjian.members.selectors import member_of_user
from dangjian.orgs.models import Org

from . import ranking, rules, selectors
from .models import Objection, PointEntry, Publication


def _formula(scheme, level: str) -> str:
    text = selectors.formula_text(scheme)
    if level in (Publication.Level.BRANCH, Publication.Level.VILLAGE):
        text += "；党支部得分 = 支部自身加减分 + 在册党员先锋指数的平均值"
    elif level == Publication.Level.COMMITTEE:
        text += "；党委（总支）得分 = 自身加减分 + 所属党支部得分的平均值"
    return text


@transaction.atomic
def publication_create(*, actor, org: Org, period: str, level: str = Publication.Level.MEMBER) -> Publication:
    require(actor, "points.edit", org)
    p = selectors.parse_period_or_400(period)
    if level not in Publication.Level.values:
        raise DomainError(f"公示内容无效：{level}", field="level")
    if level != Publication.Level.MEMBER and org.kind == Org.Kind.BRANCH:
        raise DomainError("党支部只公示党员先锋指数", field="level")
    scheme = selectors.scheme_for(org)
    if p.kind != scheme.period_kind:
        raise DomainError(f"本组织按{scheme.get_period_kind_display()}考评，请选择{scheme.get_period_kind_display()}",
                          field="period", rule="R-POINTS-PUBLISH")
    today = selectors.today()
    if p.end >= today:
        raise DomainError(f"{p.display}尚未结束，结束后才能公示", field="period", rule="R-POINTS-PUBLISH")
    pending = (selectors.entries_in_subtree(org).filter(status=PointEntry.Status.PENDING,
                                                        occurred_on__range=(p.start, p.end)).count())
    if pending:
        raise DomainError(f"{p.display}还有 {pending} 条积分待审核，请审核后再公示", rule="R-POINTS-PUBLISH")
    if Publication.objects.filter(org=org, period=p.label, level=level).exists():
        raise Conflict(f"{org.name} {p.label} 的{Publication.Level(level).label}已公示")
    until = add_working_days_db(today, scheme.objection_days)
    try:
        with transaction.atomic():
            pub = Publication.objects.create(
                org=org, period=p.label, period_start=p.start, period_end=p.end, level=level, published_on=today,
                objection_until=until, rows=ranking.snapshot_rows(org, p, scheme, level),
                formula=_formula(scheme, level), published_by=actor)
    except IntegrityError:
        raise Conflict(f"{org.name} {p.label} 的{Publication.Level(level).label}已公示")
    audit(actor=actor, verb="points.publish", target=pub, org=org,
          after={"period": p.label, "level": level, "objection_until": until, "rows": len(pub.rows)})
    return pub


@transaction.atomic
def objection_file(*, actor, publication: Publication, text: str) -> Objection:
    """Anyone who may see the 公示 may object during the window (R-POINTS-OBJECTION)."""
    if not selectors.publications_visible(actor).filter(pk=publication.pk).exists():
        raise Http404
    text = (text or "").strip()
    if len(text) < 2 or len(text) > 500:
        raise DomainError("请填写异议内容（2–500 字）", field="text")
    today = selectors.today()
    if not rules.objection_open(published_on=publication.published_on, until=publication.objection_until, today=today):
        raise DomainError(f"异议期为 {publication.published_on} 至 {publication.objection_until}，现已不能提出异议",
                          rule="R-POINTS-OBJECTION")
    member = member_of_user(actor)
    name = member.name if member else (actor.get_full_name() or actor.username)
    objection = Objection.objects.create(publication=publication, org=publication.org, filed_by=actor,
                                         filer_name=name[:50], text=text, filed_on=today)
    audit(actor=actor, verb="points.objection_file", target=objection, org=publication.org, after={"text": text})
    return objection


@transaction.atomic
def objection_resolve(*, actor, objection: Objection, upheld: bool, response: str) -> Objection:
    """The secretary answers. When upheld, the ledger is corrected with entries or reversals (the 公示
    follows while the period is unlocked); the answer itself changes no score."""
    objection = Objection.objects.select_for_update().select_related("publication", "publication__org").get(
        pk=objection.pk)
    require(actor, "points.edit", objection.publication.org)
    response = (response or "").strip()
    if len(response) < 2 or len(response) > 500:
        raise DomainError("请填写答复（2–500 字）", field="response")
    if objection.status != Objection.Status.OPEN:
        raise Conflict("该异议已答复", rule="R-POINTS-OBJECTION")
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.response, objection.resolved_by, objection.resolved_at = response, actor, timezone.now()
    objection.save(update_fields=["status", "response", "resolved_by", "resolved_at"])
    audit(actor=actor, verb="points.objection_resolve", target=objection, org=objection.publication.org,
          before={"status": Objection.Status.OPEN}, after={"status": objection.status, "response": response})
    return objection
