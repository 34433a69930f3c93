"""Writes to the 积分台账: one transaction each, with its audit event (DESIGN rule 3).

The ledger is append-only (DESIGN rule 5): entries are never edited or deleted; a pending entry is
approved or rejected once; an approved one is corrected by a reversing entry with a reason.
"""
import re
import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.files import validate_upload
from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.members.models import Member
from dangjian.orgs.models import Org

from . import ranking, rules, selectors
from .models import PointEntry, PointRule

EVIDENCE_TYPES = {".jpg", ".jpeg", ".png", ".pdf"}
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
SOURCE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
ENTRY_AUDIT = ["member", "org", "rule_version", "rule_code", "points", "occurred_on", "period", "source",
               "source_app", "source_event_id", "status", "note", "reverses", "reason"]


def _now():
    return timezone.now()


def _entry_snapshot(entry: PointEntry) -> dict:
    from dangjian.core.audit import snapshot

    return snapshot(entry, ENTRY_AUDIT)


def _subject_org(entry: PointEntry) -> Org:
    return entry.member.org if entry.member_id else entry.org


def _check_evidence(evidence) -> None:
    if not evidence:
        return
    ext = validate_upload(evidence, allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES, field="evidence",
                          rule="R-POINTS-EVIDENCE")
    evidence.name = uuid.uuid4().hex + ext  # never trust the uploaded name on disk


def _check_not_locked(org: Org, day: date) -> None:
    pub = selectors.locking_publication(org, day, on=selectors.today())
    if pub is not None:
        raise DomainError(f"{pub.org.name} {pub.period} 的积分已公示期满并锁定，不能再变更",
                          rule="R-POINTS-LOCK")


def refresh_publications(org: Org, day: date) -> int:
    """Re-snapshot the unlocked publications covering org on `day`, so a 公示 in its window always shows
    the ledger as it stands (corrections after an objection included)."""
    count = 0
    for pub in selectors.open_publications(org, day, on=selectors.today()):
        period = rules.parse_period(pub.period)
        scheme = selectors.scheme_for(pub.org)
        pub.rows = ranking.snapshot_rows(pub.org, period, scheme, pub.level)
        pub.refreshed_at = _now()
        pub.save(update_fields=["rows", "refreshed_at"])
        count += 1
    return count


# --- recording -------------------------------------------------------------------------------------------

def _record(*, actor, rule_code: str, occurred_on: date, member: Member | None = None, org: Org | None = None,
            note: str = "", evidence=None, source: str = PointEntry.Source.MANUAL, source_app: str = "",
            source_event_id: str = "") -> PointEntry:
    """Validate and write one entry (the caller holds the transaction and has checked the actor's right)."""
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError("事由不能超过 200 个字", field="note")
    if not isinstance(occurred_on, date):
        raise DomainError("发生日期格式应为 YYYY-MM-DD", field="occurred_on")
    if occurred_on > selectors.today():
        raise DomainError("发生日期不能晚于今天", field="occurred_on", rule="R-POINTS-DATE")
    if member is not None:
        # Lock the member row: concurrent entries for one member queue, so the cap holds.
        member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
        if not Member.objects.filter(selectors.members_on_rolls_q(), pk=member.pk).exists():
            raise DomainError(f"{member.name} 不在党员名册中（仅预备党员、正式党员计分）", field="member_id",
                              rule="R-POINTS-ROLLS")
        org = member.org
    code = (rule_code or "").strip()
    version = selectors.rule_version_in_force(org=org, code=code, day=occurred_on)
    if version is None:
        raise DomainError(f"积分标准 {code or '（空）'} 在 {occurred_on} 未施行", field="rule_code",
                          rule="R-POINTS-INFORCE")
    wanted = PointRule.Subject.MEMBER if member is not None else PointRule.Subject.ORG
    if version.rule.subject != wanted:
        raise DomainError(f"「{version.name}」是对{version.rule.get_subject_display()}计分的标准", field="rule_code",
                          rule="R-POINTS-INFORCE")
    if source == PointEntry.Source.SELF_REPORT and not version.self_report_allowed:
        raise DomainError(f"「{version.name}」不接受党员自行申报", field="rule_code", rule="R-POINTS-SELF")
    _check_evidence(evidence)
    if version.evidence_required and not evidence and source != PointEntry.Source.AUTOMATIC:
        raise DomainError(f"「{version.name}」须上传证明材料", field="evidence", rule="R-POINTS-EVIDENCE")
    scheme = selectors.scheme_for(org)
    period = rules.period_of(occurred_on, scheme.period_kind)
    _check_not_locked(org, occurred_on)
    used = selectors.cap_used(member=member, org=org, code=code, period=period.label)
    if not rules.cap_allows(cap=version.cap_per_period, used=used, points=version.points):
        remaining = rules.cap_remaining(cap=version.cap_per_period, used=used)
        raise DomainError(f"超过「{version.name}」每期上限 {version.cap_per_period} 分：{period.label} 已记 {used} 分，"
                          f"还可记 {remaining} 分（本次 {version.points} 分）", field="rule_code", rule="R-POINTS-CAP")
    if source == PointEntry.Source.SELF_REPORT or (source == PointEntry.Source.MANUAL and version.requires_approval):
        status = PointEntry.Status.PENDING
    else:
        status = PointEntry.Status.APPROVED
    decided = status == PointEntry.Status.APPROVED
    entry = PointEntry.objects.create(
        member=member, org=org, region_id=org.region_id, rule=version.rule, rule_version=version, rule_code=code,
        category=version.category, points=version.points, occurred_on=occurred_on, period=period.label,
        source=source, source_app=source_app, source_event_id=source_event_id, evidence=evidence or "", note=note,
        status=status, created_by=actor if getattr(actor, "pk", None) else None,
        decided_by=actor if decided and getattr(actor, "pk", None) else None, decided_at=_now() if decided else None)
    audit(actor=actor, verb=f"points.entry_{source}", target=entry, org=org, after=_entry_snapshot(entry))
    if decided:
        refresh_publications(org, occurred_on)
    return entry


