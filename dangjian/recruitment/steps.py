"""The 25 steps of 发展党员 as data (RULES.md §1; 中国共产党发展党员工作细则 2014).

Pure Python, no Django: the codes, labels, phases, prerequisites, the time rules each step is
subject to, and the data each step carries. rules.py evaluates a history against this table.
"""
from __future__ import annotations

from dataclasses import dataclass

# Person stages (Member.stage), in order (RULES.md §1).
STAGES = ["applicant", "activist", "candidate", "probationary", "full"]
STAGE_LABELS = {"applicant": "入党申请人", "activist": "入党积极分子", "candidate": "发展对象",
                "probationary": "预备党员", "full": "正式党员"}

# Rule ids this module cites (RULES.md §1). The last four are proposed additions to RULES.md §1:
# R-ORDER (the table's "prerequisite" column and the order of dates), R-FUTURE ("A future date is
# refused"), R-VOTERS ("Only full members vote … a different number needs a reason"), R-APPROVER
# ("only a 党委 may approve; a 党总支 or 村/社区党委 only 审议"). R-PLAN is proposed too: the yearly
# 发展党员计划 (细则 §4: 发展党员工作应当有计划) — an admission beyond the plan is warned about, never refused.
R_AGE, R_TALK_1M, R_SPONSORS, R_ASSESS_6M = "R-AGE", "R-TALK-1M", "R-SPONSORS", "R-ASSESS-6M"
R_ACTIVIST_1Y, R_INTRODUCERS, R_REVIEW, R_TRAIN_3D = "R-ACTIVIST-1Y", "R-INTRODUCERS", "R-REVIEW", "R-TRAIN-3D"
R_PUBLICITY, R_QUORUM, R_MAJORITY, R_WRITTEN = "R-PUBLICITY", "R-QUORUM", "R-MAJORITY", "R-WRITTEN"
R_APPROVE_3M, R_PROBATION_1Y, R_EXTEND, R_LEAVING = "R-APPROVE-3M", "R-PROBATION-1Y", "R-EXTEND", "R-LEAVING"
R_ORDER, R_FUTURE, R_VOTERS, R_APPROVER = "R-ORDER", "R-FUTURE", "R-VOTERS", "R-APPROVER"
R_PLAN = "R-PLAN"

# The 细则's five phases (阶段), each a run of step numbers.
PHASES = [
    ("申请入党", 1, 2),
    ("入党积极分子的确定和培养教育", 3, 6),
    ("发展对象的确定和考察", 7, 11),
    ("预备党员的接收", 12, 18),
    ("预备党员的教育考察和转正", 19, 25),
]


@dataclass(frozen=True)
class FieldSpec:
    """One item of a step's data. kind: text, longtext, bool, int, number, date, choice, member, members, group, org."""

    name: str
    label: str
    kind: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Step:
    num: int
    code: str
    label: str
    stage_after: str | None      # the person's stage once this step is recorded (None: unchanged)
    prereqs: tuple[str, ...]     # codes that must be done (votes passed, approvals approved) first
    rules: tuple[str, ...]       # time and data rules (RULES.md ids) the step is checked against
    fields: tuple[FieldSpec, ...] = ()
    repeatable: bool = False     # may be recorded more than once (assessments, replacements, re-votes)

    @property
    def phase(self) -> str:
        return next(name for name, lo, hi in PHASES if lo <= self.num <= hi)


NOTE = FieldSpec("note", "备注", "text")
TALKER = (FieldSpec("talker_id", "谈话人（党员）", "member", help="从党员中选择，或填写谈话人姓名"),
          FieldSpec("talker_name", "谈话人姓名", "text"))
SUMMARY = FieldSpec("summary", "考察情况（思想汇报、现实表现）", "longtext", required=True)
METHODS = (("member_recommendation", "党员推荐"), ("mass_org_recommendation", "群团组织推优"))
OUTCOMES = (("convert", "按期转为正式党员"), ("extend", "延长预备期"), ("cancel", "取消预备党员资格"))
VOTE = (
    FieldSpec("entitled", "应到有表决权的正式党员数", "int", help="系统按本支部有表决权的正式党员预填"),
    FieldSpec("entitled_reason", "应到人数与系统不一致的原因", "text"),
    FieldSpec("present", "实到人数（含书面表决）", "int", required=True),
    FieldSpec("for", "赞成票", "int", required=True),
    FieldSpec("against", "反对票", "int", required=True),
    FieldSpec("abstain", "弃权票", "int", required=True),
    FieldSpec("written", "其中书面表决人数", "int", help="因故不能到会、会前提交书面意见者（R-WRITTEN）"),
    FieldSpec("passed", "表决结果", "bool", help="可不填，由系统按 R-QUORUM、R-MAJORITY 计算"),
)

