"""The dues report of a subtree as one set-based SQL aggregate (issue 13: a county of 50 000 members).

`member_cells` decides each member × month in Python; at a county that is 600 000 cells and a minute. This
statement computes the same states in the database and sums them per branch and month:

    cells = members on the rolls × the 12 months of the year, from the month of joining (R-DUES-START), each
            joined by (member, month) equality to
              - the ledger months (net count of payments minus reversals > 0 → paid, at the paid amount),
              - the stored bill (R-DUES-BILL: an exempt bill is not due; otherwise its `due` is),
              - without a bill: the hardship exemption in force (not revoked before the month, the earliest
                first; a waiver is not due, a reduction lowers the base: R-DUES-EXEMPT) and the base in force
                (the latest DuesProfile with effective_from ≤ month; none → not due).

The precedence is that of `member_cells` (paid, bill, waiver, base); the equality with the per-member cells is
tested on the demo data and on hand-made edge cases. One parameterized statement, portable between SQLite
(≥ 3.25, window functions) and PostgreSQL; the population is the ORM's `members_on_rolls(org)` as a CTE.
"""
from datetime import date

from django.db import connection, transaction

from .models import DuesBill, DuesExemption, DuesPayment, DuesPaymentMonth, DuesProfile


def _next_month(m: date) -> date:
    return date(m.year + m.month // 12, m.month % 12 + 1, 1)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# The member × month facts both the dues report and the dashboard's dues chart start from (one text, so the two
# can never disagree): payments net of reversals, the base in force and the exemption of each month.
# Placeholders {pm} {prof} {ex}: table names; params: PAYMENT kind, first month, last month, last month.
MEMBER_MONTH_CTES = """\
paid AS (
    SELECT pm.member_id AS member_id, pm.month AS month, SUM(pm.amount) AS amt,
           SUM(CASE WHEN pm.kind = %s THEN 1 ELSE -1 END) AS n
    FROM {pm} pm
    WHERE pm.member_id IN (SELECT id FROM pop) AND pm.month >= %s AND pm.month <= %s
    GROUP BY pm.member_id, pm.month),
prof AS (
    SELECT p.member_id AS member_id, p.effective_from AS eff, p.monthly_amount AS amt,
           LEAD(p.effective_from) OVER (PARTITION BY p.member_id ORDER BY p.effective_from) AS until
    FROM {prof} p
    WHERE p.member_id IN (SELECT id FROM pop) AND p.effective_from <= %s),
prof_m AS (
    SELECT prof.member_id AS member_id, mo.m AS m, prof.amt AS amt
    FROM prof JOIN mo ON prof.eff <= mo.m AND (prof.until IS NULL OR prof.until > mo.m)),
ex_m AS (
    SELECT e.member_id AS member_id, mo.m AS m, e.monthly_amount AS amt,
           ROW_NUMBER() OVER (PARTITION BY e.member_id, mo.m ORDER BY e.from_month, e.id) AS rn
    FROM {ex} e JOIN mo ON e.from_month <= mo.m AND e.to_month >= mo.m
                       AND (e.revoked_on IS NULL OR e.revoked_on >= mo.nxt)
    WHERE e.member_id IN (SELECT id FROM pop)),
"""


def report_cells_sql(pop, *, year: int) -> list[tuple[int, date, object, object, object]]:
    """(org_id, month, due, paid, outstanding) per branch and month of `year` for the members of `pop` (a
    Member queryset); due counts paid months at the paid amount. Sums are raw database values (floats on
    SQLite): the caller rounds them to the fen."""
    months = [date(year, m, 1) for m in range(1, 13)]
    adapt = connection.ops.adapt_datefield_value
    qn = connection.ops.quote_name
    pop_sql, pop_params = pop.values("id", "org_id", "joined_on").query.sql_with_params()
    values = ", ".join(["(%s, %s)"] * len(months))
    month_params = [p for m in months for p in (adapt(m), adapt(_next_month(m)))]
    pm, prof, ex, bill = (qn(m._meta.db_table) for m in (DuesPaymentMonth, DuesProfile, DuesExemption, DuesBill))
    member_months = MEMBER_MONTH_CTES.format(pm=pm, prof=prof, ex=ex)
    sql = f"""
WITH pop AS ({pop_sql}),
mo (m, nxt) AS (VALUES {values}),
{member_months}bill AS (
    SELECT b.member_id AS member_id, b.month AS month, b.due AS due, b.state AS state
    FROM {bill} b
    WHERE b.member_id IN (SELECT id FROM pop) AND b.month >= %s AND b.month <= %s),
cells AS (
    SELECT pop.org_id AS org_id, mo.m AS m,
           CASE WHEN paid.n > 0 THEN paid.amt END AS paid_amt,
           CASE WHEN paid.n > 0 THEN NULL
                WHEN bill.member_id IS NOT NULL THEN CASE WHEN bill.state = %s THEN NULL ELSE bill.due END
                WHEN ex_m.amt = 0 OR prof_m.amt IS NULL THEN NULL
                WHEN ex_m.amt IS NOT NULL AND ex_m.amt < prof_m.amt THEN ex_m.amt
                ELSE prof_m.amt END AS due_amt
    FROM pop
    JOIN mo ON pop.joined_on < mo.nxt
    LEFT JOIN paid ON paid.member_id = pop.id AND paid.month = mo.m
    LEFT JOIN bill ON bill.member_id = pop.id AND bill.month = mo.m
    LEFT JOIN prof_m ON prof_m.member_id = pop.id AND prof_m.m = mo.m
    LEFT JOIN ex_m ON ex_m.member_id = pop.id AND ex_m.m = mo.m AND ex_m.rn = 1)
SELECT org_id, m, SUM(COALESCE(paid_amt, due_amt)) AS due, SUM(paid_amt) AS paid, SUM(due_amt) AS outstanding
FROM cells WHERE paid_amt IS NOT NULL OR due_amt IS NOT NULL
GROUP BY org_id, m
"""
    first, last = adapt(months[0]), adapt(months[-1])
    params = [*pop_params, *month_params, DuesPayment.Kind.PAYMENT, first, last, last, first, last,
              DuesBill.State.EXEMPT]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A county is ~600 000 cells: with the default 4 MB the hash joins and aggregates spill to disk
            # in dozens of batches (3× slower); LOCAL ends with this read-only transaction.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        return [(org_id, _as_date(m), due, paid, out) for org_id, m, due, paid, out in cursor.fetchall()]
