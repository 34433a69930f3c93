"""Reads of 诉求 and 调解, scoped by the actor (DESIGN rule 2), and the service figures of issue 9 item 6."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dangjian.accounts.scope import as_id, can, org_get_visible, scope_q
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import Escalation, Mediation, Petition, PetitionStep, PetitionTransfer


def _org_for(actor, org: Org) -> Org:
    org = org_get_visible(actor=actor, org_id=org.id)
    if not can(actor, "petitions.view", org):
        raise Http404
    return org


def petitions_in_subtree(org: Org) -> QuerySet[Petition]:
    return Petition.objects.filter(subtree_q(org.path, field="org__path"))


def overdue_q(today: date) -> Q:
    return Q(current_due__lt=today) & ~Q(state=Petition.State.CLOSED)


@dataclass
class PetitionFilters:
    state: str = ""
    kind: str = ""
    channel: str = ""
    category: str = ""
    overdue: bool = False
    escalated: bool = False
    q: str = ""
    received_from: date | None = None
    received_to: date | None = None

    def apply(self, qs: QuerySet[Petition], *, today: date | None = None) -> QuerySet[Petition]:
        today = today or timezone.localdate()
        if self.state == "open":
            qs = qs.exclude(state=Petition.State.CLOSED)
        elif self.state in Petition.State.values:
            qs = qs.filter(state=self.state)
        if self.kind in Petition.Kind.values:
            qs = qs.filter(kind=self.kind)
        if self.channel in Petition.Channel.values:
            qs = qs.filter(channel=self.channel)
        if self.category in dict(rules.CATEGORIES):
            qs = qs.filter(category=self.category)
        if self.overdue:
            qs = qs.filter(overdue_q(today))
        if self.escalated:
            qs = qs.filter(id__in=Escalation.objects.values("petition_id"))
        if self.received_from:
            qs = qs.filter(received_on__gte=self.received_from)
        if self.received_to:
            qs = qs.filter(received_on__lte=self.received_to)
        if self.q.strip():
            text = self.q.strip()
            code = rules.normalize_tracking_code(text)
            qs = qs.filter(Q(title__contains=text) | Q(submitter_name=text) | Q(tracking_code=code))
        return qs


def petition_list(*, actor, org: Org, filters: PetitionFilters | None = None) -> QuerySet[Petition]:
    org = _org_for(actor, org)
    qs = (filters or PetitionFilters()).apply(petitions_in_subtree(org))
    # The most urgent first: the earliest pending deadline; closed cases (no deadline) last, newest first.
    return qs.select_related("org", "owner").order_by(F("current_due").asc(nulls_last=True), "-received_on", "-id")


def petition_get(*, actor, petition_id) -> Petition:
    qs = (Petition.objects.filter(scope_q(actor, field="org__path", perm="petitions.view"))
          .select_related("org", "owner", "household", "visit_log")
          .prefetch_related(Prefetch("steps", PetitionStep.objects.select_related("actor")),
                            Prefetch("transfers", PetitionTransfer.objects.select_related("from_org", "to_org")),
                            Prefetch("escalations", Escalation.objects.select_related("to_org"))))
    return get_object_or_404(qs, id=as_id(petition_id))


def sla_badge(petition: Petition, *, today: date | None = None) -> dict:
    """The queue's SLA badge: closed / overdue / due today / days left, for the pending step."""
    today = today or timezone.localdate()
    step = petition.pending_step
    if step is None:
        return {"label": "已办结", "tone": "success", "step": None, "due": None}
    due = petition.current_due or petition.due_of(step)
    label = rules.STEP_LABELS[step]
    if rules.is_overdue(due=due, today=today):
        return {"label": f"{label}逾期 {(today - due).days} 天", "tone": "danger", "step": step, "due": due}
    if due == today:
        return {"label": f"今日须{label}", "tone": "warning", "step": step, "due": due}
    return {"label": f"待{label} · {(due - today).days} 天内", "tone": "info", "step": step, "due": due}


