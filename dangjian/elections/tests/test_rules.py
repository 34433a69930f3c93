"""Boundary tests of RULES.md §2 (terms, committees, elections) as implemented in elections/rules.py."""
from datetime import date

import pytest

from dangjian.core.errors import DomainError
from dangjian.elections import rules


# --- R-TERM ---

@pytest.mark.parametrize("org_kind,unit_kind,years", [
    ("committee", None, 5), ("committee", "enterprise", 5), ("committee", "community", 5),
    ("branch", "village", 5), ("branch", "community", 5), ("general_branch", "community", 5),
    ("branch", "enterprise", 3), ("branch", "government", 3), ("branch", None, 3), ("general_branch", None, 3),
])
def test_term_years(org_kind, unit_kind, years):
    assert rules.term_years(org_kind=org_kind, unit_kind=unit_kind) == years


def test_term_end_is_calendar_years():
    assert rules.term_ends_on(date(2021, 6, 30), 3) == date(2024, 6, 30)
    assert rules.term_ends_on(date(2020, 2, 29), 5) == date(2025, 2, 28)  # no 29 Feb in 2025
    assert rules.term_ends_on(date(2024, 2, 29), 4) == date(2028, 2, 29)


@pytest.mark.parametrize("today,state", [
    (date(2025, 2, 28), rules.OK),         # 92 days before
    (date(2025, 3, 1), rules.OK),          # 91 days before
    (date(2025, 3, 2), rules.EXPIRING),    # exactly 90 days before: remind
    (date(2025, 5, 31), rules.EXPIRING),   # the last day of the term
    (date(2025, 6, 1), rules.OVERDUE),     # the day after
])
def test_term_state_boundaries(today, state):
    assert rules.term_state(date(2025, 5, 31), today) == state


def test_term_state_configurable_window_and_none():
    assert rules.term_state(date(2025, 5, 31), date(2025, 5, 1), remind_days=30) == rules.EXPIRING
    assert rules.term_state(date(2025, 5, 31), date(2025, 4, 30), remind_days=30) == rules.OK
    assert rules.term_state(None, date(2025, 1, 1)) == rules.NONE


# --- R-TERM-POSTPONE ---

def _postpone(new, *, current=date(2025, 5, 31), approved=date(2025, 5, 1)):
    rules.check_postponement(term_end=date(2025, 5, 31), current_expiry=current, new_expiry=new,
                             approved_on=approved, today=date(2025, 6, 1))


def test_postponement_at_most_one_year():
    _postpone(date(2026, 5, 31))  # exactly one year: allowed
    with pytest.raises(DomainError) as exc:
        _postpone(date(2026, 6, 1))  # one day more: refused
    assert exc.value.rule == "R-TERM-POSTPONE"


def test_postponements_add_up_and_must_move_later():
    _postpone(date(2026, 5, 31), current=date(2025, 11, 30))   # second postponement up to the same limit
    with pytest.raises(DomainError):
        _postpone(date(2026, 6, 30), current=date(2025, 11, 30))
    with pytest.raises(DomainError):
        _postpone(date(2025, 5, 31))  # not later than now
    with pytest.raises(DomainError):
        _postpone(date(2025, 9, 1), approved=date(2025, 6, 2))  # approval in the future


# --- R-COMMITTEE-7 ---

def test_seats_by_branch_size():
    rules.check_seats(org_kind="branch", seats=7, full_members=7)
    rules.check_seats(org_kind="branch", seats=2, full_members=6)
    with pytest.raises(DomainError) as exc:
        rules.check_seats(org_kind="branch", seats=3, full_members=6)  # no committee below 7
    assert exc.value.rule == "R-COMMITTEE-7"
    with pytest.raises(DomainError):
        rules.check_seats(org_kind="branch", seats=8, full_members=40)
    with pytest.raises(DomainError):
        rules.check_seats(org_kind="branch", seats=0, full_members=40)
    rules.check_seats(org_kind="committee", seats=9, full_members=300)


def test_duties():
    rules.check_duties(["secretary", "member", "organizing_member"])
    for bad in (["member", "member"], ["secretary", "secretary"], ["secretary", "boss"],
                ["secretary", "deputy_secretary", "deputy_secretary", "deputy_secretary"]):
        with pytest.raises(DomainError):
            rules.check_duties(bad)
    assert rules.is_committee(3) and not rules.is_committee(2)


# --- R-ELECT-SURPLUS ---

