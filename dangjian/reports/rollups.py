"""Nightly roll-up of the dashboard charts other than the member charts (OrgStatsMonthly), and how a chart
reads it back (issue 12 item 1, issue 13: the dashboard of a county under 1 s).

Build (`build(on=)`, run by tasks.org_stats_rollup once per day through core.jobs.run_once): one
INSERT … SELECT per chart (points: one for members' entries, one for the org's own), each an ORM aggregate
grouped by (org, year, month) embedded as a derived table, cross-joined with the chart's metric names so
that every figure becomes one long row. Nothing loops over members in Python. The years covered are the
build's year and the previous one. The whole table is replaced in one transaction: a re-run is idempotent.

Each org's figure is added to the org and to all its ancestors at the build (one join on the ancestors'
paths), so a row holds its org's subtree total; points stay per org (the ranking needs each branch).

Read (`sums(...)`): a county's monthly chart reads its own rows, the drill-down bars its children's rows
(what sits at the org itself is its total minus its children's), the points ranking the per-org rows of
the subtree (an index range on org_path).

When a chart uses the roll-up (`use_rollup`, source="auto"):
  - never for a branch or a small subtree (< ROLLUP_MIN_ORGS active orgs): counting live is fast there, and a
    branch secretary must see today's attendance or payment at once (never a stale figure);
  - never when the roll-up is missing or older than yesterday (the nightly job failed), nor for a year it
    does not cover: the chart is counted live instead (slow but right);
  - otherwise the figures are those of the build (as of 01:45 today, `as_of` in the chart), labelled
    "数据截至 …" on the page. A meeting held or a payment made since then shows up at the next build, or at
    once with source=live ("实时统计"). Snapshots (members on the rolls, registered volunteers) are those of
    the build too.
source="rollup" forces the roll-up (tests and the benchmark), source="live" forces live counting.
"""
import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, Sum, Value
from django.db.models.functions import Concat, ExtractMonth, ExtractYear

from dangjian.core import money
from dangjian.members.choices import ACTIVE_STATUSES, Stage
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from .models import OrgStatsMonthly

ROLLUP_MIN_ORGS = 50        # below this many active orgs in the subtree, auto counts live
ON_ROLLS = [Stage.PROBATIONARY, Stage.FULL]
_SAFE = re.compile(r"^[a-z_.:]+$")  # metric names are inlined in the SQL: our own constants only


class _Date:
    """The built_on parameter: PostgreSQL needs its type in an INSERT … SELECT list; SQLite stores text."""

    def __str__(self):
        return "%s::date" if connection.vendor == "postgresql" else "%s"


_DATE = _Date()


def _installed(label: str) -> bool:
    from django.apps import apps

    return apps.is_installed(f"dangjian.{label}")


def _insert(qs, *, built_on: date, metrics: list[str] | None = None, subtree: bool = True) -> int:
    """INSERT … SELECT the aggregate `qs` (values o, y, m and either one column per metric, or `metric`
    and `value` columns) as long rows, skipping zeros. Returns the rows written."""
    inner, params = qs.query.sql_with_params()
    if metrics:
        columns = {m: f'"{m.replace(".", "_")}"' for m in metrics}
        return _insert_sql(inner, params, built_on=built_on, metrics=metrics, columns=columns, subtree=subtree)
    return _insert_sql(inner, params, built_on=built_on, subtree=subtree)


