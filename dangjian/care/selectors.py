"""Reads of 关怀帮扶, always scoped by the actor (404 outside)."""
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import as_id, can, org_get_visible, require, scope_q, scoped_get
from dangjian.core.errors import DomainError
from dangjian.members.models import Member
from dangjian.members.selectors import member_get, members_on_rolls
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import CarePlan, CareProfile, CareVisit, Fund, FundLedger, Greeting, Relief
from .services import base_date, greeting_text

ZERO = rules.ZERO


def today() -> date:
    return timezone.localdate()


def care_org_get(*, actor, org_id, perm: str = "care.view") -> Org:
    org = org_get_visible(actor=actor, org_id=org_id)
    require(actor, perm, org)
    return org


def care_member_get(*, actor, member_id, perm: str = "care.view") -> Member:
    member = member_get(actor=actor, member_id=member_id)
    require(actor, perm, member.org)
    return member


# --- anniversaries -------------------------------------------------------------------------------

@dataclass
class Anniversary:
    member: Member
    kind: str
    date: date
    years: int
    party_years: int | None
    greeting: Greeting | None = None

    @property
    def kind_label(self) -> str:
        return rules.KIND_LABELS[self.kind]

    @property
    def colour(self) -> str:
        return rules.KIND_COLOURS[self.kind]

    @property
    def milestone(self) -> bool:
        return rules.is_milestone(self.kind, self.years)

    @property
    def medal(self) -> bool:
        return self.kind == rules.Kind.PARTY and self.years == rules.MEDAL_YEARS


def _roll(org: Org) -> QuerySet[Member]:
    return members_on_rolls(org).select_related("org").only(
        "id", "name", "org", "stage", "status", "birth_date", "joined_on", "full_on", "work_started_on", "user_id",
        "org__name", "org__path")


def anniversaries(*, actor, org: Org, start: date, end: date, kinds=None) -> list[Anniversary]:
    """Birthdays, 政治生日 and work anniversaries under org in [start, end] (the 三色生日表 as a calendar)."""
    org = care_org_get(actor=actor, org_id=org.id)
    try:
        rules.window_days(start, end)
    except rules.RuleError as exc:
        raise DomainError(exc.message, field=exc.field)
    kinds = list(kinds or rules.KIND_LABELS)
    members = list(_roll(org))
    items = []
    for m in members:
        for kind in kinds:
            for d, years in rules.occurrences(base_date(m, kind), start, end):
                items.append(Anniversary(m, kind, d, years,
                                         rules.party_years_on(joined_on=m.joined_on, full_on=m.full_on, on=d)))
    given = {(g.member_id, g.kind, g.occasion_date): g for g in Greeting.objects.filter(
        member__in=[m.id for m in members], occasion_date__gte=start, occasion_date__lte=end)}
    for a in items:
        a.greeting = given.get((a.member.id, a.kind, a.date))
    return sorted(items, key=lambda a: (a.date, list(rules.KIND_LABELS).index(a.kind), a.member.name))


@dataclass
class ColourRow:
    member: Member
    party_years: int | None


def three_colour_table(*, actor, org: Org) -> list[ColourRow]:
    """三色生日表 (seed 002): each member's birthday, join date and work start date."""
    org = care_org_get(actor=actor, org_id=org.id)
    on = today()
    return [ColourRow(m, rules.party_years_on(joined_on=m.joined_on, full_on=m.full_on, on=on))
            for m in _roll(org).order_by("org__path", "name_pinyin", "id")]


@dataclass
class MedalRow:
    member: Member
    years: int
    new: bool


