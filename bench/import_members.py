"""A roster import (parse + validate + insert; 100 000 rows, 1 000 with --quick) against "calamine reads the
file + COPY" (PostgreSQL) or "calamine + executemany" (SQLite).

The xlsx (openpyxl write_only: a title row, then 序号 姓名 性别 民族 身份证号 … with real Excel dates) is built once
and cached in the temp directory. Ours = importing.parse_roster + roster_import (validate and insert in one
pass) into a branch of its own (the background-job path: JOB_MAX_ROWS). Baseline = CalamineWorkbook reads every
row + psycopg 3
`cursor.copy` of the same rows into a scratch table. The imported members are deleted afterwards (only those of
the benchmark's own branch: the database's other data is left alone). Goal (issue 4): ≤ 3× COPY.
"""
import io
import os
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import Result, result

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪" \
           "范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳司马上官"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉海燕庆德福文斌春梅晓东子豪浩然欣怡雨桐梓涵俊" \
        "鹏飞宇航嘉琪思远佳慧立新永辉振华淑珍凤英玉兰桂芳家乐天佑梦瑶一鸣若曦"
HEADER = ["序号", "姓名", "性别", "民族", "身份证号", "学历", "学位", "手机号", "工作单位", "职务", "人员类别", "入党时间",
          "转正时间", "参加工作时间", "党小组", "家庭住址"]
GROUPS = ["第一党小组", "第二党小组", "第三党小组", "第四党小组"]
BRANCH = "导入基准党支部"


def build_file(rows: int) -> bytes:
    path = Path(tempfile.gettempdir()) / f"dangjian_bench_import_v3_{rows}.xlsx"
    if path.exists():
        return path.read_bytes()
    from openpyxl import Workbook

    from dangjian.core.idnumber import generate_id_number

    rng = random.Random(20240701)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append([f"{BRANCH}党员花名册"])
    ws.append(HEADER)
    used = set()
    today = date.today()
    for n in range(1, rows + 1):
        gender = rng.choice("MF")
        while True:
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 60))
            number = generate_id_number(birth_date=born, gender=gender, seq=rng.randrange(500),
                                        area_code=rng.choice(["650102", "540102", "630102", "640104", "460105"]))
            if number not in used:
                used.add(number)
                break
        joined = born + timedelta(days=365 * 19 + rng.randrange(365 * 20))
        if joined >= today - timedelta(days=400):
            joined = today - timedelta(days=400 + rng.randrange(300))
        full = joined + timedelta(days=365 + rng.randrange(30))
        surname = rng.choice(["欧阳", "司马", "上官"]) if rng.random() < 0.01 else rng.choice(SURNAMES[:-6])
        name = surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        ws.append([n, name, "男" if gender == "M" else "女", rng.choice(["汉族"] * 9 + ["回族"]), number,
                   rng.choice(["大学本科", "大学专科", "高中", "研究生", "中专", "初中及以下"]),
                   rng.choice(["学士", "无", "硕士", ""]), f"1{rng.choice('3578')}{rng.randrange(10 ** 9):09d}",
                   rng.choice(["某某科技有限公司", "刘集镇人民政府", "绿博家苑社区居委会", "中心小学"]),
                   rng.choice(["职员", "教师", "退休", "村民"]), "正式党员", joined, full,
                   joined - timedelta(days=rng.randrange(2000)) if rng.random() < 0.7 else None,
                   rng.choice(GROUPS), f"某某小区{rng.randrange(1, 40)}号楼{rng.randrange(1, 30)}0{rng.randrange(1, 4)}"])
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def prepare():
    from django.contrib.auth import get_user_model
    from django.db import connection

    from dangjian.accounts.models import Role
    from dangjian.orgs.models import Org, PartyGroup

    branch = Org.objects.filter(name=BRANCH, kind=Org.Kind.BRANCH).first()
    if branch is None:
        root = Org.add_root(name="导入基准镇党委", kind=Org.Kind.COMMITTEE, is_region=True)
        Org.objects.filter(pk=root.pk).update(region_id=root.pk)
        root = Org.objects.get(pk=root.pk)
        branch = root.add_child(name=BRANCH, kind=Org.Kind.BRANCH, region_id=root.pk)
    root = Org.objects.get(path=branch.path[: branch.steplen])
    user, _ = get_user_model().objects.get_or_create(username="bench_import_admin")
    Role.objects.get_or_create(user=user, org=root, role=Role.Kind.ADMIN)
    for name in GROUPS:
        PartyGroup.objects.get_or_create(org=branch, name=name)
    with connection.cursor() as cursor:
        cursor.execute("""CREATE TABLE IF NOT EXISTS bench_import_copy (
            seq float8, name text, gender text, ethnicity text, id_number text, education text, degree text,
            phone text, unit_name text, occupation text, stage text, joined_on date, full_on date,
            work_started_on date, party_group text, address text)""")
    from dangjian.core.pinyin import pinyin_full

    pinyin_full("预热")  # pypinyin loads its dictionaries on first use (~1 s); a server process has them warm
    return user, Org.objects.get(pk=branch.pk)


def reset(branch=None):
    """Remove what the previous import wrote: the members of the benchmark's branch only."""
    from django.db import connection

    from dangjian.orgs.models import Org

    branch = branch or Org.objects.filter(name=BRANCH, kind=Org.Kind.BRANCH).first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_import_copy")
        if branch is not None:
            cursor.execute("DELETE FROM members_member WHERE org_id = %s", [branch.id])
            cursor.execute("DELETE FROM members_importjob WHERE org_id = %s", [branch.id])
        cursor.execute("DELETE FROM core_auditevent WHERE verb = 'member.import'")


