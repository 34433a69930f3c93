"""The dues figures of a subtree as one set-based SQL aggregate (issue 13: a county of 50 000 members).

`member_cells` decides each member × month in Python; at a county that is 600 000 cells and a minute. The
statement here gives the same sums per branch and month without building the cells: a cell (member on the rolls
× month, from the month of joining, R-DUES-START) is either paid (the ledger's payments outnumber its reversals,
R-DUES-ONCE; it counts at the paid amount) or owes its base:

    base = the stored bill (R-DUES-BILL: an exempt bill owes nothing, otherwise its `due`); without a bill the
           earliest hardship exemption in force (not revoked before the month: a waiver owes nothing, a lower
           amount replaces the base, R-DUES-EXEMPT) and the base in force (the latest DuesProfile with
           effective_from ≤ month; none → nothing owed).

The outstanding amount is summed as
    Σ over all cells of d (the base in force: each profile segment summed per branch, then spread over the
                           months it covers, a few thousand rows for a county)
  − Σ over the paid cells of d                                   (one row per paid member-month)
  + Σ over the cells with a bill or an exemption of (base − d)   (the exceptions)
  − the same adjustment again where such a cell is paid,
so only the paid member-months and the exceptions are rows; nothing multiplies members by months and joins
four tables onto the product (60 s, then 4 s, for a county). Bills issued every month make every begun month
an exception: the `exc` rows then approach one per cell and the cost grows back towards that of a join per cell
(the synthetic province has no bills). The precedence is that of `member_cells` (paid, bill, waiver, base); the
equality with the per-member cells is tested on the demo data and on hand-made edge cases
(dues/tests/test_report_sql.py). The ledger months are netted per member and base segment: on PostgreSQL in a
LATERAL subquery (a dozen index rows each, no 600 000-group hash table); SQLite has no LATERAL and groups them
in one GROUP BY. The population is the ORM's `members_on_rolls(org)` as a CTE.
"""
from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction

from .models import DuesBill, DuesExemption, DuesPayment, DuesPaymentMonth, DuesProfile
from .rules import add_months


def as_date(value) -> date:
    """A date column's value as a date (SQLite returns 'YYYY-MM-DD' text from raw SQL)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# The ledger months of each base segment of `ds`, netted per month and kept when paid (R-DUES-ONCE), from the
# month of joining (R-DUES-START); d is the segment's base. Params: PAYMENT kind, first, last (+ first, the month
# after the last on PostgreSQL). PostgreSQL: a LATERAL per segment walks a dozen index rows (member, month) and
# groups them in place, where one GROUP BY over the county builds a 600 000-group hash table (1 s). A month
# that is not the 1st (the cells never have one) is dropped by the final join with mo.
_PAID_LATERAL = """\
paid AS (
    SELECT ds.member_id AS member_id, ds.org_id AS org_id, l.month AS m, l.amt AS amt, ds.amt AS d
    FROM ds CROSS JOIN LATERAL (
        SELECT pm.month AS month, SUM(pm.amount) AS amt, SUM(CASE WHEN pm.kind = %s THEN 1 ELSE -1 END) AS n
        FROM {pm} pm
        WHERE pm.member_id = ds.member_id AND pm.month >= %s AND pm.month <= %s AND pm.month >= {start}
          AND pm.month >= COALESCE(ds.lo, %s) AND pm.month < COALESCE(ds.hi, %s)
        GROUP BY pm.month) l
    WHERE l.n > 0),
"""
_PAID_GROUPED = """\
paid AS (
    SELECT ds.member_id AS member_id, ds.org_id AS org_id, mo.m AS m, l.amt AS amt, ds.amt AS d
    FROM (SELECT pm.member_id AS member_id, pm.month AS month, SUM(pm.amount) AS amt,
                 SUM(CASE WHEN pm.kind = %s THEN 1 ELSE -1 END) AS n
          FROM {pm} pm WHERE pm.member_id IN (SELECT id FROM pop) AND pm.month >= %s AND pm.month <= %s
          GROUP BY pm.member_id, pm.month) l
    JOIN ds ON ds.member_id = l.member_id AND (ds.lo IS NULL OR ds.lo <= l.month)
           AND (ds.hi IS NULL OR ds.hi > l.month)
    JOIN mo ON mo.m = l.month AND ds.joined_on < mo.nxt
    WHERE l.n > 0),