def medal50(*, actor, org: Org, year: int) -> list[MedalRow]:
    """光荣在党50年: members with 50 years since joining by 1 July of `year` ⚙; `new` = first eligible this year."""
    org = care_org_get(actor=actor, org_id=org.id)
    cutoff = rules.medal_cutoff(year)
    latest_join = date(cutoff.year - rules.MEDAL_YEARS, cutoff.month, cutoff.day)
    rows = [MedalRow(m, rules.years_between(m.joined_on, cutoff), rules.medal_new_in(m.joined_on, year))
            for m in _roll(org).filter(joined_on__lte=latest_join).order_by("joined_on", "id")]
    return [r for r in rows if rules.medal_eligible(r.member.joined_on, year)]


def pending_greetings(*, actor, org: Org, on: date | None = None) -> QuerySet[Greeting]:
    org = care_org_get(actor=actor, org_id=org.id)
    on = on or today()
    return (Greeting.objects.filter(subtree_q(org.path, field="org__path"), state=Greeting.State.PENDING,
                                    occasion_date__gte=on - timedelta(days=7))
            .select_related("member", "org").order_by("occasion_date", "id"))


def card_context(*, actor, member: Member, kind: str, occasion_date: date) -> dict:
    from .services import check_occasion

    years = check_occasion(member, kind, occasion_date)
    greeting = Greeting.objects.filter(member=member, kind=kind, occasion_date=occasion_date).first()
    text = greeting.text if greeting and greeting.text else greeting_text(member, kind, occasion_date, years)
    return {"member": member, "kind": kind, "kind_label": rules.KIND_LABELS[kind], "date": occasion_date,
            "years": years, "text": text, "milestone": rules.is_milestone(kind, years),
            "party_years": rules.party_years_on(joined_on=member.joined_on, full_on=member.full_on, on=occasion_date)}


# --- visits --------------------------------------------------------------------------------------

@dataclass
class DueRow:
    member: Member
    reasons: list
    visits: list = field(default_factory=list)


def due_list(*, actor, org: Org, plan: CarePlan | None = None, on: date | None = None) -> list[DueRow]:
    """Members due a visit (veterans, pre-1949, in hardship, ill, laid off, retired living alone)."""
    org = care_org_get(actor=actor, org_id=org.id)
    on = on or today()
    members = list(members_on_rolls(org).select_related("org").order_by("org__path", "name_pinyin", "id"))
    profiles = {p.member_id: p for p in CareProfile.objects.filter(member__in=[m.id for m in members])}
    visits: dict[int, list] = {}
    if plan is not None:
        for v in CareVisit.objects.filter(plan=plan):
            visits.setdefault(v.member_id, []).append(v)
    rows = []
    for m in members:
        p = profiles.get(m.id)
        reasons = rules.due_reasons(joined_on=m.joined_on, in_hardship=m.in_hardship, is_retired=m.is_retired,
                                    ill=bool(p and p.is_ill), laid_off=bool(p and p.laid_off),
                                    lives_alone=bool(p and p.lives_alone), on=on)
        if reasons:
            rows.append(DueRow(m, reasons, visits.get(m.id, [])))
    return rows


def plans(*, actor, org: Org) -> QuerySet[CarePlan]:
    org = care_org_get(actor=actor, org_id=org.id)
    return CarePlan.objects.filter(subtree_q(org.path, field="org__path")).select_related("org", "fund")


def plan_get(*, actor, plan_id, perm: str = "care.view") -> CarePlan:
    return scoped_get(CarePlan.objects.select_related("org", "fund"), actor=actor, pk=plan_id, perm=perm)


def visit_get(*, actor, care_visit_id, perm: str = "care.view") -> CareVisit:
    """One visit record of an org the actor may see (404 outside, as for its plan)."""
    return scoped_get(CareVisit.objects.select_related("org"), actor=actor, pk=care_visit_id, perm=perm)


def plan_visits(plan: CarePlan) -> QuerySet[CareVisit]:
    return plan.visits.select_related("member", "member__org", "fund_entry").order_by("-visited_on", "-id")


