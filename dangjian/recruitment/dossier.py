"""入党材料档案: the documents each step of RULES.md §1 leaves in a person's dossier, as data, and a pure
checklist of what is present and what is missing. No database: the caller passes the effective history
(rules.Entry list) and the dates on which each kind of document was received.

A document is either `auto` (the step's own record in this system *is* the document: a vote with its
counts, the names of the sponsors) — present as soon as the step is recorded — or a paper the branch
must receive and file (申请书, 志愿书, 政审材料, 结业证书 …): present when it was registered as received.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from .rules import Entry, add_months, replay
from .steps import (R_APPROVE_3M, R_ASSESS_6M, R_INTRODUCERS, R_MAJORITY, R_PROBATION_1Y, R_PUBLICITY, R_REVIEW,
                    R_SPONSORS, R_TALK_1M, R_TRAIN_3D, STEP_BY_CODE)

# 思想汇报: 入党积极分子 and 预备党员 hand one in every quarter (issue 5; common practice under 细则 §13, §30 —
# RULES.md has no article for it, so it is shown as an expectation and never refuses anything).
REPORT_MONTHS = 3


@dataclass(frozen=True)
class Doc:
    code: str
    label: str
    step: str                 # the step (RULES.md §1 code) this document belongs to
    auto: bool = False        # the step's record is the document
    rule: str = ""            # the RULES.md id whose facts the document proves
    per: str = ""             # "entry": one per recorded entry of the step; "quarter": 思想汇报
    by_person: bool = False   # written and handed in by the person themself


DOCS: list[Doc] = [
    Doc("application_letter", "入党申请书", "application", by_person=True),
    Doc("application_talk_record", "党组织派人谈话记录", "application_talk", auto=True, rule=R_TALK_1M),
    Doc("recommendation", "党员推荐表或群团组织推优材料", "activist_recommendation"),
    Doc("activist_minutes", "支委会研究确定入党积极分子的记录", "activist_recommendation", auto=True),
    Doc("activist_filing_report", "入党积极分子备案报告", "activist_filing"),
    Doc("sponsors_record", "培养联系人名单", "sponsors_assigned", auto=True, rule=R_SPONSORS),
    Doc("thought_report", "思想汇报（每季度一份）", "activist_recommendation", per="quarter", by_person=True),
    Doc("activist_assessment_record", "入党积极分子培养教育考察登记", "activist_assessment", auto=True,
        rule=R_ASSESS_6M, per="entry"),
    Doc("candidate_opinions", "听取党小组、培养联系人、党员和群众意见的材料", "candidate_designation"),
    Doc("candidate_filing_report", "发展对象备案报告", "candidate_filing"),
    Doc("introducers_record", "入党介绍人名单", "introducers_assigned", auto=True, rule=R_INTRODUCERS),
    Doc("political_review_material", "政治审查材料（函调证明、政审结论）", "political_review", rule=R_REVIEW),
    Doc("training_certificate", "集中培训结业证书", "candidate_training", rule=R_TRAIN_3D),
    Doc("branch_review_record", "支部委员会审查意见", "branch_review", auto=True),
    Doc("publicity_record", "公示情况说明", "pre_review", rule=R_PUBLICITY),
    Doc("pre_review_opinion", "上级党委预审意见", "pre_review"),
    Doc("application_form", "入党志愿书", "application_form", by_person=True),
    Doc("admission_vote_record", "支部大会讨论接收预备党员的会议记录（表决票数）", "admission_vote", auto=True,
        rule=R_MAJORITY),
    Doc("approval_talk_record", "上级党委派人谈话记录", "approval_talk", auto=True),
    Doc("admission_approval_doc", "上级党委审批意见", "admission_approval", rule=R_APPROVE_3M),
    Doc("department_filing_report", "组织部门备案材料", "department_filing"),
    Doc("oath_record", "入党宣誓记录", "oath", auto=True),
    Doc("probation_assessment_record", "预备党员教育考察登记", "probation_assessment", auto=True, rule=R_ASSESS_6M,
        per="entry"),
    Doc("conversion_application", "转正申请书", "conversion_application", rule=R_PROBATION_1Y, by_person=True),
    Doc("conversion_vote_record", "支部大会讨论转正的会议记录（表决票数）", "conversion_vote", auto=True,
        rule=R_MAJORITY),
    Doc("conversion_approval_doc", "上级党委审批转正意见", "conversion_approval", rule=R_APPROVE_3M),
]
DOC_BY_CODE: dict[str, Doc] = {d.code: d for d in DOCS}
# Kinds a branch registers as received (the auto ones are never registered by hand).
PAPER_CHOICES = [(d.code, d.label) for d in DOCS if not d.auto]
STATUS_LABELS = {"present": "齐全", "missing": "缺", "not_yet": "未到此步"}


@dataclass
class DocItem:
    doc: Doc
    status: str                        # present, missing, not_yet
    required: int = 0                  # how many copies the history calls for so far
    received: int = 0
    dates: list[date] = field(default_factory=list)   # step dates (auto) or receipt dates (paper)
    next_due: date | None = None       # 思想汇报: when the next one is expected

    @property
    def num(self) -> int:
        return STEP_BY_CODE[self.doc.step].num

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def as_dict(self) -> dict:
        return {"code": self.doc.code, "label": self.doc.label, "step": self.doc.step, "num": self.num,
                "auto": self.doc.auto, "by_person": self.doc.by_person, "rule": self.doc.rule,
                "status": self.status, "required": self.required, "received": self.received,
                "dates": self.dates, "next_due": self.next_due}


def reports_expected(activist_on: date, until: date) -> int:
    """思想汇报 due by `until`: one per full quarter since 确定为入党积极分子 (day 0 of a quarter counts at its end)."""
    n = 0
    while add_months(activist_on, REPORT_MONTHS * (n + 1)) <= until:
        n += 1
    return n


def checklist(entries: Sequence[Entry], received: Mapping[str, Sequence[date]], *, today: date) -> list[DocItem]:
    """Each document of DOCS with its status for this history (effective entries only)."""
    s = replay(entries)
    by_step: dict[str, list[date]] = {}
    for e in entries:
        by_step.setdefault(e.step, []).append(e.date)
    items = []
    for d in DOCS:
        got = sorted(received.get(d.code, ()))
        step_dates = by_step.get(d.step, [])
        if d.per == "quarter":
            if s.activist_on is None or s.closed in ("cancelled", "rejected"):
                items.append(DocItem(d, "not_yet", received=len(got), dates=got))
                continue
            until = min(today, s.converted_on) if s.converted_on else today
            need = reports_expected(s.activist_on, until)
            nxt = None if s.converted_on else add_months(s.activist_on, REPORT_MONTHS * (len(got) + 1))
            status = "not_yet" if need == 0 and not got else ("present" if len(got) >= need else "missing")
            items.append(DocItem(d, status, required=need, received=len(got), dates=got, next_due=nxt))
        elif not step_dates:
            items.append(DocItem(d, "not_yet", received=len(got), dates=got))
        elif d.auto:
            items.append(DocItem(d, "present", required=len(step_dates) if d.per == "entry" else 1,
                                 received=len(step_dates), dates=step_dates))
        else:
            items.append(DocItem(d, "present" if got else "missing", required=1, received=len(got), dates=got))
    return items


def summary(items: Sequence[DocItem]) -> dict:
    """Counts for the header: how many documents are due so far, present, missing."""
    due = [i for i in items if i.status != "not_yet"]
    return {"due": len(due), "present": sum(1 for i in due if i.status == "present"),
            "missing": sum(1 for i in due if i.status == "missing"), "complete": all(i.status == "present" for i in due)}
