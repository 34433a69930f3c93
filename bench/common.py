"""Shared benchmark plumbing: Django on a chosen database, timing, results and the table.

Every benchmark compares our code with a baseline measured in the same run (raw SQL, COPY, a bare view),
because these machines are noisy; the ratio is what we track. Each benchmark module exposes
`run(ctx) -> list[Result]`; `python -m bench` runs them all on the data of `generate_scale`.
"""
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_scale"
SCALE_ROOT = "合成数据省委"


def setup_django(database_url: str | None = None, *, migrate: bool = True) -> None:
    """Point Django at the benchmark database (a PostgreSQL one is created if missing) and migrate it.

    `database_url` may be "sqlite:////path/file.sqlite3" for the embedded database."""
    url = database_url or os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    if url.startswith("sqlite:"):
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = url.split("sqlite:///", 1)[1]
    else:
        os.environ["DATABASE_URL"] = url
        import psycopg

        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DANGJIAN_TESTING"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


@dataclass
class Context:
    """What every benchmark runs against: one county of the synthetic province, an admin of the province."""

    root: object
    county: object
    user: object
    year: int
    quick: bool = False
    members: int = 0
    repeat: int = 15
    extra: dict = field(default_factory=dict)

    def reps(self, n: int) -> int:
        return max(2, n // 5) if self.quick else n

    def fresh_user(self):
        """Scope is looked up per request: forget the cached roles as a new request would."""
        self.user.__dict__.pop("_dj_roles", None)
        return self.user


@dataclass
class Result:
    name: str
    ours: float          # seconds (median)
    base: float          # seconds (median)
    goal: float          # the largest acceptable ours/base ratio
    note: str = ""
    absolute: bool = False  # base is a time budget (e.g. 1 s), not a measured baseline
    info: bool = False  # informative: shown against its goal, never failing the run (a fallback path)

    @property
    def ratio(self) -> float:
        return self.ours / self.base if self.base else float("inf")

    @property
    def ok(self) -> bool:
        return self.info or self.ratio <= self.goal


def timed(fn, *, repeat: int = 20, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def timed_pair(ours, base, *, repeat: int = 15, warmup: int = 1) -> tuple[list[float], list[float]]:
    """Alternate ours and the baseline so that a burst of load on the machine hits both alike."""
    for _ in range(warmup):
        ours()
        base()
    a, b = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        ours()
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        base()
        b.append(time.perf_counter() - t)
    return a, b


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(round(0.95 * len(samples))) - 1)]


def med(samples) -> float:
    return statistics.median(samples) if isinstance(samples, list) else samples


def result(name: str, ours, base, goal: float, note: str = "", absolute: bool = False, info: bool = False) -> Result:
    return Result(name, med(ours), med(base), goal, note, absolute, info)


def row(name, ours, base, goal_ratio, extra=""):
    """Old shape (dict) kept for the standalone scripts."""
    r = result(name, ours, base, goal_ratio, extra)
    return {"name": r.name, "ours": r.ours, "base": r.base, "ratio": r.ratio, "goal": r.goal, "ok": r.ok,
            "extra": r.note}


def format_table(rows: list) -> str:
    lines = [f"{'benchmark':44s} {'ours':>11s} {'baseline':>11s} {'ratio':>7s} {'goal':>6s}  result  notes"]
    for r in rows:
        if isinstance(r, dict):
            r = Result(r["name"], r["ours"], r["base"], r["goal"], r.get("extra", ""))
        base = f"{r.base * 1000:9.2f}ms" if not r.absolute else f"{r.base * 1000:7.0f}ms≤"
        lines.append(f"{r.name[:44]:44s} {r.ours * 1000:9.2f}ms {base:>11s} {r.ratio:6.2f}x "
                     f"{r.goal:5.1f}x  {_verdict(r)}    {r.note}")
    return "\n".join(lines)


def _verdict(r: Result) -> str:
    if r.info:
        return "info"
    return "PASS" if r.ok else "FAIL"


def print_table(rows: list) -> bool:
    print(format_table(rows), flush=True)
    return all((r["ok"] if isinstance(r, dict) else r.ok) for r in rows)
