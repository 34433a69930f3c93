"""Synthetic data at provincial scale (issue 13): python manage.py generate_scale --members 1000000

A tree province → cities → counties → towns → (general branches →) branches with the fan-out of the
统计公报 (RULES.md §8: ≈ 21.7 members per branch, one general branch per ~14 branches, a county of
~50 000 members), members made by members.synthetic (valid ID numbers, dates per RULES.md), and one year of
activity: 三会一课 meetings with attendance, 谈心谈话, points ledger entries, dues profiles + quarterly
payments with their months, households, pairings and visit logs.

How it is fast: the tree and the members are made in Python and written with COPY on PostgreSQL (psycopg 3
`cursor.copy`) or bulk_create on SQLite; the members as COPY text built by worker processes (one task per
county code), since their Python (ID numbers, SM4, pinyin) is the one CPU-bound part on our side. The year of
activity is set-based `INSERT … SELECT` over the members, joined to tiny helper tables (days, meeting slots,
rules, dues quotes) computed in Python — the same portable SQL on both databases, nothing crosses the wire row
by row — in two independent lanes that run side by side in two sessions on PostgreSQL (meetings → attendance
→ heart talks; points → dues → visits), each step one transaction with its secondary indexes and droppable
unique constraints rebuilt after the load.
"""
import math
import multiprocessing
import os
import random
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .scale_load import (PARALLEL_FROM_MEMBERS, copy_value, drop_secondary_indexes, member_job_copy,
                         member_job_rows, pg as _pg, temp_table as _temp, write_objects)

MEMBERS_PER_BRANCH = 21.7          # RULES §8: 100.271 M members / 4.614 M branches
MEMBERS_PER_COUNTY = 50_000        # a province of ~5 M members has ~100 counties
COUNTIES_PER_CITY = 6
BRANCHES_PER_TOWN = 150
BRANCHES_PER_GENERAL = 5
GENERAL_SHARE = 0.36               # 330 k general branches × ~5 branches ≈ 36 % of 4.6 M branches
POINT_ENTRIES_PER_MEMBER = 10
VISITS_PER_MEMBER = 2
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TZ = ZoneInfo("Asia/Shanghai")
PROVINCE_CODES = ["41", "32", "37", "44", "51", "42", "43", "13", "34", "35", "36", "45", "53", "61", "14"]
CITY_NAMES = "郑开洛平安鹤新焦濮许漯三南商信周驻济源"
PLACE = "东西南北中新老大小上下前后红青金银石柳桃李杨梅兰竹松"
UNIT_KINDS = ["村", "社区", "公司", "学校", "医院", "机关"]

# Meeting slots of a branch in a year (RULES §3): (kind, label, month → day offsets, hour, minutes long).
SLOTS = [
    ("assembly", "支部党员大会", [(m, 10) for m in (2, 5, 8, 11)], 15, 90),
    ("lecture", "党课", [(m, 20) for m in (3, 6, 9, 12)], 15, 90),
    ("theme_day", "主题党日", [(m, 5) for m in range(1, 13)], 9, 120),
    ("committee", "支委会", [(m, 3) for m in range(1, 13)], 16, 60),
    ("life_meeting", "组织生活会", [(2, 20)], 14, 150),
    ("review", "民主评议党员", [(3, 6)], 14, 150),
]
# (code, name, category, points) at the province root; the ledger draws from RULE_MIX by index.
POINT_RULES = [("A1", "参加组织生活", "org_life", "2"), ("A2", "志愿服务", "service", "1"),
               ("A3", "学习教育", "political", "1"), ("D1", "无故缺席组织生活", "discipline", "-3"),
               ("D2", "未完成承诺事项", "duty", "-2")]
RULE_MIX = [0, 0, 0, 1, 1, 2, 2, 0, 3, 4]


