"""Subtree lookup of a county in a ≥ 500 000-org tree, against the same query in raw SQL.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_bench .venv/bin/python bench/org_subtree.py
Builds province → 15 cities → 120 counties → 2 400 towns → 499 200 branches with COPY (once;
reused when present), then times `Org.objects.filter(subtree_q(path))` against raw SQL.
"""
import io
import sys
import time

from common import print_table, row, setup_django, timed

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CITIES, COUNTIES, TOWNS, BRANCHES = 15, 8, 20, 208


def seg(n: int) -> str:
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


def build_tree(cursor) -> None:
    cursor.execute("TRUNCATE orgs_org RESTART IDENTITY CASCADE")
    buf = io.StringIO()

    def emit(path, depth, numchild, name, kind, is_region):
        buf.write(f"{path}\t{depth}\t{numchild}\t{name}\t{kind}\t{'t' if is_region else 'f'}\tt\t2024-01-01 00:00:00+08\t\n")

    emit(seg(1), 1, CITIES, "某省委", "committee", False)
    for c in range(1, CITIES + 1):
        cp = seg(1) + seg(c)
        emit(cp, 2, COUNTIES, f"市委{c}", "committee", False)
        for k in range(1, COUNTIES + 1):
            kp = cp + seg(k)
            emit(kp, 3, TOWNS, f"县委{c}-{k}", "committee", True)
            for t in range(1, TOWNS + 1):
                tp = kp + seg(t)
                emit(tp, 4, BRANCHES, f"镇党委{c}-{k}-{t}", "committee", False)
                for b in range(1, BRANCHES + 1):
                    emit(tp + seg(b), 5, 0, f"党支部{c}-{k}-{t}-{b}", "branch", False)
    buf.seek(0)
    with cursor.copy("COPY orgs_org (path, depth, numchild, name, kind, is_region, is_active, created_at, secretary) "
                     "FROM STDIN") as copy:
        while chunk := buf.read(1 << 20):
            copy.write(chunk)
    # region_id: the county (depth 3) above each node, by its 12-character path prefix.
    cursor.execute("""UPDATE orgs_org o SET region_id = c.id FROM orgs_org c
                      WHERE c.depth = 3 AND o.depth >= 3 AND c.path = substr(o.path, 1, 12)""")
    cursor.execute("ANALYZE orgs_org")


def main() -> int:
    setup_django()
    from django.db import connection

    from dangjian.orgs.models import Org
    from dangjian.orgs.tree import subtree_q, subtree_sql

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orgs_org")
        n = cursor.fetchone()[0]
        expected = 1 + CITIES * (1 + COUNTIES * (1 + TOWNS * (1 + BRANCHES)))
        if n != expected:
            t = time.perf_counter()
            build_tree(cursor.cursor if hasattr(cursor, "cursor") else cursor)
            print(f"built {expected} orgs in {time.perf_counter() - t:.1f}s")
    county = Org.objects.filter(depth=3).order_by("path")[57]
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

    assert len(ours()) == len(baseline()) == 1 + TOWNS * (1 + BRANCHES)
    with connection.cursor() as c:
        c.execute(f"EXPLAIN SELECT id FROM orgs_org WHERE {sql}", params)
        plan = " ".join(r[0] for r in c.fetchall())
    uses_index = "Index" in plan
    total = Org.objects.count()
    rows = [
        row(f"subtree ids of a county ({total} orgs)", timed(ours, repeat=30), timed(baseline, repeat=30), 2.0,
            "index range" if uses_index else "NO INDEX: " + plan[:60]),
        row("subtree count of a county", timed(ours_count, repeat=30), timed(baseline_count, repeat=30), 2.0),
    ]
    return 0 if print_table(rows) and uses_index else 1


if __name__ == "__main__":
    sys.exit(main())
