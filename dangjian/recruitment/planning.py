"""发展党员计划 (the yearly recruitment plan) as pure functions.

A committee sets, per year, a quota for each org below it (a general branch, a branch, or a whole
sub-committee). "Actual" is the number of people admitted as 预备党员 that year in the org's subtree,
counted by the date of the upper committee's approval (step 17 `admission_approval`, approved): that is
when the person becomes probationary (RULES.md §1: "stage after: probationary").

Decision (R-PLAN, proposed for RULES.md §1): exceeding the plan is a **warning, never a refusal**.
细则 §4 asks that recruitment be planned (有计划), but RULES.md gives the plan no force against a person
who has passed every step; refusing a lawful admission because a number was set too low would put
the spreadsheet above the 细则. The warning is shown when the admission vote (step 15) and the
approval (step 17) are recorded, and the plan page shows every org over its plan in red.
"""
from __future__ import annotations

from dataclasses import dataclass

from .rules import Issue
from .steps import R_PLAN

QUOTA_MAX = 10000


@dataclass
class PlanRow:
    org_id: int
    org_name: str
    depth: int
    quota: int | None          # None: no plan set for this org and year
    actual: int

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None else self.quota - self.actual

    @property
    def excess(self) -> int:
        return max(0, self.actual - self.quota) if self.quota is not None else 0

    @property
    def over(self) -> bool:
        return self.quota is not None and self.actual > self.quota

    @property
    def percent(self) -> int | None:
        if not self.quota:
            return None
        return min(100, round(self.actual * 100 / self.quota))

    def as_dict(self) -> dict:
        return {"org_id": self.org_id, "org_name": self.org_name, "depth": self.depth, "quota": self.quota,
                "actual": self.actual, "remaining": self.remaining, "over": self.over}


def plan_warning(*, step: str, org_name: str, year: int, quota: int, actual: int) -> Issue | None:
    """R-PLAN: one more admission in `year` would take `org_name` beyond its plan (actual counts the
    admissions already approved that year). A warning only (see the module's decision)."""
    if actual + 1 > quota:
        return Issue(step, R_PLAN, "warning",
                     f"{org_name} {year} 年发展党员计划为 {quota} 名，已接收 {actual} 名，"
                     f"本次接收将超出计划（仅提醒，不影响办理）")
    return None
