"""Writes of 发展党员: one transaction each, with its audit event (DESIGN rule 3).

A step that breaks a rule of RULES.md §1 raises DomainError({detail, rule}) before anything is
written; the whole transaction (step, member update, audit) commits or rolls back together.
"""
from datetime import date, timedelta

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import can, in_scope, require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError
from dangjian.core.idnumber import IdNumberError, validate_id_number
from dangjian.core.workdays import load_overrides
from dangjian.members.choices import Stage, Status
from dangjian.members.models import Member
from dangjian.members.selectors import members_visible
from dangjian.members.services import member_create
from dangjian.orgs.models import Org, PartyGroup

from . import dossier, planning, rules
from .fields import _ids, _int, to_json
from .models import DossierDocument, RecruitmentPlan, RecruitmentRecord, StepRecord
from .selectors import admissions_in, dossier_get, due_items
from .steps import APPROVAL_STEPS, R_APPROVER, R_FUTURE, R_ORDER, R_PLAN, STEP_BY_CODE, VOTE_STEPS, label

# Member fields an applicant is created with (the rest of the record is the members app's business).
MEMBER_FIELDS = ["name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "degree",
                 "occupation", "unit_name", "address", "notes"]
# 取消预备党员资格 leaves the person off the rolls. Proposed as members.choices.Status.CANCELLED.
CANCELLED_STATUS = getattr(Status, "CANCELLED", "cancelled")


def _today() -> date:
    return timezone.localdate()


def entries_of(record: RecruitmentRecord) -> list[rules.Entry]:
    """The effective history: void entries and the entries they void are left out."""
    rows = record.steps.filter(voids__isnull=True, voided_by__isnull=True).order_by("id")
    return [rules.Entry(step=r.step, date=r.date, data=r.data, is_late=r.is_late, late_reason=r.late_reason,
                        id=r.id) for r in rows]


def voters_expected(org: Org) -> int:
    """R-VOTERS: the branch's full members with voting rights (normal status; probationary members don't vote)."""
    return Member.objects.filter(org=org, stage=Stage.FULL, status=Status.NORMAL).count()


def approver_candidates(org: Org) -> list[Org]:
    """Ancestors that may approve an admission (R-APPROVER), nearest first."""
    ancestors = list(org.get_ancestors().select_related("unit"))
    return [o for o in reversed(ancestors)
            if rules.can_approve(org_kind=o.kind, unit_kind=o.unit.kind if o.unit_id else None)]


def _approver(org: Org, approver_org_id: int | None) -> Org:
    candidates = approver_candidates(org)
    if approver_org_id is None:
        if not candidates:
            raise DomainError("该党支部没有有审批权的上级党委（党总支、村和社区党委只能审议）", rule=R_APPROVER)
        return candidates[0]
    chosen = next((o for o in candidates if o.id == approver_org_id), None)
    if chosen is None:
        raise DomainError("审批党委须为该党支部有审批权的上级党委（党总支、村和社区党委只能审议，不能审批）",
                          rule=R_APPROVER, field="approver_org_id")
    return chosen


def _people(actor, data: dict) -> dict[int, rules.PersonFacts]:
    """Facts about the members a step names, among those the actor may see (others count as unknown)."""
    ids: set[int] = set()
    for key in ("sponsor_ids", "introducer_ids"):
        try:
            ids.update(_ids(data.get(key) or [], key, key))
        except DomainError:
            pass
    if data.get("talker_id") not in (None, ""):
        try:
            ids.add(_int(data["talker_id"], "talker_id", "talker_id"))
        except DomainError:
            pass
    if not ids:
        return {}
    rows = members_visible(actor).filter(id__in=ids).values("id", "name", "stage", "status")
    return {r["id"]: rules.PersonFacts(id=r["id"], name=r["name"], stage=r["stage"], status=r["status"])
            for r in rows}


def _lock(member: Member) -> RecruitmentRecord:
    record = RecruitmentRecord.objects.select_for_update().filter(member_id=member.pk).first()
    if record is None:
        raise DomainError("该人员没有发展党员档案", status=404)
    return record


