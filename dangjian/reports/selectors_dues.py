"""The dashboard's 党费 chart as one SQL aggregate (any subtree size; issue 12 review item 3).

The dues app's `dues_report` walks every member's months in Python (fine for a branch, minutes for a county),
so the chart used to stop at 20 000 members. This selector computes the same numbers in the database:

    cells = members on the rolls × the months of the year that have begun (from the month of joining,
            R-DUES-START), each joined by (member, month) equality to
              - the ledger months of that member and month (net count > 0 → paid, at the paid amount),
              - the base in force (the latest DuesProfile with effective_from ≤ month: LEAD window),
              - the hardship exemption in force (not revoked before the month; the earliest one first:
                ROW_NUMBER window)
    due         = paid amount | 0 when waived | the reduced or normal amount (no base → not due)
    outstanding = due of the unpaid cells

— exactly the states of `dues.selectors.member_cells` (the test compares both on a small tree). It reads the
dues app's tables as they are today (DuesProfile, DuesExemption, DuesPaymentMonth). When the dues app stores
monthly bills, this becomes a GROUP BY month over the bills; the output shape stays the same.

One statement with CTEs and a window function, parameterized, portable between SQLite (≥ 3.25) and
PostgreSQL; the set of members is the ORM's own `members_on_rolls(org)` query embedded as a CTE.
"""
from datetime import date
from decimal import Decimal

from django.db import connection

from dangjian.accounts.scope import require
from dangjian.orgs.models import Org

from . import rules

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def _fen(value) -> Decimal:
    """A database sum as Decimal to the fen (SQLite sums decimals as floats)."""
    from decimal import ROUND_HALF_UP

    return Decimal(str(value or 0)).quantize(FEN, ROUND_HALF_UP)


def dues_sql(pop, months: list[date], *, by_org: bool = False) -> tuple[str, list]:
    """The SQL and params of the aggregate over `pop` (a Member queryset) for the given months: one row per
    month (m, due, paid, outstanding), or with by_org one row per (o: org id, y, m: month number, due,
    paid, outstanding) over the members' own orgs (the nightly roll-up, rollups.py)."""
    from dangjian.dues.models import DuesExemption, DuesPayment, DuesPaymentMonth, DuesProfile
    from dangjian.dues.report_sql import MEMBER_MONTH_CTES, _next_month

    adapt = connection.ops.adapt_datefield_value
    qn = connection.ops.quote_name
    pop_sql, pop_params = pop.values("id", "joined_on", "org_id").query.sql_with_params()
    values = ", ".join(["(%s, %s, %s, %s)"] * len(months))
    month_params = [p for m in months for p in (adapt(m), adapt(_next_month(m)), m.year, m.month)]
    pm, prof, ex = (qn(DuesPaymentMonth._meta.db_table), qn(DuesProfile._meta.db_table),
                    qn(DuesExemption._meta.db_table))
    member_months = MEMBER_MONTH_CTES.format(pm=pm, prof=prof, ex=ex)
    keys = "pop.org_id AS o, mo.y AS y, mo.mn AS mn, " if by_org else ""
    group, pick = ("o, y, mn", "o, y, mn AS m") if by_org else ("m", "m")
    sql = f"""
WITH pop AS ({pop_sql}),
mo (m, nxt, y, mn) AS (VALUES {values}),
{member_months}cells AS (
    SELECT {keys}mo.m AS m, paid.n AS paid_n, paid.amt AS paid_amt, prof_m.amt AS prof_amt, ex_m.amt AS ex_amt
    FROM pop
    JOIN mo ON pop.joined_on < mo.nxt
    LEFT JOIN paid ON paid.member_id = pop.id AND paid.month = mo.m
    LEFT JOIN prof_m ON prof_m.member_id = pop.id AND prof_m.m = mo.m
    LEFT JOIN ex_m ON ex_m.member_id = pop.id AND ex_m.m = mo.m AND ex_m.rn = 1)
SELECT {pick},
    SUM(CASE WHEN paid_n > 0 THEN paid_amt WHEN ex_amt = 0 THEN 0 WHEN prof_amt IS NULL THEN 0
             ELSE COALESCE(ex_amt, prof_amt) END) AS due,
    SUM(CASE WHEN paid_n > 0 THEN paid_amt ELSE 0 END) AS paid,
    SUM(CASE WHEN paid_n > 0 OR ex_amt = 0 OR prof_amt IS NULL THEN 0 ELSE COALESCE(ex_amt, prof_amt) END)
        AS outstanding
FROM cells GROUP BY {group}
"""
    first, last = adapt(months[0]), adapt(months[-1])
    return sql, [*pop_params, *month_params, DuesPayment.Kind.PAYMENT, first, last, last]


def begun_months(year: int, on: date) -> list[date]:
    """The months of `year` that have begun by `on` (later months are not due yet)."""
    current = date(on.year, on.month, 1)
    return [date(year, m, 1) for m in range(1, 13) if date(year, m, 1) <= current]


def dues_by_month_sql(*, org: Org, year: int, on: date) -> dict:
    """{"months": {1: (due, paid, outstanding), …} for the begun months, "members": n} of org's subtree."""
    from dangjian.members.selectors import members_on_rolls

    pop = members_on_rolls(org)
    members = pop.count()
    months = begun_months(year, on)
    if not months or not members:
        return {"months": {}, "members": members}
    sql, params = dues_sql(pop, months)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = {}
    for m, due, paid, outstanding in rows:
        month = m if isinstance(m, date) else date.fromisoformat(str(m)[:10])
        out[month.month] = (_fen(due), _fen(paid), _fen(outstanding))
    return {"months": out, "members": members}


def dues_by_month_rollup(*, org: Org, year: int, built: date) -> dict:
    """The same figures as dues_by_month_sql, summed from the nightly roll-up (rollups.py) as of `built`."""
    from . import rollups

    out: dict[int, list] = {}
    names = ["dues.due", "dues.paid", "dues.outstanding"]
    for (_k, m, metric), v in rollups.sums(org, names, year=year, by="none").items():
        out.setdefault(m, [ZERO, ZERO, ZERO])[names.index(metric)] = _fen(v)
    members = rollups.sums(org, ["members.on_rolls"], year=built.year, by="none", months=[0])
    return {"months": {m: tuple(v) for m, v in out.items()}, "members": int(sum(members.values(), 0))}


def chart_dues_sql(*, actor, org: Org, year: int, on: date, built: date | None = None) -> dict:
    """The dashboard's dues chart (same shape as before: 12 months, totals to the fen as strings), from the
    roll-up of `built` when given, else counted live in one SQL aggregate."""
    require(actor, "reports.view", org)
    require(actor, "dues.view", org)
    if built:
        data = dues_by_month_rollup(org=org, year=year, built=built)
    else:
        data = dues_by_month_sql(org=org, year=year, on=on)
    months, due, paid, outstanding = [], ZERO, ZERO, ZERO
    for m in range(1, 13):
        d, p, o = data["months"].get(m, (ZERO, ZERO, ZERO))
        months.append({"month": m, "due": f"{d:.2f}", "paid": f"{p:.2f}"})
        due, paid, outstanding = due + d, paid + p, outstanding + o
    return {"year": year, "months": months, "members": data["members"], "due": f"{due:.2f}",
            "paid": f"{paid:.2f}", "outstanding": f"{outstanding:.2f}",
            "paid_rate": rules.rate(int(paid * 100), int(due * 100)),
            **({"source": "rollup", "as_of": built.isoformat()} if built else {"source": "live"})}