def member_care(member: Member) -> dict:
    return {"profile": CareProfile.objects.filter(member=member).first(),
            "greetings": Greeting.objects.filter(member=member).order_by("-occasion_date")[:20],
            "visits": CareVisit.objects.filter(member=member).select_related("plan").order_by("-visited_on")[:20],
            "reliefs": Relief.objects.filter(member=member).select_related("ledger_entry__fund")[:20]}


# --- funds ---------------------------------------------------------------------------------------

def funds(*, actor, org: Org) -> QuerySet[Fund]:
    """Funds of org and everything below it."""
    org = care_org_get(actor=actor, org_id=org.id)
    return Fund.objects.filter(subtree_q(org.path, field="org__path")).select_related("org").order_by("org__path", "name")


def funds_usable(*, actor, org: Org) -> QuerySet[Fund]:
    """Funds a plan of org may draw on: the org's own and its ancestors' that the actor may see."""
    paths = [org.path[:i] for i in range(Org.steplen, len(org.path) + 1, Org.steplen)]
    return Fund.objects.filter(scope_q(actor, field="org__path"), org__path__in=paths).select_related("org")


def fund_get(*, actor, fund_id, perm: str = "care.view") -> Fund:
    return scoped_get(Fund.objects.select_related("org"), actor=actor, pk=fund_id, perm=perm)


def fund_entry_get(*, actor, fund: Fund, entry_id) -> FundLedger:
    entry = (FundLedger.objects.select_related("fund", "fund__org", "member")
             .filter(fund=fund, id=as_id(entry_id)).first())
    if entry is None:
        raise Http404
    return entry


def fund_ledger(fund: Fund, *, year: int | None = None) -> QuerySet[FundLedger]:
    qs = FundLedger.objects.filter(fund=fund).select_related("member", "created_by", "reversed_by")
    if year:
        qs = qs.filter(entry_on__year=year)
    return qs.order_by("-seq")


@dataclass
class FundReport:
    fund: Fund
    year: int
    opening: Decimal
    income: Decimal
    spending: Decimal
    closing: Decimal
    by_category: list


def _sum(qs) -> Decimal:
    return Decimal(qs.aggregate(s=Sum("amount"))["s"] or 0).quantize(rules.FEN)  # SQLite sums as float


def fund_report(fund: Fund, *, year: int) -> FundReport:
    """A fund's year: opening balance, income and spending (each net of its reversals), spending by
    category, closing balance — all from the ledger, so closing = opening + income − spending to the fen."""
    rows = FundLedger.objects.filter(fund=fund, entry_on__year=year)
    opening = _sum(FundLedger.objects.filter(fund=fund, entry_on__lt=date(year, 1, 1)))
    income_q = Q(kind=FundLedger.Kind.INCOME) | Q(kind=FundLedger.Kind.REVERSAL,
                                                  reverses__kind=FundLedger.Kind.INCOME)
    income = _sum(rows.filter(income_q))
    spending = -_sum(rows.exclude(income_q))
    labels = dict(FundLedger.Category.choices)
    by_category = [{"category": r["category"], "label": labels.get(r["category"], r["category"]),
                    "amount": -Decimal(r["s"] or 0).quantize(rules.FEN)}
                   for r in rows.exclude(income_q).values("category").annotate(s=Sum("amount")).order_by("category")]
    return FundReport(fund, year, opening, income, spending, opening + income - spending, by_category)


def home_cards(*, actor, org: Org) -> list[dict]:
    if not can(actor, "care.view", org):
        return []
    on = today()
    soon = Greeting.objects.filter(subtree_q(org.path, field="org__path"), state=Greeting.State.PENDING,
                                   occasion_date__gte=on, occasion_date__lte=on + timedelta(days=7)).count()
    balance = Fund.objects.filter(subtree_q(org.path, field="org__path")).aggregate(s=Sum("balance"))["s"] or ZERO
    return [{"label": "近 7 天待送祝福", "value": soon, "icon": "ti-cake"},
            {"label": "帮扶基金余额（元）", "value": f"{Decimal(balance):.2f}", "icon": "ti-pig-money"}]