def _birth_date(data: dict) -> date | None:
    if data.get("birth_date"):
        return data["birth_date"]
    if data.get("id_number"):
        try:
            return validate_id_number(str(data["id_number"]), today=_today()).birth_date
        except IdNumberError:
            return None  # member_create reports the bad ID number on its field
    return None


def _sync_member(member: Member, state: rules.State) -> dict:
    """Bring the member row in line with the pipeline: stage, 申请/入党/转正日期, status. Returns the changes."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    desired = {"stage": state.stage or member.stage, "applied_on": state.applied_on,
               "joined_on": state.joined_on, "full_on": state.full_on}
    if state.closed == "cancelled":
        desired["status"] = CANCELLED_STATUS
    elif member.status == CANCELLED_STATUS:
        desired["status"] = Status.NORMAL
    before = {k: getattr(member, k) for k in desired if getattr(member, k) != desired[k]}
    if before:
        for key in before:
            setattr(member, key, desired[key])
        member.save(update_fields=[*before, "updated_at"])
    return {"before": before, "after": {k: desired[k] for k in before}}


def _refresh(record: RecruitmentRecord, entries: list[rules.Entry], today: date) -> rules.Evaluation:
    ev = rules.evaluate(entries, today=today, leaving_on=record.leaving_on)
    nxt, due, deadline = ev.next, ev.due, ev.deadline
    record.state = {"completed": "completed", "cancelled": "cancelled", "rejected": "rejected"}.get(
        ev.state.closed, RecruitmentRecord.State.ACTIVE)
    record.next_step = nxt.step if nxt else ""
    record.next_earliest = nxt.earliest if nxt else None
    record.due_step, record.due_on = (due.step, due.due_on) if due else ("", None)
    record.deadline_step, record.deadline_on = (deadline.step, deadline.latest) if deadline else ("", None)
    record.probation_end = ev.state.probation_end
    record.late_count = sum(1 for e in entries if e.is_late)
    record.save()
    return ev


@transaction.atomic
def applicant_create(*, actor, org: Org, data: dict, applied_on: date,
                     leaving_on: date | None = None) -> RecruitmentRecord:
    """递交入党申请书 (step 1): the person becomes a Member with stage applicant, with their file."""
    require(actor, "recruitment.edit", org)
    today = _today()
    member_data = {k: v for k, v in data.items() if k in MEMBER_FIELDS}
    birth = _birth_date(member_data)
    if birth is not None:  # R-AGE and R-FUTURE before anything is written
        rules.validate_step(rules.State(), "application", applied_on, {}, today=today, birth_date=birth)
    member = member_create(actor=actor, org=org,
                           data={**member_data, "stage": Stage.APPLICANT, "applied_on": applied_on})
    rules.validate_step(rules.State(), "application", applied_on, {}, today=today, birth_date=member.birth_date)
    record = RecruitmentRecord.objects.create(member=member, region_id=member.region_id, leaving_on=leaving_on,
                                              created_by=actor)
    step = StepRecord.objects.create(record=record, step="application", date=applied_on, created_by=actor)
    _refresh(record, entries_of(record), today)
    audit(actor=actor, verb="recruitment.applicant_create", target=member, org=org,
          after={"step": "application", "date": applied_on, "step_id": step.id, "leaving_on": leaving_on})
    return record


@transaction.atomic
def step_record_create(*, actor, member: Member, step: str, on: date, data: dict | None = None,
                       late_reason: str = "") -> tuple[StepRecord, list[rules.Issue]]:
    """Record one step of RULES.md §1 after checking order, waiting periods, deadlines and its data."""
    require(actor, "recruitment.edit", member.org)
    record = _lock(member)
    member = Member.objects.select_related("org", "org__unit").get(pk=member.pk)
    today = _today()
    data = dict(data or {})
    late_reason = (late_reason or "").strip()
    if len(late_reason) > 200:
        raise DomainError("逾期原因不能超过 200 个字", field="late_reason")
    entries = entries_of(record)
    state = rules.replay(entries)
    overrides = None
    if step == "pre_review":
        overrides = load_overrides(start=on - timedelta(days=400), end=on + timedelta(days=400))
    checked = rules.validate_step(
        state, step, on, data, today=today, late_reason=late_reason, person_id=member.id,
        birth_date=member.birth_date, people=_people(actor, data),
        entitled_expected=voters_expected(member.org) if step in VOTE_STEPS else None,
        party_group_ids=(set(PartyGroup.objects.filter(org=member.org).values_list("id", flat=True))
                         if step == "group_assignment" else None),
        leaving_on=record.leaving_on, overrides=overrides)
    cleaned = checked.data
    if step in APPROVAL_STEPS:
        approver = _approver(member.org, cleaned.get("approver_org_id"))
        cleaned["approver_org_id"], cleaned["approver_org_name"] = approver.id, approver.name
    passed = None
    if step in VOTE_STEPS or step == "political_review":
        passed = cleaned["passed"]
    elif step in APPROVAL_STEPS:
        passed = cleaned["approved"]
    warnings = list(checked.warnings)
    if step in ("admission_vote", "admission_approval") and passed:  # R-PLAN: warn, never refuse (planning.py)
        warnings += plan_warnings(org=member.org, on=on, step=step)
    row = StepRecord.objects.create(record=record, step=step, date=on, data=to_json(cleaned), passed=passed,
                                    is_late=checked.is_late, late_reason=late_reason if checked.is_late else "",
                                    created_by=actor)
    entries.append(rules.Entry(step=step, date=on, data=row.data, is_late=row.is_late,
                               late_reason=row.late_reason, id=row.id))
    new_state = rules.replay(entries)
    changes = _sync_member(member, new_state)
    if step == "group_assignment" and cleaned.get("party_group_id") != member.party_group_id:
        changes["before"]["party_group_id"] = member.party_group_id
        changes["after"]["party_group_id"] = cleaned.get("party_group_id")
        Member.objects.filter(pk=member.pk).update(party_group_id=cleaned.get("party_group_id"),
                                                   updated_at=timezone.now())
    _refresh(record, entries, today)
    audit(actor=actor, verb="recruitment.step", target=member, org=member.org,
          before={"member": changes["before"]} if changes["before"] else None,
          after={"step": step, "step_id": row.id, "date": on, "data": row.data, "is_late": row.is_late,
                 "late_reason": row.late_reason, "member": changes["after"]})
    return row, warnings


@transaction.atomic
def step_record_void(*, actor, member: Member, step_record_id: int, reason: str) -> StepRecord:
    """Void the latest effective step (a reversing entry with a reason; nothing is edited or deleted)."""
    require(actor, "recruitment.edit", member.org)
    record = _lock(member)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写作废原因", field="reason")
    if len(reason) > 200:
        raise DomainError("作废原因不能超过 200 个字", field="reason")
    target = record.steps.filter(id=step_record_id).first()
    if target is None:
        raise DomainError("没有这条步骤记录", status=404)
    if target.voids_id is not None or StepRecord.objects.filter(voids=target).exists():
        raise Conflict("这条记录已作废")
    entries = entries_of(record)
    if entries[-1].id != target.id:
        raise DomainError("只能作废最近一条有效记录（请从最后一步起依次作废）", rule=R_ORDER)
    if target.step == "application":
        raise DomainError("入党申请书记录不能作废；如申请人撤回申请，请在党员信息中处理", rule=R_ORDER)
    today = _today()
    void = StepRecord.objects.create(record=record, step=target.step, date=today, voids=target,
                                     void_reason=reason, created_by=actor)
    entries = entries[:-1]
    changes = _sync_member(member, rules.replay(entries))
    _refresh(record, entries, today)
    audit(actor=actor, verb="recruitment.void", target=member, org=member.org,
          before={"step_id": target.id, "step": target.step, "date": target.date, "member": changes["before"]},
          after={"void_id": void.id, "reason": reason, "member": changes["after"]})
    return void


@transaction.atomic
def record_set_leaving(*, actor, member: Member, leaving_on: date | None) -> RecruitmentRecord:
    """预计离开工作单位日期 (R-LEAVING warns at steps 12–15)."""
    require(actor, "recruitment.edit", member.org)
    record = _lock(member)
    before = record.leaving_on
    record.leaving_on = leaving_on
    _refresh(record, entries_of(record), _today())
    audit(actor=actor, verb="recruitment.leaving", target=member, org=member.org,
          before={"leaving_on": before}, after={"leaving_on": leaving_on})
    return record


def step_label(code: str) -> str:
    return label(code) if code in STEP_BY_CODE else code


# --- 发展党员计划 (R-PLAN) ----------------------------------------------------------------------

def plan_warnings(*, org: Org, on: date, step: str) -> list[rules.Issue]:
    """R-PLAN warnings for one more admission in `on`'s year, against the plans of org and its ancestors."""
    lineage = [*org.get_ancestors(), org]
    plans = RecruitmentPlan.objects.filter(year=on.year, org__in=lineage).select_related("org")
    out = []
    for plan in sorted(plans, key=lambda p: len(p.org.path), reverse=True):
        issue = planning.plan_warning(step=step, org_name=plan.org.name, year=on.year, quota=plan.quota,
                                      actual=admissions_in(plan.org, on.year))
        if issue:
            out.append(issue)
    return out


