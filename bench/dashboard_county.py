"""Dashboard of a county with 100 000 members: the member-chart selectors against the same aggregates
hand-written in SQL, and the whole dashboard's data.

Run: .venv/bin/python bench/dashboard_county.py   (BENCH_DATABASE_URL to use another PostgreSQL database;
BENCH_MEMBERS to change the size). Builds the county once with generate_members (4 000 branches of 25) and
reuses it. Measures, each as a ratio to raw SQL run in the same process:
  1. the six member charts counted live (one GROUP BY each over the county's members),
  2. the same six charts read from the nightly roll-up (MemberStatsDaily), after building it,
and the whole dashboard (every installed chart) in absolute time. Goal (issue 12): the whole dashboard data
under 1 s on PostgreSQL; live charts ≤ 1.5× raw SQL.
"""
import os
import sys
import time

from common import p95, print_table, row, setup_django, timed

URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/reports_bench")
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "100000"))
COUNTY = "基准报表县委"


def main() -> int:
    setup_django(URL)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from dangjian.accounts.models import Role
    from dangjian.members.choices import ACTIVE_STATUSES
    from dangjian.members.models import Member
    from dangjian.orgs.models import Org
    from dangjian.orgs.tree import subtree_sql
    from dangjian.reports import rules, selectors
    from dangjian.reports.services import member_stats_compute

    county = Org.objects.get_root_nodes().filter(name=COUNTY).first()
    have = Member.objects.filter(region_id=county.id).count() if county else 0
    if have < MEMBERS:
        t = time.perf_counter()
        call_command("generate_members", orgs=MEMBERS // 25, members=MEMBERS - have, root=COUNTY, seed=12)
        print(f"{COUNTY}: {MEMBERS} members generated in {time.perf_counter() - t:.0f}s", flush=True)
    county = Org.objects.get_root_nodes().get(name=COUNTY)
    with connection.cursor() as c:
        c.execute("ANALYZE members_member; ANALYZE orgs_org")
    user, _ = get_user_model().objects.get_or_create(username="bench_reports_admin")
    Role.objects.get_or_create(user=user, org=county, role="admin")
    today = timezone.localdate()
    year = today.year

    charts = [selectors.chart_members_by_stage, selectors.chart_members_by_gender, selectors.chart_members_by_age,
              selectors.chart_members_by_education, selectors.chart_members_by_party_years,
              selectors.chart_members_by_child]

    def ours(source):
        def run():
            user.__dict__.pop("_dj_roles", None)  # scope is looked up per request
            return [fn(actor=user, org=county, on=today, source=source) for fn in charts]
        return run

    # --- the same six aggregates in raw SQL --------------------------------------------------------------
    where, params = subtree_sql(county.path, column="o.path")
    statuses = [str(s) for s in ACTIVE_STATUSES]
    base = (f"FROM members_member m JOIN orgs_org o ON o.id = m.org_id WHERE {where} AND m.region_id = %s "
            f"AND m.status IN ({', '.join(['%s'] * len(statuses))})")
    base_params = [*params, county.id, *statuses]
    on_rolls = " AND m.stage IN ('probationary', 'full')"

    def band_sql(column, bands):
        whens, args = [], []
        for code, after, upto in rules.band_cutoffs(bands, today):
            cond = []
            if after is not None:
                cond.append(f"{column} > %s")
                args.append(after)
            if upto is not None:
                cond.append(f"{column} <= %s")
                args.append(upto)
            whens.append(f"WHEN {' AND '.join(cond)} THEN '{code}'")
        return f"CASE {' '.join(whens)} ELSE '' END", args

    age_case, age_args = band_sql("m.birth_date", rules.AGE_BANDS)
    party_case, party_args = band_sql("COALESCE(m.full_on, m.joined_on)", rules.PARTY_YEAR_BANDS)
    step = len(county.path) + Org.steplen
    sqls = [
        (f"SELECT m.stage, count(*) {base} GROUP BY 1", base_params),
        (f"SELECT m.gender, count(*) {base}{on_rolls} GROUP BY 1", base_params),
        (f"SELECT {age_case}, count(*) {base}{on_rolls} GROUP BY 1", [*age_args, *base_params]),
        (f"SELECT m.education, count(*) {base}{on_rolls} GROUP BY 1", base_params),
        (f"SELECT {party_case}, count(*) {base} AND m.stage = 'full' "
         f"AND COALESCE(m.full_on, m.joined_on) IS NOT NULL GROUP BY 1", [*party_args, *base_params]),
        ("SELECT id, name, path FROM orgs_org WHERE path >= %s AND path < %s AND depth = %s AND is_active "
         "ORDER BY path", [*params, county.depth + 1]),
        (f"SELECT substr(o.path, 1, {step}), m.stage, count(*) {base} "
         f"AND m.stage IN ('probationary', 'full', 'activist') GROUP BY 1, 2", base_params),
    ]

    def baseline():
        out = []
        with connection.cursor() as c:
            c.execute("SELECT id FROM orgs_org WHERE path IN (SELECT path FROM orgs_org WHERE id = %s)", [county.id])
            c.fetchall()  # the scope lookup our code also does
            for sql, args in sqls:
                c.execute(sql, args)
                out.append(c.fetchall())
        return out

    # Same numbers, or the comparison means nothing.
    got, raw = ours("live")(), baseline()
    for chart, rows in zip(got[:5], raw[:5]):
        counts = {k: v for k, v in rows}
        assert all(i["value"] == counts.get(i["code"], 0) for i in chart["items"]), chart["dimension"]
    by_child = {}
    for prefix, stage, n in raw[6]:
        by_child.setdefault(prefix, {})[stage] = n
    assert [(r["full"], r["probationary"]) for r in got[5]["rows"]] == [
        (by_child.get(p, {}).get("full", 0), by_child.get(p, {}).get("probationary", 0)) for _i, _n, p in raw[5]]
    total = got[0]["total"]

    live_t, base_t = timed(ours("live"), repeat=15), timed(baseline, repeat=15)
    t = time.perf_counter()
    stats = member_stats_compute(on=today)
    rollup_build = time.perf_counter() - t
    rolled = ours("rollup")()
    assert [c["items"] for c in rolled[:5]] == [c["items"] for c in got[:5]], "roll-up differs from live"
    assert rolled[5]["rows"] == got[5]["rows"], "roll-up by child differs from live"
    rollup_t = timed(ours("rollup"), repeat=30)

    def whole(source):
        def run():
            user.__dict__.pop("_dj_roles", None)
            return selectors.dashboard(actor=user, org=county, year=year, source=source, on=today)
        return run

    whole_live = timed(whole("live"), repeat=5, warmup=1)
    whole_auto = timed(whole("auto"), repeat=5, warmup=1)
    rows = [
        row(f"6 member charts, live ({total} people)", live_t, base_t, 1.5, f"p95 {p95(live_t) * 1000:.0f} ms"),
        row("6 member charts, nightly roll-up", rollup_t, base_t, 1.0, f"p95 {p95(rollup_t) * 1000:.1f} ms"),
        row("whole dashboard data, live", whole_live, 1.0, 1.0, "absolute: goal < 1 s"),
        row("whole dashboard data, roll-up", whole_auto, 1.0, 1.0, "absolute: goal < 1 s"),
    ]
    print(f"roll-up built in {rollup_build:.1f}s: {stats['rows']} rows for {stats['orgs']} orgs "
          f"({Org.objects.count()} orgs, {Member.objects.count()} members in the database)")
    ok = print_table(rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
