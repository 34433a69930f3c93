"""预警 → 处置 (re-exported by services.py).

R-POINTS-WARN  after a period has ended, every member on the rolls whose 先锋指数 is below the committee's
               warning line (谈心谈话), or who has an approved, unreversed deduction of 10 points or more
               (批评教育), or whose index is below the 不合格 line (seed 001: 不合格党员 → 限期改正 and up), is put
               on the period's warning list; the branch secretary is notified once per warning and level
               (notify dedupe key). Scanning again refreshes open warnings and clears those who recovered;
               warnings already handed to a disposal stay as they are. The system never disposes by itself:
               the secretary opens a disposal from a warning (members.lifecycle.disposal_record, source
               "points:<warning id>").
"""
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.members.models import Disposal
from dangjian.orgs.models import Org

from . import rules, selectors
from .models import PointWarning
from .selectors_warnings import warning_candidates, warnings_in_subtree

DISPOSAL_KINDS = [Disposal.Kind.RECTIFY, Disposal.Kind.PERSUADE_OUT, Disposal.Kind.EXPEL_FROM_ROLLS]


def secretaries_of(org: Org) -> list:
    """The branch's secretaries; if it has none, the secretaries and admins of the org above."""
    from dangjian.accounts.models import Role

    roles = Role.objects.filter(org=org, role=Role.Kind.SECRETARY).select_related("user")
    users = {r.user_id: r.user for r in roles}
    if not users:
        parent = org.get_parent()
        if parent is not None:
            roles = Role.objects.filter(org=parent, role__in=[Role.Kind.SECRETARY, Role.Kind.ADMIN])
            users = {r.user_id: r.user for r in roles.select_related("user")}
    return list(users.values())


def _notify(warning: PointWarning, cache: dict) -> int:
    if not apps.is_installed("dangjian.notify"):
        return 0
    from dangjian.notify.services import notify

    org = warning.org
    if org.id not in cache:
        cache[org.id] = secretaries_of(org)
    member = warning.member
    title = (f"积分预警：{member.name}（{org.name}）{warning.period} 先锋指数 {warning.score} 分，"
             f"{warning.get_level_display()}")
    body = {"warn": "建议支部书记与其谈心谈话，帮助查找原因。",
            "grave": "本期有严重扣分记录，建议批评教育并跟踪改正。",
            "unqualified": "低于不合格分数线，请支部研究是否启动限期改正等处置（不合格党员处置）。"}[warning.level]
    sent = notify(users=cache[org.id], kind="points.warning", title=title, body=body,
                  url=reverse("points:warning", args=[warning.id]),
                  dedupe_key=f"points.warning:{warning.id}:{warning.level}", org=org)
    return len(sent)


