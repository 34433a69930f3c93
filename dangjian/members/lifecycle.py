"""Transfers (组织关系转接), mobile members (流动党员) and disposals (处置): RULES.md §6, §7."""
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import can, org_get_visible, require, scope_q
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError, FieldErrors
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .choices import ACTIVE_STATUSES, Status
from .models import Disposal, Member, MobileRecord, Transfer
from .services import member_create


def _today() -> date:
    return timezone.localdate()


def _clean(text: str, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise DomainError(f"请填写{label}", field=field)
    if len(text) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 个字", field=field)
    return text


# --- Transfers ----------------------------------------------------------------------------

@transaction.atomic
def transfer_out(*, actor, member: Member, to_org: Org | None = None, external_org_name: str = "",
                 letter_no: str = "", cross_province: bool = False, reason: str = "") -> Transfer:
    """Start a transfer. The member stays with the sending org until the receiver accepts."""
    require(actor, "members.edit", member.org)
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    if member.status not in ACTIVE_STATUSES:
        raise DomainError("该党员当前状态不能办理组织关系转出", rule="R-TRANSFER")
    if member.transfers.filter(state=Transfer.State.IN_TRANSIT).exists():
        raise Conflict("该党员已有正在办理的组织关系转接", rule="R-TRANSFER")
    letter_no = _clean(letter_no, field="letter_no", label="介绍信编号", max_len=50, required=False)
    reason = _clean(reason, field="reason", label="转接原因", max_len=200, required=False)
    today = _today()
    if to_org is not None:
        if to_org.kind != Org.Kind.BRANCH:
            raise DomainError("接收组织须为党支部", field="to_org_id")
        if to_org.id == member.org_id:
            raise DomainError("接收组织不能是党员当前所在的党支部", field="to_org_id")
        direction = Transfer.Direction.INTERNAL
        external_org_name = ""
    else:
        external_org_name = _clean(external_org_name, field="to_external", label="接收组织名称", max_len=200)
        direction = Transfer.Direction.OUT
    transfer = Transfer.objects.create(
        member=member, direction=direction, from_org=member.org, to_org=to_org, external_org_name=external_org_name,
        letter_no=letter_no, cross_province=cross_province, issued_on=today,
        report_by=rules.letter_report_by(issued_on=today, cross_province=cross_province), reason=reason,
        created_by=actor)
    audit(actor=actor, verb="member.transfer_out", target=member, org=member.org,
          after={"transfer_id": transfer.id, "to_org_id": to_org.id if to_org else None,
                 "external": external_org_name, "letter_no": letter_no})
    return transfer


def _receiving_org(transfer: Transfer) -> Org:
    # Internal: the receiver decides. External out: the sender records the 回执 (receipt).
    return transfer.to_org if transfer.direction == Transfer.Direction.INTERNAL else transfer.from_org


def _require_receiver(actor, transfer: Transfer) -> None:
    """The transfer is visible to both sides (checked by transfer_get); only the receiver decides."""
    if not can(actor, "members.edit", _receiving_org(transfer)):
        raise PermissionDenied("只有接收方党组织可以办理接收或退回")


@transaction.atomic
def transfer_accept(*, actor, transfer: Transfer) -> Transfer:
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("member", "to_org", "from_org").get(pk=transfer.pk)
    _require_receiver(actor, transfer)
    if transfer.state != Transfer.State.IN_TRANSIT:
        raise Conflict("该转接已办结", rule="R-TRANSFER")
    member = transfer.member
    if transfer.direction == Transfer.Direction.INTERNAL:
        before = {"org_id": member.org_id}
        member.org = transfer.to_org
        member.region_id = transfer.to_org.region_id
        member.party_group = None
        member.save(update_fields=["org", "region_id", "party_group", "updated_at"])
        transfer.state = Transfer.State.ACCEPTED
        audit(actor=actor, verb="member.transfer_in", target=member, org=transfer.to_org, before=before,
              after={"org_id": member.org_id, "transfer_id": transfer.id})
    else:
        member.status = Status.TRANSFERRED_OUT
        member.status_since = _today()
        member.save(update_fields=["status", "status_since", "updated_at"])
        transfer.state = Transfer.State.COMPLETED
        audit(actor=actor, verb="member.transfer_completed", target=member, org=transfer.from_org,
              after={"external": transfer.external_org_name, "transfer_id": transfer.id})
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["state", "decided_at"])
    return transfer