@dataclass
class Plan:
    members: int
    cities: int
    counties: int
    towns_per_county: int
    branches: int

    @classmethod
    def for_members(cls, members: int) -> "Plan":
        branches = max(1, round(members / MEMBERS_PER_BRANCH))
        counties = max(1, round(members / MEMBERS_PER_COUNTY))
        cities = max(1, math.ceil(counties / COUNTIES_PER_CITY))
        towns = max(1, min(30, round(branches / counties / BRANCHES_PER_TOWN)))
        return cls(members, cities, counties, towns, branches)


def seg(n: int) -> str:
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


def _d(value: date):
    return connection.ops.adapt_datefield_value(value)


def _dt(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


class Generator:
    def __init__(self, *, members: int, root_name: str = "合成数据省委", year: int | None = None, seed: int = 1,
                 today: date | None = None, log=print, workers: int | None = None, parallel: bool | None = None):
        self.plan = Plan.for_members(members)
        self.root_name = root_name
        self.today = today or timezone.localdate()
        self.year = year or self.today.year
        self.until = min(date(self.year, 12, 31), self.today - timedelta(days=1))
        self.seed = seed
        self.rng = random.Random(seed)
        self.log = log
        big = _pg() and members >= PARALLEL_FROM_MEMBERS
        # Worker processes for the members' Python, and parallel lanes (they need committed members and their own
        # sessions, so never inside a caller's transaction), only for runs of a size where they pay.
        self.workers = workers if workers is not None else (min(2, os.cpu_count() or 1) if big else 1)
        self.parallel = (parallel if parallel is not None else big) and _pg() and not connection.in_atomic_block
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    # --- plumbing ---------------------------------------------------------------------------------------
    def _step(self, name, fn, tables: tuple[str, ...] = ()):
        t = time.perf_counter()
        rebuilt = 0.0
        with transaction.atomic():
            dropped = []
            if _pg():
                with connection.cursor() as c:
                    c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                    if c.fetchone()[0]:
                        # Bulk load, as pg_restore --disable-triggers does: the rows are consistent by
                        # construction (test_scale checks every foreign key), so skip the per-row FK triggers.
                        c.execute("SET LOCAL session_replication_role = replica")
                    c.execute("SET LOCAL maintenance_work_mem = '256MB'")
                    dropped = drop_secondary_indexes(c, tables)
            n = fn()
            if dropped:
                r = time.perf_counter()
                with connection.cursor() as c:
                    for ddl in dropped:
                        c.execute(ddl)
                rebuilt = time.perf_counter() - r
        self.timings[name] = time.perf_counter() - t
        self.counts[name] = n
        rate = n / self.timings[name] if self.timings[name] else 0
        built = sum(ddl.startswith("CREATE") for ddl in dropped)
        extra = f"（其中重建 {built} 个索引 {rebuilt:.1f} 秒）" if dropped else ""
        self.log(f"  {name}: {n} 行，{self.timings[name]:.1f} 秒，{rate:.0f} 行/秒{extra}")

    def _session(self) -> None:
        """Per connection: commits need not wait for the disk (synthetic rows, re-creatable: a crash may lose the
        last commits, never corrupt — WAL is kept), and the counties of this run as a helper table."""
        with connection.cursor() as c:
            if _pg():
                c.execute("SET synchronous_commit = off")
            _temp(c, "scale_county", "id bigint", [(i,) for i in self.county_ids])

    def _analyze(self, tables) -> None:
        # Only the loaded tables, each as soon as it is complete, so the next steps' plans see real sizes.
        if not _pg():
            return
        t = time.perf_counter()
        with connection.cursor() as c:
            for table in tables:
                c.execute(f"ANALYZE {table}")
        self.timings["analyze"] = self.timings.get("analyze", 0.0) + time.perf_counter() - t

    def _lane(self, steps) -> None:
        self._session()
        for name, fn, tables in steps:
            self._step(name, fn, tables)
            self._analyze(tables)

    def _run_lanes(self, lanes) -> None:
        """Independent chains of steps: one after another, or on PostgreSQL side by side, each in a thread with
        its own connection (the server's inserts and index builds are the bulk of the time: two backends use
        both CPUs). Every step is still one transaction; the lanes touch disjoint tables."""
        if not self.parallel:
            for lane in lanes:
                self._lane(lane)
            return
        from django.db import connections

        errors = []

        def work(lane):
            try:
                self._lane(lane)
            except BaseException as e:  # re-raised in the caller's thread
                errors.append(e)
            finally:
                try:
                    with connection.cursor() as c:
                        c.execute("DISCARD ALL")  # back to the pool without our settings and helper tables
                except DatabaseError:
                    pass  # a broken connection is closed below anyway
                connections.close_all()

        threads = [threading.Thread(target=work, args=(lane,), name=f"scale-lane-{i}") for i, lane in enumerate(lanes)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def run(self) -> dict:
        from dangjian.orgs.models import Org

        if Org.get_root_nodes().filter(name=self.root_name).exists():
            raise ValueError(f"已存在名为“{self.root_name}”的顶级组织；请换一个 --root 或使用新的数据库")
        started = time.perf_counter()
        p = self.plan
        self.log(f"计划：{p.cities} 个市、{p.counties} 个县、每县 {p.towns_per_county} 个乡镇、{p.branches} 个党支部、"
                 f"{p.members} 名党员；活动年度 {self.year}（至 {self.until}）")
        if _pg():
            with connection.cursor() as c:
                c.execute("SET synchronous_commit = off")
        self._step("orgs", self.make_tree)
        self._step("members", self.make_members, ("members_member",))
        self._analyze(("orgs_org", "members_member"))
        t = time.perf_counter()
        self._run_lanes([
            [("meetings", self.make_meetings, ("meetings_meeting",)),
             ("attendance", self.make_attendance, ("meetings_attendance",)),
             ("heart_talks", self.make_heart_talks, ("meetings_hearttalk",))],
            [("point_entries", self.make_points, ("points_pointentry",)),
             ("dues_profiles", self.make_dues_profiles, ("dues_duesprofile",)),
             ("dues_payments", self.make_dues_payments, ("dues_duespayment",)),
             ("dues_months", self.make_dues_months, ("dues_duespaymentmonth",)),
             ("households", self.make_households, ("visits_household",)),
             ("pairings", self.make_pairings, ("visits_pairing",)),
             ("visit_logs", self.make_visit_logs, ("visits_visitlog",))],
        ])
        self.timings["activity"] = time.perf_counter() - t
        self._step("admin", self.make_admin)
        self._analyze(("points_pointrule", "points_pointruleversion"))
        if _pg():
            with connection.cursor() as c:
                c.execute("RESET synchronous_commit")
        self.timings["total"] = time.perf_counter() - started
        self.log(f"完成：用时 {self.timings['total']:.0f} 秒（一年活动 {self.timings['activity']:.0f} 秒"
                 f"{'，两路并行' if self.parallel else ''}；ANALYZE {self.timings.get('analyze', 0):.0f} 秒）")
        return {"root_id": self.root.id, "counts": self.counts, "timings": self.timings, "year": self.year}

    # --- the tree ---------------------------------------------------------------------------------------
    def make_tree(self) -> int:
        from dangjian.orgs.models import Org

        p, rng = self.plan, self.rng
        root = Org.add_root(name=self.root_name, kind=Org.Kind.COMMITTEE, founded_on=date(1949, 10, 1))
        Org.objects.filter(pk=root.pk).update(region_id=root.pk)
        self.root = root = Org.objects.get(pk=root.pk)
        created = 1
        # Counties spread over cities; towns per county; branches spread over towns with varying sizes.
        county_of_city = [p.counties // p.cities + (1 if i < p.counties % p.cities else 0) for i in range(p.cities)]
        county_of_city = [n for n in county_of_city if n]
        n_towns = p.counties * p.towns_per_county
        per_town = [p.branches // n_towns + (1 if i < p.branches % n_towns else 0) for i in range(n_towns)]

        def org(path, depth, numchild, name, kind, region_id, is_region=False):
            return Org(path=path, depth=depth, numchild=numchild, name=name, kind=kind, region_id=region_id,
                       is_region=is_region, founded_on=date(1950 + rng.randrange(70), 7, 1),
                       secretary=self._name())

        cities = [org(root.path + seg(c + 1), 2, n, f"{CITY_NAMES[c % len(CITY_NAMES)]}{c + 1}市委", "committee",
                      root.pk) for c, n in enumerate(county_of_city)]
        write_objects(Org, cities)
        Org.objects.filter(pk=root.pk).update(numchild=len(cities))
        created += len(cities)
        counties = []
        for city, n in zip(cities, county_of_city):
            for k in range(n):
                counties.append(org(city.path + seg(k + 1), 3, p.towns_per_county,
                                    f"{city.name[:-2]}{PLACE[k % len(PLACE)]}{k + 1}县委", "committee", None, True))
        write_objects(Org, counties)
        created += len(counties)
        ids = dict(Org.objects.filter(path__startswith=root.path, depth=3).values_list("path", "id"))
        for c in counties:
            c.id = ids[c.path]
        Org.objects.filter(path__startswith=root.path, depth=3).update(region_id=models_F("id"))
        self.county_ids = [c.id for c in counties]
        towns, t_i = [], 0
        for c in counties:
            for t in range(p.towns_per_county):
                n = per_town[t_i]
                t_i += 1
                generals = int(n * GENERAL_SHARE) // BRANCHES_PER_GENERAL
                direct = n - generals * BRANCHES_PER_GENERAL
                town = org(c.path + seg(t + 1), 4, generals + direct,
                           f"{c.name[:-2]}{PLACE[(t * 7) % len(PLACE)]}{t + 1}镇党委", "committee", c.id)
                town._plan = (generals, direct)
                towns.append(town)
        write_objects(Org, towns)
        created += len(towns)
        level5, level6 = [], []
        for town in towns:
            generals, direct = town._plan
            for g in range(generals):
                gen = org(town.path + seg(g + 1), 5, BRANCHES_PER_GENERAL,
                          f"{PLACE[g % len(PLACE)]}{g + 1}{rng.choice(UNIT_KINDS)}党总支", "general_branch",
                          town.region_id)
                level5.append(gen)
                for b in range(BRANCHES_PER_GENERAL):
                    level6.append(org(gen.path + seg(b + 1), 6, 0, f"{gen.name[:-3]}第{b + 1}党支部", "branch",
                                      town.region_id))
            for b in range(direct):
                level5.append(org(town.path + seg(generals + b + 1), 5, 0,
                                  f"{PLACE[b % len(PLACE)]}{b + 1}{rng.choice(UNIT_KINDS)}党支部", "branch",
                                  town.region_id))
        write_objects(Org, level5)
        write_objects(Org, level6)
        created += len(level5) + len(level6)
        self.branches = list(Org.objects.filter(path__startswith=root.path, kind="branch")
                             .order_by("path").only("id", "region_id", "path"))
        return created

    def _name(self) -> str:
        from dangjian.members.synthetic import random_name

        return random_name(self.rng)

    # --- members ------------------------------------------------------------------------------------------
    def make_members(self) -> int:
        from dangjian.members.models import Member
        from dangjian.members.synthetic import FIELDS

        p, rng = self.plan, self.rng
        weights = [rng.uniform(0.3, 1.7) for _ in self.branches]
        total_w = sum(weights)
        sizes = [int(p.members * w / total_w) for w in weights]
        for i in range(p.members - sum(sizes)):
            sizes[i % len(sizes)] += 1
        prefix = PROVINCE_CODES[self.root.pk % len(PROVINCE_CODES)]
        code_of = {cid: f"{prefix}{(n % 90) + 1:02d}" for n, cid in enumerate(self.county_ids)}
        tasks: dict[str, list] = {}  # county code → its branches, in path order (≤ 90 counties: ids follow paths)
        for branch, size in zip(self.branches, sizes):
            tasks.setdefault(code_of[branch.region_id], []).append((branch.id, branch.region_id, size))
        # The other columns are constants: defaults as the model's fields prepare them, and the timestamps.
        now = timezone.now()
        rest = [f for f in Member._meta.concrete_fields
                if not f.primary_key and f.attname not in ("org_id", "region_id") and f.name not in FIELDS]
        const = [now if (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
                 else f.get_db_prep_save(f.get_default(), connection) for f in rest]
        suffix = "".join("\t" + copy_value(v) for v in const) + "\n"
        jobs = [(f"{self.seed}:{code}", code, self.today, branches, suffix) for code, branches in tasks.items()]
        created = 0
        if not _pg():
            for rows in self._map(member_job_rows, jobs):  # one county code at a time
                Member.objects.bulk_create([Member(org_id=org_id, region_id=region_id, **dict(zip(FIELDS, values)))
                                            for org_id, region_id, values in rows], batch_size=500)
                created += len(rows)
            return created
        cols = ["org_id", "region_id"] + [Member._meta.get_field(f).column for f in FIELDS] + [f.column for f in rest]
        sql = f"COPY {Member._meta.db_table} ({', '.join(connection.ops.quote_name(c) for c in cols)}) FROM STDIN"
        with connection.cursor() as c, c.cursor.copy(sql) as copy:
            for block in self._map(member_job_copy, jobs):
                copy.write(block)
                created += block.count(b"\n")  # one line per member: no value holds a raw newline
        return created

    def _map(self, fn, jobs):
        """fn over jobs in order: in-process, or in forked worker processes (they inherit settings and keys
        and never touch the database connection; results come back in job order, so ids follow the tree)."""
        if self.workers <= 1 or len(jobs) <= 1:
            yield from map(fn, jobs)
            return
        with multiprocessing.get_context("fork").Pool(min(self.workers, len(jobs))) as pool:
            yield from pool.imap(fn, jobs)

    # --- a year of activity: set-based SQL ----------------------------------------------------------------
    def _now(self):
        return _dt(timezone.now())

    def make_meetings(self) -> int:
        slots = []
        for kind, label, days, hour, minutes in SLOTS:
            for month, day in days:
                d = date(self.year, month, day)
                if d > self.until:
                    continue
                start = datetime.combine(d, dtime(hour, 0), tzinfo=TZ)
                slots.append((kind, f"{self.year}年{month}月{label}", _dt(start), _dt(start + timedelta(minutes=minutes))))
        with connection.cursor() as c:
            _temp(c, "scale_slot", "kind varchar(20), title varchar(200), starts_at timestamp with time zone, "
                                   "ends_at timestamp with time zone", slots)
            c.execute("DROP TABLE IF EXISTS scale_full")
            c.execute("""CREATE TEMP TABLE scale_full AS SELECT m.org_id, count(*) AS n FROM members_member m
                         WHERE m.region_id IN (SELECT id FROM scale_county) AND m.stage = 'full' GROUP BY m.org_id""")
            c.execute("""
                INSERT INTO meetings_meeting (org_id, region_id, kind, title, starts_at, ends_at, place, agenda, speaker,
                    minutes, resolutions, state, held_at, created_at, updated_at)
                SELECT o.id, o.region_id, s.kind, s.title, s.starts_at, s.ends_at, '党员活动室', '', '',
                       '会议按议程进行，形成记录。', '', 'held', s.ends_at, %s, %s
                FROM orgs_org o CROSS JOIN scale_slot s
                WHERE o.region_id IN (SELECT id FROM scale_county) AND o.kind = 'branch'
                  AND (s.kind <> 'committee' OR o.id IN (SELECT org_id FROM scale_full WHERE n >= 7))
                ORDER BY o.id, s.starts_at""", [self._now(), self._now()])
            return c.rowcount

    def make_attendance(self) -> int:
        with connection.cursor() as c:
            c.execute("""
                INSERT INTO meetings_attendance (meeting_id, member_id, region_id, status, method, checked_at, is_full,
                    is_exempt, updated_at)
                SELECT mt.id, m.id, mt.region_id,
                       CASE WHEN (m.id * 7919 + mt.id * 104729) %% 100 < 88 THEN 'present'
                            WHEN (m.id * 7919 + mt.id * 104729) %% 100 < 95 THEN 'leave' ELSE 'absent' END,
                       CASE WHEN (m.id * 7919 + mt.id * 104729) %% 100 < 88 THEN 'qr' ELSE '' END,
                       CASE WHEN (m.id * 7919 + mt.id * 104729) %% 100 < 88 THEN mt.starts_at END,
                       m.stage = 'full', m.is_exempt, %s
                FROM meetings_meeting mt JOIN members_member m ON m.org_id = mt.org_id
                WHERE mt.region_id IN (SELECT id FROM scale_county) AND mt.kind <> 'committee'
                  AND m.joined_on <= mt.starts_at""", [self._now()])
            return c.rowcount

    def _days(self, c) -> int:
        days = []
        d = date(self.year, 1, 1)
        while d <= self.until:
            days.append((len(days), _d(d), f"{d.year}Q{(d.month - 1) // 3 + 1}"))
            d += timedelta(days=1)
        _temp(c, "scale_day", "k integer, day date, period varchar(10)", days)
        n = max(POINT_ENTRIES_PER_MEMBER, VISITS_PER_MEMBER)
        _temp(c, "scale_n", "n integer", [(i,) for i in range(1, n + 1)])
        return len(days)

    def make_heart_talks(self) -> int:
        with connection.cursor() as c:
            ndays = self._days(c)
            c.execute("""
                INSERT INTO meetings_hearttalk (org_id, region_id, member_id, talker_name, talked_on, topic, content,
                    follow_up, created_at)
                SELECT m.org_id, m.region_id, m.id, '支部书记', d.day, '思想工作和学习情况', '谈心谈话记录。', '', %s
                FROM members_member m JOIN scale_day d ON d.k = (m.id * 37) %% %s
                WHERE m.region_id IN (SELECT id FROM scale_county) AND m.id %% 10 <> 0""", [self._now(), ndays])
            return c.rowcount

    def make_points(self) -> int:
        from dangjian.points.models import PointRule, PointRuleVersion

        versions = []
        for code, name, category, points in POINT_RULES:
            rule = PointRule.objects.create(org=self.root, code=code)
            versions.append(PointRuleVersion.objects.create(rule=rule, version=1, name=name, category=category,
                                                            points=Decimal(points), valid_from=date(self.year, 1, 1)))
        with connection.cursor() as c:
            ndays = self._days(c)
            _temp(c, "scale_rule", "k integer, version_id bigint, rule_id bigint, code varchar(30), "
                                   "category varchar(20), points numeric(7,2)",
                  [(k, versions[i].id, versions[i].rule_id, POINT_RULES[i][0], POINT_RULES[i][2],
                    Decimal(POINT_RULES[i][3])) for k, i in enumerate(RULE_MIX)])
            c.execute("""
                INSERT INTO points_pointentry (member_id, org_id, region_id, rule_id, rule_version_id, rule_code,
                    category, points, occurred_on, period, source, source_app, source_event_id, evidence, note,
                    status, reason, decision_note, created_at)
                SELECT m.id, m.org_id, m.region_id, r.rule_id, r.version_id, r.code, r.category, r.points, d.day,
                       d.period, 'manual', '', '', '', '',
                       CASE WHEN (m.id + g.n) %% 20 = 0 THEN 'pending' ELSE 'approved' END, '', '', %s
                FROM members_member m CROSS JOIN scale_n g
                JOIN scale_rule r ON r.k = (m.id * 7 + g.n * 3) %% %s
                JOIN scale_day d ON d.k = (m.id * 31 + g.n * 17) %% %s
                WHERE m.region_id IN (SELECT id FROM scale_county) AND g.n <= %s AND m.joined_on <= d.day""",
                      [self._now(), len(RULE_MIX), ndays, POINT_ENTRIES_PER_MEMBER])
            return c.rowcount

    def make_dues_profiles(self) -> int:
        from dangjian.dues import rules

        quotes = []
        for k in range(8):  # 8 bases per group, chosen by member id
            employed = [("employed", Decimal(v)) for v in ("2800", "4200", "6500", "9000", "12000")] + \
                       [("farmer", None), ("farmer", None), ("unemployed", None)]
            retired = [("retired", Decimal(v)) for v in ("3500", "4800", "5600", "7200", "4100", "6100")] + \
                      [("retired", Decimal("2900")), ("low_income", None)]
            for is_retired, (cat, income) in ((False, employed[k]), (True, retired[k])):
                q = rules.dues_quote(category=cat, income=income)
                quotes.append((k, is_retired, cat, q.income, q.rate, q.amount))
        with connection.cursor() as c:
            _temp(c, "scale_quote", "k integer, retired boolean, category varchar(20), income numeric(12,2), "
                                    "rate numeric(6,4), amount numeric(12,2)", quotes)
            c.execute("""
                INSERT INTO dues_duesprofile (member_id, region_id, year, effective_from, category, income, rate,
                    monthly_amount, reason, created_at, updated_at)
                SELECT m.id, m.region_id, %s, %s, q.category, q.income, q.rate, q.amount, '年度核定', %s, %s
                FROM members_member m JOIN scale_quote q ON q.k = m.id %% 8 AND q.retired = m.is_retired
                WHERE m.region_id IN (SELECT id FROM scale_county)""",
                      [self.year, _d(date(self.year, 1, 1)), self._now(), self._now()])
            return c.rowcount

    def _quarters(self) -> list[tuple[date, date]]:
        out = []
        for q in range(4):
            start = date(self.year, 3 * q + 1, 1)
            nxt = date(self.year + 1, 1, 1) if q == 3 else date(self.year, 3 * q + 4, 1)
            if start <= self.until:
                out.append((start, nxt))
        return out

    def make_dues_payments(self) -> int:
        quarters = self._quarters()
        paid = []  # (quarter start, member id % 20, paid_on, last quarter?)
        for i, (start, _nxt) in enumerate(quarters):
            for r in range(20):
                day = min(start + timedelta(days=r), self.until)
                paid.append((_d(start), r, _d(day), i == len(quarters) - 1))
        with connection.cursor() as c:
            _temp(c, "scale_paid", "qstart date, r integer, paid_on date, last boolean", paid)
            # 5 % of members have not paid the current quarter yet (arrears to report).
            c.execute("""
                INSERT INTO dues_duespayment (member_id, org_id, region_id, kind, paid_on, method, reference, amount,
                    voluntary, to_centre, proxy_name, note, reason, created_at)
                SELECT m.id, m.org_id, m.region_id, 'payment', s.paid_on,
                       CASE m.id %% 3 WHEN 0 THEN 'cash' WHEN 1 THEN 'transfer' ELSE 'online' END, '',
                       3 * p.monthly_amount, 0, %s, '', '', '', %s
                FROM members_member m JOIN dues_duesprofile p ON p.member_id = m.id AND p.year = %s
                JOIN scale_paid s ON s.r = m.id %% 20
                WHERE m.region_id IN (SELECT id FROM scale_county) AND s.qstart >= m.joined_on
                  AND NOT (s.last AND m.id %% 20 = 7)
                ORDER BY m.id, s.paid_on""", [False, self._now(), self.year])
            return c.rowcount

    def make_dues_months(self) -> int:
        rows = []
        for start, nxt in self._quarters():
            for k in range(3):
                rows.append((_d(start), _d(nxt), _d(date(start.year, start.month + k, 1))))
        with connection.cursor() as c:
            _temp(c, "scale_qmonth", "qstart date, qnext date, month date", rows)
            c.execute("""
                INSERT INTO dues_duespaymentmonth (payment_id, member_id, region_id, month, amount, kind, generation)
                SELECT pay.id, pay.member_id, pay.region_id, q.month, p.monthly_amount, 'payment', 0
                FROM dues_duespayment pay JOIN scale_qmonth q ON pay.paid_on >= q.qstart AND pay.paid_on < q.qnext
                JOIN dues_duesprofile p ON p.member_id = pay.member_id AND p.year = %s
                WHERE pay.region_id IN (SELECT id FROM scale_county)""", [self.year])
            return c.rowcount

    def make_households(self) -> int:
        # One household for every second member, registered with that member's branch; `grid` carries the
        # member id until the pairings and visit logs are linked, then becomes the grid's name.
        with connection.cursor() as c:
            c.execute("""
                INSERT INTO visits_household (org_id, region_id, name, address, grid, phone, size, circumstances, tags,
                    is_active, created_at, updated_at)
                SELECT m.org_id, m.region_id, m.name, '幸福小区' || (m.id %% 40 + 1) || '号楼' || (m.id %% 6 + 1) || '单元',
                       'G' || m.id, '', 1 + m.id %% 5, '',
                       CASE WHEN m.id %% 17 = 0 THEN ',hardship,' ELSE '' END, %s, %s, %s
                FROM members_member m WHERE m.region_id IN (SELECT id FROM scale_county) AND m.id %% 2 = 0""",
                      [True, self._now(), self._now()])
            return c.rowcount

    def make_pairings(self) -> int:
        with connection.cursor() as c:
            c.execute("""
                INSERT INTO visits_pairing (org_id, region_id, member_id, household_id, started_on, end_reason, note,
                                            created_at)
                SELECT m.org_id, m.region_id, m.id, h.id, %s, '', '定期走访、帮办实事', %s
                FROM members_member m JOIN visits_household h ON h.grid = 'G' || (m.id - m.id %% 2)
                     AND h.org_id = m.org_id
                WHERE m.region_id IN (SELECT id FROM scale_county) AND h.region_id IN (SELECT id FROM scale_county)""",
                      [_d(date(self.year, 1, 1)), self._now()])
            return c.rowcount

    def make_visit_logs(self) -> int:
        with connection.cursor() as c:
            ndays = self._days(c)
            c.execute("""
                INSERT INTO visits_visitlog (org_id, region_id, member_id, household_id, visited_on, notes, needs,
                    off_area_reason, created_at)
                SELECT p.org_id, h.region_id, p.member_id, p.household_id, d.day, '入户走访，了解家庭近况。', '', '', %s
                FROM visits_pairing p JOIN visits_household h ON h.id = p.household_id CROSS JOIN scale_n g
                JOIN scale_day d ON d.k = (p.member_id * 13 + g.n * 101) %% %s
                WHERE h.region_id IN (SELECT id FROM scale_county) AND g.n <= %s""",
                      [self._now(), ndays, VISITS_PER_MEMBER])
            n = c.rowcount
            c.execute("""UPDATE visits_household SET grid = '第' || (id %% 8 + 1) || '网格'
                         WHERE region_id IN (SELECT id FROM scale_county)""", [])
            for t in ("scale_slot", "scale_full", "scale_day", "scale_n", "scale_rule", "scale_quote", "scale_paid",
                      "scale_qmonth"):
                c.execute(f"DROP TABLE IF EXISTS {t}")
            return n

    def make_admin(self) -> int:
        from django.contrib.auth import get_user_model

        from dangjian.accounts.models import Role

        user, _ = get_user_model().objects.get_or_create(username="scale_admin", defaults={"first_name": "规模测试"})
        Role.objects.get_or_create(user=user, org=self.root, role=Role.Kind.ADMIN)
        return 1


def models_F(name):
    from django.db.models import F

    return F(name)


def generate(**kwargs) -> dict:
    return Generator(**kwargs).run()
