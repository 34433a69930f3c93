"""Terms of office and 换届选举 (RULES.md §2, 选举条例 2020), as data plus pure functions.

Nothing here touches the database: services gather the facts (members, votes) and these functions
decide. Each rule cites its id; tests/test_rules.py walks every boundary.
"""
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta

from dangjian.core.errors import DomainError

# --- Terms (RULES §2 "Terms") -------------------------------------------------------------------

TERM_YEARS_COMMITTEE = 5          # R-TERM: 基层党委 5 years
TERM_YEARS_VILLAGE_COMMUNITY = 5  # R-TERM: 村 and 社区 orgs (总支 and 支部 too) 5 years
TERM_YEARS_DEFAULT = 3            # R-TERM: 总支 and 支部 3 years
VILLAGE_COMMUNITY_UNITS = ("village", "community")
POSTPONE_MAX_YEARS = 1            # R-TERM-POSTPONE: advanced or delayed by at most 1 year, with approval
REMIND_DAYS = 90                  # R-TERM-REMIND ⚙: warn 90 days before a term ends (换届提醒)
REMIND_DAYS_MAX = 365

# Term states shown on badges.
NONE, OK, EXPIRING, OVERDUE = "none", "ok", "expiring", "overdue"
STATE_LABELS = {NONE: "未登记班子", OK: "任期内", EXPIRING: "即将到期", OVERDUE: "已到期"}
STATE_COLOURS = {NONE: "secondary", OK: "green", EXPIRING: "orange", OVERDUE: "red"}


def term_years(*, org_kind: str, unit_kind: str | None) -> int:
    """R-TERM: 5 years for a 基层党委 and for 村/社区 orgs; otherwise (总支, 支部) 3 years."""
    if org_kind == "committee":
        return TERM_YEARS_COMMITTEE
    if unit_kind in VILLAGE_COMMUNITY_UNITS:
        return TERM_YEARS_VILLAGE_COMMUNITY
    return TERM_YEARS_DEFAULT


def add_years(day: date, years: int) -> date:
    """Calendar years (a term elected on 29 Feb ends on 28 Feb), never 365-day years."""
    return day + relativedelta(years=years)


def term_ends_on(elected_on: date, years: int) -> date:
    """R-TERM: the term ends on the same calendar date `years` later."""
    return add_years(elected_on, years)


def postpone_limit(term_end: date) -> date:
    """R-TERM-POSTPONE: the latest date a term may be extended to (the regular end + 1 year)."""
    return add_years(term_end, POSTPONE_MAX_YEARS)


def check_postponement(*, term_end: date, current_expiry: date, new_expiry: date, approved_on: date,
                       today: date) -> None:
    """R-TERM-POSTPONE: a later date, approved (not in the future), at most 1 year past the regular end
    in all (several postponements add up)."""
    if new_expiry <= current_expiry:
        raise DomainError("延期后的届满日期须晚于当前届满日期", rule="R-TERM-POSTPONE", field="new_expires_on")
    if new_expiry > postpone_limit(term_end):
        raise DomainError(f"延期换届最长不超过1年：届满日期最晚为 {postpone_limit(term_end):%Y-%m-%d}",
                          rule="R-TERM-POSTPONE", field="new_expires_on")
    if approved_on > today:
        raise DomainError("批准日期不能晚于今天", rule="R-TERM-POSTPONE", field="approved_on")


def term_state(expires_on: date | None, today: date, remind_days: int = REMIND_DAYS) -> str:
    """R-TERM-REMIND: expiring from `remind_days` before the last day of the term through that day;
    overdue from the next day on."""
    if expires_on is None:
        return NONE
    if today > expires_on:
        return OVERDUE
    if (expires_on - today).days <= remind_days:
        return EXPIRING
    return OK


# --- Committee composition (RULES §2 R-COMMITTEE-7) -------------------------------------------

COMMITTEE_MIN_FULL = 7   # R-COMMITTEE-7: ≥ 7 full members elect a 支部委员会
COMMITTEE_MIN_SEATS = 3  # … of 3–5 members,
COMMITTEE_MAX_SEATS = 7  # … at most 7
NO_COMMITTEE_MAX_SEATS = 2  # below 7: a secretary and maybe a deputy, no committee
OTHER_MAX_SEATS = 31     # 总支 / 党委: a sanity bound only (选举条例 sets their sizes by approval)

