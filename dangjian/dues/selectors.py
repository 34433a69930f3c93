"""Reads of 党费: month-by-month status per member, sheets, arrears, reports. Always scoped by the actor.

Due amounts come from the stored monthly bills (DuesBill, issued by the monthly job from the base valid for the
month); a month not billed yet (a future month) shows the amount its base would give. Paid amounts come from
the ledger (DuesPaymentMonth). Everything is loaded in a few bulk queries and
computed in Python, so a branch sheet or a subtree report costs a constant number of queries.
"""
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import as_id, can, org_get_visible, require
from dangjian.core.money import fen
from dangjian.members.models import Member
from dangjian.members.selectors import member_get, members_on_rolls
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import DuesBill, DuesExemption, DuesPayment, DuesPaymentMonth, DuesPolicy, DuesProfile, DuesPublication

ZERO = rules.ZERO
STATE_LABELS = {"paid": "已交", "due": "未交", "future": "未到期", "exempt": "免交", "before_start": "—",
                "no_base": "未核定"}


def today() -> date:
    return timezone.localdate()


# --- policy (⚙ rules per committee / branch) -------------------------------------------------------

@dataclass(frozen=True)
class Policy:
    farmer_amount: Decimal = rules.FARMER_DEFAULT
    back_limit: int = rules.BACK_LIMIT_MONTHS
    advance_limit: int = rules.ADVANCE_LIMIT_MONTHS


def policy_for(org: Org) -> Policy:
    """The nearest ancestor's (or the org's own) DuesPolicy; the RULES.md defaults otherwise."""
    paths = [org.path[:i] for i in range(Org.steplen, len(org.path) + 1, Org.steplen)]
    row = (DuesPolicy.objects.filter(org__path__in=paths).select_related("org")
           .order_by("-org__depth").first())
    if row is None:
        return Policy()
    return Policy(row.farmer_amount, row.back_limit_months, row.advance_limit_months)


# --- month cells ------------------------------------------------------------------------------------

@dataclass
class Cell:
    month: date
    state: str
    due: Decimal | None = None
    paid: Decimal = ZERO
    reduced: bool = False
    payable: bool = False
    overdue: bool = False  # unpaid and its month has ended
    bill: DuesBill | None = None  # the stored bill; None for a month not billed yet

    @property
    def label(self) -> str:
        return rules.month_label(self.month)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class DuesData:
    """Bulk-loaded bases, exemptions and ledger months for a set of members."""

    profiles: dict[int, list[DuesProfile]] = field(default_factory=dict)
    exemptions: dict[int, list[DuesExemption]] = field(default_factory=dict)
    paid: dict[tuple[int, date], Decimal] = field(default_factory=dict)
    paid_net_count: dict[tuple[int, date], int] = field(default_factory=dict)
    bills: dict[tuple[int, date], DuesBill] = field(default_factory=dict)

    def profile_at(self, member_id: int, month: date) -> DuesProfile | None:
        rows = self.profiles.get(member_id, [])
        i = bisect_right([p.effective_from for p in rows], month)
        return rows[i - 1] if i else None

    def exemption_at(self, member_id: int, month: date) -> DuesExemption | None:
        for ex in self.exemptions.get(member_id, []):
            end = ex.to_month
            if ex.revoked_on:
                end = min(end, rules.add_months(rules.month_of(ex.revoked_on), -1))
            if ex.from_month <= month <= end:
                return ex
        return None

    def is_paid(self, member_id: int, month: date) -> bool:
        return self.paid_net_count.get((member_id, month), 0) > 0


def load_dues_data(member_ids, *, start: date, end: date) -> DuesData:
    """Bases (all up to `end`, the latest before `start` matters), exemptions and ledger months in range."""
    data = DuesData()
    member_ids = list(member_ids)
    for p in DuesProfile.objects.filter(member_id__in=member_ids, effective_from__lte=end).order_by(
            "member_id", "effective_from"):
        data.profiles.setdefault(p.member_id, []).append(p)
    for ex in DuesExemption.objects.filter(member_id__in=member_ids, from_month__lte=end, to_month__gte=start):
        data.exemptions.setdefault(ex.member_id, []).append(ex)
    rows = (DuesPaymentMonth.objects.filter(member_id__in=member_ids, month__gte=start, month__lte=end)
            .values("member_id", "month").annotate(
                total=Sum("amount"),
                payments=Count("id", filter=Q(kind=DuesPayment.Kind.PAYMENT)),
                reversals=Count("id", filter=Q(kind=DuesPayment.Kind.REVERSAL))))
    for row in rows:
        key = (row["member_id"], row["month"])
        data.paid[key] = fen(row["total"])
        data.paid_net_count[key] = row["payments"] - row["reversals"]
    for bill in DuesBill.objects.filter(member_id__in=member_ids, month__gte=start, month__lte=end):
        data.bills[(bill.member_id, bill.month)] = bill
    return data


