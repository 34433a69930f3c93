"""Scoped roster search in a county, against the same query hand-written in SQL.

member_list(county, stage=full, q=<pinyin prefix>) page 1 + count, as the roster page does.
Goal (issue 4): ≤ 2× the raw SQL and p95 < 50 ms.
"""
from common import Result, p95, result, timed_pair


def run(ctx) -> list[Result]:
    from django.db import connection

    from dangjian.members.selectors import MemberFilters, member_list
    from dangjian.orgs.tree import subtree_sql

    county = ctx.county
    filters = MemberFilters(q="zh", stage="full")

    def ours():
        qs = member_list(actor=ctx.fresh_user(), org=county, filters=filters)
        return list(qs[:30]), qs.count()

    where, params = subtree_sql(county.path, column="o.path")
    # The same conditions as member_list (it narrows by the county's region_id too), written by hand.
    cond = (f"{where} AND m.region_id = {int(county.region_id)} AND m.stage = 'full' "
            "AND (m.name_initials LIKE 'zh%%' OR m.name_pinyin LIKE 'zh%%')")
    sql_page = f"""SELECT m.*, o.* FROM members_member m JOIN orgs_org o ON o.id = m.org_id
                   WHERE {cond} ORDER BY o.path, m.name, m.id LIMIT 30"""
    sql_count = f"SELECT count(*) FROM members_member m JOIN orgs_org o ON o.id = m.org_id WHERE {cond}"

    def baseline():
        with connection.cursor() as c:
            c.execute("SELECT id FROM orgs_org WHERE path IN (SELECT path FROM orgs_org WHERE id = %s)", [county.id])
            c.fetchall()  # the scope lookup our code also does
            c.execute(sql_page, params)
            rows = c.fetchall()
            c.execute(sql_count, params)
            return rows, c.fetchone()

    got, count = ours()
    base_rows, base_count = baseline()
    assert count == base_count[0] and [m.id for m in got] == [r[0] for r in base_rows], "results differ"
    a, b = timed_pair(ours, baseline, repeat=ctx.reps(40))
    r = result("roster search (pinyin prefix, page 1 + count)", a, b, 2.0,
               f"p95 {p95(a) * 1000:.1f} ms (goal < 50), {count} hits")
    if p95(a) >= 0.050 and not ctx.quick:
        r.note += " — p95 over 50 ms"
    return [r]