DUTIES = [
    ("secretary", "书记"), ("deputy_secretary", "副书记"), ("organizing_member", "组织委员"),
    ("publicity_member", "宣传委员"), ("discipline_member", "纪检委员"), ("member", "委员"),
]
DUTY_LABELS = dict(DUTIES)
DUTY_ORDER = {code: i for i, (code, _) in enumerate(DUTIES)}


def seats_allowed(*, org_kind: str, full_members: int) -> tuple[int, int]:
    """R-COMMITTEE-7: the seats a branch may fill (a committee of 3–7 from 7 full members; else 1–2)."""
    if org_kind != "branch":
        return 1, OTHER_MAX_SEATS
    if full_members >= COMMITTEE_MIN_FULL:
        return 1, COMMITTEE_MAX_SEATS
    return 1, NO_COMMITTEE_MAX_SEATS


def check_seats(*, org_kind: str, seats: int, full_members: int) -> None:
    low, high = seats_allowed(org_kind=org_kind, full_members=full_members)
    if seats < low:
        raise DomainError("应选名额至少为 1", rule="R-COMMITTEE-7", field="seats")
    if seats > high:
        if org_kind == "branch" and full_members < COMMITTEE_MIN_FULL:
            raise DomainError(f"正式党员不足 {COMMITTEE_MIN_FULL} 人的党支部不设支部委员会，只选书记（必要时选副书记），"
                              f"应选名额最多 {high} 名", rule="R-COMMITTEE-7", field="seats")
        raise DomainError(f"支部委员会最多 {high} 名委员", rule="R-COMMITTEE-7", field="seats")


def check_duties(duties: list[str]) -> None:
    """Exactly one 书记; every duty from the list (a member holds one seat)."""
    unknown = [d for d in duties if d not in DUTY_LABELS]
    if unknown:
        raise DomainError(f"未知的分工：{unknown[0]}", rule="R-COMMITTEE-7", field="duty")
    if duties.count("secretary") != 1:
        raise DomainError("班子须有且只有一名书记", rule="R-COMMITTEE-7", field="duty")
    if duties.count("deputy_secretary") > 2:
        raise DomainError("副书记最多两名", rule="R-COMMITTEE-7", field="duty")


def is_committee(seat_count: int) -> bool:
    """A 支部委员会 has at least 3 members; a secretary (and deputy) alone is not a committee."""
    return seat_count >= COMMITTEE_MIN_SEATS


# --- Elections (RULES §2 "Elections", 选举条例) --------------------------------------------------

def candidates_minimum(seats: int) -> int:
    """R-ELECT-SURPLUS: candidates exceed seats by ≥ 20 %, rounded up (5 → 6, 4 → 5, 10 → 12).

    Decision: the rule is applied to every election, so a 1-seat election (a branch below 7 full members
    electing only its secretary) needs 2 candidates and 2 seats need 3 (ceil(1.2) = 2, ceil(2.4) = 3).
    A re-vote between candidates tied at the last seat is exempt (选举条例: 就票数相等的被选举人再次投票)."""
    return seats + (seats + 4) // 5


def quorum_met(*, present: int, entitled: int) -> bool:
    """R-ELECT-QUORUM: valid only when more than 4/5 of the entitled voters are present."""
    return present * 5 > entitled * 4


def has_majority(*, votes: int, present: int) -> bool:
    """R-ELECT-MAJORITY: elected only with more than half of the votes of those present."""
    return votes * 2 > present


def ballots_void(*, issued: int, returned: int) -> bool:
    """R-ELECT-BALLOTS: more ballots returned than issued makes the ballot void."""
    return returned > issued


COMPLETE, TIE, SHORTFALL = "complete", "tie", "shortfall"


@dataclass
class Tally:
    elected: list[int] = field(default_factory=list)   # member ids, highest votes first
    tied: list[int] = field(default_factory=list)      # tied at the last seat: re-vote among them
    seats_left: int = 0                                  # seats still open (tie or shortfall)
    outcome: str = COMPLETE