def member_cells(member: Member, months: list[date], data: DuesData, *, on: date | None = None,
                 policy: Policy | None = None) -> list[Cell]:
    on = on or today()
    current = rules.month_of(on)
    policy = policy or Policy()
    window = rules.payment_window(today=on, back_limit=policy.back_limit, advance_limit=policy.advance_limit)
    start = rules.dues_start_month(member.joined_on)
    cells = []
    for m in months:
        if start is None or m < start:
            cells.append(Cell(m, "before_start"))
            continue
        bill = data.bills.get((member.id, m))
        if data.is_paid(member.id, m):
            cells.append(Cell(m, "paid", paid=data.paid.get((member.id, m), ZERO),
                              due=data.paid.get((member.id, m), ZERO), bill=bill))
            continue
        if bill is not None:  # the stored bill decides (R-DUES-BILL): later base changes do not touch it
            if bill.state == DuesBill.State.EXEMPT:
                cells.append(Cell(m, "exempt", due=ZERO, bill=bill))
            else:
                cells.append(Cell(m, "future" if m > current else "due", due=bill.due, reduced=bill.reduced,
                                  payable=window.contains(m), overdue=m < current, bill=bill))
            continue
        exemption = data.exemption_at(member.id, m)
        if exemption is not None and exemption.is_waiver:
            cells.append(Cell(m, "exempt", due=ZERO))
            continue
        profile = data.profile_at(member.id, m)
        if profile is None:
            cells.append(Cell(m, "no_base"))
            continue
        due = rules.bill_due(amount=profile.monthly_amount,
                             exemption_amount=exemption.monthly_amount if exemption is not None else None)
        state = "future" if m > current else "due"
        cells.append(Cell(m, state, due=due, reduced=exemption is not None, payable=window.contains(m),
                          overdue=m < current))
    return cells


# --- scope ------------------------------------------------------------------------------------------

def dues_member_get(*, actor, member_id, perm: str = "dues.view") -> Member:
    """The member if the actor may see their dues: themself, or `perm` on their org. 404 outside."""
    member = member_get(actor=actor, member_id=member_id)
    if member.user_id is not None and member.user_id == getattr(actor, "pk", None) and perm == "dues.view":
        return member
    require(actor, perm, member.org)
    return member


def dues_org_get(*, actor, org_id, perm: str = "dues.view") -> Org:
    org = org_get_visible(actor=actor, org_id=org_id)
    require(actor, perm, org)
    return org


# --- one member -------------------------------------------------------------------------------------

@dataclass
class MemberYear:
    member: Member
    year: int
    cells: list[Cell]
    profile: DuesProfile | None
    arrears: int
    on: date = field(default_factory=lambda: today())

    def _sum(self, states, attr="due") -> Decimal:
        return sum((getattr(c, attr) or ZERO for c in self.cells if c.state in states), ZERO)

    @property
    def due_total(self) -> Decimal:
        """Due for the months that have begun (paid months count at what was paid)."""
        current = rules.month_of(self.on)
        return sum((c.due or ZERO for c in self.cells if c.state in ("paid", "due") and c.month <= current), ZERO)

    @property
    def paid_total(self) -> Decimal:
        return self._sum(("paid",), "paid")

    @property
    def outstanding(self) -> Decimal:
        return self._sum(("due",))

    @property
    def arrears_level(self) -> str:
        return rules.arrears_level(self.arrears)


def member_year(*, actor, member: Member, year: int, on: date | None = None) -> MemberYear:
    """Month by month for one member and year, with the current base and the arrears count."""
    on = on or today()
    months = rules.months_between(date(year, 1, 1), date(year, 12, 1))
    data = load_dues_data([member.id], start=months[0], end=months[-1])
    cells = member_cells(member, months, data, on=on, policy=policy_for(member.org))
    profile = data.profile_at(member.id, rules.month_of(on)) or data.profile_at(member.id, months[-1])
    if profile is None:
        profile = DuesProfile.objects.filter(member=member).order_by("-effective_from").first()
    return MemberYear(member, year, cells, profile, arrears_for([member], on=on).get(member.id, 0), on)