def plan_committee(actor, org: Org) -> Org:
    """The nearest 党委 above org in which the actor may edit: the one that sets org's plan (R-PLAN)."""
    for anc in reversed(list(org.get_ancestors())):
        if anc.kind == Org.Kind.COMMITTEE and can(actor, "recruitment.edit", anc):
            return anc
    raise DomainError("发展党员计划由上级党委下达，您不能为本组织设定计划", rule=R_PLAN, status=403)


@transaction.atomic
def plan_set(*, actor, org: Org, year: int, quota: int, note: str = "") -> RecruitmentPlan:
    """Set (or change) the plan of `org` for `year`; set by the nearest 党委 above it that the actor runs."""
    if not in_scope(actor, org):
        raise Http404
    committee = plan_committee(actor, org)
    today = _today()
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= today.year + 1:
        raise DomainError(f"年度须在 2000–{today.year + 1} 之间", rule=R_PLAN, field="year")
    if not isinstance(quota, int) or isinstance(quota, bool) or not 0 <= quota <= planning.QUOTA_MAX:
        raise DomainError(f"计划人数须为 0–{planning.QUOTA_MAX} 的整数", rule=R_PLAN, field="quota")
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError("备注不能超过 200 个字", field="note")
    plan = RecruitmentPlan.objects.select_for_update().filter(org=org, year=year).first()
    before = {"quota": plan.quota, "note": plan.note} if plan else None
    if plan is None:
        plan = RecruitmentPlan(org=org, year=year)
    plan.quota, plan.note, plan.committee, plan.updated_by = quota, note, committee, actor
    plan.save()
    audit(actor=actor, verb="recruitment.plan", target=org, org=committee, before=before,
          after={"year": year, "quota": quota, "note": note, "org_id": org.id})
    return plan


