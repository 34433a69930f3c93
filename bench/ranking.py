"""Quarterly 先锋指数 rankings of a county on 1 000 000 members × 20 entries, against hand-written SQL.

Run: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/points_bench .venv/bin/python bench/ranking.py
(BENCH_MEMBERS=200000 for a quicker run.) Builds once, reused when present: 5 counties × (members / 5), 40
members per branch, and 20 ledger entries per member spread over 2026 (5 % of them still pending), plus
a few entries against branches themselves. Then, for one county and 2026Q2, times:

* the branch ranking (ranking.org_ranking, level=branch: own entries + the average of the members on the
  rolls, competition ranks) against one SQL statement computing the same with rank();
* the member ranking's first page and count (ranking.member_ranking, a window rank in the database)
  against the same written by hand.

Goal (issue 7): ≤ 1.5× the SQL, with no per-member Python loop.
"""
import os
import sys
import time
from datetime import date
from decimal import Decimal

from common import Result, print_table, result, setup_django, timed

COUNTIES = 5
TOTAL = int(os.environ.get("BENCH_MEMBERS", "1000000"))
PER_COUNTY = TOTAL // COUNTIES
PER_BRANCH = 40
ENTRIES = 20
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def step(n: int) -> str:
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


def build_county(i: int):
    """A county root with PER_COUNTY / PER_BRANCH branches (paths computed directly: bulk, not add_child)."""
    from django.db import transaction

    from dangjian.members.models import Member
    from dangjian.orgs.models import Org

    name = f"积分基准县{i}"
    root = Org.objects.get_root_nodes().filter(name=name).first()
    if root is not None:
        have = Member.objects.filter(region_id=root.id).count()
        if have != PER_COUNTY:
            raise SystemExit(f"{name} has {have} members, not {PER_COUNTY}: drop the benchmark database to rebuild")
        return root
    t = time.perf_counter()
    with transaction.atomic():
        root = Org.add_root(name=name, kind=Org.Kind.COMMITTEE, is_region=True)
        Org.objects.filter(pk=root.pk).update(region_id=root.pk)
        root.refresh_from_db()
        branches = PER_COUNTY // PER_BRANCH
        Org.objects.bulk_create([
            Org(name=f"{name}第{n}党支部", kind=Org.Kind.BRANCH, path=root.path + step(n), depth=2, numchild=0,
                region_id=root.pk) for n in range(1, branches + 1)], batch_size=5000)
        Org.objects.filter(pk=root.pk).update(numchild=branches)
    ids = list(Org.objects.filter(path__startswith=root.path, depth=2).order_by("path").values_list("id", flat=True))
    batch = []
    for n in range(PER_COUNTY):
        batch.append(Member(org_id=ids[n % len(ids)], region_id=root.pk, name=f"党员{n}", name_pinyin=f"dangyuan{n}",
                            name_initials="dy", gender="MF"[n % 2], birth_date=date(1960 + n % 40, 1 + n % 12, 1),
                            stage="full" if n % 10 else "probationary", status="normal",
                            joined_on=date(1990 + n % 30, 7, 1)))
        if len(batch) == 20000:
            Member.objects.bulk_create(batch)
            batch = []
    Member.objects.bulk_create(batch)
    print(f"{name}: {PER_COUNTY} members in {time.perf_counter() - t:.0f}s", flush=True)
    return root