"""

# prof: the profiles up to the last month with the start of the next one (until) and their rank, joined to pop
# (not `IN (SELECT id FROM pop)` and a join later: the planner then expects 20× the rows and sorts them). ds: each
# member's base segments [lo, hi) that reach the months (amt = d), plus a segment without base (amt NULL) before
# the first profile when that starts after the first month or does not exist: every member-month lies in exactly
# one segment. ex_m: exemptions in force per month (rn = 1 is the earliest). exc: the exception cells (a bill or
# an exemption) with adj = base − d. parts: rows (org_id, m, p = paid amount, o = share of the outstanding
# amount) as in the module docstring. Params: last (prof); first, first (ds); paid's; first, last (bill); EXEMPT.
_CTES = """\
WITH pop AS ({pop}),
mo (m, nxt, y, mn) AS (VALUES {values}),
prof AS (
    SELECT pop.id AS member_id, pop.org_id AS org_id, pop.joined_on AS joined_on, p.effective_from AS eff,
           p.monthly_amount AS amt,
           LEAD(p.effective_from) OVER (PARTITION BY p.member_id ORDER BY p.effective_from) AS until,
           ROW_NUMBER() OVER (PARTITION BY p.member_id ORDER BY p.effective_from) AS rn
    FROM pop JOIN {prof} p ON p.member_id = pop.id
    WHERE p.effective_from <= %s),
ds AS (
    SELECT member_id, org_id, joined_on, eff AS lo, until AS hi, amt FROM prof
    WHERE until IS NULL OR until > %s
    UNION ALL
    SELECT pop.id, pop.org_id, pop.joined_on, NULL, prof.eff, NULL
    FROM pop LEFT JOIN prof ON prof.member_id = pop.id AND prof.rn = 1
    WHERE prof.member_id IS NULL OR prof.eff > %s),
{paid}ex_m AS (
    SELECT e.member_id AS member_id, mo.m AS m, e.monthly_amount AS amt,
           ROW_NUMBER() OVER (PARTITION BY e.member_id, mo.m ORDER BY e.from_month, e.id) AS rn
    FROM {ex} e JOIN mo ON e.from_month <= mo.m AND e.to_month >= mo.m
                       AND (e.revoked_on IS NULL OR e.revoked_on >= mo.nxt)
    WHERE e.member_id IN (SELECT id FROM pop)),
bill AS (
    SELECT b.member_id AS member_id, b.month AS month, b.due AS due, b.state AS state
    FROM {bill} b
    WHERE b.member_id IN (SELECT id FROM pop) AND b.month >= %s AND b.month <= %s),
exc AS (
    SELECT c.member_id AS member_id, c.m AS m, pop.org_id AS org_id,
           COALESCE(CASE WHEN bill.member_id IS NOT NULL THEN CASE WHEN bill.state = %s THEN NULL ELSE bill.due END
                         WHEN ex_m.amt = 0 OR ds.amt IS NULL THEN NULL
                         WHEN ex_m.amt < ds.amt THEN ex_m.amt
                         ELSE ds.amt END, 0) - COALESCE(ds.amt, 0) AS adj
    FROM (SELECT member_id, month AS m FROM bill UNION SELECT member_id, m FROM ex_m WHERE rn = 1) c
    JOIN pop ON pop.id = c.member_id
    JOIN mo ON mo.m = c.m AND pop.joined_on < mo.nxt
    LEFT JOIN bill ON bill.member_id = c.member_id AND bill.month = c.m
    LEFT JOIN ex_m ON ex_m.member_id = c.member_id AND ex_m.m = c.m AND ex_m.rn = 1
    LEFT JOIN ds ON ds.member_id = c.member_id AND (ds.lo IS NULL OR ds.lo <= c.m) AND (ds.hi IS NULL OR ds.hi > c.m)),
parts AS (
    SELECT seg.org_id AS org_id, mo.m AS m, 0 AS p, seg.amt AS o
    FROM (SELECT ds.org_id AS org_id, CASE WHEN {start} > ds.lo THEN {start} ELSE ds.lo END AS lo, ds.hi AS hi,
                 SUM(ds.amt) AS amt
          FROM ds WHERE ds.joined_on IS NOT NULL AND ds.lo IS NOT NULL
          GROUP BY ds.org_id, CASE WHEN {start} > ds.lo THEN {start} ELSE ds.lo END, ds.hi) seg
    JOIN mo ON seg.lo <= mo.m AND (seg.hi IS NULL OR seg.hi > mo.m)
    UNION ALL
    SELECT exc.org_id, exc.m, 0, exc.adj FROM exc
    UNION ALL
    SELECT paid.org_id, paid.m, paid.amt, -COALESCE(paid.d, 0) - COALESCE(exc.adj, 0)
    FROM paid LEFT JOIN exc ON exc.member_id = paid.member_id AND exc.m = paid.m)