def ours(data: bytes, *, actor, org, rows: int) -> dict:
    """The background job's confirmed import: parse_roster, then roster_import (validate and insert in one pass,
    all or nothing: PostgreSQL maintains the member indexes while Python checks the next rows)."""
    from django.utils import timezone

    from dangjian.members.importing import JOB_MAX_ROWS, parse_roster, roster_import

    c0 = cpu()
    t0 = time.perf_counter()
    parsed = parse_roster(data, filename="基准花名册.xlsx", max_rows=JOB_MAX_ROWS)
    t1 = time.perf_counter()
    report, created = roster_import(parsed, actor=actor, org=org, today=timezone.localdate())
    t2 = time.perf_counter()
    assert report.valid, report.errors[:5]
    assert created == rows, created
    return {"total": t2 - t0, "parse": t1 - t0, "validate+insert": t2 - t1, "cpu": cpu() - c0}


def baseline(data: bytes, *, rows: int) -> dict:
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    c0 = cpu()
    t0 = time.perf_counter()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    values = [r for r in sheet.iter_rows()][2:]
    t1 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY bench_import_copy FROM STDIN") as copy:
                for r in values:
                    copy.write_row([v if v != "" else None for v in r])
        else:
            cursor.executemany(f"INSERT INTO bench_import_copy VALUES ({', '.join(['%s'] * 16)})",
                               [[v if v != "" else None for v in r[:16]] for r in values])
    t2 = time.perf_counter()
    assert len(values) == rows, len(values)
    return {"total": t2 - t0, "read": t1 - t0, "copy": t2 - t1, "cpu": cpu() - c0}


def baseline_member_table(data: bytes, *, rows: int, org) -> dict:
    """calamine reads the file + COPY of the same rows into members_member itself (PostgreSQL): the raw form of
    the very write ours does, with the table's indexes to maintain, but no validation, encryption, pinyin or
    mapping beyond putting each cell in its column (the plaintext ID number stands in for its cipher text and
    blind index; birth date sliced from it, since the column is NOT NULL)."""
    from django.db import connection, transaction
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from dangjian.members.models import Member

    c0 = cpu()
    t0 = time.perf_counter()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    values = [r for r in sheet.iter_rows()][2:]
    t1 = time.perf_counter()
    fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    fixed = {f.column: (now if f.column in ("created_at", "updated_at") else
                        None if f.null else f.get_default()) for f in fields}
    fixed.update(org_id=org.id, region_id=org.region_id)
    cols = [f.column for f in fields]
    with transaction.atomic(), connection.cursor() as cursor, \
            cursor.cursor.copy(f"COPY members_member ({', '.join(cols)}) FROM STDIN") as copy:
        for r in values:
            number = r[4]
            row = dict(fixed, name=r[1], gender="M" if r[2] == "男" else "F", ethnicity=r[3], id_number=number,
                       id_index=number, id_masked=number[:4] + "*" * 10 + number[-4:],
                       birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                       education=r[5], degree=r[6], phone=r[7], unit_name=r[8], occupation=r[9], stage="full",
                       joined_on=r[11] or None, full_on=r[12] or None, work_started_on=r[13] or None,
                       address=r[15])
            copy.write_row([row[c] for c in cols])
    t2 = time.perf_counter()
    assert len(values) == rows, len(values)
    return {"total": t2 - t0, "read": t1 - t0, "copy": t2 - t1, "cpu": cpu() - c0}


def pg_index_floor() -> dict:
    """What the member table's indexes cost PostgreSQL for these rows (explains the gap to the baseline)."""
    from django.db import connection, transaction

    out = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'members_member'")
        out["indexes"] = cursor.fetchone()[0]
        for name, like in (("plain", "INCLUDING DEFAULTS"), ("indexed", "INCLUDING ALL")):
            cursor.execute("DROP TABLE IF EXISTS bench_import_floor")
            cursor.execute(f"CREATE TABLE bench_import_floor (LIKE members_member {like})")
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute("INSERT INTO bench_import_floor SELECT * FROM members_member")
            out[name] = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_import_floor")
    return out


def cpu() -> float:
    """CPU seconds of this process and its finished children (the import's helper process); not the server's."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run(ctx) -> list[Result]:
    rows = 1000 if ctx.quick else ctx.extra.get("import_rows", 100_000)
    repeat = 1 if ctx.quick else 3  # best of 3 on each side: one run of either swings ±50 % on a shared machine
    actor, org = prepare()
    data = build_file(rows)
    from django.db import connection

    same_table = connection.vendor == "postgresql"
    best_ours, best_base, best_table = None, None, None

    def best(a, b):
        return b if a is None or b["total"] < a["total"] else a

    try:
        for _ in range(repeat):
            reset(org)
            best_base = best(best_base, baseline(data, rows=rows))
            if same_table:
                reset(org)
                best_table = best(best_table, baseline_member_table(data, rows=rows, org=org))
            reset(org)
            best_ours = best(best_ours, ours(data, actor=actor, org=org, rows=rows))
    finally:
        reset(org)
    o = best_ours
    out = [result(f"import {rows} rows (xlsx → database)", o["total"], best_base["total"], 3.0,
                  f"{rows / o['total']:.0f} rows/s; parse {o['parse']:.1f}s validate+insert "
                  f"{o['validate+insert']:.1f}s; client CPU {o['cpu']:.1f}s vs {best_base['cpu']:.1f}s; "
                  f"baseline COPY into an unindexed scratch table")]
    if same_table:
        out.append(result(f"import {rows} rows vs COPY into members_member", o["total"], best_table["total"], 3.0,
                          f"the same rows COPYed raw into the member table (its indexes): read "
                          f"{best_table['read']:.1f}s + COPY {best_table['copy']:.1f}s"))
    return out
