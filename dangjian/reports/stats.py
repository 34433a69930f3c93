"""党内统计: the year-end statistical tables of an org's subtree (counts by stage, gender, ethnicity, age,
education, occupation, 党龄; admissions and losses in the year), one GROUP BY query per table.

The tables describe the rolls at the as-of date (31 December of the year, or today for the current year):
members admitted by then (入党日期 ≤ as-of) who were still on the rolls (an active status today, or a
status that changed after the as-of date — R-STAT-ASOF). Ages and 党龄 are counted at the as-of date.
"""
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.accounts.scope import require
from dangjian.core.xlsx import safe_cell
from dangjian.members.choices import ACTIVE_STATUSES, Education, Gender, Stage, Status
from dangjian.members.models import Disposal, Transfer
from dangjian.members.selectors import members_in_subtree
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .selectors import OWN_LEVEL, _band_case, child_orgs, child_prefix

COLLEGE_UP = [Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE]
LOSS_STATUSES = [Status.DECEASED, Status.EXPELLED, Status.LAPSED, Status.TRANSFERRED_OUT, Status.CANCELLED,
                 Status.SUSPENDED]
OCCUPATIONS_SHOWN = 20


def as_of_date(year: int, today: date | None = None) -> date:
    today = today or timezone.localdate()
    return min(date(year, 12, 31), today)


def rolls_at(org: Org, as_of: date):
    """R-STAT-ASOF: members on the rolls of org's subtree at the as-of date, with `stat_stage` (their stage
    then: full once the full-member date has come) annotated."""
    qs = members_in_subtree(org).filter(
        Q(stage__in=[Stage.PROBATIONARY, Stage.FULL]) | Q(status=Status.CANCELLED),
        joined_on__isnull=False, joined_on__lte=as_of,
    ).filter(Q(status__in=ACTIVE_STATUSES) | Q(status_since__gt=as_of))
    return qs.annotate(stat_stage=Case(
        When(Q(stage=Stage.FULL) & (Q(full_on__isnull=True) | Q(full_on__lte=as_of)), then=Value(Stage.FULL.value)),
        default=Value(Stage.PROBATIONARY.value), output_field=CharField()))


def _summary_aggregates(as_of: date, year: int) -> dict:
    born_after = as_of - relativedelta(years=36)  # 35岁及以下: not yet 36 at the as-of date
    return {
        "total": Count("id"),
        "full": Count("id", filter=Q(stat_stage=Stage.FULL)),
        "probationary": Count("id", filter=Q(stat_stage=Stage.PROBATIONARY)),
        "female": Count("id", filter=Q(gender=Gender.FEMALE)),
        "minority": Count("id", filter=~Q(ethnicity="汉族")),
        "under35": Count("id", filter=Q(birth_date__gt=born_after)),
        "college": Count("id", filter=Q(education__in=COLLEGE_UP)),
        "retired": Count("id", filter=Q(is_retired=True)),
        "admitted": Count("id", filter=Q(joined_on__year=year)),
    }


SUMMARY_LABELS = [("total", "党员总数"), ("full", "正式党员"), ("probationary", "预备党员"), ("female", "女党员"),
                  ("minority", "少数民族党员"), ("under35", "35岁及以下"), ("college", "大专及以上学历"),
                  ("retired", "离退休党员"), ("admitted", "本年发展党员")]


def _share_rows(pairs: list[tuple[str, int]], total: int) -> list[list]:
    return [[label, n, rules.rate(n, total)] for label, n in pairs]