def step_rows(petition: Petition, *, today: date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    done = {s.step: s for s in petition.steps.all()}
    rows = []
    for step in rules.STEPS:
        row = done.get(step)
        due = row.due if row else petition.due_of(step)
        rows.append({"step": step, "label": rules.STEP_LABELS[step], "due": due, "row": row,
                     "pending": petition.pending_step == step,
                     "overdue": row is None and petition.pending_step == step and rules.is_overdue(due=due, today=today)})
    return rows


# --- Mediations ------------------------------------------------------------------------------

def mediation_list(*, actor, org: Org, outcome: str = "", year: int | None = None) -> QuerySet[Mediation]:
    org = _org_for(actor, org)
    qs = Mediation.objects.filter(subtree_q(org.path, field="org__path"))
    if outcome in Mediation.Outcome.values:
        qs = qs.filter(outcome=outcome)
    if year:
        qs = qs.filter(occurred_on__year=year)
    return qs.select_related("org").order_by("-occurred_on", "-id")


def mediation_get(*, actor, mediation_id) -> Mediation:
    qs = Mediation.objects.filter(scope_q(actor, field="org__path", perm="petitions.view")).select_related("org")
    return get_object_or_404(qs, id=as_id(mediation_id))


# --- Figures (issue 9 item 6; seed 004's numbers, computed) ---------------------------------------

def service_figures(*, actor, org: Org, start: date, end: date) -> dict:
    org = _org_for(actor, org)
    from dangjian.visits.models import HelpRecord, Pairing
    from dangjian.visits.selectors import logs_in_subtree

    logs = logs_in_subtree(org).filter(visited_on__range=(start, end))
    petitions = petitions_in_subtree(org).filter(received_on__range=(start, end))
    closed = petitions.filter(state=Petition.State.CLOSED)
    late_ids = PetitionStep.objects.filter(petition__in=closed, late=True).values("petition_id")
    p = petitions.aggregate(
        n_received=Count("id"),
        n_resolved=Count("id", filter=Q(state=Petition.State.CLOSED, resolved=True)),
        n_closed=Count("id", filter=Q(state=Petition.State.CLOSED)),
        n_suggestions=Count("id", filter=Q(kind=Petition.Kind.SUGGESTION)),
        n_suggestions_resolved=Count("id", filter=Q(kind=Petition.Kind.SUGGESTION, state=Petition.State.CLOSED,
                                                    resolved=True)),
        n_letters=Count("id", filter=Q(kind=Petition.Kind.LETTER)),
        n_satisfied=Count("id", filter=Q(satisfaction__in=["satisfied", "basically"])),
        n_rated=Count("id", filter=Q(satisfaction__in=["satisfied", "basically", "unsatisfied"])),
    )
    m = Mediation.objects.filter(subtree_q(org.path, field="org__path"), occurred_on__range=(start, end)).aggregate(
        n_mediations=Count("id"), n_oral=Count("id", filter=Q(outcome="oral")),
        n_written=Count("id", filter=Q(outcome="written")), n_failed=Count("id", filter=Q(outcome="failed")),
        n_people=Sum("people_involved"), n_amount=Sum("amount"))
    pairings = Pairing.objects.filter(subtree_q(org.path, field="org__path"))
    helps = HelpRecord.objects.filter(subtree_q(org.path, field="org__path"), given_on__range=(start, end))
    return {
        "org_id": org.id, "from": start, "to": end,
        "visits": logs.filter(household__isnull=False).count(),
        "visit_logs": logs.count(),
        "households_covered": logs.filter(household__isnull=False).values("household_id").distinct().count(),
        "petitions_received": p["n_received"],
        "petitions_closed": p["n_closed"],
        "petitions_resolved": p["n_resolved"],
        "petitions_on_time": closed.exclude(id__in=late_ids).count(),
        "petitions_overdue": petitions.filter(overdue_q(timezone.localdate())).count(),
        "suggestions_received": p["n_suggestions"],
        "suggestions_resolved": p["n_suggestions_resolved"],
        "letters_received": p["n_letters"],
        "satisfaction_rated": p["n_rated"],
        "satisfaction_positive": p["n_satisfied"],
        "mediations": m["n_mediations"],
        "oral_agreements": m["n_oral"],
        "written_agreements": m["n_written"],
        "mediations_failed": m["n_failed"],
        "people_involved": m["n_people"] or 0,
        "amount_involved": (m["n_amount"] or Decimal("0")).quantize(Decimal("0.01")),
        "pairings_active": pairings.filter(ended_on__isnull=True).count(),
        "help_records": helps.count(),
        "help_amount": (helps.aggregate(s=Sum("amount"))["s"] or Decimal("0")).quantize(Decimal("0.01")),
    }


def home_cards(*, actor, org: Org) -> list[dict]:
    if not can(actor, "petitions.view", org):
        return []
    qs = petitions_in_subtree(org)
    today = timezone.localdate()
    return [
        {"label": "办理中的群众诉求", "value": qs.exclude(state=Petition.State.CLOSED).count(), "icon": "ti-message-report"},
        {"label": "逾期诉求", "value": qs.filter(overdue_q(today)).count(), "icon": "ti-alarm"},
    ]
