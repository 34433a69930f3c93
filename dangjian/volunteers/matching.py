"""Matching residents' needs to volunteers (对接, seed 003; issue 8): a pure scoring function.

R-VOL-MATCH: a volunteer is listed only with at least one of the need's skills (when the need names
any) and some weekly availability overlapping the need's time. The score (0-100) adds
  skills        up to 50  share of the need's skills the volunteer has
  availability  up to 30  share of the need's time covered by the volunteer's slots
  grid          15        same 网格 as the need (distance: same grid first)
  load          up to 5   fewer open assignments is better; at or over the volunteer's limit: −10
and each part explains itself in a Chinese reason. No database access here.
"""
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from .rules import Slot

W_SKILLS, W_TIME, W_GRID, W_LOAD, OVERLOAD_PENALTY = 50, 30, 15, 5, 10


@dataclass(frozen=True)
class NeedSpec:
    starts_at: datetime
    ends_at: datetime
    skills: tuple[str, ...] = ()
    grid: str = ""


@dataclass(frozen=True)
class Candidate:
    volunteer_id: int
    skills: tuple[str, ...] = ()
    slots: tuple[Slot, ...] = ()
    grid: str = ""
    load: int = 0
    max_load: int = 2
    name: str = ""


@dataclass
class Match:
    volunteer_id: int
    score: int
    reasons: list[str] = field(default_factory=list)
    name: str = ""
    load: int = 0


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt).replace(tzinfo=None) if timezone.is_aware(dt) else dt


def overlap_minutes(slots, starts_at: datetime, ends_at: datetime) -> int:
    """Minutes of [starts_at, ends_at) (local time) inside the weekly slots."""
    start, end = _local(starts_at), _local(ends_at)
    if end <= start or not slots:
        return 0
    total = 0
    day = start.date()
    while datetime.combine(day, time.min) < end:
        weekday = day.isoweekday()
        midnight = datetime.combine(day, time.min)
        for s in slots:
            if s.weekday != weekday:
                continue
            lo = max(start, midnight + timedelta(minutes=s.start))
            hi = min(end, midnight + timedelta(minutes=s.end))
            if hi > lo:
                total += int((hi - lo).total_seconds() // 60)
        day += timedelta(days=1)
    return total


def score(need: NeedSpec, cand: Candidate) -> Match | None:
    """The candidate's score for the need, or None when it must not be listed."""
    reasons = []
    points = Decimal(0)
    if need.skills:
        have = set(cand.skills)
        matched = [s for s in need.skills if s in have]
        if not matched:
            return None
        points += Decimal(W_SKILLS) * len(matched) / len(need.skills)
        reasons.append(f"特长匹配：{'、'.join(matched)}（{len(matched)}/{len(need.skills)}）")
    else:
        points += Decimal(W_SKILLS) / 2
        reasons.append("需求未限定特长")
    need_minutes = int((_local(need.ends_at) - _local(need.starts_at)).total_seconds() // 60)
    overlap = overlap_minutes(cand.slots, need.starts_at, need.ends_at)
    if overlap <= 0:
        return None
    coverage = min(Decimal(1), Decimal(overlap) / Decimal(max(need_minutes, 1)))
    points += Decimal(W_TIME) * coverage
    reasons.append(f"服务时间重合 {_hours(overlap)} 小时（覆盖 {int((coverage * 100).to_integral_value(ROUND_HALF_UP))}%）")
    if need.grid and cand.grid and need.grid == cand.grid:
        points += W_GRID
        reasons.append(f"同一网格（{cand.grid}）")
    elif need.grid and cand.grid:
        reasons.append(f"不同网格（{cand.grid}）")
    else:
        reasons.append("网格未登记")
    limit = max(cand.max_load, 1)
    if cand.load >= limit:
        points -= OVERLOAD_PENALTY
        reasons.append(f"已承接 {cand.load} 项需求，达到上限 {limit} 项")
    else:
        points += Decimal(W_LOAD) * (limit - cand.load) / limit
        reasons.append(f"当前承接 {cand.load} 项需求" if cand.load else "当前没有承接中的需求")
    value = int(max(Decimal(0), min(Decimal(100), points)).to_integral_value(ROUND_HALF_UP))
    return Match(volunteer_id=cand.volunteer_id, score=value, reasons=reasons, name=cand.name, load=cand.load)


def rank(need: NeedSpec, candidates) -> list[Match]:
    """Listed candidates, best first (score, then lighter load, then id)."""
    matches = [m for m in (score(need, c) for c in candidates) if m is not None]
    matches.sort(key=lambda m: (-m.score, m.load, m.volunteer_id))
    return matches


def _hours(minutes: int) -> str:
    value = (Decimal(minutes) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
