"""Scoped roster search on 1 000 000 members, against the same query hand-written in SQL.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_bench .venv/bin/python bench/member_search.py
Builds (once; reused when present) 5 counties × 200 000 members with generate_members, then times
member_list(county, stage=full, q=<pinyin prefix>) page 1 + count as the roster page does.
Goal (issue 4): ≤ 2× the raw SQL and p95 < 50 ms.
"""
import os
import sys
import time

from common import p95, print_table, row, setup_django, timed

COUNTIES = 5
PER_COUNTY = int(os.environ.get("BENCH_MEMBERS", "1000000")) // COUNTIES


def main() -> int:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from dangjian.accounts.models import Role
    from dangjian.members.models import Member
    from dangjian.members.selectors import MemberFilters, member_list
    from dangjian.orgs.models import Org
    from dangjian.orgs.tree import subtree_sql

    for i in range(1, COUNTIES + 1):
        name = f"基准县委{i}"
        root = Org.get_root_nodes().filter(name=name).first()
        have = Member.objects.filter(region_id=root.id).count() if root else 0
        if have < PER_COUNTY:
            t = time.perf_counter()
            call_command("generate_members", orgs=PER_COUNTY // 25, members=PER_COUNTY - have, root=name, seed=i)
            print(f"{name}: {PER_COUNTY} members in {time.perf_counter() - t:.0f}s", flush=True)
    with connection.cursor() as c:
        c.execute("ANALYZE members_member; ANALYZE orgs_org")
    county = Org.get_root_nodes().get(name="基准县委3")
    user, _ = get_user_model().objects.get_or_create(username="bench_admin")
    Role.objects.get_or_create(user=user, org=county, role="admin")
    filters = MemberFilters(q="zh", stage="full")

    def ours():
        user.__dict__.pop("_dj_roles", None)  # scope is looked up per request
        qs = member_list(actor=user, org=county, filters=filters)
        return list(qs[:30]), qs.count()

    where, params = subtree_sql(county.path, column="o.path")
    sql_page = f"""SELECT m.* , o.* FROM members_member m JOIN orgs_org o ON o.id = m.org_id
                   WHERE {where} AND m.stage = 'full' AND (m.name_initials LIKE 'zh%%' OR m.name_pinyin LIKE 'zh%%')
                   ORDER BY o.path, m.name, m.id LIMIT 30"""
    sql_count = f"""SELECT count(*) FROM members_member m JOIN orgs_org o ON o.id = m.org_id
                    WHERE {where} AND m.stage = 'full' AND (m.name_initials LIKE 'zh%%' OR m.name_pinyin LIKE 'zh%%')"""

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
    ours_t, base_t = timed(ours, repeat=40), timed(baseline, repeat=40)
    total = Member.objects.count()
    r = row(f"roster search, county of {total} members", ours_t, base_t, 2.0,
            f"p95 {p95(ours_t) * 1000:.1f} ms (goal < 50), {count} hits")
    ok = print_table([r])
    return 0 if ok and p95(ours_t) < 0.050 else 1


if __name__ == "__main__":
    sys.exit(main())
