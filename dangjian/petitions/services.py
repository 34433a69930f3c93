"""Writes of 诉求 (首问负责 SLA steps, transfers, escalation) and 矛盾纠纷调解, audited in the same transaction."""
import secrets
from datetime import date

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError, FieldErrors
from dangjian.core.workdays import add_working_days_db
from dangjian.members.rules import FieldError
from dangjian.orgs.models import Org

from . import rules
from .models import Escalation, Mediation, Petition, PetitionSettings, PetitionStep, PetitionTransfer, TrackingCode

STATE_AFTER = {"contact": Petition.State.CONTACTED, "accept": Petition.State.ACCEPTED,
               "handle": Petition.State.HANDLED, "feedback": Petition.State.CLOSED}
BACKFILL_DAYS = 366  # a case recorded late (a paper register) may be dated up to a year back


def _today() -> date:
    return timezone.localdate()


def settings_for(org: Org) -> PetitionSettings:
    """The nearest ancestor's ⚙ settings (an unsaved default row when none)."""
    paths = [org.path[:i] for i in range(org.steplen, len(org.path) + 1, org.steplen)]
    row = PetitionSettings.objects.filter(org__path__in=paths).order_by("-org__depth").first()
    return row or PetitionSettings(org=org)


def new_tracking_code() -> str:
    for _ in range(10):
        code = "".join(secrets.choice(rules.TRACKING_ALPHABET) for _ in range(rules.TRACKING_LENGTH))
        if not TrackingCode.objects.filter(code=code).exists():  # national: the reference table
            return code
    raise RuntimeError("could not draw a free tracking code")  # 31^12 codes: never in practice


def _text(data: dict, key: str, limit: int, errors: list, *, required=False, label="") -> str:
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors.append(FieldError(key, f"{label}不能为空"))
    elif len(value) > limit:
        errors.append(FieldError(key, f"{label}不能超过 {limit} 个字"))
    return value


def clean_petition(data: dict, *, public: bool = False) -> dict:
    """Validate a new case; FieldErrors (400) with every problem at once."""
    errors: list[FieldError] = []
    clean = {
        "title": _text(data, "title", rules.TITLE_MAX, errors, required=True, label="标题"),
        "content": _text(data, "content", rules.CONTENT_MAX, errors, required=True, label="内容"),
        "submitter_name": _text(data, "submitter_name", 50, errors, label="姓名"),
        "submitter_phone": _text(data, "submitter_phone", 20, errors, label="联系电话"),
        "anonymous": bool(data.get("anonymous")),
        "allow_public": bool(data.get("allow_public")),
    }
    phone = clean["submitter_phone"].replace("-", "").replace(" ", "")
    if phone and (not phone.isdigit() or not 7 <= len(phone) <= 15):
        errors.append(FieldError("submitter_phone", "联系电话应为 7 至 15 位数字"))
    clean["submitter_phone"] = phone
    kind = data.get("kind") or Petition.Kind.DEMAND
    if kind not in Petition.Kind.values:
        errors.append(FieldError("kind", "类别无效"))
    channel = data.get("channel") or (Petition.Channel.MAILBOX if kind == Petition.Kind.LETTER else "")
    if public:
        channel = Petition.Channel.MAILBOX if kind == Petition.Kind.LETTER else Petition.Channel.WEB
    if channel not in Petition.Channel.values:
        errors.append(FieldError("channel", "请选择反映渠道（微信、QQ、电话、走访、领导信箱、网上、居民门户）"))
    category = data.get("category") or "other"
    if category not in dict(rules.CATEGORIES):
        errors.append(FieldError("category", "事项分类无效"))
    if errors:
        raise FieldErrors(errors)
    if clean["anonymous"]:
        clean["submitter_name"], clean["submitter_phone"] = "", ""
    return clean | {"kind": kind, "channel": channel, "category": category}