def member_bills(member: Member, *, year: int) -> QuerySet[DuesBill]:
    return DuesBill.objects.filter(member=member, month__year=year).order_by("month")


def member_profiles(member: Member) -> QuerySet[DuesProfile]:
    return DuesProfile.objects.filter(member=member).select_related("created_by").order_by("-effective_from")


def member_exemptions(member: Member) -> QuerySet[DuesExemption]:
    return DuesExemption.objects.filter(member=member).order_by("-from_month")


def member_payments(member: Member) -> QuerySet[DuesPayment]:
    return (DuesPayment.objects.filter(member=member).select_related("reverses", "created_by")
            .prefetch_related("months", "reversed_by").order_by("-paid_on", "-id"))


def payment_get(*, actor, payment_id, perm: str = "dues.view") -> DuesPayment:
    payment_id = as_id(payment_id)
    payment = DuesPayment.objects.select_related("member", "member__org", "org").filter(id=payment_id).first()
    if payment is None:
        raise Http404
    dues_member_get(actor=actor, member_id=payment.member_id, perm=perm)
    return payment


# --- arrears (R-ABSENT-6M) -----------------------------------------------------------------------

ARREARS_LOOKBACK = 24  # months examined backwards; enough to see R-ABSENT-6M


def arrears_for(members, *, on: date | None = None) -> dict[int, int]:
    """Consecutive unpaid months (ended months only) per member id."""
    on = on or today()
    last = rules.add_months(rules.month_of(on), -1)
    months = rules.months_between(rules.add_months(last, -(ARREARS_LOOKBACK - 1)), last)
    members = list(members)
    data = load_dues_data([m.id for m in members], start=months[0], end=months[-1])
    out = {}
    for m in members:
        states = [c.state for c in member_cells(m, months, data, on=on)]
        out[m.id] = rules.consecutive_unpaid(states)
    return out


@dataclass
class ArrearsRow:
    member: Member
    months: int

    @property
    def level(self) -> str:
        return rules.arrears_level(self.months)


def arrears_list(*, actor, org: Org, on: date | None = None, minimum: int = rules.ARREARS_WARN_MONTHS
                 ) -> list[ArrearsRow]:
    """Members under org with ≥ `minimum` consecutive unpaid months, longest first (warnings only)."""
    org = dues_org_get(actor=actor, org_id=org.id)
    members = list(members_on_rolls(org).select_related("org"))
    counts = arrears_for(members, on=on)
    rows = [ArrearsRow(m, counts[m.id]) for m in members if counts[m.id] >= minimum]
    return sorted(rows, key=lambda r: (-r.months, r.member.org.path, r.member.name))


# --- the branch's monthly sheet -------------------------------------------------------------------

