"""Reads of committees, terms and elections, always scoped by the actor (DESIGN rule 2)."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from dangjian.accounts.scope import org_get_visible, require, scoped_get
from dangjian.members.choices import ACTIVE_STATUSES, Stage
from dangjian.members.models import Member
from dangjian.members.selectors import members_in_subtree
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import Candidate, Committee, CommitteeSeat, Election, TermSettings


def today() -> date:
    return timezone.localdate()


def elections_org_get(*, actor, org_id, perm: str = "elections.view") -> Org:
    """The org if visible (404 outside), checking the right (403 inside without it)."""
    org = org_get_visible(actor=actor, org_id=org_id)
    require(actor, perm, org)
    return org


# --- voters and candidates -------------------------------------------------------------------------

def voters(org: Org) -> QuerySet[Member]:
    """Full members with voting rights under org (RULES §2: only full members vote; probationary members,
    and members no longer on the rolls, never do)."""
    return members_in_subtree(org).filter(stage=Stage.FULL, status__in=ACTIVE_STATUSES)


def voters_count(org: Org) -> int:
    return voters(org).count()


def unit_kind(org: Org) -> str | None:
    if org.unit_id is None:
        return None
    return org.unit.kind


def term_years_for(org: Org) -> int:
    return rules.term_years(org_kind=org.kind, unit_kind=unit_kind(org))


# --- settings (⚙) ----------------------------------------------------------------------------------

def _ancestor_paths(path: str) -> list[str]:
    return [path[: i * Org.steplen] for i in range(1, len(path) // Org.steplen + 1)]


def remind_days_for(org: Org) -> int:
    """R-TERM-REMIND ⚙: the setting of the nearest org at or above org (default 90 days)."""
    row = (TermSettings.objects.filter(org__path__in=_ancestor_paths(org.path))
           .order_by("-org__depth").first())
    return row.remind_days if row else rules.REMIND_DAYS


def remind_days_many(orgs: list[Org]) -> dict[int, int]:
    paths = {p for o in orgs for p in _ancestor_paths(o.path)}
    rows = dict(TermSettings.objects.filter(org__path__in=paths).values_list("org__path", "remind_days"))
    out = {}
    for o in orgs:
        found = next((rows[p] for p in reversed(_ancestor_paths(o.path)) if p in rows), None)
        out[o.id] = rules.REMIND_DAYS if found is None else found
    return out


# --- committees and terms --------------------------------------------------------------------------

def _seats_prefetch():
    return Prefetch("seats", queryset=CommitteeSeat.objects.select_related("member").order_by("order", "id"))


def committee_current(org: Org) -> Committee | None:
    return (Committee.objects.filter(org=org, is_current=True).prefetch_related(_seats_prefetch())
            .select_related("election").first())


def committee_history(org: Org) -> QuerySet[Committee]:
    return (Committee.objects.filter(org=org).prefetch_related(_seats_prefetch(), "postponements")
            .select_related("election").order_by("-is_current", "-elected_on", "-id"))


def committee_get(*, actor, committee_id, perm: str = "elections.view") -> Committee:
    return scoped_get(Committee.objects.select_related("org", "org__unit"), actor=actor, pk=committee_id, perm=perm)


@dataclass
class Term:
    org: Org
    committee: Committee | None
    term_years: int
    state: str
    days_left: int | None
    remind_days: int

    @property
    def label(self) -> str:
        return rules.STATE_LABELS[self.state]

    @property
    def colour(self) -> str:
        return rules.STATE_COLOURS[self.state]

    @property
    def expires_on(self) -> date | None:
        return self.committee.expires_on if self.committee else None

    @property
    def days_over(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def seat_count(self) -> int:
        return getattr(self.committee, "seat_count", None) or (self.committee.seats.count() if self.committee else 0)


def term_of(org: Org, *, on: date | None = None) -> Term:
    on = on or today()
    committee = committee_current(org)
    remind = remind_days_for(org)
    expires = committee.expires_on if committee else None
    return Term(org=org, committee=committee, term_years=committee.term_years if committee else term_years_for(org),
                state=rules.term_state(expires, on, remind), remind_days=remind,
                days_left=(expires - on).days if expires else None)


def terms_in_subtree(org: Org, *, on: date | None = None, kinds: list[str] | None = None) -> list[Term]:
    """Every org under org (or of the given kinds) with its current committee and term state: 4 queries."""
    on = on or today()
    orgs = list(Org.objects.filter(subtree_q(org.path), is_active=True).select_related("unit").order_by("path"))
    if kinds:
        orgs = [o for o in orgs if o.kind in kinds]
    committees = {c.org_id: c for c in Committee.objects.filter(subtree_q(org.path, field="org__path"),
                                                                 is_current=True)
                  .annotate(seat_count=Count("seats"))}
    remind = remind_days_many(orgs)
    out = []
    for o in orgs:
        c = committees.get(o.id)
        expires = c.expires_on if c else None
        out.append(Term(org=o, committee=c, term_years=c.term_years if c else term_years_for(o),
                        state=rules.term_state(expires, on, remind[o.id]), remind_days=remind[o.id],
                        days_left=(expires - on).days if expires else None))
    return out


def terms_due(*, actor, org: Org, on: date | None = None) -> dict[str, list[Term]]:
    """The reminder lists (R-TERM-REMIND): expiring within the window, and overdue."""
    org = elections_org_get(actor=actor, org_id=org.id)
    terms = terms_in_subtree(org, on=on)
    expiring = sorted((t for t in terms if t.state == rules.EXPIRING), key=lambda t: t.days_left)
    overdue = sorted((t for t in terms if t.state == rules.OVERDUE), key=lambda t: t.days_left)
    missing = [t for t in terms if t.state == rules.NONE]
    return {"expiring": expiring, "overdue": overdue, "missing": missing}


def committee_seat_counts(org: Org) -> dict[int, int]:
    """org id → number of seats of its current committee, for the orgs under org (used by size warnings)."""
    return dict(Committee.objects.filter(subtree_q(org.path, field="org__path"), is_current=True)
                .annotate(n=Count("seats")).values_list("org_id", "n"))


# --- elections -------------------------------------------------------------------------------------

def election_list(*, actor, org: Org) -> QuerySet[Election]:
    org = elections_org_get(actor=actor, org_id=org.id)
    return (Election.objects.filter(subtree_q(org.path, field="org__path"), parent__isnull=True)
            .select_related("org").annotate(candidate_count=Count("candidates")).order_by("-created_at", "-id"))


def election_get(*, actor, election_id, perm: str = "elections.view") -> Election:
    return scoped_get(Election.objects.select_related("org", "org__unit", "parent"), actor=actor, pk=election_id,
                      perm=perm)


def candidates_of(election: Election) -> list[Candidate]:
    return list(election.candidates.select_related("member").order_by("order", "id"))


def election_chain(election: Election) -> list[Election]:
    """The first round and its re-votes, in order."""
    chain = [election.root]
    while True:
        nxt = Election.objects.filter(parent=chain[-1]).order_by("id").first()
        if nxt is None:
            return chain
        chain.append(nxt)


def elected_members(chain: list[Election]) -> list[Candidate]:
    """The candidates elected across all rounds of one election, in the order they were elected."""
    ids = [e.id for e in chain]
    return list(Candidate.objects.filter(election_id__in=ids, elected=True).select_related("member")
                .order_by("election_id", "order", "id"))


def home_cards(*, actor, org: Org) -> list[dict]:
    from dangjian.accounts.scope import can

    if not can(actor, "elections.view", org):
        return []
    terms = terms_in_subtree(org)
    return [
        {"label": "班子即将到期", "value": sum(1 for t in terms if t.state == rules.EXPIRING), "icon": "ti-hourglass"},
        {"label": "班子已到期未换届", "value": sum(1 for t in terms if t.state == rules.OVERDUE),
         "icon": "ti-alert-triangle"},
    ]