@transaction.atomic
def transfer_reject(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """A transfer may not be refused without a reason (RULES §6)."""
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("member", "to_org", "from_org").get(pk=transfer.pk)
    _require_receiver(actor, transfer)
    reason = _clean(reason, field="reason", label="退回理由", max_len=200)
    if transfer.state != Transfer.State.IN_TRANSIT:
        raise Conflict("该转接已办结", rule="R-TRANSFER")
    transfer.state = Transfer.State.REJECTED
    transfer.reject_reason = reason
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["state", "reject_reason", "decided_at"])
    audit(actor=actor, verb="member.transfer_rejected", target=transfer.member, org=_receiving_org(transfer),
          after={"transfer_id": transfer.id, "reason": reason})
    return transfer


@transaction.atomic
def transfer_inbound(*, actor, to_org: Org, from_org_name: str, letter_no: str, data: dict) -> Transfer:
    """A member arriving from outside the system: their record is created on arrival."""
    from_org_name = _clean(from_org_name, field="from_org_name", label="转出组织名称", max_len=200)
    member = member_create(actor=actor, org=to_org, data=data)
    today = _today()
    transfer = Transfer.objects.create(
        member=member, direction=Transfer.Direction.IN, to_org=to_org, external_org_name=from_org_name,
        letter_no=(letter_no or "").strip()[:50], issued_on=today, report_by=today, state=Transfer.State.ACCEPTED,
        decided_at=timezone.now(), created_by=actor)
    audit(actor=actor, verb="member.transfer_inbound", target=member, org=to_org,
          after={"from": from_org_name, "letter_no": transfer.letter_no})
    return transfer


def transfers_visible(actor) -> QuerySet[Transfer]:
    """Both sides see a transfer: the sending org's scope and the receiving org's scope."""
    q = Q(from_org__in=Org.objects.filter(scope_q(actor))) | Q(to_org__in=Org.objects.filter(scope_q(actor)))
    return Transfer.objects.filter(q).select_related("member", "from_org", "to_org")


def transfer_get(*, actor, transfer_id) -> Transfer:
    transfer = transfers_visible(actor).filter(id=transfer_id).first()
    if transfer is None:
        raise Http404
    return transfer


def transfer_list(*, actor, org: Org, state: str = "", overdue_only: bool = False) -> QuerySet[Transfer]:
    org = org_get_visible(actor=actor, org_id=org.id)
    under = Org.objects.filter(subtree_q(org.path))
    qs = transfers_visible(actor).filter(Q(from_org__in=under) | Q(to_org__in=under))
    if state:
        qs = qs.filter(state=state)
    if overdue_only:
        qs = qs.filter(state=Transfer.State.IN_TRANSIT, report_by__lt=_today())
    return qs.order_by("-created_at")


# --- Mobile members -----------------------------------------------------------------------

@transaction.atomic
def mobile_register(*, actor, member: Member, direction: str, place: str, since: date, contact: str = "",
                    host_org_name: str = "", certificate_no: str = "") -> MobileRecord:
    require(actor, "members.edit", member.org)
    if direction not in MobileRecord.Direction.values:
        raise DomainError("流动方向应为 out（流出）或 in（流入）", field="direction")
    place = _clean(place, field="place", label="流动地点", max_len=200)
    if since > _today():
        raise DomainError("流动日期不能晚于今天", field="since")
    if member.mobile_records.filter(ended_on__isnull=True, direction=direction).exists():
        raise Conflict("该党员已有未结束的流动登记")
    record = MobileRecord.objects.create(
        member=member, org=member.org, direction=direction, place=place, since=since,
        contact=(contact or "").strip()[:100], host_org_name=(host_org_name or "").strip()[:200],
        certificate_no=(certificate_no or "").strip()[:50], last_contact_on=since)
    if direction == MobileRecord.Direction.OUT and member.status == Status.NORMAL:
        member.status, member.status_since = Status.MOBILE, since
        member.save(update_fields=["status", "status_since", "updated_at"])
    audit(actor=actor, verb="member.mobile_register", target=member, org=member.org,
          after={"direction": direction, "place": place, "since": since})
    return record


@transaction.atomic
def mobile_contact(*, actor, record: MobileRecord, on: date) -> MobileRecord:
    require(actor, "members.edit", record.org)
    if on > _today() or on < record.since:
        raise DomainError("联系日期须在流动日期与今天之间", field="on")
    record.last_contact_on = on
    record.save(update_fields=["last_contact_on"])
    audit(actor=actor, verb="member.mobile_contact", target=record.member, org=record.org, after={"on": on})
    return record


@transaction.atomic
def mobile_end(*, actor, record: MobileRecord, on: date) -> MobileRecord:
    require(actor, "members.edit", record.org)
    if record.ended_on:
        raise Conflict("该流动登记已结束")
    if on > _today() or on < record.since:
        raise DomainError("结束日期须在流动日期与今天之间", field="on")
    record.ended_on = on
    record.save(update_fields=["ended_on"])
    member = record.member
    if member.status == Status.MOBILE:
        member.status, member.status_since = Status.NORMAL, on
        member.save(update_fields=["status", "status_since", "updated_at"])
    audit(actor=actor, verb="member.mobile_end", target=member, org=record.org, after={"on": on})
    return record