@dataclass
class SheetRow:
    member: Member
    cells: list[Cell]
    profile: DuesProfile | None
    arrears: int = 0
    on: date = field(default_factory=lambda: today())

    @property
    def paid_total(self) -> Decimal:
        return sum((c.paid for c in self.cells if c.state == "paid"), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((c.due or ZERO for c in self.cells if c.state == "due"), ZERO)

    @property
    def due_total(self) -> Decimal:
        current = rules.month_of(self.on)
        return sum((c.due or ZERO for c in self.cells if c.state in ("paid", "due") and c.month <= current), ZERO)

    @property
    def arrears_level(self) -> str:
        return rules.arrears_level(self.arrears)


def dues_sheet(*, actor, org: Org, year: int, on: date | None = None) -> list[SheetRow]:
    """Members on the rolls under org × the 12 months of `year`."""
    org = dues_org_get(actor=actor, org_id=org.id)
    on = on or today()
    months = rules.months_between(date(year, 1, 1), date(year, 12, 1))
    members = list(members_on_rolls(org).select_related("org").order_by("org__path", "name_pinyin", "id"))
    data = load_dues_data([m.id for m in members], start=months[0], end=months[-1])
    counts = arrears_for(members, on=on)
    policies: dict[int, Policy] = {}
    rows = []
    for m in members:
        if m.org_id not in policies:
            policies[m.org_id] = policy_for(m.org)
        cells = member_cells(m, months, data, on=on, policy=policies[m.org_id])
        profile = data.profile_at(m.id, min(rules.month_of(on), months[-1])) or data.profile_at(m.id, months[-1])
        rows.append(SheetRow(m, cells, profile, counts[m.id], on))
    return rows


# --- reports --------------------------------------------------------------------------------------

@dataclass
class ReportRow:
    org: Org
    members: int = 0
    due: Decimal = ZERO
    paid: Decimal = ZERO
    outstanding: Decimal = ZERO
    advance: Decimal = ZERO
    voluntary: Decimal = ZERO
    by_month: dict = field(default_factory=dict)  # month -> [due, paid]


def dues_report(*, actor, org: Org, year: int, on: date | None = None) -> tuple[list[ReportRow], ReportRow]:
    """Per branch under org: due (months begun), paid for those months, outstanding, paid in advance and
    voluntary — the states of `member_cells` summed by the database (report_sql), so a county costs a few
    set-based queries; rows add up to the total to the fen."""
    from .report_sql import report_cells_sql, report_members_voluntary_sql

    org = dues_org_get(actor=actor, org_id=org.id)
    on = on or today()
    months = rules.months_between(date(year, 1, 1), date(year, 12, 1))
    current = rules.month_of(on)
    pop = members_on_rolls(org)
    counts, voluntary = report_members_voluntary_sql(pop, year=year)
    orgs = Org.objects.in_bulk(list(counts))
    rows = {oid: ReportRow(orgs[oid], members=n, by_month={mm: [ZERO, ZERO] for mm in months})
            for oid, n in counts.items()}
    for org_id, month, due, paid, outstanding in report_cells_sql(pop, year=year):
        row = rows[org_id]
        paid = fen(paid)
        if month > current:  # a future month only counts what was paid in advance
            row.advance += paid
            continue
        due = fen(due)
        row.due += due
        row.paid += paid
        row.outstanding += fen(outstanding)
        cell = row.by_month[month]
        cell[0] += due
        cell[1] += paid
    for org_id, v in voluntary.items():
        if org_id in rows:
            rows[org_id].voluntary += fen(v)
    ordered = sorted(rows.values(), key=lambda r: r.org.path)
    total = ReportRow(org, by_month={mm: [ZERO, ZERO] for mm in months})
    for r in ordered:
        for attr in ("members", "due", "paid", "outstanding", "advance", "voluntary"):
            setattr(total, attr, getattr(total, attr) + getattr(r, attr))
        for mm, (d, p) in r.by_month.items():
            total.by_month[mm][0] += d
            total.by_month[mm][1] += p
    return ordered, total


def collected_in_year(*, org: Org, year: int) -> tuple[Decimal, Decimal]:
    """Dues and voluntary received (paid_on in `year`, net of reversals) by org's subtree."""
    agg = DuesPayment.objects.filter(subtree_q(org.path, field="org__path"), paid_on__year=year).aggregate(
        a=Sum("amount"), v=Sum("voluntary"))
    return fen(agg["a"]), fen(agg["v"])


def publications(*, actor, org: Org) -> QuerySet[DuesPublication]:
    org = dues_org_get(actor=actor, org_id=org.id)
    return DuesPublication.objects.filter(subtree_q(org.path, field="org__path")).select_related("org")


def payments_list(*, actor, org: Org, year: int | None = None, member_id: int | None = None
                  ) -> QuerySet[DuesPayment]:
    org = dues_org_get(actor=actor, org_id=org.id)
    qs = DuesPayment.objects.filter(subtree_q(org.path, field="org__path")).select_related("member", "org")
    if year:
        qs = qs.filter(paid_on__year=year)
    if member_id:
        qs = qs.filter(member_id=member_id)
    return qs.order_by("-paid_on", "-id")


def home_cards(*, actor, org: Org) -> list[dict]:
    if not can(actor, "dues.view", org):
        return []
    on = today()
    year_start = date(on.year, 1, 1)
    paid = fen(DuesPaymentMonth.objects.filter(subtree_q(org.path, field="payment__org__path"),
                                            month__gte=year_start, month__lte=rules.month_of(on))
            .aggregate(s=Sum("amount"))["s"])
    return [{"label": f"{on.year} 年已收党费（元）", "value": f"{paid:.2f}", "icon": "ti-coin-yuan"}]
