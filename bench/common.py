"""Shared benchmark plumbing: Django on a scratch PostgreSQL database, timing, the result table.

Every benchmark compares our code with a baseline measured in the same run (raw SQL, COPY),
because these machines are noisy; the ratio is what we track.
"""
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench"


def setup_django(database_url: str | None = None) -> None:
    """Point Django at the benchmark database (created if missing) and migrate it."""
    url = database_url or os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    os.environ["DATABASE_URL"] = url
    os.environ["DANGJIAN_TESTING"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(fn, *, repeat: int = 20, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(round(0.95 * len(samples))) - 1)]


def row(name: str, ours: list[float] | float, base: list[float] | float, goal_ratio: float, extra: str = "") -> dict:
    o = statistics.median(ours) if isinstance(ours, list) else ours
    b = statistics.median(base) if isinstance(base, list) else base
    ratio = o / b if b else float("inf")
    return {"name": name, "ours": o, "base": b, "ratio": ratio, "goal": goal_ratio, "ok": ratio <= goal_ratio,
            "extra": extra}


def print_table(rows: list[dict]) -> bool:
    print(f"{'benchmark':38s} {'ours':>10s} {'baseline':>10s} {'ratio':>7s} {'goal':>6s}  result  notes")
    for r in rows:
        print(f"{r['name']:38s} {r['ours'] * 1000:9.2f}ms {r['base'] * 1000:9.2f}ms {r['ratio']:6.2f}x "
              f"{r['goal']:5.1f}x  {'PASS' if r['ok'] else 'FAIL'}    {r['extra']}")
    return all(r["ok"] for r in rows)
