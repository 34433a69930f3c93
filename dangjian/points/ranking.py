"""先锋指数 and rankings, computed in the database (no per-member Python loop).

R-POINTS-INDEX  member index = base + Σ(weight(category) × approved points with occurred_on in the period).
R-POINTS-RANK   branch score = the branch's own entries + the average index of its members on the rolls;
                committee score = its own entries + the average of its branches' scores.
                Ranks are competition ranks on scores rounded to 0.01: ties share a rank (1, 1, 3).
Rankings under an org use that org's scheme (the nearest committee's) for everyone ranked, so that all
rows compare on one formula.
"""
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import Coalesce, Rank, Round

from dangjian.members.models import Member
from dangjian.members.selectors import members_on_rolls
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import PointEntry, PointScheme

DEC = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0")
LEVELS = ("member", "branch", "committee", "village")
VILLAGE = "village"  # level: the branches of village units only (seed 001: 18 村党支部 ranked each quarter)


def weighted(scheme: PointScheme, prefix: str = ""):
    """The entry's points times its category's weight, as one SQL expression."""
    weights = {c: Decimal(str(w)) for c, w in (scheme.category_weights or {}).items() if Decimal(str(w)) != 1}
    points = F(f"{prefix}points")
    if not weights:
        return points
    return Case(*[When(**{f"{prefix}category": c}, then=points * Value(w, output_field=DEC))
                  for c, w in weights.items()], default=points, output_field=DEC)


class Counted:
    """A ranked queryset whose count() is the plain count of the same rows (counting the annotated query
    would compute every member's score just to count them). Slices and iterates like the queryset."""

    def __init__(self, qs: QuerySet, count_qs: QuerySet):
        self.qs, self.count_qs = qs, count_qs

    def count(self) -> int:
        return self.count_qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        return self.qs[key]

    def __iter__(self):
        return iter(self.qs)


def member_ranking(org: Org, period: rules.Period, scheme: PointScheme) -> Counted:
    """Members on the rolls under org with `score` and `rank` annotated, best first."""
    approved = Q(point_entries__status=PointEntry.Status.APPROVED,
                 point_entries__occurred_on__gte=period.start, point_entries__occurred_on__lte=period.end)
    score = Value(scheme.base, output_field=DEC) + Coalesce(
        Sum(weighted(scheme, "point_entries__"), filter=approved, output_field=DEC), Value(ZERO, output_field=DEC))
    qs = (members_on_rolls(org).select_related("org").only("id", "name", "name_pinyin", "org_id", "org__name")
          .annotate(score=Round(score, 2, output_field=DEC))
          .annotate(rank=Window(expression=Rank(), order_by=F("score").desc()))
          .order_by("rank", "name_pinyin", "id"))
    return Counted(qs, members_on_rolls(org))


def _entry_totals(entries, key: str, scheme: PointScheme, period: rules.Period) -> dict[int, Decimal]:
    rows = (entries.filter(status=PointEntry.Status.APPROVED, occurred_on__gte=period.start,
                           occurred_on__lte=period.end)
            .values(key).annotate(total=Sum(weighted(scheme), output_field=DEC)).order_by())
    return {r[key]: Decimal(r["total"] or 0) for r in rows}


def branch_rows(org: Org, period: rules.Period, scheme: PointScheme, unit_kind: str = "") -> list[dict]:
    """Every branch under org (org itself if it is a branch) with its score; three aggregate queries.
    With unit_kind, only the branches of that kind of unit (e.g. village)."""
    branches = Org.objects.filter(subtree_q(org.path), kind=Org.Kind.BRANCH, is_active=True)
    if unit_kind:
        branches = branches.filter(unit__kind=unit_kind)
    branches = list(branches.only("id", "name", "path", "depth").order_by("path"))
    on_rolls = members_on_rolls(org)
    counts = {r["org_id"]: r["n"] for r in on_rolls.values("org_id").annotate(n=Count("id")).order_by()}
    member_totals = _entry_totals(PointEntry.objects.filter(member__in=on_rolls.values("id")), "member__org_id",
                                  scheme, period)
    own_totals = _entry_totals(PointEntry.objects.filter(member__isnull=True, org__in=[b.id for b in branches]),
                               "org_id", scheme, period)
    rows = []
    for b in branches:  # one row per branch: a loop over orgs, never over members
        score = rules.branch_score(base=scheme.base, own_points=own_totals.get(b.id, ZERO),
                                   member_points_total=member_totals.get(b.id, ZERO), members=counts.get(b.id, 0))
        rows.append({"id": b.id, "name": b.name, "path": b.path, "score": score, "members": counts.get(b.id, 0),
                     "own_points": own_totals.get(b.id, ZERO)})
    return rows


def committee_rows(org: Org, period: rules.Period, scheme: PointScheme) -> list[dict]:
    """Committees and general branches below org: own entries + the average of their branches' scores."""
    subs = list(Org.objects.filter(subtree_q(org.path), is_active=True,
                                   kind__in=[Org.Kind.COMMITTEE, Org.Kind.GENERAL_BRANCH])
                .exclude(pk=org.pk).only("id", "name", "path").order_by("path"))
    if not subs:
        return []
    branches = branch_rows(org, period, scheme)
    own_totals = _entry_totals(PointEntry.objects.filter(member__isnull=True, org__in=[s.id for s in subs]),
                               "org_id", scheme, period)
    rows = []
    for s in subs:
        scores = [b["score"] for b in branches if b["path"].startswith(s.path)]
        rows.append({"id": s.id, "name": s.name, "path": s.path, "members": len(scores),
                     "own_points": own_totals.get(s.id, ZERO),
                     "score": rules.committee_score(base=scheme.base, own_points=own_totals.get(s.id, ZERO),
                                                    branch_scores=scores)})
    return rows


def ranked(rows: list[dict], scheme: PointScheme) -> list[dict]:
    """Sort by score (then name), attach competition ranks, stars and the warning flag."""
    rows = sorted(rows, key=lambda r: (-r["score"], r["name"], r["id"]))
    thresholds = scheme.stars()
    for row, rank in zip(rows, rules.competition_ranks([r["score"] for r in rows])):
        row["rank"] = rank
        row["stars"] = rules.star_level(row["score"], thresholds)
        row["warn"] = row["score"] < scheme.warn_below
    return rows


def org_ranking(org: Org, period: rules.Period, scheme: PointScheme, level: str) -> list[dict]:
    if level == VILLAGE:
        rows = branch_rows(org, period, scheme, unit_kind="village")
    else:
        rows = branch_rows(org, period, scheme) if level == "branch" else committee_rows(org, period, scheme)
    return ranked(rows, scheme)


def member_row(m: Member, scheme: PointScheme) -> dict:
    score = Decimal(m.score).quantize(rules.SCORE_PLACES)
    return {"rank": m.rank, "id": m.id, "name": m.name, "org_id": m.org_id, "org_name": m.org.name,
            "score": score, "stars": rules.star_level(score, scheme.stars()), "warn": score < scheme.warn_below}


def snapshot_rows(org: Org, period: rules.Period, scheme: PointScheme, level: str) -> list[dict]:
    """The full ranking as JSON-ready rows (for a publication)."""
    if level == "member":
        rows = [member_row(m, scheme) for m in member_ranking(org, period, scheme)]
    else:
        rows = org_ranking(org, period, scheme, level)
    return [{"rank": r["rank"], "id": r["id"], "name": r["name"], "org_name": r.get("org_name", ""),
             "score": str(r["score"]), "stars": r["stars"], "members": r.get("members")} for r in rows]
