"""Subtree lookup of a county in the synthetic province's tree, against the same query in raw SQL.

`Org.objects.filter(subtree_q(path))` (an index range on path) for the ids and the count of a county's
subtree. Goal: ≤ 2× raw SQL, and the plan uses the path index. Run alone: python -m bench --only org_subtree
"""
from common import Result, result, timed_pair


def run(ctx) -> list[Result]:
    from django.db import connection

    from dangjian.orgs.models import Org
    from dangjian.orgs.tree import subtree_q, subtree_sql

    county = ctx.county
    sql, params = subtree_sql(county.path)

    def ours():
        return list(Org.objects.filter(subtree_q(county.path)).values_list("id", flat=True))

    def baseline():
        with connection.cursor() as c:
            c.execute(f"SELECT id FROM orgs_org WHERE {sql}", params)
            return c.fetchall()

    def ours_count():
        return Org.objects.filter(subtree_q(county.path)).count()

    def baseline_count():
        with connection.cursor() as c:
            c.execute(f"SELECT count(*) FROM orgs_org WHERE {sql}", params)
            return c.fetchone()

    n = len(ours())
    assert n == len(baseline()) == ours_count(), "subtree differs"
    plan = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute(f"EXPLAIN SELECT id FROM orgs_org WHERE {sql}", params)
            plan = " ".join(r[0] for r in c.fetchall())
    total = Org.objects.count()
    # A small table is rightly read whole; from 10 000 orgs on, the plan must use the path index.
    index = "Index" in plan or connection.vendor != "postgresql" or total < 10_000
    a, b = timed_pair(ours, baseline, repeat=ctx.reps(30))
    c, d = timed_pair(ours_count, baseline_count, repeat=ctx.reps(30))
    r1 = result(f"subtree ids of a county ({n} of {total} orgs)", a, b, 2.0,
                "index range" if index else "NO INDEX: " + plan[:50])
    if not index:
        r1.goal = 0.0
    return [r1, result("subtree count of a county", c, d, 2.0)]
