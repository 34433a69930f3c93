"""Reads of 发展党员, always scoped by the actor (DESIGN rule 2): 404 outside."""
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import org_get_visible
from dangjian.members.models import Member
from dangjian.members.selectors import member_get, member_of_user, search_q
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import dossier, planning, rules
from .models import DossierDocument, RecruitmentPlan, RecruitmentRecord, StepRecord
from .steps import PHASES, STAGE_LABELS, STAGES, STEP_BY_CODE, STEPS, label

DUE_WITHIN_DEFAULT = 14
ACTIVE = RecruitmentRecord.State.ACTIVE


def _subtree_records(org: Org) -> QuerySet[RecruitmentRecord]:
    return RecruitmentRecord.objects.filter(member__org__in=Org.objects.filter(subtree_q(org.path)).values("id"))


@dataclass
class Pipeline:
    member: object
    record: RecruitmentRecord
    evaluation: rules.Evaluation
    rows: list[StepRecord]          # every ledger row, void entries included, in recording order
    today: date


def pipeline_get(*, actor, member_id) -> Pipeline:
    """One person's file: the actor's scope, or the person themself (a member sees their own)."""
    member = member_get(actor=actor, member_id=member_id)
    record = RecruitmentRecord.objects.filter(member=member).first()
    if record is None:
        raise Http404
    today = timezone.localdate()
    rows = list(record.steps.select_related("voids", "created_by").order_by("id"))
    voided = {r.voids_id for r in rows if r.voids_id}
    entries = [rules.Entry(step=r.step, date=r.date, data=r.data, is_late=r.is_late, late_reason=r.late_reason,
                           id=r.id) for r in rows if not r.voids_id and r.id not in voided]
    ev = rules.evaluate(entries, today=today, leaving_on=record.leaving_on)
    return Pipeline(member=member, record=record, evaluation=ev, rows=rows, today=today)


def pipeline_list(*, actor, org: Org, stage: str = "", due: str = "", within: int | None = None, q: str = "",
                  state: str = ACTIVE, today: date | None = None) -> QuerySet[RecruitmentRecord]:
    """Everyone in the pipeline under org. due="overdue": a deadline has passed; due="soon": something
    falls due within `within` days (default 14) and nothing is overdue."""
    org = org_get_visible(actor=actor, org_id=org.id)
    today = today or timezone.localdate()
    qs = _subtree_records(org)
    if state:
        qs = qs.filter(state=state)
    if stage:
        qs = qs.filter(member__stage=stage)
    if due == "overdue":
        qs = qs.filter(overdue_q(today))
    elif due == "soon" or within is not None:
        qs = qs.filter(soon_q(today, DUE_WITHIN_DEFAULT if within is None else within))
    if q:
        qs = qs.filter(member__in=Member.objects.filter(search_q(q)).values("id"))
    return (qs.select_related("member", "member__org")
            .order_by(F("deadline_on").asc(nulls_last=True), F("due_on").asc(nulls_last=True), "member__name", "id"))


def overdue_q(today: date) -> Q:
    return Q(state=ACTIVE, deadline_on__lt=today)


def soon_q(today: date, within: int) -> Q:
    return (Q(state=ACTIVE, due_on__lte=today + timedelta(days=within))
            & (Q(deadline_on__isnull=True) | Q(deadline_on__gte=today)))


def stage_counts(*, actor, org: Org, today: date | None = None) -> dict:
    """Active files per stage, plus overdue and due-soon counts (one query)."""
    org = org_get_visible(actor=actor, org_id=org.id)
    today = today or timezone.localdate()
    agg = {f"n_{s}": Count("id", filter=Q(member__stage=s)) for s in STAGES}
    agg["overdue"] = Count("id", filter=overdue_q(today))
    agg["soon"] = Count("id", filter=soon_q(today, DUE_WITHIN_DEFAULT))
    agg["total"] = Count("id")
    row = _subtree_records(org).filter(state=ACTIVE).aggregate(**agg)
    return {"stages": [{"code": s, "label": STAGE_LABELS[s], "count": row[f"n_{s}"]} for s in STAGES],
            "overdue": row["overdue"], "soon": row["soon"], "total": row["total"]}


