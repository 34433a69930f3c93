"""Dashboard of a county: the member-chart selectors against the same aggregates hand-written in SQL, and
the whole dashboard's data (every installed chart) in absolute time.

Measures, each as a ratio to raw SQL run in the same process:
  1. the six member charts counted live (one GROUP BY each over the county's members),
  2. the same six charts read from the nightly roll-up (MemberStatsDaily), after building it,
and the whole dashboard (every installed chart) in absolute time, counted live and read from the nightly
roll-ups (MemberStatsDaily + OrgStatsMonthly, both built here first and checked equal to live chart by
chart). Goal (issue 12/13): the whole dashboard data under 1 s on PostgreSQL; live member charts ≤ 1.5× raw
SQL. The notes give the slowest charts of each run (one timed pass per chart).
"""
import time

from common import Result, p95, result, timed


def run(ctx) -> list[Result]:
    from django.db import connection
    from django.utils import timezone

    from dangjian.members.choices import ACTIVE_STATUSES
    from dangjian.orgs.models import Org
    from dangjian.orgs.tree import subtree_sql
    from dangjian.reports import rollups, rules, selectors
    from dangjian.reports.services import member_stats_compute

    county, user = ctx.county, ctx.user
    today = timezone.localdate()
    year = ctx.year

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

    live_t, base_t = timed(ours("live"), repeat=ctx.reps(15)), timed(baseline, repeat=ctx.reps(15))
    t = time.perf_counter()
    stats = member_stats_compute(on=today)
    rollup_build = time.perf_counter() - t
    rolled = ours("rollup")()
    assert [c["items"] for c in rolled[:5]] == [c["items"] for c in got[:5]], "roll-up differs from live"
    assert rolled[5]["rows"] == got[5]["rows"], "roll-up by child differs from live"
    rollup_t = timed(ours("rollup"), repeat=ctx.reps(30))

    # The org roll-up covers the whole database (a province: minutes); one built today is reused.
    if rollups.built_on() == today:
        org_stats, org_build = None, None
    else:
        t = time.perf_counter()
        org_stats = rollups.build(on=today)
        org_build = time.perf_counter() - t

    def whole(source):
        def run():
            user.__dict__.pop("_dj_roles", None)
            return selectors.dashboard(actor=user, org=county, year=year, source=source, on=today)
        return run

    def plain(chart):  # the figures only, without where they came from
        if isinstance(chart, dict):
            return {k: v for k, v in chart.items() if k not in ("source", "as_of")}
        return chart

    live_all = whole("live")()
    t = time.perf_counter()
    auto_all = whole("auto")()  # the first read of the roll-ups in this process: no warm-up, no cache
    first_auto = time.perf_counter() - t
    for key, chart in auto_all.items():
        assert key == "recruitment_funnel" or not chart or chart.get("source") == "rollup", key
        assert plain(chart) == plain(live_all[key]), f"roll-up differs from live: {key}"

    def slowest(source):
        times = []
        for key in selectors.charts_available():
            user.__dict__.pop("_dj_roles", None)
            t = time.perf_counter()
            selectors.chart_data(key, actor=user, org=county, year=year, source=source, on=today)
            times.append((time.perf_counter() - t, key))
        return ", ".join(f"{k} {s * 1000:.0f}" for s, k in sorted(times, reverse=True)[:3]) + " ms"

    whole_live = timed(whole("live"), repeat=ctx.reps(5), warmup=1)
    whole_auto = timed(whole("auto"), repeat=ctx.reps(10), warmup=1)
    rows = [
        result(f"6 member charts, live ({total} people)", live_t, base_t, 1.5, f"p95 {p95(live_t) * 1000:.0f} ms"),
        result("6 member charts, nightly roll-up", rollup_t, base_t, 1.0, f"p95 {p95(rollup_t) * 1000:.1f} ms"),
        result("whole dashboard data, live", whole_live, 1.0, 1.0, f"absolute: goal < 1 s; {slowest('live')}",
               absolute=True),
        result("whole dashboard data, roll-up", whole_auto, 1.0, 1.0,
               f"absolute: goal < 1 s; p95 {p95(whole_auto) * 1000:.0f} ms, first call {first_auto * 1000:.0f} ms; "
               f"{slowest('auto')}", absolute=True),
    ]
    rows[1].note += f"; roll-up built in {rollup_build:.1f}s ({stats['rows']} rows)"
    rows[3].note += (f"; org roll-up built in {org_build:.1f}s ({sum(org_stats['rows'].values())} rows, "
                     "all orgs of the database)" if org_stats else "; org roll-up of today reused")
    return rows