STEPS: list[Step] = [
    Step(1, "application", "递交入党申请书", "applicant", (), (R_AGE,)),
    Step(2, "application_talk", "党组织派人谈话", None, ("application",), (R_TALK_1M,),
         TALKER + (FieldSpec("summary", "谈话情况", "longtext"),)),
    Step(3, "activist_recommendation", "推荐和确定入党积极分子", "activist", ("application_talk",), (),
         (FieldSpec("method", "推荐方式", "choice", True, METHODS),)),
    Step(4, "activist_filing", "报上级党委备案", None, ("activist_recommendation",), ()),
    Step(5, "sponsors_assigned", "指定培养联系人", None, ("activist_recommendation",), (R_SPONSORS,),
         (FieldSpec("sponsor_ids", "培养联系人（一至两名正式党员）", "members", True),), repeatable=True),
    Step(6, "activist_assessment", "培养教育考察", None, ("sponsors_assigned",), (R_ASSESS_6M,),
         (SUMMARY,), repeatable=True),
    Step(7, "candidate_designation", "确定发展对象", "candidate",
         ("activist_filing", "sponsors_assigned", "activist_assessment"), (R_ACTIVIST_1Y,)),
    Step(8, "candidate_filing", "报上级党委备案", None, ("candidate_designation",), ()),
    Step(9, "introducers_assigned", "确定入党介绍人", None, ("candidate_designation",), (R_INTRODUCERS,),
         (FieldSpec("introducer_ids", "入党介绍人（两名正式党员）", "members", True),), repeatable=True),
    Step(10, "political_review", "进行政治审查", None, ("candidate_designation",), (R_REVIEW,),
         (FieldSpec("conclusion", "政治审查结论", "longtext", True),
          FieldSpec("passed", "政审合格", "bool", True)), repeatable=True),
    Step(11, "candidate_training", "开展集中培训", None, ("candidate_designation",), (R_TRAIN_3D,),
         (FieldSpec("days", "培训天数", "number"), FieldSpec("hours", "培训学时", "number"),
          FieldSpec("special_reason", "不足三天或 24 学时的特殊情况说明", "text"),
          FieldSpec("certificate_no", "结业证书编号", "text"))),
    Step(12, "branch_review", "支部委员会审查", None,
         ("candidate_filing", "introducers_assigned", "political_review", "candidate_training"), (R_LEAVING,)),
    Step(13, "pre_review", "上级党委预审", None, ("branch_review",), (R_PUBLICITY, R_LEAVING),
         (FieldSpec("publicity_from", "公示开始日期", "date", True),
          FieldSpec("publicity_to", "公示结束日期", "date", True))),
    Step(14, "application_form", "填写入党志愿书", None, ("pre_review",), (R_LEAVING,)),
    Step(15, "admission_vote", "支部大会讨论接收预备党员", None, ("application_form",),
         (R_QUORUM, R_MAJORITY, R_WRITTEN, R_VOTERS, R_PUBLICITY, R_LEAVING), VOTE, repeatable=True),
    Step(16, "approval_talk", "上级党委派人谈话", None, ("admission_vote",), (), TALKER),
    Step(17, "admission_approval", "上级党委审批", "probationary", ("admission_vote", "approval_talk"),
         (R_APPROVE_3M, R_APPROVER),
         (FieldSpec("approved", "批准", "bool", True),
          FieldSpec("approver_org_id", "审批党委", "org", help="默认为有审批权的最近上级党委"))),
    Step(18, "department_filing", "再上一级党委组织部门备案", None, ("admission_approval",), ()),
    Step(19, "group_assignment", "编入党支部和党小组", None, ("admission_approval",), (),
         (FieldSpec("party_group_id", "党小组", "group"),)),
    Step(20, "oath", "入党宣誓", None, ("admission_approval",), ()),
    Step(21, "probation_assessment", "继续教育考察", None, ("admission_approval",), (R_ASSESS_6M,),
         (SUMMARY,), repeatable=True),
    Step(22, "conversion_application", "提出转正申请", None, ("admission_approval",), (R_PROBATION_1Y,)),
    Step(23, "conversion_vote", "支部大会讨论转正", None, ("conversion_application",),
         (R_QUORUM, R_MAJORITY, R_WRITTEN, R_VOTERS, R_EXTEND),
         (FieldSpec("outcome", "表决事项", "choice", True, OUTCOMES),
          FieldSpec("extension_months", "延长预备期（月，6–12）", "int")) + VOTE, repeatable=True),
    Step(24, "conversion_approval", "上级党委审批", "full", ("conversion_vote",), (R_APPROVE_3M, R_APPROVER),
         (FieldSpec("approved", "批准", "bool", True),
          FieldSpec("approver_org_id", "审批党委", "org", help="默认为有审批权的最近上级党委"))),
    Step(25, "archiving", "材料归档", None, ("conversion_approval",), ()),
]
for _s in STEPS:
    object.__setattr__(_s, "fields", _s.fields + (NOTE,))

STEP_BY_CODE: dict[str, Step] = {s.code: s for s in STEPS}
STEP_CHOICES = [(s.code, f"{s.num}. {s.label}") for s in STEPS]
VOTE_STEPS = ("admission_vote", "conversion_vote")
APPROVAL_STEPS = ("admission_approval", "conversion_approval")
LEAVING_STEPS = ("branch_review", "pre_review", "application_form", "admission_vote")  # R-LEAVING: steps 12–15


def label(code: str) -> str:
    step = STEP_BY_CODE.get(code)
    return f"第{step.num}步「{step.label}」" if step else code