def year_end_tables(*, actor, org: Org, year: int, today: date | None = None) -> dict:
    """The year-end tables of org's subtree as plain data:
    {"as_of", "summary": {key: n}, "tables": [{"key", "title", "headers", "rows"}]}."""
    require(actor, "reports.view", org)
    as_of = as_of_date(year, today)
    rolls = rolls_at(org, as_of)
    summary = rolls.aggregate(**_summary_aggregates(as_of, year))
    total = summary["total"]
    tables = [{"key": "summary", "title": "一、党员基本情况", "headers": ["项目", "人数", "占比（%）"],
               "rows": _share_rows([(label, summary[k]) for k, label in SUMMARY_LABELS], total)}]

    gender = dict(rolls.values("gender").annotate(n=Count("id")).order_by().values_list("gender", "n"))
    tables.append({"key": "gender", "title": "二、性别", "headers": ["性别", "人数", "占比（%）"],
                   "rows": _share_rows([(g.label, gender.get(g.value, 0)) for g in Gender], total)})

    eth = list(rolls.values("ethnicity").annotate(n=Count("id")).order_by("-n", "ethnicity"))
    han = next((r["n"] for r in eth if r["ethnicity"] == "汉族"), 0)
    pairs = [("汉族", han), ("少数民族", total - han)] + [(f"　其中：{r['ethnicity']}", r["n"]) for r in eth
                                                         if r["ethnicity"] != "汉族"]
    tables.append({"key": "ethnicity", "title": "三、民族", "headers": ["民族", "人数", "占比（%）"],
                   "rows": _share_rows(pairs, total)})

    ages = dict(rolls.annotate(b=_band_case("birth_date", rules.STAT_AGE_BANDS, as_of)).values("b")
                .annotate(n=Count("id")).order_by().values_list("b", "n"))
    tables.append({"key": "age", "title": "四、年龄", "headers": ["年龄", "人数", "占比（%）"],
                   "rows": _share_rows([(label, ages.get(code, 0)) for code, label, *_ in rules.STAT_AGE_BANDS],
                                       total)})

    edu = dict(rolls.values("education").annotate(n=Count("id")).order_by().values_list("education", "n"))
    pairs = [(e.label, edu.get(e.value, 0)) for e in Education]
    if edu.get(""):
        pairs.append(("未填写", edu[""]))
    tables.append({"key": "education", "title": "五、学历", "headers": ["学历", "人数", "占比（%）"],
                   "rows": _share_rows(pairs, total)})

    occ = list(rolls.values("occupation").annotate(n=Count("id")).order_by("-n", "occupation"))
    pairs = [(r["occupation"] or "未填写", r["n"]) for r in occ[:OCCUPATIONS_SHOWN]]
    if len(occ) > OCCUPATIONS_SHOWN:
        pairs.append(("其他", sum(r["n"] for r in occ[OCCUPATIONS_SHOWN:])))
    tables.append({"key": "occupation", "title": "六、职业（工作岗位）", "headers": ["职业", "人数", "占比（%）"],
                   "rows": _share_rows(pairs, total)})

    full = rolls.filter(stat_stage=Stage.FULL).annotate(party_from=Coalesce("full_on", "joined_on"))
    years = dict(full.annotate(b=_band_case("party_from", rules.PARTY_YEAR_BANDS, as_of)).values("b")
                 .annotate(n=Count("id")).order_by().values_list("b", "n"))
    tables.append({"key": "party_years", "title": "七、党龄（正式党员）", "headers": ["党龄", "人数", "占比（%）"],
                   "rows": _share_rows([(label, years.get(code, 0)) for code, label, *_ in rules.PARTY_YEAR_BANDS],
                                       summary["full"])})

    tables.append(_changes_table(org, year))
    tables.append(_by_child_table(org, rolls, as_of, year))
    return {"org_id": org.id, "org_name": org.name, "year": year, "as_of": as_of, "summary": summary,
            "tables": tables}