# --- 入党材料档案 ------------------------------------------------------------------------------

@transaction.atomic
def dossier_document_add(*, actor, member: Member, kind: str, received_on: date, copies: int = 1,
                         note: str = "") -> DossierDocument:
    """Register a paper of the dossier as received (dossier.DOCS, the kinds that are not auto)."""
    require(actor, "recruitment.edit", member.org)
    record = _lock(member)
    doc = dossier.DOC_BY_CODE.get(kind)
    if doc is None or doc.auto:
        raise DomainError(f"未知的入党材料：{kind}", field="kind")
    if not isinstance(received_on, date):
        raise DomainError("请填写收到日期", field="received_on")
    if received_on > _today():
        raise DomainError("日期不能晚于今天", rule=R_FUTURE, field="received_on")
    applied = record.member.applied_on
    if applied and received_on < applied and kind != "application_letter":
        raise DomainError("收到日期不能早于递交入党申请书的日期", rule=R_ORDER, field="received_on")
    if not isinstance(copies, int) or isinstance(copies, bool) or not 1 <= copies <= 99:
        raise DomainError("份数须为 1–99", field="copies")
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError("备注不能超过 200 个字", field="note")
    row = DossierDocument.objects.create(record=record, kind=kind, received_on=received_on, copies=copies,
                                         note=note, created_by=actor)
    audit(actor=actor, verb="recruitment.document", target=member, org=member.org,
          after={"document_id": row.id, "kind": kind, "received_on": received_on, "copies": copies})
    return row