def build_entries(root, zhang) -> None:
    from django.db import connection

    from dangjian.points import services
    from dangjian.points.models import PointEntry, PointRule

    if PointEntry.objects.filter(region_id=root.pk).exists():
        return
    t = time.perf_counter()
    codes = [("A1", "参加组织生活", "org_life", "2"), ("A2", "志愿服务", "service", "1"), ("A3", "学习", "political", "1"),
             ("D1", "无故缺席", "discipline", "-3"), ("D2", "未完成任务", "duty", "-2")]
    for code, name, category, points in codes:
        if not PointRule.objects.filter(org=root, code=code).exists():
            services.rule_create(actor=zhang, org=root, code=code, valid_from=date(2020, 1, 1),
                                 data={"name": name, "category": category, "points": points})
    versions = list(PointRule.objects.filter(org=root).order_by("code").values_list("versions__id", "code"))
    with connection.cursor() as c:
        c.execute("CREATE TEMP TABLE bench_v (k int, version_id bigint, rule_id bigint, code text, category text, "
                  "points numeric) ON COMMIT DROP")
        for k, (vid, code) in enumerate(versions):
            c.execute("INSERT INTO bench_v SELECT %s, v.id, v.rule_id, r.code, v.category, v.points "
                      "FROM points_pointruleversion v JOIN points_pointrule r ON r.id = v.rule_id WHERE v.id = %s",
                      [k, vid])
        c.execute(f"""
            INSERT INTO points_pointentry (member_id, org_id, region_id, rule_id, rule_version_id, rule_code, category,
                points, occurred_on, period, source, source_app, source_event_id, evidence, note, status, reason,
                decision_note, created_at)
            SELECT m.id, m.org_id, m.region_id, v.rule_id, v.version_id, v.code, v.category, v.points, d.day,
                   to_char(d.day, 'YYYY') || 'Q' || to_char(d.day, 'Q'), 'manual', '', '', '', '',
                   CASE WHEN (m.id + g) %% 20 = 0 THEN 'pending' ELSE 'approved' END, '', '', now()
            FROM members_member m
            CROSS JOIN generate_series(1, {ENTRIES}) g
            JOIN bench_v v ON v.k = (m.id * 7 + g * 3) %% %s
            CROSS JOIN LATERAL (SELECT date '2026-01-01' + ((m.id * 31 + g * 17) %% 365)::int AS day) d
            WHERE m.region_id = %s""", [len(versions), root.pk])
        c.execute("""
            INSERT INTO points_pointentry (org_id, region_id, rule_id, rule_version_id, rule_code, category, points,
                occurred_on, period, source, source_app, source_event_id, evidence, note, status, reason,
                decision_note, created_at)
            SELECT o.id, o.region_id, v.rule_id, v.version_id, v.code, v.category, v.points, date '2026-05-15',
                   '2026Q2', 'manual', '', '', '', '', 'approved', '', '', now()
            FROM orgs_org o JOIN bench_v v ON v.k = o.id %% 2 WHERE o.region_id = %s AND o.depth = 2 AND o.id %% 7 = 0
            """, [root.pk])
    print(f"{root.name}: {PER_COUNTY * ENTRIES} entries in {time.perf_counter() - t:.0f}s", flush=True)