def due_items(*, actor, org: Org, within: int = DUE_WITHIN_DEFAULT, today: date | None = None) -> list[dict]:
    """What's due under org, for reminders and the dashboard: overdue first, then what falls due within
    `within` days. One item per person: {member_id, name, org, step, label, due_on, overdue}."""
    today = today or timezone.localdate()
    qs = pipeline_list(actor=actor, org=org, today=today).filter(overdue_q(today) | soon_q(today, within))
    items = []
    for r in qs:
        overdue = r.deadline_on is not None and r.deadline_on < today
        step, on = (r.deadline_step, r.deadline_on) if overdue else (r.due_step, r.due_on)
        items.append({"member_id": r.member_id, "name": r.member.name, "org_id": r.member.org_id,
                      "org_name": r.member.org.name, "org_path": r.member.org.path, "user_id": r.member.user_id,
                      "step": step, "label": label(step), "due_on": on,
                      "overdue": overdue})
    return items


def home_cards(*, actor, org: Org) -> list[dict]:
    try:
        counts = stage_counts(actor=actor, org=org)
    except Http404:
        return []
    return [
        {"label": "发展党员在办人数", "value": counts["total"], "icon": "ti-user-plus"},
        {"label": "发展党员逾期事项", "value": counts["overdue"], "icon": "ti-alarm"},
        {"label": f"发展党员 {DUE_WITHIN_DEFAULT} 天内到期", "value": counts["soon"], "icon": "ti-calendar-due"},
    ]


# --- Presentation shared by the API and the pages ----------------------------------------------

def allowed_dict(w: rules.Window) -> dict:
    return {"step": w.step, "num": w.num, "label": STEP_BY_CODE[w.step].label, "earliest": w.earliest,
            "latest": w.latest, "hard_latest": w.hard_latest, "due_on": w.due_on,
            "earliest_rule": w.earliest_rule if w.earliest else "", "latest_rule": w.latest_rule,
            "repeatable": STEP_BY_CODE[w.step].repeatable}


def step_dict(r: StepRecord) -> dict:
    return {"id": r.id, "step": r.step, "num": STEP_BY_CODE[r.step].num, "label": STEP_BY_CODE[r.step].label,
            "date": r.date, "data": r.data, "passed": r.passed, "is_late": r.is_late,
            "late_reason": r.late_reason, "voids": r.voids_id, "void_reason": r.void_reason}


def pipeline_dict(p: Pipeline) -> dict:
    ev, s = p.evaluation, p.evaluation.state
    voided = {r.voids_id for r in p.rows if r.voids_id}
    return {
        "member_id": p.member.id, "name": p.member.name, "org_id": p.member.org_id, "org_name": p.member.org.name,
        "stage": p.member.stage, "state": p.record.state, "applied_on": s.applied_on, "joined_on": s.joined_on,
        "full_on": s.full_on, "probation_end": s.probation_end, "leaving_on": p.record.leaving_on,
        "steps": [step_dict(r) for r in p.rows if not r.voids_id and r.id not in voided],
        "voided": [step_dict(r) for r in p.rows if r.voids_id or r.id in voided],
        "allowed": [allowed_dict(w) for w in ev.allowed],
        "violations": [v.as_dict() for v in ev.violations],
        "warnings": [w.as_dict() for w in ev.warnings],
        "next_step": p.record.next_step, "due_step": p.record.due_step, "due_on": p.record.due_on,
        "deadline_step": p.record.deadline_step, "deadline_on": p.record.deadline_on,
    }


def list_item(r: RecruitmentRecord, today: date) -> dict:
    return {"member_id": r.member_id, "name": r.member.name, "org_id": r.member.org_id,
            "org_name": r.member.org.name, "stage": r.member.stage, "state": r.state,
            "next_step": r.next_step, "next_earliest": r.next_earliest, "due_step": r.due_step,
            "due_on": r.due_on, "deadline_step": r.deadline_step, "deadline_on": r.deadline_on,
            "overdue": bool(r.state == ACTIVE and r.deadline_on and r.deadline_on < today),
            "late_count": r.late_count}


def steps_table() -> list[dict]:
    """The 25 steps as data (for clients): code, phase, prerequisites, rules, fields."""
    return [{"num": s.num, "code": s.code, "label": s.label, "phase": s.phase, "stage_after": s.stage_after,
             "prereqs": list(s.prereqs), "rules": list(s.rules), "repeatable": s.repeatable,
             "fields": [{"name": f.name, "label": f.label, "kind": f.kind, "required": f.required,
                         "choices": [c for c, _ in f.choices]} for f in s.fields]} for s in STEPS]