@transaction.atomic
def dossier_document_void(*, actor, member: Member, document_id: int, reason: str) -> DossierDocument:
    """Void a wrong registration (kept, with its reason; nothing is deleted)."""
    require(actor, "recruitment.edit", member.org)
    record = _lock(member)
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise DomainError("请填写作废原因（200 字以内）", field="reason")
    row = DossierDocument.objects.select_for_update().filter(record=record, id=document_id).first()
    if row is None:
        raise DomainError("没有这份材料登记", status=404)
    if row.voided_at:
        raise Conflict("这份材料登记已作废")
    row.voided_at, row.void_reason = timezone.now(), reason
    row.save(update_fields=["voided_at", "void_reason"])
    audit(actor=actor, verb="recruitment.document_void", target=member, org=member.org,
          before={"document_id": row.id, "kind": row.kind}, after={"reason": reason})
    return row


@transaction.atomic
def dossier_pdf_export(*, actor, member: Member) -> bytes:
    """The printable 入党材料档案 (cover + index), an export of personal data: audited (DESIGN rule 7)."""
    from .pdf import dossier_pdf

    require(actor, "recruitment.export", member.org)
    d = dossier_get(actor=actor, member_id=member.id)
    pdf = dossier_pdf(d)
    audit(actor=actor, verb="recruitment.dossier_pdf", target=member, org=member.org,
          after={"documents": d.summary})
    return pdf


# --- Reminders (tasks.py runs this once a day) -------------------------------------------------

# Steps whose next move is the person's own (hand in an assessment's 思想汇报, apply for conversion):
# they are told too (issue 5, "and the person, where it concerns them").
PERSON_STEPS = {"activist_assessment", "probation_assessment", "conversion_application", "application_form"}


def due_reminders_send(*, today: date, within: int = 14) -> dict:
    """Each secretary gets one notification per item due within `within` days or overdue, for the people
    of the orgs whose nearest secretary they are; the person gets those of PERSON_STEPS. The dedupe key
    holds the date, so one item reaches one user at most once a day and a re-run sends nothing."""
    from dangjian.accounts.models import Role
    from dangjian.notify.services import notify

    roles = list(Role.objects.filter(role=Role.Kind.SECRETARY, org__is_active=True, user__is_active=True)
                 .select_related("user", "org").order_by("org__path", "id"))
    paths = {r.org.path for r in roles}

    def owner(path: str) -> str | None:  # the nearest org at or above `path` that has a secretary
        return max((p for p in paths if path.startswith(p)), key=len, default=None)

    sent = {"secretary": 0, "person": 0}
    people_done: set[tuple] = set()
    for role in roles:
        for it in due_items(actor=role.user, org=role.org, within=within, today=today):
            if owner(it["org_path"]) != role.org.path:
                continue
            state = "overdue" if it["overdue"] else "due"
            key = f"recruitment.{state}:{it['member_id']}:{it['step']}:{it['due_on']}:{today}"
            when = f"已逾期（期限 {it['due_on']:%Y-%m-%d}）" if it["overdue"] else f"将于 {it['due_on']:%Y-%m-%d} 到期"
            url = f"/recruitment/{it['member_id']}/"
            with transaction.atomic():
                sent["secretary"] += len(notify(
                    users=[role.user], kind=f"recruitment.{state}", title=f"发展党员：{it['name']}{it['label']}{when}",
                    body=f"{it['org_name']} {it['name']}：{it['label']}{when}。", url=url, dedupe_key=key,
                    org=role.org))
                if it["step"] in PERSON_STEPS and it["user_id"] and (it["member_id"], it["step"]) not in people_done:
                    people_done.add((it["member_id"], it["step"]))
                    person = Member.objects.select_related("user").get(pk=it["member_id"]).user
                    sent["person"] += len(notify(
                        users=[person], kind="recruitment.mine", title=f"入党进度提醒：{it['label']}{when}",
                        body="请按时向党支部提交有关材料，详情见“我的入党进度”。", url="/recruitment/me/",
                        dedupe_key=key))
    return sent
