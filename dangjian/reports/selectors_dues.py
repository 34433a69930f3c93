"""The dashboard's 党费 chart as one SQL aggregate (any subtree size; issue 12 review item 3).

The per-member walk of `dues.selectors.member_cells` takes minutes for a county, so the chart, like the dues
report, sums the same member × month states in the database: `dues.report_sql.member_month_parts` (paid months
at the paid amount net of reversals, otherwise the stored bill, the exemption in force or the base in force,
from the month of joining). One text for the report, this chart and its nightly roll-up (rollups.py), so the
three cannot disagree; the chart takes the months that have begun, the report all twelve.
"""
from datetime import date
from decimal import Decimal

from dangjian.accounts.scope import require
from dangjian.core.money import fen
from dangjian.orgs.models import Org

from . import rules

ZERO = Decimal("0.00")


def dues_sql(pop, months: list[date], *, by_org: bool = False) -> tuple[str, list]:
    """The SQL and params of the aggregate over `pop` (a Member queryset) for the given months: one row per
    month (m, due, paid, outstanding), or with by_org one row per (o: org id, y, m: month number, due,
    paid, outstanding) over the members' own orgs (the nightly roll-up, rollups.py). The member × month
    figures are the dues report's own (dues.report_sql.member_month_parts: ledger, bills, exemptions, bases)."""
    from dangjian.dues.report_sql import member_month_parts

    ctes, params = member_month_parts(pop, months)
    if by_org:
        sql = f"""{ctes}
SELECT a.org_id AS o, mo.y AS y, mo.mn AS m, a.p + a.o AS due, a.p AS paid, a.o AS outstanding
FROM (SELECT org_id, m, SUM(p) AS p, SUM(o) AS o FROM parts GROUP BY org_id, m) a JOIN mo ON mo.m = a.m
"""
    else:
        sql = f"""{ctes}
SELECT a.m AS m, a.p + a.o AS due, a.p AS paid, a.o AS outstanding
FROM (SELECT m, SUM(p) AS p, SUM(o) AS o FROM parts GROUP BY m) a JOIN mo ON mo.m = a.m
"""
    return sql, params


def begun_months(year: int, on: date) -> list[date]:
    """The months of `year` that have begun by `on` (later months are not due yet)."""
    current = date(on.year, on.month, 1)
    return [date(year, m, 1) for m in range(1, 13) if date(year, m, 1) <= current]


def dues_by_month_sql(*, org: Org, year: int, on: date) -> dict:
    """{"months": {1: (due, paid, outstanding), …} for the begun months, "members": n} of org's subtree."""
    from dangjian.dues.report_sql import as_date, run_aggregate
    from dangjian.members.selectors import members_on_rolls

    pop = members_on_rolls(org)
    members = pop.count()
    months = begun_months(year, on)
    if not months or not members:
        return {"months": {}, "members": members}
    sql, params = dues_sql(pop, months)
    rows = run_aggregate(sql, params)
    out = {}
    for m, due, paid, outstanding in rows:
        out[as_date(m).month] = (fen(due), fen(paid), fen(outstanding))
    return {"months": out, "members": members}


def dues_by_month_rollup(*, org: Org, year: int, built: date) -> dict:
    """The same figures as dues_by_month_sql, summed from the nightly roll-up (rollups.py) as of `built`."""
    from . import rollups

    out: dict[int, list] = {}
    names = ["dues.due", "dues.paid", "dues.outstanding"]
    for (_k, m, metric), v in rollups.sums(org, names, year=year, by="none").items():
        out.setdefault(m, [ZERO, ZERO, ZERO])[names.index(metric)] = fen(v)
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