def _new_petition(*, org: Org, clean: dict, received_on: date, actor=None, **extra) -> Petition:
    due = rules.deadlines(received_on=received_on, sla=settings_for(org).sla, add=add_working_days_db)
    petition = Petition.objects.create(
        org=org, region_id=org.region_id, received_on=received_on, tracking_code=new_tracking_code(),
        contact_due=due["contact"], accept_due=due["accept"], handle_due=due["handle"],
        feedback_due=due["feedback"], current_due=due["contact"], created_by=actor, **clean, **extra)
    TrackingCode.objects.bulk_create(TrackingCode.for_petitions([petition]))  # same transaction as the caller's
    return petition


def _audit_new(actor, petition: Petition, verb: str = "petition.create") -> None:
    audit(actor=actor, verb=verb, target=petition, org=petition.org,
          after={"kind": petition.kind, "channel": petition.channel, "category": petition.category,
                 "received_on": petition.received_on, "anonymous": petition.anonymous,
                 "deadlines": deadlines_of(petition)})


def deadlines_of(petition: Petition) -> dict:
    return {s: petition.due_of(s) for s in rules.STEPS}


@transaction.atomic
def petition_create(*, actor, org: Org, data: dict, received_on: date | None = None,
                    household=None) -> Petition:
    """A case recorded by staff from any channel; the clock starts on the day received."""
    require(actor, "petitions.edit", org)
    clean = clean_petition(data)
    today = _today()
    received_on = received_on or today
    if received_on > today:
        raise DomainError("受理日期不能晚于今天", field="received_on")
    if (today - received_on).days > BACKFILL_DAYS:
        raise DomainError("受理日期不能早于一年前", field="received_on")
    petition = _new_petition(org=org, clean=clean, received_on=received_on, actor=actor, household=household)
    _audit_new(actor, petition)
    return petition


def petition_create_from_log(*, actor, log) -> Petition:
    """民情日记 needs → a 诉求 in the member's org queue, channel `visit` (called inside visit_log_create,
    which has already authorized the actor)."""
    household = log.household
    clean = clean_petition({
        "title": (log.needs.splitlines()[0] if log.needs else "走访诉求")[:rules.TITLE_MAX],
        "content": log.needs, "channel": Petition.Channel.VISIT, "kind": Petition.Kind.DEMAND,
        "submitter_name": household.name if household else "",
        "submitter_phone": household.phone if household else "",
    })
    petition = _new_petition(org=log.org, clean=clean, received_on=log.visited_on, actor=actor,
                             household=household, visit_log=log)
    _audit_new(actor, petition, verb="petition.create_from_visit")
    return petition


@transaction.atomic
def petition_submit_public(*, org: Org, data: dict) -> Petition:
    """From the public form (no login): channel `web` (or `mailbox` for a letter); audited as 居民."""
    clean = clean_petition(data, public=True)
    petition = _new_petition(org=org, clean=clean, received_on=_today())
    _audit_new(None, petition, verb="petition.submit_public")
    return petition