def mobile_list(*, actor, org: Org, current_only: bool = True, stale_only: bool = False) -> list[MobileRecord]:
    org = org_get_visible(actor=actor, org_id=org.id)
    qs = MobileRecord.objects.filter(org__in=Org.objects.filter(subtree_q(org.path))).select_related("member", "org")
    if current_only:
        qs = qs.filter(ended_on__isnull=True)
    today = _today()
    records = list(qs.order_by("since"))
    for r in records:
        r.contact_stale = r.ended_on is None and rules.mobile_contact_stale(
            last_contact_on=r.last_contact_on, since=r.since, today=today)
    return [r for r in records if r.contact_stale] if stale_only else records


def mobile_get(*, actor, record_id) -> MobileRecord:
    record = MobileRecord.objects.select_related("member", "org").filter(
        org__in=Org.objects.filter(scope_q(actor)), id=record_id).first()
    if record is None:
        raise Http404
    return record


# --- Disposals ----------------------------------------------------------------------------

DISPOSAL_STATUS = {
    Disposal.Kind.PERSUADE_OUT: Status.EXPELLED,
    Disposal.Kind.EXPEL_FROM_ROLLS: Status.EXPELLED,
    Disposal.Kind.LAPSED: Status.LAPSED,
    Disposal.Kind.SUSPENDED: Status.SUSPENDED,
    Disposal.Kind.RESTORED: Status.NORMAL,
    Disposal.Kind.DECEASED: Status.DECEASED,
}


@transaction.atomic
def disposal_record(*, actor, member: Member, kind: str, reason: str, decided_on: date,
                    deadline: date | None = None, outcome: str = "", source: str = "") -> Disposal:
    """Record a decision. The record is kept forever; the member's status follows the decision."""
    require(actor, "members.edit", member.org)
    if kind not in Disposal.Kind.values:
        raise DomainError("处置类型无效", field="kind")
    reason = _clean(reason, field="reason", label="原因", max_len=500)
    if decided_on > _today():
        raise DomainError("决定日期不能晚于今天", field="decided_on")
    if kind == Disposal.Kind.RECTIFY:
        errors = rules.check_rectify_deadline(decided_on=decided_on, deadline=deadline)
        if errors:
            raise FieldErrors(errors)
    if kind == Disposal.Kind.RESTORED and member.status != Status.SUSPENDED:
        raise DomainError("只有停止党籍的党员可以恢复党籍", rule="R-LOST-CONTACT")
    if kind != Disposal.Kind.RESTORED and member.status in (Status.EXPELLED, Status.LAPSED, Status.DECEASED):
        raise DomainError("该党员已不在党员名册中", field="member_id")
    disposal = Disposal.objects.create(
        member=member, org=member.org, kind=kind, reason=reason, decided_on=decided_on, deadline=deadline,
        outcome=(outcome or "").strip()[:200], source=source, created_by=actor,
        state=Disposal.State.OPEN if kind == Disposal.Kind.RECTIFY else Disposal.State.CLOSED)
    before = {"status": member.status}
    if kind in DISPOSAL_STATUS:
        member.status, member.status_since = DISPOSAL_STATUS[kind], decided_on
        member.save(update_fields=["status", "status_since", "updated_at"])
    audit(actor=actor, verb=f"member.disposal.{kind}", target=member, org=member.org, before=before,
          after={"status": member.status, "reason": reason, "disposal_id": disposal.id})
    return disposal


@transaction.atomic
def disposal_close(*, actor, disposal: Disposal, outcome: str) -> Disposal:
    require(actor, "members.edit", disposal.org)
    if disposal.state == Disposal.State.CLOSED:
        raise Conflict("该处置已办结")
    disposal.outcome = _clean(outcome, field="outcome", label="结果", max_len=200)
    disposal.state = Disposal.State.CLOSED
    disposal.save(update_fields=["outcome", "state"])
    audit(actor=actor, verb="member.disposal.close", target=disposal.member, org=disposal.org,
          after={"disposal_id": disposal.id, "outcome": disposal.outcome})
    return disposal


def disposal_list(*, actor, org: Org, state: str = "") -> QuerySet[Disposal]:
    org = org_get_visible(actor=actor, org_id=org.id)
    qs = Disposal.objects.filter(org__in=Org.objects.filter(subtree_q(org.path))).select_related("member", "org")
    if state:
        qs = qs.filter(state=state)
    return qs


def disposal_get(*, actor, disposal_id) -> Disposal:
    disposal = Disposal.objects.select_related("member", "org").filter(
        org__in=Org.objects.filter(scope_q(actor)), id=disposal_id).first()
    if disposal is None:
        raise Http404
    return disposal
