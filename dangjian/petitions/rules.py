"""Rules of 诉求 / 建议 / 领导信箱 and 矛盾纠纷调解, as data and pure functions.

Source: seed 004 (柳园镇): “对群众反映的问题、困难，第一时间沟通、第一时间受理、第一时间办理、第一时间反馈”
(首问负责); 排查调处矛盾纠纷, 达成口头协议 / 书面协议, 涉及人员, 涉及金额; seed 003 (刘集镇): 领导信箱 in the
百事通 app. RULES.md §9: deadlines in 工作日 use the working-day calendar (dangjian.core.workdays).
The ids R-PET-… are proposed for RULES.md (see the report of issue 9).
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dangjian.core.workdays import add_working_days

# R-PET-SLA: the four 首问负责 steps, in this order only (seed 004: 沟通 → 受理 → 办理 → 反馈).
STEPS = ["contact", "accept", "handle", "feedback"]
STEP_LABELS = {"contact": "沟通", "accept": "受理", "handle": "办理", "feedback": "反馈"}


@dataclass(frozen=True)
class SlaDays:
    """R-PET-SLA ⚙ — Decision (issue 9; seed 004 says only 第一时间, so the numbers are ours):
    - contact  (沟通): within 1 工作日 of receipt;
    - accept   (受理): within 2 工作日 of receipt;
    - handle   (办理): within 15 工作日 of acceptance (the actual acceptance date once accepted; until
                       then counted from the acceptance deadline);
    - feedback (反馈): within 3 工作日 after handling (the actual handling date once handled; until then
                       counted from the handling deadline).
    "N 工作日 after D" is the N-th working day after D (RULES.md §9); D itself never counts, so a case
    received on a Friday before a holiday is due after the holiday. A committee may set its own numbers
    (PetitionSettings); the nearest ancestor's row wins."""

    contact: int = 1
    accept: int = 2
    handle: int = 15
    feedback: int = 3


DEFAULT_SLA = SlaDays()
SLA_MAX_DAYS = 60  # a committee's setting above this is refused (keeps deadlines meaningful)


def deadlines(*, received_on: date, sla: SlaDays = DEFAULT_SLA, accepted_on: date | None = None,
              handled_on: date | None = None,
              add: Callable[[date, int], date] = add_working_days) -> dict[str, date]:
    """R-PET-SLA: the due date of each step (pure; pass add=add_working_days_db for the override table)."""
    accept_due = add(received_on, sla.accept)
    handle_due = add(accepted_on or accept_due, sla.handle)
    return {
        "contact": add(received_on, sla.contact),
        "accept": accept_due,
        "handle": handle_due,
        "feedback": add(handled_on or handle_due, sla.feedback),
    }


def next_step(done: set[str]) -> str | None:
    for step in STEPS:
        if step not in done:
            return step
    return None


def check_step_order(*, done: set[str], step: str) -> str:
    """R-PET-ORDER: '' when `step` is the next one, else the Chinese reason."""
    if step not in STEPS:
        return "无效的办理环节"
    expected = next_step(done)
    if expected is None:
        return "该诉求已办结，不能再登记办理环节"
    if step in done:
        return f"“{STEP_LABELS[step]}”环节已登记"
    if step != expected:
        return f"请先完成“{STEP_LABELS[expected]}”环节，再登记“{STEP_LABELS[step]}”"
    return ""


def is_late(*, done_on: date, due: date) -> bool:
    """R-PET-LATE: done after its due date (the due date itself is on time)."""
    return done_on > due


def is_overdue(*, due: date, today: date) -> bool:
    """A pending step is overdue from the day after its due date."""
    return today > due


# R-PET-PUBLIC ⚙: the public form (no login) accepts this many submissions per IP per hour (fixed
# window in the cache); a hidden honeypot field filled in means a robot: refused, nothing stored.
PUBLIC_PER_HOUR = 10
TRACK_LOOKUPS_PER_HOUR = 60
HONEYPOT_FIELD = "website"
TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud over the phone
TRACKING_LENGTH = 12  # 31^12 ≈ 2^59: not guessable

TITLE_MAX = 100
CONTENT_MAX = 2000
NOTE_MAX = 500

CATEGORIES = [
    ("environment", "环境卫生"), ("property", "物业管理"), ("infrastructure", "基础设施"),
    ("security", "治安安全"), ("employment", "就业创业"), ("relief", "困难救助"), ("medical", "医疗健康"),
    ("education", "教育"), ("neighbour", "邻里纠纷"), ("policy", "政策咨询"), ("other", "其他"),
]
SATISFACTION = [("satisfied", "满意"), ("basically", "基本满意"), ("unsatisfied", "不满意"),
                ("unreachable", "未能回访")]


def normalize_tracking_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:32]


# R-MEDIATION (seed 004: 矛盾纠纷 with 口头协议 / 书面协议, 涉及人员, 涉及金额).
FEN = Decimal("0.01")
MEDIATION_OUTCOMES = [("oral", "口头协议"), ("written", "书面协议"), ("failed", "调解未成")]
MEDIATION_MAX_AMOUNT = Decimal("1e11")


def mediation_amount(value) -> Decimal:
    """Amount at stake: Decimal half-up to the fen (DESIGN rule 8); ValueError for junk or negatives."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(FEN, ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValueError("涉及金额格式不正确")
    if not amount.is_finite() or amount < 0 or amount >= MEDIATION_MAX_AMOUNT:
        raise ValueError("涉及金额应为不小于 0 的数")
    return amount


def check_mediation_people(*, parties: int, people_involved: int) -> str:
    """A dispute has at least two parties, and everyone in a party is among the people involved."""
    if parties < 2:
        return "矛盾纠纷至少涉及两方当事人"
    if people_involved < parties:
        return "涉及人数不能少于当事方数"
    return ""