def tally(*, votes: dict[int, int], seats: int, present: int) -> Tally:
    """Who is elected (R-ELECT-MAJORITY, then highest votes fill the seats).

    Candidates with a majority of those present, highest first, fill the seats. When candidates with equal
    votes straddle the last seat nobody among them is elected: a re-vote between them is needed (R-ELECT-TIE).
    Fewer majority winners than seats leaves a shortfall (选举条例: 另行选举, or fewer seats by decision)."""
    qualified = sorted(((mid, v) for mid, v in votes.items() if has_majority(votes=v, present=present)),
                       key=lambda x: (-x[1], x[0]))
    if len(qualified) <= seats:
        elected = [mid for mid, _ in qualified]
        left = seats - len(elected)
        return Tally(elected=elected, seats_left=left, outcome=SHORTFALL if left else COMPLETE)
    cutoff = qualified[seats - 1][1]
    above = [mid for mid, v in qualified if v > cutoff]
    at = [mid for mid, v in qualified if v == cutoff]
    if len(above) + len(at) == seats:  # the next one below has fewer votes: no tie
        return Tally(elected=above + at)
    return Tally(elected=above, tied=at, seats_left=seats - len(above), outcome=TIE)


@dataclass(frozen=True)
class Ballot:
    """The facts of one election meeting."""

    seats: int
    entitled: int
    present: int
    ballots_issued: int
    ballots_returned: int
    votes: dict[int, int]  # member id → votes


def check_ballot(b: Ballot, *, revote_of_tie: bool = False) -> None:
    """Every rule of the meeting, in the order an office checks them; raises DomainError on the first
    failure (the caller saves nothing)."""
    if b.entitled < 1:
        raise DomainError("应到会有选举权的党员人数须大于 0", rule="R-ELECT-VOTERS", field="entitled")
    if b.present < 0 or b.present > b.entitled:
        raise DomainError("实到人数不能超过应到人数", rule="R-ELECT-VOTERS", field="present")
    if not quorum_met(present=b.present, entitled=b.entitled):
        raise DomainError(f"到会有选举权的党员 {b.present} 人，未超过应到 {b.entitled} 人的五分之四，不能进行选举",
                          rule="R-ELECT-QUORUM", field="present")
    if b.ballots_issued < 0 or b.ballots_returned < 0:
        raise DomainError("票数不能为负数", rule="R-ELECT-BALLOTS", field="ballots_returned")
    if b.ballots_issued > b.present:
        raise DomainError("发出的选票不能多于到会人数", rule="R-ELECT-BALLOTS", field="ballots_issued")
    if ballots_void(issued=b.ballots_issued, returned=b.ballots_returned):
        raise DomainError(f"收回选票 {b.ballots_returned} 张多于发出的 {b.ballots_issued} 张，选举无效，须重新投票",
                          rule="R-ELECT-BALLOTS", field="ballots_returned")
    if not revote_of_tie and len(b.votes) < candidates_minimum(b.seats):
        raise DomainError(f"候选人 {len(b.votes)} 名，应多于应选名额 {b.seats} 名的 20%（至少 "
                          f"{candidates_minimum(b.seats)} 名）", rule="R-ELECT-SURPLUS", field="candidates")
    if revote_of_tie and len(b.votes) <= b.seats:
        raise DomainError("再次投票的候选人须多于剩余名额", rule="R-ELECT-TIE", field="candidates")
    for mid, v in b.votes.items():
        if v < 0:
            raise DomainError("得票数不能为负数", rule="R-ELECT-VOTES", field="candidates")
        if v > b.present:
            raise DomainError(f"候选人得票 {v} 票，超过到会人数 {b.present}", rule="R-ELECT-VOTES", field="candidates")
        if v > b.ballots_returned:
            raise DomainError(f"候选人得票 {v} 票，超过收回的选票 {b.ballots_returned} 张", rule="R-ELECT-VOTES",
                              field="candidates")
    if sum(b.votes.values()) > b.ballots_returned * b.seats:
        raise DomainError("得票总数超过收回选票可投的票数（每张选票最多选应选名额人数）", rule="R-ELECT-VOTES",
                          field="candidates")


def entitled_differs(*, entitled: int, computed: int) -> bool:
    """R-ELECT-VOTERS: the system pre-fills the full members with voting rights; another number needs a reason
    (probationary members never vote, so a larger number usually counts them by mistake)."""
    return entitled != computed