def main() -> int:
    setup_django(os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/points_bench")
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from dangjian.accounts.models import Role

    zhang, _ = get_user_model().objects.get_or_create(username="bench_points_admin")
    roots = [build_county(i) for i in range(1, COUNTIES + 1)]
    for root in roots:
        Role.objects.get_or_create(user=zhang, org=root, role="admin")
    zhang.__dict__.pop("_dj_roles", None)
    for root in roots:
        with transaction.atomic():
            build_entries(root, zhang)
    with connection.cursor() as c:
        c.execute("ANALYZE members_member; ANALYZE orgs_org; ANALYZE points_pointentry")
    return 0 if print_table(measure(roots[2], "2026Q2")) else 1


def run(ctx) -> list[Result]:
    """`python -m bench`: the same two measurements on a county of generate_scale's province."""
    from dangjian.points.models import PointEntry

    periods = sorted(set(PointEntry.objects.filter(region_id=ctx.county.id).values_list("period", flat=True)))
    return measure(ctx.county, periods[-2] if len(periods) > 1 else periods[-1], reps=ctx.reps(7))


def measure(county, period_text: str, reps: int = 7) -> list[Result]:
    from django.db import connection

    from dangjian.orgs.tree import subtree_sql
    from dangjian.points import ranking, selectors
    from dangjian.points.rules import parse_period

    period = parse_period(period_text)
    scheme = selectors.scheme_for(county)
    where, params = subtree_sql(county.path, column="o.path")
    rolls = "m.stage IN ('probationary', 'full') AND m.status IN ('normal', 'mobile', 'lost_contact')"

    def ours_branches():
        return ranking.org_ranking(county, period, scheme, "branch")

    sql_branches = f"""
        WITH n AS (SELECT m.org_id, count(*) AS n FROM members_member m JOIN orgs_org o ON o.id = m.org_id
                   WHERE {where} AND {rolls} GROUP BY m.org_id),
             s AS (SELECT m.org_id, sum(e.points) AS s FROM points_pointentry e
                   JOIN members_member m ON m.id = e.member_id JOIN orgs_org o ON o.id = m.org_id
                   WHERE {where} AND {rolls} AND e.status = 'approved' AND e.occurred_on BETWEEN %s AND %s
                   GROUP BY m.org_id),
             own AS (SELECT e.org_id, sum(e.points) AS s FROM points_pointentry e JOIN orgs_org o ON o.id = e.org_id
                     WHERE e.member_id IS NULL AND {where} AND e.status = 'approved'
                       AND e.occurred_on BETWEEN %s AND %s GROUP BY e.org_id),
             score AS (SELECT o.id, o.name, coalesce(n.n, 0) AS members,
                              round(coalesce(own.s, 0) + %s + coalesce(coalesce(s.s, 0) / nullif(n.n, 0), 0), 2) AS sc
                       FROM orgs_org o LEFT JOIN n ON n.org_id = o.id LEFT JOIN s ON s.org_id = o.id
                       LEFT JOIN own ON own.org_id = o.id
                       WHERE {where} AND o.kind = 'branch' AND o.is_active)
        SELECT id, name, sc, members, rank() OVER (ORDER BY sc DESC) AS rank FROM score ORDER BY rank, name, id"""
    branch_params = params + params + [period.start, period.end] + params + [period.start, period.end, scheme.base] \
        + params

    def base_branches():
        with connection.cursor() as c:
            c.execute(sql_branches, branch_params)
            return c.fetchall()

    def ours_members():
        qs = ranking.member_ranking(county, period, scheme)
        return [ranking.member_row(m, scheme) for m in qs[:50]], qs.count()

    sql_members = f"""
        SELECT m.id, m.name, o.name, %s + coalesce(sum(e.points) FILTER (WHERE e.status = 'approved'
                   AND e.occurred_on BETWEEN %s AND %s), 0) AS sc,
               rank() OVER (ORDER BY %s + coalesce(sum(e.points) FILTER (WHERE e.status = 'approved'
                   AND e.occurred_on BETWEEN %s AND %s), 0) DESC) AS rank
        FROM members_member m JOIN orgs_org o ON o.id = m.org_id LEFT JOIN points_pointentry e ON e.member_id = m.id
        WHERE {where} AND {rolls} GROUP BY m.id, o.name ORDER BY rank, m.name_pinyin, m.id LIMIT 50"""
    sql_count = f"SELECT count(*) FROM members_member m JOIN orgs_org o ON o.id = m.org_id WHERE {where} AND {rolls}"
    member_params = [scheme.base, period.start, period.end, scheme.base, period.start, period.end] + params

    def base_members():
        with connection.cursor() as c:
            c.execute(sql_members, member_params)
            rows = c.fetchall()
            c.execute(sql_count, params)
            return rows, c.fetchone()[0]

    got, base = ours_branches(), base_branches()
    assert sorted((r["rank"], r["id"], r["score"]) for r in got) == \
        sorted((b[4], b[0], Decimal(b[2]).quantize(Decimal("0.01"))) for b in base), "branch rankings differ"
    (mine, count), (theirs, base_count) = ours_members(), base_members()
    assert count == base_count and [(r["id"], r["rank"]) for r in mine] == [(t[0], t[4]) for t in theirs], \
        "member rankings differ"
    return [
        result(f"branch ranking, county ({period_text})", timed(ours_branches, repeat=reps, warmup=1),
               timed(base_branches, repeat=reps, warmup=1), 1.5, f"{len(got)} branches"),
        result("member ranking page 1 + count", timed(ours_members, repeat=reps, warmup=1),
               timed(base_members, repeat=reps, warmup=1), 1.5, f"{count} members"),
    ]


if __name__ == "__main__":
    sys.exit(main())
