"""python -m bench [--quick] [--db URL] [--only NAME,...] [--members N]

Runs every benchmark of this directory (each module with a `run(ctx) -> list[Result]`) on one county of the
synthetic province built by `manage.py generate_scale`, and prints the table: name, ours, baseline, ratio,
goal, pass/fail. Baselines (raw SQL, COPY, a bare view) are measured in the same run.

--db       postgres://… (default: BENCH_DATABASE_URL, DATABASE_URL, else the dangjian_scale database) or
           sqlite:////path/file.sqlite3
--quick    small data (generated on the fly when the province is missing) and few repetitions: a smoke run
--members  how many members to generate when the province is missing (default 1 000 000; 3 000 with --quick)
"""
import argparse
import importlib
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from common import SCALE_ROOT, Context, Result, format_table, setup_django  # noqa: E402

ORDER = ["org_subtree", "member_search", "import_members", "ranking", "points_ranking", "dashboard_county",
         "county_reports", "checkin"]


def modules(only: list[str] | None = None) -> list[str]:
    found = [m.name for m in pkgutil.iter_modules([str(HERE)])
             if m.name not in ("common", "bench_urls", "__main__")]
    names = sorted(found, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    return [n for n in names if not only or n in only]


def prepare(*, quick: bool, members: int | None = None, log=print) -> Context:
    """The context on the current database: generate_scale's province (built here when missing)."""
    from datetime import date

    from django.contrib.auth import get_user_model

    from dangjian.core.scale import generate
    from dangjian.meetings.models import Meeting
    from dangjian.members.models import Member
    from dangjian.orgs.models import Org

    root = Org.get_root_nodes().filter(name=SCALE_ROOT).first()
    if root is None:
        n = members or (3000 if quick else 1_000_000)
        log(f"no synthetic province in this database: generating {n} members …")
        generate(members=n, root_name=SCALE_ROOT, log=log)
        root = Org.get_root_nodes().get(name=SCALE_ROOT)
    county = Org.objects.filter(path__startswith=root.path, depth=3).order_by("path").first()
    user = get_user_model().objects.get(username="scale_admin")
    last = Meeting.objects.filter(region_id=county.id).order_by("-starts_at").values_list("starts_at", flat=True)
    year = last[0].year if last else date.today().year
    ctx = Context(root=root, county=county, user=user, year=year, quick=quick,
                  members=Member.objects.filter(region_id=county.id).count())
    return ctx


def run_all(ctx: Context, names: list[str], log=print) -> list[Result]:
    results: list[Result] = []
    for name in names:
        mod = importlib.import_module(name)
        if not hasattr(mod, "run"):
            continue
        t = time.perf_counter()
        try:
            got = mod.run(ctx)
        except Exception as exc:  # one broken benchmark must not hide the others
            traceback.print_exc()
            got = [Result(f"{name}: ERROR {type(exc).__name__}", 0.0, 0.0, 0.0, str(exc)[:80])]
        results += got
        log(f"[{name}] {time.perf_counter() - t:.1f}s")
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db")
    parser.add_argument("--only", help="comma-separated module names")
    parser.add_argument("--members", type=int)
    args = parser.parse_args(argv)
    setup_django(args.db)
    from django.db import connection

    ctx = prepare(quick=args.quick, members=args.members)
    names = modules(args.only.split(",") if args.only else None)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; county {ctx.county.name} "
          f"({ctx.members} members); year {ctx.year}; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
          flush=True)
    results = run_all(ctx, names)
    print(format_table(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