@transaction.atomic
def entry_create(*, actor, rule_code: str, occurred_on: date, member: Member | None = None, org: Org | None = None,
                 note: str = "", evidence=None) -> PointEntry:
    """A secretary records an award or deduction for a member (or, for an org-subject rule, an org)."""
    if (member is None) == (org is None):
        raise DomainError("请指定党员或党组织之一", field="member_id")
    require(actor, "points.edit", member.org if member is not None else org)
    return _record(actor=actor, rule_code=rule_code, occurred_on=occurred_on, member=member, org=org, note=note,
                   evidence=evidence)


@transaction.atomic
def entry_self_report(*, actor, rule_code: str, occurred_on: date, note: str = "", evidence=None) -> PointEntry:
    """A member reports their own deed (R-POINTS-SELF: only rules that allow it; always pending)."""
    from dangjian.members.selectors import member_of_user

    member = member_of_user(actor)
    if member is None:
        raise PermissionDenied("您的账号未关联党员档案，不能申报积分")
    if not (note or "").strip():
        raise DomainError("请说明申报事由", field="note", rule="R-POINTS-SELF")
    return _record(actor=actor, rule_code=rule_code, occurred_on=occurred_on, member=member, note=note,
                   evidence=evidence, source=PointEntry.Source.SELF_REPORT)


@dataclass
class AutoAward:
    entry: PointEntry | None
    created: bool
    refused: str = ""  # why nothing was written (cap reached, rule not in force, member off the rolls…)


def points_award_automatic(*, rule_code: str, member: Member, occurred_on: date, source: str,
                           source_event_id, note: str = "") -> AutoAward:
    """The one interface for other apps (attendance, volunteering hours, dues paid on time).

    Idempotent per (source, source_event_id): a second call for the same event returns the first entry
    (enforced by a unique constraint, so concurrent calls cannot double-count). Business refusals never
    raise: they come back in `refused` and nothing is written, so a caller may run this inside its own
    transaction. Safe to call from `transaction.on_commit`.
    """
    source_event_id = str(source_event_id)
    if not SOURCE_RE.match(source or "") or len(source) > 40:
        raise ValueError("source must look like 'meetings.attendance'")
    if not 1 <= len(source_event_id) <= 64:
        raise ValueError("source_event_id must have 1-64 characters")
    existing = PointEntry.objects.filter(source_app=source, source_event_id=source_event_id).first()
    if existing is not None:
        return AutoAward(existing, False)
    try:
        with transaction.atomic():
            entry = _record(actor=None, rule_code=rule_code, occurred_on=occurred_on, member=member, note=note,
                            source=PointEntry.Source.AUTOMATIC, source_app=source, source_event_id=source_event_id)
    except IntegrityError:
        existing = PointEntry.objects.filter(source_app=source, source_event_id=source_event_id).first()
        if existing is None:
            raise
        return AutoAward(existing, False)
    except DomainError as exc:
        return AutoAward(None, False, exc.detail)
    return AutoAward(entry, True)