@pytest.mark.parametrize("seats,minimum", [(1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 8), (7, 9), (10, 12),
                                           (11, 14)])
def test_candidates_minimum_is_20_percent_rounded_up(seats, minimum):
    assert rules.candidates_minimum(seats) == minimum


# --- R-ELECT-QUORUM, R-ELECT-MAJORITY, R-ELECT-BALLOTS ---

def test_quorum_more_than_four_fifths():
    assert not rules.quorum_met(present=8, entitled=10)  # exactly 4/5: not enough
    assert rules.quorum_met(present=9, entitled=10)      # one more: passes
    assert not rules.quorum_met(present=36, entitled=45)
    assert rules.quorum_met(present=37, entitled=45)
    assert not rules.quorum_met(present=4, entitled=5)
    assert rules.quorum_met(present=5, entitled=5)


def test_majority_of_those_present():
    assert not rules.has_majority(votes=5, present=10)  # exactly half: not enough
    assert rules.has_majority(votes=6, present=10)
    assert not rules.has_majority(votes=4, present=9)
    assert rules.has_majority(votes=5, present=9)


def test_ballots_void_when_more_returned_than_issued():
    assert not rules.ballots_void(issued=10, returned=10)
    assert not rules.ballots_void(issued=10, returned=9)
    assert rules.ballots_void(issued=10, returned=11)


# --- tally ---

def test_highest_votes_fill_the_seats():
    t = rules.tally(votes={1: 9, 2: 8, 3: 7, 4: 10}, seats=3, present=10)
    assert t.outcome == rules.COMPLETE and t.elected == [4, 1, 2] and t.tied == []


def test_exactly_half_is_not_elected_and_leaves_a_shortfall():
    t = rules.tally(votes={1: 9, 2: 5, 3: 4}, seats=2, present=10)
    assert t.outcome == rules.SHORTFALL and t.elected == [1] and t.seats_left == 1


def test_tie_at_the_last_seat_needs_a_revote():
    t = rules.tally(votes={1: 9, 2: 8, 3: 8, 4: 2}, seats=2, present=10)
    assert t.outcome == rules.TIE and t.elected == [1] and sorted(t.tied) == [2, 3] and t.seats_left == 1


def test_tie_above_the_last_seat_is_fine():
    t = rules.tally(votes={1: 9, 2: 9, 3: 7, 4: 6}, seats=3, present=10)
    assert t.outcome == rules.COMPLETE and sorted(t.elected) == [1, 2, 3]


def test_tie_below_the_majority_is_a_shortfall_not_a_tie():
    t = rules.tally(votes={1: 9, 2: 5, 3: 5}, seats=2, present=10)
    assert t.outcome == rules.SHORTFALL and t.elected == [1] and t.tied == []


def ballot(**kw):
    base = dict(seats=2, entitled=10, present=9, ballots_issued=9, ballots_returned=9, votes={1: 8, 2: 7, 3: 3})
    return rules.Ballot(**{**base, **kw})


@pytest.mark.parametrize("kw,rule", [
    ({"present": 8}, "R-ELECT-QUORUM"),
    ({"present": 11}, "R-ELECT-VOTERS"),
    ({"ballots_returned": 10, "ballots_issued": 9}, "R-ELECT-BALLOTS"),
    ({"ballots_issued": 10}, "R-ELECT-BALLOTS"),
    ({"votes": {1: 8, 2: 7}}, "R-ELECT-SURPLUS"),
    ({"votes": {1: 10, 2: 7, 3: 1}}, "R-ELECT-VOTES"),
    ({"ballots_returned": 7, "votes": {1: 8, 2: 7, 3: 1}}, "R-ELECT-VOTES"),
    ({"ballots_returned": 5, "votes": {1: 5, 2: 5, 3: 5}}, "R-ELECT-VOTES"),
])
def test_check_ballot_refusals(kw, rule):
    with pytest.raises(DomainError) as exc:
        rules.check_ballot(ballot(**kw))
    assert exc.value.rule == rule


def test_check_ballot_accepts_and_tie_round_is_exempt_from_surplus():
    rules.check_ballot(ballot())
    rules.check_ballot(ballot(seats=1, votes={1: 5, 2: 4}), revote_of_tie=True)
    with pytest.raises(DomainError):
        rules.check_ballot(ballot(seats=2, votes={1: 5, 2: 4}), revote_of_tie=True)