def _names(rows: list[StepRecord]) -> dict[int, str]:
    ids = set()
    for r in rows:
        for key in ("sponsor_ids", "introducer_ids"):
            ids.update(i for i in r.data.get(key) or [] if isinstance(i, int))
        if isinstance(r.data.get("talker_id"), int):
            ids.add(r.data["talker_id"])
    return dict(Member.objects.filter(id__in=ids).values_list("id", "name")) if ids else {}


def row_summary(r: StepRecord, names: dict[int, str]) -> list[str]:
    """The row's data as short "label：value" lines for the timeline."""
    out = []
    for spec in STEP_BY_CODE[r.step].fields:
        value = r.data.get(spec.name)
        if value in (None, "", []) or spec.name in ("passed", "approved"):  # shown as a badge
            continue
        if spec.kind == "members":
            value = "、".join(names.get(i, f"#{i}") for i in value)
        elif spec.kind == "member":
            value = names.get(value, f"#{value}")
        elif spec.kind == "bool":
            value = "是" if value else "否"
        elif spec.kind == "choice":
            value = dict(spec.choices).get(value, value)
        elif spec.kind == "org":
            value = r.data.get("approver_org_name") or value
        elif spec.kind == "group":
            continue
        out.append(f"{spec.label}：{value}")
    return out


def timeline(p: Pipeline) -> list[dict]:
    """The 25 steps grouped by phase, each with its recorded rows and whether it is allowed now."""
    allowed = {w.step: w for w in p.evaluation.allowed}
    voided = {r.voids_id for r in p.rows if r.voids_id}
    names = _names(p.rows)
    done: dict[str, list] = {}
    for r in p.rows:
        if not r.voids_id and r.id not in voided:
            done.setdefault(r.step, []).append({"row": r, "summary": row_summary(r, names)})
    out = []
    for name, lo, hi in PHASES:
        items = []
        for s in STEPS[lo - 1:hi]:
            status = "done" if s.code in done else ("allowed" if s.code in allowed else "todo")
            items.append({"step": s, "rows": done.get(s.code, []), "window": allowed.get(s.code), "status": status})
        out.append({"name": name, "items": items})
    return out


# --- 发展党员计划 (R-PLAN, planning.py) ---------------------------------------------------------

def admissions_q(year: int) -> Q:
    """Effective approvals of admission (step 17, approved) dated in `year`: what a plan's "actual" counts."""
    return Q(step="admission_approval", passed=True, voids__isnull=True, voided_by__isnull=True,
             date__gte=date(year, 1, 1), date__lte=date(year, 12, 31))


def admissions_in(org: Org, year: int) -> int:
    return StepRecord.objects.filter(admissions_q(year), subtree_q(org.path, field="record__member__org__path")).count()


def plan_rows(*, actor, org: Org, year: int) -> list[planning.PlanRow]:
    """Plan vs actual for org, its children and every org below with a plan for `year` (3 queries)."""
    org = org_get_visible(actor=actor, org_id=org.id)
    plans = {p.org_id: p.quota for p in RecruitmentPlan.objects.filter(subtree_q(org.path, field="org__path"),
                                                                         year=year)}
    counts = list(StepRecord.objects.filter(admissions_q(year), subtree_q(org.path, field="record__member__org__path"))
                  .order_by().values_list("record__member__org__path").annotate(n=Count("id")))
    orgs = (Org.objects.filter(Q(pk=org.pk) | Q(pk__in=list(plans)) | Q(path__startswith=org.path, depth=org.depth + 1))
            .order_by("path").only("id", "name", "path", "depth"))
    return [planning.PlanRow(org_id=o.id, org_name=o.name, depth=o.depth - org.depth, quota=plans.get(o.id),
                             actual=sum(n for path, n in counts if path.startswith(o.path))) for o in orgs]


# --- 入党材料档案 --------------------------------------------------------------------------------

@dataclass
class Dossier:
    pipeline: Pipeline
    items: list[dossier.DocItem]
    summary: dict
    documents: list[DossierDocument]      # every registration, voided ones included
    sponsors: list[str]
    introducers: list[str]


def _effective(p: Pipeline) -> list[rules.Entry]:
    return p.evaluation.state.entries