@transaction.atomic
def petition_step(*, actor, petition: Petition, step: str, note: str = "", done_on: date | None = None,
                  resolved: bool | None = None, satisfaction: str = "", public_reply: str = "") -> PetitionStep:
    """Record the next 首问负责 step (R-PET-ORDER), late ones with a reason (R-PET-LATE)."""
    require(actor, "petitions.edit", petition.org)
    petition = Petition.objects.select_for_update().select_related("org").get(pk=petition.pk)
    done = {s.step: s for s in petition.steps.all()}
    problem = rules.check_step_order(done=set(done), step=step)
    if problem:
        raise DomainError(problem, field="step", rule="R-PET-ORDER")
    today = _today()
    done_on = done_on or today
    previous = done[rules.STEPS[rules.STEPS.index(step) - 1]].done_on if step != "contact" else petition.received_on
    if done_on > today:
        raise DomainError("办理日期不能晚于今天", field="done_on", rule="R-DATE")
    if done_on < previous:
        raise DomainError("办理日期不能早于上一环节（或受理日期）", field="done_on", rule="R-PET-ORDER")
    note = (note or "").strip()
    if len(note) > rules.NOTE_MAX:
        raise DomainError(f"情况说明不能超过 {rules.NOTE_MAX} 个字", field="note")
    due = petition.due_of(step)
    late = rules.is_late(done_on=done_on, due=due)
    if late and not note:
        raise DomainError(f"已超过{rules.STEP_LABELS[step]}时限（{due:%Y-%m-%d}），请在情况说明中写明原因",
                          field="note", rule="R-PET-LATE")
    before = {"state": petition.state}
    sla = settings_for(petition.org).sla
    if step == "contact" and petition.owner_id is None:
        petition.owner = actor  # 首问负责: whoever makes the first contact owns the case
    if step == "accept":
        petition.handle_due = add_working_days_db(done_on, sla.handle)
        petition.feedback_due = add_working_days_db(petition.handle_due, sla.feedback)
    if step == "handle":
        petition.resolved = True if resolved is None else bool(resolved)
        petition.feedback_due = add_working_days_db(done_on, sla.feedback)
    if step == "feedback":
        if satisfaction and satisfaction not in dict(rules.SATISFACTION):
            raise DomainError("满意度取值无效", field="satisfaction", rule="R-PET-FEEDBACK")
        reply = (public_reply or "").strip()
        if len(reply) > 2000:
            raise DomainError("公开答复不能超过 2000 个字", field="public_reply")
        if reply and not petition.allow_public:
            raise DomainError("反映人未同意公开，不能发布公开答复", field="public_reply")
        petition.satisfaction, petition.public_reply = satisfaction or "", reply
        petition.closed_on = done_on
    petition.state = STATE_AFTER[step]
    pending = petition.pending_step
    petition.current_due = petition.due_of(pending) if pending else None
    petition.save()
    row = PetitionStep.objects.create(petition=petition, step=step, done_on=done_on, due=due, late=late,
                                      note=note, actor=actor, actor_name=getattr(actor, "username", ""))
    audit(actor=actor, verb=f"petition.{step}", target=petition, org=petition.org, before=before,
          after={"state": petition.state, "done_on": done_on, "due": due, "late": late,
                 **({"resolved": petition.resolved} if step == "handle" else {}),
                 **({"satisfaction": petition.satisfaction} if step == "feedback" else {})})
    return row


@transaction.atomic
def petition_transfer(*, actor, petition: Petition, to_org_id, reason: str) -> PetitionTransfer:
    """转办 to another org of the same county-level region, with the reason; the clock keeps running."""
    require(actor, "petitions.edit", petition.org)
    try:
        to_org = Org.objects.get(id=int(to_org_id), region_id=petition.org.region_id, is_active=True)
    except (Org.DoesNotExist, TypeError, ValueError):
        raise Http404
    if petition.state == Petition.State.CLOSED:
        raise DomainError("已办结的诉求不能转办", rule="R-PET-ORDER")
    if to_org.id == petition.org_id:
        raise DomainError("请选择其他党组织", field="to_org_id")
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise DomainError("请填写转办原因（不超过 200 字）", field="reason")
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    row = PetitionTransfer.objects.create(petition=petition, from_org_id=petition.org_id, to_org=to_org,
                                          reason=reason, actor=actor)
    audit(actor=actor, verb="petition.transfer", target=petition, org=petition.org,
          before={"org_id": petition.org_id}, after={"org_id": to_org.id, "reason": reason})
    petition.org, petition.region_id = to_org, to_org.region_id
    petition.save(update_fields=["org", "region_id"])
    audit(actor=actor, verb="petition.transfer_in", target=petition, org=to_org, after={"reason": reason})
    return row


@transaction.atomic
def petitions_escalate_overdue(*, today: date | None = None) -> int:
    """R-PET-ESCALATE: each pending step past its deadline is raised to the upper org, once (the unique
    (petition, step) row makes a second run, or a run the next day, create nothing)."""
    today = today or _today()
    created = 0
    overdue = (Petition.objects.exclude(state=Petition.State.CLOSED).filter(current_due__lt=today)
               .select_related("org").order_by("id"))
    for petition in overdue.iterator(chunk_size=500):
        step = petition.pending_step
        if Escalation.objects.filter(petition=petition, step=step).exists():
            continue
        parent = petition.org.get_parent() or petition.org
        try:
            with transaction.atomic():
                Escalation.objects.create(petition=petition, step=step, due=petition.current_due, to_org=parent,
                                          created_on=today)
        except IntegrityError:  # a concurrent run got there first
            continue
        audit(actor=None, verb="petition.escalate", target=petition, org=parent,
              after={"step": step, "due": petition.current_due, "to_org": parent.id})
        created += 1
    return created