def _insert_sql(inner: str, params: list, *, built_on: date, metrics: list[str] | None = None,
                columns: dict | None = None, subtree: bool = True) -> int:
    """The INSERT … SELECT over an aggregate with columns o (org id), y, m and the metric columns (or
    `metric`, `value`). With subtree, each org's figure is added to the org and to every ancestor (one
    join on the ancestors' paths, summed by GROUP BY), so that a subtree total is one row."""
    table = connection.ops.quote_name(OrgStatsMonthly._meta.db_table)
    orgs = connection.ops.quote_name(Org._meta.db_table)
    if metrics:
        assert all(_SAFE.match(m) for m in metrics)
        values = ", ".join(f"('{m}')" for m in metrics)
        pick = "CASE k.column1 " + " ".join(f"WHEN '{m}' THEN a.{columns[m]}" for m in metrics) + " END"
        cross, metric = f"CROSS JOIN (VALUES {values}) k", "k.column1"
    else:
        cross, metric, pick = "", "a.metric", "a.value"
    if subtree:
        depth = Org.objects.aggregate(d=Max("depth"))["d"] or 1
        levels = ", ".join(f"({n})" for n in range(1, depth + 1))
        target = (f"JOIN (VALUES {levels}) d ON d.column1 <= org.depth "
                  f"JOIN {orgs} t ON t.path = SUBSTR(org.path, 1, d.column1 * {Org.steplen})")
    else:
        target = f"JOIN {orgs} t ON t.id = org.id"
    sql = (f"INSERT INTO {table} (org_id, region_id, org_path, built_on, year, month, metric, value) "
           f"SELECT t.id, t.region_id, t.path, {_DATE}, a.y, a.m, {metric}, SUM({pick}) "
           f"FROM ({inner}) a JOIN {orgs} org ON org.id = a.o {target} {cross} "
           f"WHERE {pick} IS NOT NULL AND {pick} <> 0 "
           f"GROUP BY t.id, t.region_id, t.path, a.y, a.m, {metric}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datefield_value(built_on), *params])
        return cursor.rowcount


def _by_org_month(qs, field: str, **aggregates):
    """qs grouped by (org, year, month of `field`) with the aggregates named metric-like (dots → _)."""
    return (qs.annotate(o=F("org_id"), y=ExtractYear(field), m=ExtractMonth(field)).values("o", "y", "m")
            .annotate(**aggregates).order_by())


def _snapshot(qs, year: int, **aggregates):
    """qs grouped by org, as figures of month 0 of `year` (a snapshot at the build)."""
    return (qs.annotate(o=F("org_id"), y=Value(year, output_field=IntegerField()),
                        m=Value(0, output_field=IntegerField())).values("o", "y", "m")
            .annotate(**aggregates).order_by())


DUES_CHUNK = 50_000   # member ids per statement of the dues step (a county's worth: about a second each)
_DUES_TMP = "reports_rollup_dues_tmp"


def _build_dues(on_rolls, *, on: date) -> int:
    """The dues chart's rows (due, paid, outstanding per org and month of the two years), from the dues report's
    own aggregate (selectors_dues.dues_sql), run over DUES_CHUNK member ids at a time into a temporary table and
    summed from there in one INSERT … SELECT. Over the whole province at once (1 M members × 23 months) its hash
    tables spill to disk and the statement ran for more than 40 minutes; a county-sized slice runs in about a
    second, so the step grows linearly with the members. The slices are a partition of the members (id ranges)
    and every figure is a sum, so their sum is the whole's."""
    from dangjian.dues.report_sql import aggregate_settings

    from .selectors_dues import begun_months, dues_sql

    months = begun_months(on.year - 1, on) + begun_months(on.year, on)
    bounds = on_rolls.aggregate(lo=Min("id"), hi=Max("id"))
    if not months or bounds["lo"] is None:
        return 0
    tmp = connection.ops.quote_name(_DUES_TMP)
    with connection.cursor() as cursor, aggregate_settings(cursor):
        # created and dropped in build()'s transaction: a failed build rolls its creation back too
        cursor.execute(f"CREATE TEMPORARY TABLE {tmp} (o bigint, y integer, m integer, due numeric(14, 2), "
                       f"paid numeric(14, 2), outstanding numeric(14, 2))")
        for lo in range(bounds["lo"], bounds["hi"] + 1, DUES_CHUNK):
            sql, params = dues_sql(on_rolls.filter(id__gte=lo, id__lt=lo + DUES_CHUNK), months, by_org=True)
            cursor.execute(f"INSERT INTO {tmp} (o, y, m, due, paid, outstanding) "
                           f"SELECT o, y, m, due, paid, outstanding FROM ({sql}) a", params)
    columns = {"dues.due": "due", "dues.paid": "paid", "dues.outstanding": "outstanding"}
    written = _insert_sql(f"SELECT o, y, m, SUM(due) AS due, SUM(paid) AS paid, SUM(outstanding) AS outstanding "
                          f"FROM {tmp} GROUP BY o, y, m", [], built_on=on, metrics=list(columns), columns=columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {tmp}")
    return written


def build(*, on: date) -> dict:
    """Replace OrgStatsMonthly with the figures as of `on` for the years on.year - 1 and on.year."""
    y0, y1 = on.year - 1, on.year
    start, end = date(y0, 1, 1), date(y1, 12, 31)
    written: dict[str, int] = {}
    with transaction.atomic():
        OrgStatsMonthly.objects.all().delete()
        on_rolls = Member.objects.filter(stage__in=ON_ROLLS, status__in=ACTIVE_STATUSES)
        written["members"] = _insert(_snapshot(on_rolls, y1, members_on_rolls=Count("id")), built_on=on,
                                     metrics=["members.on_rolls"])
        if _installed("meetings"):
            from dangjian.meetings.models import Meeting
            from dangjian.meetings.selectors import local_start

            held = Meeting.objects.filter(state=Meeting.State.HELD, starts_at__gte=local_start(start),
                                          starts_at__lt=local_start(end + timedelta(days=1)))
            written["meetings"] = _insert(_by_org_month(
                held, "starts_at", meetings_held=Count("id"),
                meetings_theme=Count("org_id", distinct=True, filter=Q(kind="theme_day"))),
                built_on=on, metrics=["meetings.held", "meetings.theme"])
        if _installed("points"):
            from dangjian.points.models import PointEntry

            approved = PointEntry.objects.filter(status=PointEntry.Status.APPROVED, occurred_on__gte=start,
                                                 occurred_on__lte=end)
            # members' entries count at the member's org (ranking.branch_rows), the org's own at the org
            mine = (approved.filter(member__in=on_rolls.values("id"))
                    .annotate(o=F("member__org_id"), y=ExtractYear("occurred_on"), m=ExtractMonth("occurred_on"),
                              metric=Concat(Value("points.member:"), "category"))
                    .values("o", "y", "m", "metric").annotate(value=Sum("points")).order_by())
            own = (approved.filter(member__isnull=True)
                   .annotate(o=F("org_id"), y=ExtractYear("occurred_on"), m=ExtractMonth("occurred_on"),
                             metric=Concat(Value("points.own:"), "category"))
                   .values("o", "y", "m", "metric").annotate(value=Sum("points")).order_by())
            # and the totals over categories: with no weight ≠ 1 (the default) a ranking reads only these
            mine_all = (approved.filter(member__in=on_rolls.values("id"))
                        .annotate(o=F("member__org_id"), y=ExtractYear("occurred_on"), m=ExtractMonth("occurred_on"))
                        .values("o", "y", "m").annotate(points_member=Sum("points")).order_by())
            own_all = _by_org_month(approved.filter(member__isnull=True), "occurred_on", points_own=Sum("points"))
            written["points"] = sum(_insert(qs, built_on=on, subtree=False) for qs in (mine, own)) + sum(
                _insert(qs, built_on=on, metrics=[name], subtree=False)
                for qs, name in ((mine_all, "points.member"), (own_all, "points.own")))
        if _installed("dues"):
            written["dues"] = _build_dues(on_rolls, on=on)
        if _installed("volunteers"):
            from dangjian.volunteers.models import HoursEntry

            eligible = on_rolls.filter(is_exempt=False)
            written["volunteers"] = _insert(_snapshot(
                eligible, y1, volunteers_eligible=Count("id"),
                volunteers_registered=Count("id", filter=Q(volunteer__isnull=False, volunteer__is_active=True))),
                built_on=on, metrics=["volunteers.eligible", "volunteers.registered"])
            hours = HoursEntry.objects.filter(served_on__gte=start, served_on__lte=end)
            written["volunteers"] += _insert(_by_org_month(hours, "served_on", volunteers_hours=Sum("hours")),
                                             built_on=on, metrics=["volunteers.hours"])
        if _installed("petitions"):
            from dangjian.petitions.models import Petition, PetitionStep

            closed = Q(state=Petition.State.CLOSED)
            petitions = (Petition.objects.filter(received_on__gte=start, received_on__lte=end)
                         .annotate(late=Exists(PetitionStep.objects.filter(petition=OuterRef("pk"), late=True))))
            written["petitions"] = _insert(_by_org_month(
                petitions, "received_on", petitions_received=Count("id"),
                petitions_closed=Count("id", filter=closed),
                petitions_resolved=Count("id", filter=closed & Q(resolved=True)),
                petitions_on_time=Count("id", filter=closed & Q(late=False))),
                built_on=on, metrics=["petitions.received", "petitions.closed", "petitions.resolved",
                                      "petitions.on_time"])
        if _installed("care"):
            from dangjian.care.models import CareVisit

            visits = CareVisit.objects.filter(visited_on__gte=start, visited_on__lte=end)
            written["care"] = _insert(_by_org_month(visits, "visited_on", care_visits=Count("id"),
                                                    care_money=Sum("money")),
                                      built_on=on, metrics=["care.visits", "care.money"])
        if connection.vendor == "postgresql":  # fresh statistics, or the planner guesses 1 row per range
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(OrgStatsMonthly._meta.db_table)}")
    return {"date": on.isoformat(), "years": [y0, y1], "rows": written}


# --- Read side -------------------------------------------------------------------------------------------

# A per-request memo (`memo()`, entered by selectors.dashboard): the build date, the subtree-size check and the
# children's paths are the same for every chart of one dashboard; outside memo() each call queries.
_MEMO: ContextVar[dict | None] = ContextVar("rollups_memo", default=None)


@contextmanager
def memo():
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def memoized(key: tuple, fn):
    """fn() once per key inside memo(), every time outside it."""
    cache = _MEMO.get()
    if cache is None:
        return fn()
    if key not in cache:
        cache[key] = fn()
    return cache[key]


def built_on() -> date | None:
    """The date of the roll-up in the table (one build at a time), None when there is none. Read as the first
    entry of the (metric, year, org_path) index: a plain LIMIT 1 scans the heap from its start, where a
    rebuild leaves the previous build's millions of dead rows until VACUUM."""
    def read():
        value = OrgStatsMonthly.objects.order_by("metric", "year", "org_path").values_list("built_on", flat=True)[:1]
        return value[0] if value else None

    return memoized(("built_on",), read)


def _big_subtree(org: Org) -> bool:
    return memoized(("big", org.path), lambda: Org.objects.filter(subtree_q(org.path), is_active=True)
                    [:ROLLUP_MIN_ORGS].count() >= ROLLUP_MIN_ORGS)


def use_rollup(org: Org, *, source: str, year: int, on: date) -> date | None:
    """The build date to read when the chart reads the roll-up, None when it counts live (rule above)."""
    if source == "live":
        return None
    if source == "rollup":
        return built_on() or on
    if org.kind == Org.Kind.BRANCH:  # checked first: a branch's chart costs no extra query
        return None
    built = built_on()
    if built is None or built < on - timedelta(days=1) or year not in (built.year - 1, built.year):
        return None
    return built if _big_subtree(org) else None


def child_paths(org: Org) -> list[str]:
    """The paths of org's direct children, active or not (what sits under an inactive child is not the
    org's own), memoized per request."""
    return memoized(("children", org.path), lambda: list(
        Org.objects.filter(subtree_q(org.path), depth=org.depth + 1).values_list("path", flat=True)))


def sums(org: Org, metrics: list[str], *, year: int, by: str = "child", months: list[int] | None = None) -> dict:
    """{(key, month, metric): value} for org's subtree. Rows of subtree metrics already hold subtree totals:
    by="none" reads the org's own row (key None); by="child" reads the rows of its children (key: the
    child's path) and puts what is left of the org's total under the org's own path (what sits at the org
    itself, as child_prefix does live). by="org" reads every org's row in the subtree (key: org id), for
    the per-org metrics (points).

    Every read is an exact range of the (metric, year, org_path) index: the org's own path, the list of
    its children's paths, or the subtree's path range. Filtering by org ids instead (org = … OR org IN
    children) made PostgreSQL read the metric's rows of the whole database (1.1 M rows at 1 M members)."""
    qs = OrgStatsMonthly.objects.filter(year=year, metric__in=metrics)
    if months is not None:
        qs = qs.filter(month__in=months)
    if by == "org":
        rows = (qs.filter(subtree_q(org.path, field="org_path")).values("org_id", "metric")
                .annotate(v=Sum("value")).order_by())
        return {(r["org_id"], None, r["metric"]): r["v"] for r in rows}
    if by == "none":
        return {(None, m, metric): v for m, metric, v in
                qs.filter(org_path=org.path).values_list("month", "metric", "value")}
    paths = [org.path, *child_paths(org)]
    out: dict = {}
    own: dict = {}
    for path, m, metric, v in qs.filter(org_path__in=paths).values_list("org_path", "month", "metric", "value"):
        if path == org.path:
            own[(m, metric)] = own.get((m, metric), 0) + v
        else:
            out[(path, m, metric)] = v
            own[(m, metric)] = own.get((m, metric), 0) - v
    for (m, metric), v in own.items():
        if v:
            out[(org.path, m, metric)] = v
    return out


def points_branch_rows(org: Org, period, scheme, built: date) -> list[dict] | None:
    """ranking.branch_rows from the roll-up (same rows, same R-POINTS-RANK formula), None when the period
    spans two years (the roll-up is per year and month). Weights are applied here, per category, so that
    the viewing org's scheme decides them, as in the live ranking."""
    from decimal import Decimal

    from dangjian.points import rules as prules
    from dangjian.points.models import Category

    if period.start.year != period.end.year:
        return None
    months = list(range(period.start.month, period.end.month + 1))
    # score points = total + Σ (weight − 1) × category points, over the weighted categories only
    extra = {c: Decimal(str(w)) - 1 for c, w in (scheme.category_weights or {}).items()
             if c in Category.values and Decimal(str(w)) != 1}
    names = ["points.member", "points.own"] + [f"points.{kind}:{c}" for kind in ("member", "own") for c in extra]
    totals: dict[tuple[str, int], Decimal] = {}
    for (oid, _m, metric), v in sums(org, names, year=period.start.year, by="org", months=months).items():
        kind, _sep, category = metric.split(".", 1)[1].partition(":")
        v = v if isinstance(v, Decimal) else money.fen(v)
        totals[(kind, oid)] = totals.get((kind, oid), Decimal("0")) + (v * extra[category] if category else v)
    counts = {oid: int(v) for (oid, _m, _k), v in
              sums(org, ["members.on_rolls"], year=built.year, by="org", months=[0]).items()}
    branches = (Org.objects.filter(subtree_q(org.path), kind=Org.Kind.BRANCH, is_active=True)
                .order_by("path").values_list("id", "name", "path"))
    zero = Decimal("0")
    rows = []
    for bid, name, path in branches:  # one row per branch, as ranking.branch_rows
        own = totals.get(("own", bid), zero)
        score = prules.branch_score(base=scheme.base, own_points=own,
                                    member_points_total=totals.get(("member", bid), zero),
                                    members=counts.get(bid, 0))
        rows.append({"id": bid, "name": name, "path": path, "score": score, "members": counts.get(bid, 0),
                     "own_points": own})
    return rows