def _people_named(p: Pipeline, key: str) -> list[str]:
    entry = p.evaluation.state.last.get("sponsors_assigned" if key == "sponsor_ids" else "introducers_assigned")
    ids = [i for i in (entry.data.get(key) or []) if isinstance(i, int)] if entry else []
    names = dict(Member.objects.filter(id__in=ids).values_list("id", "name")) if ids else {}
    return [names.get(i, f"#{i}") for i in ids]


def dossier_get(*, actor, member_id) -> Dossier:
    """A person's dossier checklist (the actor's scope, or the person themself)."""
    p = pipeline_get(actor=actor, member_id=member_id)
    docs = list(p.record.documents.order_by("received_on", "id"))
    received: dict[str, list[date]] = {}
    for d in docs:
        if not d.voided_at:
            received.setdefault(d.kind, []).extend([d.received_on] * d.copies)
    items = dossier.checklist(_effective(p), received, today=p.today)
    return Dossier(pipeline=p, items=items, summary=dossier.summary(items), documents=docs,
                   sponsors=_people_named(p, "sponsor_ids"), introducers=_people_named(p, "introducer_ids"))


def document_dict(d: DossierDocument) -> dict:
    doc = dossier.DOC_BY_CODE.get(d.kind)
    return {"id": d.id, "kind": d.kind, "label": doc.label if doc else d.kind, "received_on": d.received_on,
            "copies": d.copies, "note": d.note, "voided": d.voided_at is not None, "void_reason": d.void_reason}


def dossier_dict(d: Dossier) -> dict:
    return {"member_id": d.pipeline.member.id, "name": d.pipeline.member.name, "summary": d.summary,
            "items": [i.as_dict() for i in d.items], "documents": [document_dict(x) for x in d.documents],
            "sponsors": d.sponsors, "introducers": d.introducers}


# --- The person's own view --------------------------------------------------------------------

def my_progress(*, actor) -> dict:
    """The logged-in person's own file (Member.user): stage, steps done / in progress / not yet, the next
    step with its earliest and latest date, their 培养联系人 and 入党介绍人, and what to hand in next.
    404 when the user is not a person with a recruitment file; never anyone else's."""
    me = member_of_user(actor)
    if me is None:
        raise Http404
    d = dossier_get(actor=actor, member_id=me.id)
    p, ev = d.pipeline, d.pipeline.evaluation
    nxt = ev.next
    stage = p.member.stage
    idx = STAGES.index(stage) if stage in STAGES else 0
    stages = [{"code": s, "label": STAGE_LABELS[s],
               "status": "done" if i < idx or (s == stage == "full") else ("current" if i == idx else "todo")}
              for i, s in enumerate(STAGES)]
    report = next(i for i in d.items if i.doc.code == "thought_report")
    hand_in = [{"label": i.doc.label, "step": i.doc.step, "missing": i.required - i.received}
               for i in d.items if i.doc.by_person and i.status == "missing" and i.doc.per != "quarter"]
    return {
        "member_id": p.member.id, "name": p.member.name, "org_name": p.member.org.name, "stage": stage,
        "stage_label": STAGE_LABELS.get(stage, stage), "state": p.record.state, "stages": stages,
        "next": None if nxt is None else {"step": nxt.step, "label": STEP_BY_CODE[nxt.step].label,
                                          "num": nxt.num, "earliest": nxt.earliest, "latest": nxt.latest,
                                          "overdue": bool(nxt.latest and nxt.latest < p.today)},
        "sponsors": d.sponsors, "introducers": d.introducers,
        "next_report": report.next_due, "reports_received": report.received, "reports_expected": report.required,
        "report_overdue": bool(report.next_due and report.next_due < p.today),
        "hand_in": hand_in, "applied_on": ev.state.applied_on, "joined_on": ev.state.joined_on,
        "probation_end": ev.state.probation_end, "full_on": ev.state.full_on,
        "phases": [_my_phase(ph, nxt.step if nxt else "") for ph in timeline(p)],
    }


def _my_phase(ph: dict, next_step: str) -> dict:
    items = [{"num": it["step"].num, "step": it["step"].code, "label": it["step"].label, "status": it["status"],
              "date": it["rows"][-1]["row"].date if it["rows"] else None,
              "earliest": it["window"].earliest if it["window"] else None} for it in ph["items"]]
    return {"name": ph["name"], "items": items,
            "open": any(i["step"] == next_step or (i["status"] == "allowed") for i in items)}