def _changes_table(org: Org, year: int) -> dict:
    """八、党员增减: admissions and conversions (dates on the member record, set by 发展党员), losses by
    status change in the year, disposals decided in the year, and transfers across the subtree's edge."""
    base = members_in_subtree(org)
    flows = base.aggregate(
        admitted=Count("id", filter=Q(joined_on__year=year)),
        converted=Count("id", filter=Q(full_on__year=year, stage=Stage.FULL)),
        **{f"lost_{s.value}": Count("id", filter=Q(status=s, status_since__year=year)) for s in LOSS_STATUSES})
    inside_to, inside_from = subtree_q(org.path, field="to_org__path"), subtree_q(org.path, field="from_org__path")
    done = Q(state__in=[Transfer.State.ACCEPTED, Transfer.State.COMPLETED])
    moves = Transfer.objects.filter(inside_to | inside_from, issued_on__year=year).aggregate(
        moved_in=Count("id", filter=done & inside_to & ~Q(inside_from & Q(from_org__isnull=False))),
        moved_out=Count("id", filter=done & inside_from & ~Q(inside_to & Q(to_org__isnull=False))))
    disposals = dict(Disposal.objects.filter(subtree_q(org.path, field="org__path"), decided_on__year=year)
                     .values("kind").annotate(n=Count("id")).order_by().values_list("kind", "n"))
    rows = [["发展党员（接收预备党员）", flows["admitted"]], ["预备党员转为正式党员", flows["converted"]],
            ["组织关系转入", moves["moved_in"]], ["组织关系转出", moves["moved_out"]]]
    rows += [[f"减少：{s.label}", flows[f"lost_{s.value}"]] for s in LOSS_STATUSES]
    rows += [[f"处置：{k.label}", disposals.get(k.value, 0)] for k in Disposal.Kind]
    return {"key": "changes", "title": f"八、{year}年党员增减情况", "headers": ["项目", "人数"], "rows": rows}


def _by_child_table(org: Org, rolls, as_of: date, year: int) -> dict:
    children = child_orgs(org)
    headers = ["党组织"] + [label for _, label in SUMMARY_LABELS]
    if not children:
        return {"key": "by_child", "title": "九、分组织统计", "headers": headers, "rows": []}
    agg = _summary_aggregates(as_of, year)
    by_prefix = {r.pop("child"): r for r in rolls.annotate(child=child_prefix(org)).values("child")
                 .annotate(**agg).order_by()}
    rows = []
    for c in children + [{"path": org.path, "name": OWN_LEVEL}]:
        r = by_prefix.get(c["path"])
        if r is None and c["name"] == OWN_LEVEL:
            continue
        rows.append([c["name"]] + [(r or {}).get(k, 0) for k, _ in SUMMARY_LABELS])
    rows.append(["合计"] + [sum(row[i] for row in rows) for i in range(1, len(headers))])
    return {"key": "by_child", "title": "九、分组织统计", "headers": headers, "rows": rows}


def tables_workbook(data: dict):
    """All tables stacked on one printable sheet (title, as-of date, each table with its header)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "党内统计"
    thin = Side(style="thin", color="999999")
    border = Border(top=thin, bottom=thin, left=thin, right=thin)
    fill = PatternFill("solid", fgColor="F3D9D9")
    ws.append([safe_cell(f"{data['org_name']}党内统计（{data['year']}年）")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"统计截止日期：{data['as_of']:%Y年%m月%d日}"])
    for table in data["tables"]:
        ws.append([])
        ws.append([safe_cell(table["title"])])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        ws.append([safe_cell(h) for h in table["headers"]])
        for col in range(1, len(table["headers"]) + 1):
            cell = ws.cell(row=ws.max_row, column=col)
            cell.font, cell.fill, cell.border = Font(bold=True), fill, border
            cell.alignment = Alignment(horizontal="center")
        for row in table["rows"]:
            ws.append([safe_cell(v) for v in row])
            for col in range(1, len(row) + 1):
                ws.cell(row=ws.max_row, column=col).border = border
    ws.column_dimensions["A"].width = 28
    for letter in "BCDEFGHIJ":
        ws.column_dimensions[letter].width = 13
    return wb