"""


def member_month_parts(pop, months: list[date]) -> tuple[str, list]:
    """The WITH clause (ending in `parts`: org_id, m, p, o) and its params over `pop` (a Member queryset) and
    `months`; `mo` (m, nxt, y, mn) lists the months. Per org and month, SUM(p) is paid, SUM(o) outstanding and
    their sum the amount due (paid months at the paid amount). Shared by the dues report and the dashboard's
    dues chart and roll-up (reports/selectors_dues.py), so their figures cannot drift apart."""
    adapt = connection.ops.adapt_datefield_value
    qn = connection.ops.quote_name
    pop_sql, pop_params = pop.values("id", "org_id", "joined_on").query.sql_with_params()
    pm, prof, ex, bill = (qn(m._meta.db_table) for m in (DuesPaymentMonth, DuesProfile, DuesExemption, DuesBill))
    first, last, after = adapt(min(months)), adapt(max(months)), adapt(add_months(max(months), 1))
    kind = DuesPayment.Kind.PAYMENT
    if connection.vendor == "postgresql":
        start = "CAST(date_trunc('month', CAST(ds.joined_on AS timestamp)) AS date)"
        paid, paid_params = _PAID_LATERAL.format(pm=pm, start=start), [kind, first, last, first, after]
    else:  # SQLite stores dates as 'YYYY-MM-DD'
        start = "(substr(ds.joined_on, 1, 8) || '01')"
        paid, paid_params = _PAID_GROUPED.format(pm=pm), [kind, first, last]
    sql = _CTES.format(pop=pop_sql, values=", ".join(["(%s, %s, %s, %s)"] * len(months)), paid=paid, prof=prof,
                       ex=ex, bill=bill, start=start)
    month_params = [p for m in months for p in (adapt(m), adapt(add_months(m, 1)), m.year, m.month)]
    params = [*pop_params, *month_params, last, first, first, *paid_params, first, last, DuesBill.State.EXEMPT]
    return sql, params


# The planner settings of these aggregates on PostgreSQL. The hash joins and aggregates of a county spill to disk
# with the default 4 MB. The planner guesses one row per member from the LATERAL (a dozen in fact): it then
# sorts 600 000 rows for merge joins and spends up to a second JIT-compiling a plan that runs in about one; hash
# joins and no JIT are right at any size (for a county-sized population: the nightly roll-up slices the province).
_SETTINGS = {"work_mem": "64MB", "enable_mergejoin": "off", "jit": "off"}


@contextmanager
def aggregate_settings(cursor):
    """Run the block with _SETTINGS on PostgreSQL, inside the current transaction (which must be atomic), and
    put the server's defaults back after it (SET LOCAL … TO DEFAULT), so that later statements of a long
    transaction (the nightly roll-up) plan as usual. Nothing on SQLite."""
    if connection.vendor != "postgresql":
        yield
        return
    assert connection.in_atomic_block, "SET LOCAL needs a transaction"
    # one statement, our own constants only
    cursor.execute("; ".join(f"SET LOCAL {k} = '{v}'" for k, v in _SETTINGS.items()))
    yield
    # not in a finally: after an error the transaction is aborted (no statement runs), and its rollback (or the
    # savepoint's) undoes the SET LOCAL anyway
    cursor.execute("; ".join(f"SET LOCAL {k} TO DEFAULT" for k in _SETTINGS))


def run_aggregate(sql: str, params: list) -> list[tuple]:
    """Execute one of these aggregates; on PostgreSQL in a transaction with the settings above."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with transaction.atomic(), connection.cursor() as cursor, aggregate_settings(cursor):
        cursor.execute(sql, params)
        return cursor.fetchall()


def report_cells_sql(pop, *, year: int) -> list[tuple[int, date, object, object, object]]:
    """(org_id, month, due, paid, outstanding) per branch and month of `year` for the members of `pop` (a
    Member queryset); due counts paid months at the paid amount. Sums are raw database values (floats on
    SQLite): the caller rounds them to the fen."""
    ctes, params = member_month_parts(pop, [date(year, m, 1) for m in range(1, 13)])
    sql = f"""{ctes}
SELECT a.org_id, a.m, a.p + a.o, a.p, a.o
FROM (SELECT org_id, m, SUM(p) AS p, SUM(o) AS o FROM parts GROUP BY org_id, m) a JOIN mo ON mo.m = a.m
"""
    return [(org_id, as_date(m), due, paid, out) for org_id, m, due, paid, out in run_aggregate(sql, params)]


def report_members_voluntary_sql(pop, *, year: int) -> tuple[dict, dict]:
    """({org id: members of pop}, {payment's org id: voluntary paid in `year` by members of pop}) in one
    statement over one evaluation of pop (two ORM queries evaluated it twice, and the voluntary sum sorted
    200 000 payments on disk at 1 M members with the default work_mem)."""
    pop_sql, pop_params = pop.values("id", "org_id").query.sql_with_params()
    payment = connection.ops.quote_name(DuesPayment._meta.db_table)
    adapt = connection.ops.adapt_datefield_value
    sql = f"""
WITH pop AS ({pop_sql})
SELECT 1, org_id, COUNT(*) FROM pop GROUP BY org_id
UNION ALL
SELECT 2, p.org_id, SUM(p.voluntary) FROM pop JOIN {payment} p ON p.member_id = pop.id
WHERE p.paid_on >= %s AND p.paid_on <= %s GROUP BY p.org_id
"""
    counts, voluntary = {}, {}
    for kind, org_id, value in run_aggregate(sql, [*pop_params, adapt(date(year, 1, 1)), adapt(date(year, 12, 31))]):
        if kind == 1:
            counts[org_id] = int(value)  # the UNION makes it numeric on PostgreSQL
        else:
            voluntary[org_id] = value
    return counts, voluntary