# --- review and correction -------------------------------------------------------------------------------------

def _locked_entry(entry: PointEntry) -> PointEntry:
    return (PointEntry.objects.select_for_update(of=("self",))
            .select_related("member", "member__org", "org", "rule_version")
            .get(pk=entry.pk))


def _decide(*, actor, entry: PointEntry, approve: bool, note: str) -> PointEntry:
    entry = _locked_entry(entry)
    require(actor, "points.edit", _subject_org(entry))
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError("审核意见不能超过 200 个字", field="note")
    if entry.status != PointEntry.Status.PENDING:
        raise Conflict(f"该记录已审核（{entry.get_status_display()}）", rule="R-POINTS-REVIEW")
    if entry.created_by_id == actor.pk or (entry.member_id and entry.member.user_id == actor.pk):
        raise DomainError("不能审核本人提交或与本人有关的积分，请由其他支委审核", rule="R-POINTS-SELF")
    _check_not_locked(_subject_org(entry), entry.occurred_on)
    before = {"status": entry.status}
    entry.status = PointEntry.Status.APPROVED if approve else PointEntry.Status.REJECTED
    entry.decided_by, entry.decided_at, entry.decision_note = actor, _now(), note
    entry.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit(actor=actor, verb="points.entry_approve" if approve else "points.entry_reject", target=entry,
          org=entry.org, before=before, after={"status": entry.status, "decision_note": note})
    if approve:
        refresh_publications(_subject_org(entry), entry.occurred_on)
    return entry


@transaction.atomic
def entry_approve(*, actor, entry: PointEntry, note: str = "") -> PointEntry:
    return _decide(actor=actor, entry=entry, approve=True, note=note)


@transaction.atomic
def entry_reject(*, actor, entry: PointEntry, note: str = "") -> PointEntry:
    return _decide(actor=actor, entry=entry, approve=False, note=note)


@transaction.atomic
def entry_reverse(*, actor, entry: PointEntry, reason: str) -> PointEntry:
    """R-POINTS-REVERSE: correct an approved entry with a reversing entry (same period, opposite points)."""
    entry = _locked_entry(entry)
    require(actor, "points.edit", _subject_org(entry))
    reason = (reason or "").strip()
    if len(reason) < 2 or len(reason) > 200:
        raise DomainError("请填写冲正原因（2–200 字）", field="reason", rule="R-POINTS-REVERSE")
    if entry.reverses_id:
        raise DomainError("冲正记录不能再冲正；如需恢复请重新录入", rule="R-POINTS-REVERSE")
    if entry.status != PointEntry.Status.APPROVED:
        raise DomainError("只能冲正已生效的记录；待审核的记录请直接审核不通过", rule="R-POINTS-REVERSE")
    if PointEntry.objects.filter(reverses=entry).exists():
        raise Conflict("该记录已冲正", rule="R-POINTS-REVERSE")
    _check_not_locked(_subject_org(entry), entry.occurred_on)
    try:
        with transaction.atomic():
            reversal = PointEntry.objects.create(
                member=entry.member, org=entry.org, region_id=entry.region_id, rule_id=entry.rule_id,
                rule_version=entry.rule_version, rule_code=entry.rule_code, category=entry.category,
                points=-entry.points, occurred_on=entry.occurred_on, period=entry.period,
                source=PointEntry.Source.MANUAL, note=f"冲正：{entry.note}"[:200], status=PointEntry.Status.APPROVED,
                reverses=entry, reason=reason, created_by=actor, decided_by=actor, decided_at=_now())
    except IntegrityError:  # a concurrent reversal won
        raise Conflict("该记录已冲正", rule="R-POINTS-REVERSE")
    audit(actor=actor, verb="points.entry_reverse", target=reversal, org=entry.org,
          before={"entry": entry.pk, "points": entry.points}, after=_entry_snapshot(reversal))
    refresh_publications(_subject_org(entry), entry.occurred_on)
    return reversal


# Catalog, scheme and publication services live in their own modules; callers use services.<name>.
from .services_catalog import rule_create, rule_retire, rule_revise, scheme_save  # noqa: E402,F401
from .services_publication import objection_file, objection_resolve, publication_create  # noqa: E402,F401
from .services_pledges import pledge_assess, pledge_save, rating_record  # noqa: E402,F401
from .services_warnings import warning_dispose, warning_handle, warnings_scan  # noqa: E402,F401