@transaction.atomic
def warnings_scan(*, actor, org: Org, period: str) -> dict:
    """Draw (or refresh) the warning list of an ended period for every member on the rolls under org.
    `actor` None is the periodic job."""
    if actor is not None:
        require(actor, "points.edit", org)
    p = selectors.parse_period_or_400(period)
    scheme = selectors.scheme_for(org)
    if p.kind != scheme.period_kind:
        raise DomainError(f"本组织按{scheme.get_period_kind_display()}考评，请选择{scheme.get_period_kind_display()}",
                          field="period", rule="R-POINTS-WARN")
    if p.end >= selectors.today():
        raise DomainError(f"{p.display}尚未结束，结束后才能生成预警名单", field="period", rule="R-POINTS-WARN")
    existing = {w.member_id: w for w in warnings_in_subtree(org).filter(period=p.label)
                .select_for_update(of=("self",))}
    counts = {"period": p.label, "created": 0, "updated": 0, "cleared": 0, "notified": 0}
    cache: dict = {}
    seen = set()
    for m in warning_candidates(org, p, scheme):  # only the members below a line: a short list
        score = Decimal(m.score).quantize(rules.SCORE_PLACES)
        level = rules.warning_level(score=score, warn_below=scheme.warn_below,
                                    unqualified_below=scheme.unqualified_below, worst=m.worst)
        if not level:
            continue
        seen.add(m.id)
        threshold = scheme.unqualified_below if level == "unqualified" else scheme.warn_below
        w = existing.get(m.id)
        if w is None:
            try:
                with transaction.atomic():
                    w = PointWarning.objects.create(member=m, org=m.org, period=p.label, period_start=p.start,
                                                    score=score, threshold=threshold, worst=m.worst, level=level)
            except IntegrityError:  # a concurrent scan made it
                continue
            counts["created"] += 1
            counts["notified"] += _notify(w, cache)
        elif w.state == PointWarning.State.OPEN and (w.score, w.level, w.worst) != (score, level, m.worst):
            escalated = w.level != level
            w.score, w.level, w.threshold, w.worst = score, level, threshold, m.worst
            w.save(update_fields=["score", "level", "threshold", "worst", "updated_at"])
            counts["updated"] += 1
            if escalated:
                counts["notified"] += _notify(w, cache)
        elif w.state == PointWarning.State.CLEARED and not w.note:  # fell below again after recovering
            w.state, w.score, w.level, w.threshold, w.worst = PointWarning.State.OPEN, score, level, threshold, m.worst
            w.save(update_fields=["state", "score", "level", "threshold", "worst", "updated_at"])
            counts["updated"] += 1
    recovered = [w.pk for mid, w in existing.items() if mid not in seen and w.state == PointWarning.State.OPEN]
    if recovered:
        counts["cleared"] = PointWarning.objects.filter(pk__in=recovered).update(state=PointWarning.State.CLEARED)
    if counts["created"] or counts["updated"] or counts["cleared"]:  # a scan that changes nothing writes nothing
        audit(actor=actor, verb="points.warnings_scan", target=org, org=org, after=counts)
    return counts


def _locked_warning(warning: PointWarning) -> PointWarning:
    return (PointWarning.objects.select_for_update(of=("self",)).select_related("member", "member__org", "org")
            .get(pk=warning.pk))


@transaction.atomic
def warning_dispose(*, actor, warning: PointWarning, kind: str, reason: str, decided_on: date,
                    deadline: date | None = None) -> PointWarning:
    """The secretary opens a disposal (限期改正, 劝退, 除名) for a warned member; the warning records it."""
    from dangjian.members.lifecycle import disposal_record

    warning = _locked_warning(warning)
    require(actor, "points.edit", warning.member.org)
    if warning.state == PointWarning.State.DISPOSED:
        raise Conflict("该预警已启动处置", rule="R-POINTS-WARN")
    if kind not in DISPOSAL_KINDS:
        raise DomainError("处置方式应为限期改正、劝退或除名", field="kind", rule="R-POINTS-WARN")
    if not isinstance(decided_on, date):
        raise DomainError("决定日期格式应为 YYYY-MM-DD", field="decided_on")
    disposal = disposal_record(actor=actor, member=warning.member, kind=kind, reason=reason, decided_on=decided_on,
                               deadline=deadline, source=f"points:{warning.id}")
    before = {"state": warning.state}
    warning.state, warning.disposal = PointWarning.State.DISPOSED, disposal
    warning.save(update_fields=["state", "disposal", "updated_at"])
    audit(actor=actor, verb="points.warning_dispose", target=warning, org=warning.org, before=before,
          after={"state": warning.state, "disposal": disposal.id, "kind": kind})
    return warning


@transaction.atomic
def warning_handle(*, actor, warning: PointWarning, note: str) -> PointWarning:
    """Close a warning without a disposal, saying what was done (谈心谈话, 批评教育 …)."""
    warning = _locked_warning(warning)
    require(actor, "points.edit", warning.member.org)
    note = (note or "").strip() if isinstance(note, str) else ""
    if not 2 <= len(note) <= 200:
        raise DomainError("请填写处理情况（2–200 字），如谈心谈话的时间和内容", field="note", rule="R-POINTS-WARN")
    if warning.state != PointWarning.State.OPEN:
        raise Conflict(f"该预警{warning.get_state_display()}", rule="R-POINTS-WARN")
    warning.state, warning.note = PointWarning.State.CLEARED, note
    warning.save(update_fields=["state", "note", "updated_at"])
    audit(actor=actor, verb="points.warning_handle", target=warning, org=warning.org,
          before={"state": PointWarning.State.OPEN}, after={"state": warning.state, "note": note})
    return warning