# --- 矛盾纠纷调解 -----------------------------------------------------------------------------------

def _int(data: dict, key: str, errors: list, label: str, *, default=None, minimum=0, maximum=10**6):
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        errors.append(FieldError(key, f"{label}应为 {minimum} 至 {maximum} 之间的整数"))
        return None
    return value


@transaction.atomic
def mediation_create(*, actor, org: Org, data: dict, petition: Petition | None = None) -> Mediation:
    require(actor, "petitions.edit", org)
    errors: list[FieldError] = []
    title = _text(data, "title", 100, errors, required=True, label="纠纷事由")
    parties = _text(data, "parties", 500, errors, label="当事人")
    agreement = _text(data, "agreement", 4000, errors, label="协议内容")
    mediator = _text(data, "mediator", 100, errors, label="调解人")
    parties_count = _int(data, "parties_count", errors, "当事方数", default=2, minimum=2, maximum=1000)
    people = _int(data, "people_involved", errors, "涉及人数", minimum=1, maximum=100000)
    outcome = data.get("outcome")
    if outcome not in Mediation.Outcome.values:
        errors.append(FieldError("outcome", "调解结果应为口头协议、书面协议或调解未成"))
    category = data.get("category") or "neighbour"
    if category not in dict(rules.CATEGORIES):
        errors.append(FieldError("category", "纠纷类别无效"))
    try:
        amount = rules.mediation_amount(data.get("amount"))
    except ValueError as exc:
        errors.append(FieldError("amount", str(exc)))
        amount = None
    occurred_on = data.get("occurred_on")
    if not isinstance(occurred_on, date):
        errors.append(FieldError("occurred_on", "请填写调解日期"))
    elif occurred_on > _today():
        errors.append(FieldError("occurred_on", "调解日期不能晚于今天"))
    if parties_count is not None and people is not None:
        problem = rules.check_mediation_people(parties=parties_count, people_involved=people)
        if problem:
            errors.append(FieldError("people_involved", problem, "R-MEDIATION"))
    if errors:
        raise FieldErrors(errors)
    mediation = Mediation.objects.create(
        org=org, region_id=org.region_id, title=title, category=category, occurred_on=occurred_on,
        parties=parties, parties_count=parties_count, people_involved=people, amount=amount, outcome=outcome,
        agreement=agreement, mediator=mediator, petition=petition, created_by=actor)
    audit(actor=actor, verb="mediation.create", target=mediation, org=org,
          after={"title": title, "occurred_on": occurred_on, "outcome": outcome, "people_involved": people,
                 "amount": amount, "parties_count": parties_count})
    return mediation


@transaction.atomic
def mediation_follow_up(*, actor, mediation: Mediation, follow_up_on: date, note: str) -> Mediation:
    require(actor, "petitions.edit", mediation.org)
    note = (note or "").strip()
    if not note or len(note) > 500:
        raise DomainError("请填写回访情况（不超过 500 字）", field="note")
    if follow_up_on > _today() or follow_up_on < mediation.occurred_on:
        raise DomainError("回访日期应在调解日期与今天之间", field="follow_up_on")
    before = {"follow_up_on": mediation.follow_up_on, "follow_up_note": mediation.follow_up_note}
    mediation.follow_up_on, mediation.follow_up_note = follow_up_on, note
    mediation.save(update_fields=["follow_up_on", "follow_up_note"])
    audit(actor=actor, verb="mediation.follow_up", target=mediation, org=mediation.org, before=before,
          after={"follow_up_on": follow_up_on, "follow_up_note": note})
    return mediation
