"""Boundary tests of RULES.md §1: the day before, the day of, the day after, for every time rule."""
from datetime import date, timedelta

import pytest

from dangjian.core.errors import DomainError
from dangjian.recruitment import rules
from dangjian.recruitment.rules import Entry, PersonFacts
from dangjian.recruitment.steps import STEP_BY_CODE, STEPS

FAR = date(2099, 1, 1)
ME = 99
PEOPLE = {1: PersonFacts(1, "甲", "full"), 2: PersonFacts(2, "乙", "full"), 3: PersonFacts(3, "丙", "full"),
          4: PersonFacts(4, "丁", "probationary"), 5: PersonFacts(5, "戊", "full", status="suspended"),
          ME: PersonFacts(ME, "本人", "activist")}
TALK = {"talker_name": "镇党委组织委员"}
VOTE_OK = {"entitled": 9, "present": 7, "for": 6, "against": 1, "abstain": 0}
D = timedelta(days=1)


class History:
    """Builds a valid history step by step, each step checked by validate_step."""

    def __init__(self):
        self.entries: list[Entry] = []

    @property
    def state(self):
        return rules.replay(self.entries)

    def check(self, code, on, data=None, *, today=FAR, **kw):
        kw.setdefault("people", PEOPLE)
        kw.setdefault("person_id", ME)
        kw.setdefault("birth_date", date(1990, 1, 1))
        return rules.validate_step(self.state, code, on, data or {}, today=today, **kw)

    def add(self, code, on, data=None, **kw):
        checked = self.check(code, on, data, **kw)
        self.entries.append(Entry(code, on, rules_json(checked.data), checked.is_late, kw.get("late_reason", "")))
        return self

    def window(self, code):
        return rules.window(self.state, code)


def rules_json(data):
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}


def refused(h, code, on, data=None, **kw) -> DomainError:
    with pytest.raises(DomainError) as exc:
        h.check(code, on, data, **kw)
    return exc.value


def activist(applied=date(2023, 1, 10), talk=date(2023, 1, 20), rec=date(2023, 3, 1)) -> History:
    h = History().add("application", applied).add("application_talk", talk, {"talker_name": "王书记"})
    return h.add("activist_recommendation", rec, {"method": "member_recommendation"})


def candidate(rec=date(2023, 3, 1)) -> History:
    h = activist(rec=rec).add("activist_filing", rec).add("sponsors_assigned", rec, {"sponsor_ids": [1, 2]})
    h.add("activist_assessment", rec + timedelta(days=150), {"summary": "表现良好"})
    h.add("activist_assessment", rec + timedelta(days=300), {"summary": "表现良好"})
    return h.add("candidate_designation", rules.add_years(rec, 1))


def voted(vote_on=date(2024, 6, 20)) -> History:
    h = candidate()  # designated 2024-03-01
    h.add("candidate_filing", date(2024, 3, 5)).add("introducers_assigned", date(2024, 3, 5), {"introducer_ids": [1, 2]})
    h.add("political_review", date(2024, 4, 1), {"conclusion": "合格", "passed": True})
    h.add("candidate_training", date(2024, 4, 10), {"days": 3})
    h.add("branch_review", date(2024, 5, 6))
    h.add("pre_review", date(2024, 5, 20), {"publicity_from": "2024-05-20", "publicity_to": "2024-05-24"})
    h.add("application_form", date(2024, 5, 27))
    return h.add("admission_vote", vote_on, VOTE_OK, entitled_expected=9)


def probationary(vote_on=date(2024, 6, 20)) -> History:
    h = voted(vote_on).add("approval_talk", vote_on, TALK)
    return h.add("admission_approval", vote_on + timedelta(days=30), {"approved": True})


# --- calendar arithmetic -----------------------------------------------------------------------

@pytest.mark.parametrize("start,months,expected", [
    (date(2024, 1, 15), 1, date(2024, 2, 15)), (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2023, 1, 31), 1, date(2023, 2, 28)), (date(2024, 3, 31), 1, date(2024, 4, 30)),
    (date(2024, 12, 31), 1, date(2025, 1, 31)), (date(2024, 8, 31), 6, date(2025, 2, 28)),
    (date(2023, 11, 30), 3, date(2024, 2, 29)), (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
])
def test_add_months_end_of_month(start, months, expected):
    assert rules.add_months(start, months) == expected


def test_the_table_has_25_steps_with_the_codes_of_rules_md():
    assert [s.num for s in STEPS] == list(range(1, 26))
    assert [s.code for s in STEPS] == [
        "application", "application_talk", "activist_recommendation", "activist_filing", "sponsors_assigned",
        "activist_assessment", "candidate_designation", "candidate_filing", "introducers_assigned",
        "political_review", "candidate_training", "branch_review", "pre_review", "application_form",
        "admission_vote", "approval_talk", "admission_approval", "department_filing", "group_assignment", "oath",
        "probation_assessment", "conversion_application", "conversion_vote", "conversion_approval", "archiving"]
    for s in STEPS:
        assert all(p in STEP_BY_CODE and STEP_BY_CODE[p].num < s.num for p in s.prereqs)


# --- R-AGE, R-FUTURE ---------------------------------------------------------------------------

@pytest.mark.parametrize("birth,on,ok", [
    (date(2000, 5, 10), date(2018, 5, 9), False), (date(2000, 5, 10), date(2018, 5, 10), True),
    (date(2000, 5, 10), date(2018, 5, 11), True),
    (date(2004, 2, 29), date(2022, 2, 28), False), (date(2004, 2, 29), date(2022, 3, 1), True),
])
def test_age_on_application(birth, on, ok):
    h = History()
    if ok:
        h.check("application", on, birth_date=birth)
    else:
        assert refused(h, "application", on, birth_date=birth).rule == "R-AGE"


def test_future_date_refused_today_allowed():
    today = date(2024, 5, 10)
    assert refused(History(), "application", today + D, today=today).rule == "R-FUTURE"
    History().check("application", today, today=today)


# --- R-TALK-1M ---------------------------------------------------------------------------------

def test_talk_within_one_month():
    h = History().add("application", date(2024, 1, 15))
    talk = {"talker_name": "王书记"}
    assert refused(h, "application_talk", date(2024, 1, 14), talk).rule == "R-ORDER"
    assert h.check("application_talk", date(2024, 1, 15), talk).is_late is False
    assert h.check("application_talk", date(2024, 2, 15), talk).is_late is False
    err = refused(h, "application_talk", date(2024, 2, 16), talk)
    assert (err.rule, err.field) == ("R-TALK-1M", "late_reason")
    assert h.check("application_talk", date(2024, 2, 16), talk, late_reason="书记外出培训").is_late is True


@pytest.mark.parametrize("applied,deadline", [(date(2024, 1, 31), date(2024, 2, 29)),
                                              (date(2023, 1, 31), date(2023, 2, 28)),
                                              (date(2024, 12, 31), date(2025, 1, 31))])
def test_talk_deadline_at_month_end(applied, deadline):
    h = History().add("application", applied)
    assert h.window("application_talk").latest == deadline
    assert not h.check("application_talk", deadline, {"talker_name": "甲"}).is_late
    assert refused(h, "application_talk", deadline + D, {"talker_name": "甲"}).rule == "R-TALK-1M"


def test_talk_overdue_is_a_violation_from_the_day_after():
    h = History().add("application", date(2024, 1, 15))
    assert rules.evaluate(h.entries, today=date(2024, 2, 15)).violations == []
    [v] = rules.evaluate(h.entries, today=date(2024, 2, 16)).violations
    assert (v.step, v.rule, v.kind) == ("application_talk", "R-TALK-1M", "overdue")


def test_talk_needs_a_talker():
    h = History().add("application", date(2024, 1, 15))
    assert refused(h, "application_talk", date(2024, 1, 20)).field == "talker_id"
    assert refused(h, "application_talk", date(2024, 1, 20), {"talker_id": 777}).field == "talker_id"
    h.check("application_talk", date(2024, 1, 20), {"talker_id": 1})


# --- order -------------------------------------------------------------------------------------

def test_step_before_its_prerequisite_is_refused():
    h = History().add("application", date(2024, 1, 15))
    err = refused(h, "activist_recommendation", date(2024, 1, 20), {"method": "member_recommendation"})
    assert err.rule == "R-ORDER" and "第2步" in err.detail
    assert refused(h, "admission_vote", date(2024, 1, 20), VOTE_OK).rule == "R-ORDER"
    assert refused(h, "application", date(2024, 1, 20)).rule == "R-ORDER"


def test_single_steps_are_not_repeated():
    h = activist()
    assert refused(h, "activist_recommendation", date(2023, 3, 2), {"method": "member_recommendation"}).rule == "R-ORDER"


def test_unknown_step_and_bad_data():
    h = activist()
    assert refused(h, "nonsense", date(2023, 3, 2)).field == "step"
    assert refused(h, "activist_filing", date(2023, 3, 2), {"bogus": 1}).field == "bogus"
    assert refused(h, "sponsors_assigned", date(2023, 3, 2), {"sponsor_ids": "x"}).field == "sponsor_ids"
    h2 = History().add("application", date(2024, 1, 15))
    h2.add("application_talk", date(2024, 1, 16), {"talker_name": "甲"})
    assert refused(h2, "activist_recommendation", date(2024, 1, 17), {"method": "lottery"}).field == "method"


# --- R-SPONSORS --------------------------------------------------------------------------------

@pytest.mark.parametrize("ids,ok", [([], False), ([1], True), ([1, 2], True), ([1, 2, 3], False), ([1, 1], False),
                                    ([4], False), ([5], False), ([ME], False), ([1, 777], False)])
def test_sponsors_one_or_two_full_members(ids, ok):
    h = activist()
    if ok:
        h.check("sponsors_assigned", date(2023, 3, 2), {"sponsor_ids": ids})
    else:
        err = refused(h, "sponsors_assigned", date(2023, 3, 2), {"sponsor_ids": ids})
        assert err.field == "sponsor_ids"
        assert err.rule in ("R-SPONSORS", "")


# --- R-ASSESS-6M ---------------------------------------------------------------------------------

def test_activist_assessment_every_six_months():
    h = activist(rec=date(2023, 3, 1)).add("sponsors_assigned", date(2023, 3, 1), {"sponsor_ids": [1]})
    w = h.window("activist_assessment")
    assert (w.earliest, w.latest) == (date(2023, 3, 1), date(2023, 9, 1))
    assert not h.check("activist_assessment", date(2023, 9, 1), {"summary": "好"}).is_late
    assert refused(h, "activist_assessment", date(2023, 9, 2), {"summary": "好"}).rule == "R-ASSESS-6M"
    h.add("activist_assessment", date(2023, 8, 31), {"summary": "好"})
    w = h.window("activist_assessment")
    assert (w.earliest, w.latest) == (date(2023, 9, 1), date(2024, 2, 29))
    assert refused(h, "activist_assessment", date(2023, 8, 31), {"summary": "好"}).rule == "R-ORDER"
    assert rules.evaluate(h.entries, today=date(2024, 2, 29)).violations == []
    assert [v.kind for v in rules.evaluate(h.entries, today=date(2024, 3, 1)).violations] == ["overdue"]
    assert refused(h, "activist_assessment", date(2023, 9, 1)).field == "summary"


def test_probation_assessment_every_six_months_from_the_vote():
    h = probationary(vote_on=date(2024, 6, 20))
    w = h.window("probation_assessment")
    assert (w.earliest, w.latest, w.latest_rule) == (date(2024, 7, 20), date(2024, 12, 20), "R-ASSESS-6M")
    assert not h.check("probation_assessment", date(2024, 12, 20), {"summary": "好"}).is_late
    assert refused(h, "probation_assessment", date(2024, 12, 21), {"summary": "好"}).rule == "R-ASSESS-6M"


# --- R-ACTIVIST-1Y -------------------------------------------------------------------------------

def _ready_for_designation(rec):
    h = activist(applied=rec - timedelta(days=60), talk=rec - timedelta(days=50), rec=rec)
    h.add("activist_filing", rec).add("sponsors_assigned", rec, {"sponsor_ids": [1, 2]})
    return h.add("activist_assessment", rec + timedelta(days=100), {"summary": "好"})


@pytest.mark.parametrize("rec,first", [(date(2023, 5, 10), date(2024, 5, 10)), (date(2024, 2, 29), date(2025, 2, 28)),
                                       (date(2023, 3, 1), date(2024, 3, 1))])
def test_one_year_as_activist(rec, first):
    h = _ready_for_designation(rec)
    w = h.window("candidate_designation")
    assert (w.earliest, w.earliest_rule) == (first, "R-ACTIVIST-1Y")
    assert refused(h, "candidate_designation", first - D).rule == "R-ACTIVIST-1Y"
    h.check("candidate_designation", first)
    h.check("candidate_designation", first + D)


def test_designation_needs_filing_sponsors_and_an_assessment():
    h = activist(rec=date(2023, 3, 1)).add("activist_filing", date(2023, 3, 2))
    assert refused(h, "candidate_designation", date(2024, 3, 5)).rule == "R-ORDER"
    h.add("sponsors_assigned", date(2023, 3, 2), {"sponsor_ids": [1]})
    assert "第6步" in refused(h, "candidate_designation", date(2024, 3, 5)).detail


def test_activist_steps_close_at_designation():
    h = candidate()
    assert isinstance(h.window("activist_assessment"), rules.Blocked)
    assert isinstance(h.window("sponsors_assigned"), rules.Blocked)


# --- R-INTRODUCERS, R-REVIEW, R-TRAIN-3D --------------------------------------------------------

@pytest.mark.parametrize("ids,ok", [([1], False), ([1, 2], True), ([1, 2, 3], False), ([1, 4], False),
                                    ([2, 2], False), ([1, ME], False)])
def test_two_introducers(ids, ok):
    h = candidate()
    if ok:
        h.check("introducers_assigned", date(2024, 3, 5), {"introducer_ids": ids})
    else:
        assert refused(h, "introducers_assigned", date(2024, 3, 5), {"introducer_ids": ids}).rule == "R-INTRODUCERS"


def _reviewed(passed: bool):
    h = candidate().add("candidate_filing", date(2024, 3, 5))
    h.add("introducers_assigned", date(2024, 3, 5), {"introducer_ids": [1, 2]})
    h.add("candidate_training", date(2024, 3, 20), {"hours": 24})
    return h.add("political_review", date(2024, 4, 1), {"conclusion": "结论", "passed": passed})


def test_failed_political_review_blocks_admission_until_a_passed_one():
    h = _reviewed(False)
    assert refused(h, "branch_review", date(2024, 4, 2)).rule == "R-REVIEW"
    ev = rules.evaluate(h.entries, today=date(2024, 4, 2))
    assert [(v.rule, v.kind) for v in ev.violations] == [("R-REVIEW", "blocked")]
    assert "branch_review" not in [w.step for w in ev.allowed]
    assert refused(h, "political_review", date(2024, 4, 2), {"passed": True}).field == "conclusion"
    h.add("political_review", date(2024, 5, 1), {"conclusion": "复查合格", "passed": "true"})
    h.check("branch_review", date(2024, 5, 1))
    assert isinstance(h.window("political_review"), rules.Blocked)


@pytest.mark.parametrize("data,ok", [({"days": 2}, False), ({"days": 3}, True), ({"hours": "23.5"}, False),
                                     ({"hours": 24}, True), ({"days": 2, "special_reason": "个别特殊情况"}, True),
                                     ({}, False), ({"days": 2.9, "hours": 23}, False)])
def test_training_three_days_or_24_hours(data, ok):
    h = candidate()
    if ok:
        h.check("candidate_training", date(2024, 3, 20), data)
    else:
        assert refused(h, "candidate_training", date(2024, 3, 20), data).rule == "R-TRAIN-3D"


# --- R-PUBLICITY (工作日) ------------------------------------------------------------------------

def _branch_reviewed(on=date(2024, 5, 6)):
    h = _reviewed(True).add("branch_review", on)
    return h


@pytest.mark.parametrize("start,end,ok", [
    (date(2024, 6, 3), date(2024, 6, 6), False), (date(2024, 6, 3), date(2024, 6, 7), True),
    # 端午节 2024-06-10 is a holiday: from Thursday 6 June the 5th working day is Thursday 13 June.
    (date(2024, 6, 6), date(2024, 6, 12), False), (date(2024, 6, 6), date(2024, 6, 13), True),
    # 2024-10-12 (Saturday) is a make-up working day after 国庆节.
    (date(2024, 10, 8), date(2024, 10, 11), False), (date(2024, 10, 8), date(2024, 10, 12), True),
])
def test_publicity_five_working_days(start, end, ok):
    h = _branch_reviewed(date(2024, 5, 6))
    data = {"publicity_from": start.isoformat(), "publicity_to": end.isoformat()}
    if ok:
        h.check("pre_review", start, data)
    else:
        assert refused(h, "pre_review", start, data).rule == "R-PUBLICITY"


def test_publicity_uses_the_override_table():
    h = _branch_reviewed()
    data = {"publicity_from": "2024-06-03", "publicity_to": "2024-06-07"}
    assert refused(h, "pre_review", date(2024, 6, 3), data, overrides={date(2024, 6, 5): False}).rule == "R-PUBLICITY"
    h.check("pre_review", date(2024, 6, 3), {"publicity_from": "2024-06-03", "publicity_to": "2024-06-08"},
            overrides={date(2024, 6, 5): False, date(2024, 6, 8): True})


def test_publicity_dates_are_checked():
    h = _branch_reviewed(date(2024, 5, 6))
    assert refused(h, "pre_review", date(2024, 5, 6), {"publicity_from": "2024-05-10",
                                                        "publicity_to": "2024-05-09"}).rule == "R-PUBLICITY"
    assert refused(h, "pre_review", date(2024, 5, 6), {"publicity_from": "2024-05-01",
                                                        "publicity_to": "2024-05-15"}).rule == "R-ORDER"
    assert refused(h, "pre_review", date(2024, 5, 6), {"publicity_from": "2024-13-01",
                                                        "publicity_to": "2024-05-15"}).field == "publicity_from"


def test_vote_only_after_the_publicity_ends():
    h = _branch_reviewed(date(2024, 5, 6))
    h.add("pre_review", date(2024, 5, 20), {"publicity_from": "2024-05-20", "publicity_to": "2024-05-24"})
    h.add("application_form", date(2024, 5, 21))
    w = h.window("admission_vote")
    assert (w.earliest, w.earliest_rule) == (date(2024, 5, 25), "R-PUBLICITY")
    assert refused(h, "admission_vote", date(2024, 5, 24), VOTE_OK, entitled_expected=9).rule == "R-PUBLICITY"
    h.check("admission_vote", date(2024, 5, 25), VOTE_OK, entitled_expected=9)


# --- R-QUORUM, R-MAJORITY, R-WRITTEN -------------------------------------------------------------

@pytest.mark.parametrize("entitled,present,ok", [(10, 5, False), (10, 6, True), (9, 4, False), (9, 5, True),
                                                 (1, 1, True), (2, 1, False)])
def test_quorum_more_than_half_present(entitled, present, ok):
    args = dict(entitled=entitled, present=present, votes_for=present, against=0, abstain=0)
    if ok:
        rules.vote_result(**args)
    else:
        with pytest.raises(DomainError) as exc:
            rules.vote_result(**args)
        assert exc.value.rule == "R-QUORUM"


@pytest.mark.parametrize("entitled,present,votes_for,passed", [
    (10, 10, 5, False), (10, 10, 6, True), (10, 6, 5, False), (10, 6, 6, True),
    (9, 9, 4, False), (9, 9, 5, True), (9, 5, 5, True), (3, 2, 2, True), (3, 2, 1, False),
])
def test_majority_of_the_entitled_not_of_those_present(entitled, present, votes_for, passed):
    assert rules.vote_result(entitled=entitled, present=present, votes_for=votes_for,
                             against=present - votes_for, abstain=0) is passed


@pytest.mark.parametrize("args,rule", [
    (dict(entitled=10, present=8, votes_for=6, against=1, abstain=0), "R-MAJORITY"),
    (dict(entitled=10, present=11, votes_for=11, against=0, abstain=0), "R-QUORUM"),
    (dict(entitled=10, present=8, votes_for=8, against=0, abstain=0, written=9), "R-WRITTEN"),
    (dict(entitled=0, present=0, votes_for=0, against=0, abstain=0), "R-QUORUM"),
    (dict(entitled=10, present=8, votes_for=9, against=-1, abstain=0), "R-MAJORITY"),
])
def test_vote_counts_must_add_up(args, rule):
    with pytest.raises(DomainError) as exc:
        rules.vote_result(**args)
    assert exc.value.rule == rule


def _at_vote():
    h = _branch_reviewed(date(2024, 5, 6))
    h.add("pre_review", date(2024, 5, 20), {"publicity_from": "2024-05-20", "publicity_to": "2024-05-24"})
    return h.add("application_form", date(2024, 5, 27))


def test_failed_vote_is_recorded_not_passed_and_admits_no_one():
    h = _at_vote()
    fail = {"entitled": 10, "present": 8, "for": 5, "against": 3, "abstain": 0}
    assert refused(h, "admission_vote", date(2024, 6, 1), {**fail, "passed": True}, entitled_expected=10).rule == "R-MAJORITY"
    checked = h.check("admission_vote", date(2024, 6, 1), fail, entitled_expected=10)
    assert checked.data["passed"] is False
    h.add("admission_vote", date(2024, 6, 1), fail, entitled_expected=10)
    assert refused(h, "approval_talk", date(2024, 6, 2)).rule == "R-MAJORITY"
    assert h.state.stage == "candidate"
    h.add("admission_vote", date(2024, 7, 1), {**fail, "for": 6, "against": 2}, entitled_expected=10)
    h.check("approval_talk", date(2024, 7, 1), TALK)


def test_entitled_is_prefilled_and_a_different_number_needs_a_reason():
    h = _at_vote()
    counts = {"present": 6, "for": 6, "against": 0, "abstain": 0}
    assert h.check("admission_vote", date(2024, 6, 1), counts, entitled_expected=10).data["entitled"] == 10
    assert refused(h, "admission_vote", date(2024, 6, 1), {**counts, "entitled": 9},
                   entitled_expected=10).rule == "R-VOTERS"
    h.check("admission_vote", date(2024, 6, 1), {**counts, "entitled": 9, "entitled_reason": "一人长期患病经批准不计入"},
            entitled_expected=10)
    assert refused(h, "admission_vote", date(2024, 6, 1), counts, entitled_expected=0).rule == "R-QUORUM"


# --- R-APPROVE-3M ------------------------------------------------------------------------------

@pytest.mark.parametrize("vote_on,three,six", [(date(2024, 1, 31), date(2024, 4, 30), date(2024, 7, 31)),
                                              (date(2023, 11, 30), date(2024, 2, 29), date(2024, 5, 30)),
                                              (date(2024, 6, 20), date(2024, 9, 20), date(2024, 12, 20))])
def test_approval_within_three_months_up_to_six_with_reason(vote_on, three, six):
    h = _at_vote() if vote_on > date(2024, 5, 27) else None
    if h is None:  # an earlier vote: build a history whose dates allow it
        h = History().add("application", date(2021, 1, 4)).add("application_talk", date(2021, 1, 5), {"talker_name": "甲"})
        h.add("activist_recommendation", date(2021, 2, 1), {"method": "member_recommendation"})
        h.add("activist_filing", date(2021, 2, 1)).add("sponsors_assigned", date(2021, 2, 1), {"sponsor_ids": [1]})
        h.add("activist_assessment", date(2021, 7, 1), {"summary": "好"})
        h.add("candidate_designation", date(2022, 2, 1)).add("candidate_filing", date(2022, 2, 1))
        h.add("introducers_assigned", date(2022, 2, 1), {"introducer_ids": [1, 2]})
        h.add("political_review", date(2022, 2, 1), {"conclusion": "合格", "passed": True})
        h.add("candidate_training", date(2022, 2, 1), {"days": 5}).add("branch_review", date(2022, 3, 1))
        h.add("pre_review", date(2022, 3, 1), {"publicity_from": "2022-03-01", "publicity_to": "2022-03-08"})
        h.add("application_form", date(2022, 3, 10))
    h.add("admission_vote", vote_on, VOTE_OK, entitled_expected=9).add("approval_talk", vote_on, TALK)
    yes = {"approved": True}
    assert not h.check("admission_approval", three, yes).is_late
    err = refused(h, "admission_approval", three + D, yes)
    assert (err.rule, err.field) == ("R-APPROVE-3M", "late_reason")
    assert h.check("admission_approval", six, yes, late_reason="上级党委集中审批").is_late
    assert refused(h, "admission_approval", six + D, yes, late_reason="上级党委集中审批").rule == "R-APPROVE-3M"
    assert [v.kind for v in rules.evaluate(h.entries, today=three).violations] == []
    assert [v.kind for v in rules.evaluate(h.entries, today=three + D).violations] == ["overdue"]
    assert [v.kind for v in rules.evaluate(h.entries, today=six + D).violations] == ["expired"]


def test_approval_sets_probation_and_join_date():
    h = probationary(date(2024, 6, 20))
    s = h.state
    assert (s.stage, s.joined_on, s.probation_end) == ("probationary", date(2024, 6, 20), date(2025, 6, 20))


def test_rejected_approval_closes_the_file():
    h = voted().add("approval_talk", date(2024, 6, 20), TALK).add("admission_approval", date(2024, 7, 1), {"approved": False})
    ev = rules.evaluate(h.entries, today=date(2024, 7, 2))
    assert (ev.state.closed, ev.allowed, ev.stage) == ("rejected", [], "candidate")


# --- R-PROBATION-1Y, conversion, R-EXTEND ---------------------------------------------------------

@pytest.mark.parametrize("vote_on,end", [(date(2024, 2, 29), date(2025, 2, 28)), (date(2024, 6, 20), date(2025, 6, 20))])
def test_conversion_application_on_or_after_the_probation_end(vote_on, end):
    h = (_at_vote() if vote_on > date(2024, 5, 27) else _early_vote(vote_on))
    if vote_on > date(2024, 5, 27):
        h.add("admission_vote", vote_on, VOTE_OK, entitled_expected=9)
    h.add("approval_talk", vote_on, TALK).add("admission_approval", vote_on + D, {"approved": True})
    assert h.window("conversion_application").due_on == end
    assert refused(h, "conversion_application", end - D).rule == "R-PROBATION-1Y"
    h.check("conversion_application", end)
    h.check("conversion_application", end + D)


def _early_vote(vote_on):
    h = History().add("application", date(2021, 1, 4)).add("application_talk", date(2021, 1, 5), {"talker_name": "甲"})
    h.add("activist_recommendation", date(2021, 2, 1), {"method": "mass_org_recommendation"})
    h.add("activist_filing", date(2021, 2, 1)).add("sponsors_assigned", date(2021, 2, 1), {"sponsor_ids": [1]})
    h.add("activist_assessment", date(2021, 7, 1), {"summary": "好"}).add("candidate_designation", date(2022, 2, 1))
    h.add("candidate_filing", date(2022, 2, 1)).add("introducers_assigned", date(2022, 2, 1), {"introducer_ids": [1, 2]})
    h.add("political_review", date(2022, 2, 1), {"conclusion": "合格", "passed": True})
    h.add("candidate_training", date(2022, 2, 1), {"days": 5}).add("branch_review", date(2022, 3, 1))
    h.add("pre_review", date(2022, 3, 1), {"publicity_from": "2022-03-01", "publicity_to": "2022-03-08"})
    h.add("application_form", date(2022, 3, 10))
    return h.add("admission_vote", vote_on, VOTE_OK, entitled_expected=9)


def _converting(vote_on=date(2024, 6, 20)):
    h = probationary(vote_on)
    h.add("probation_assessment", date(2024, 12, 1), {"summary": "好"})
    h.add("probation_assessment", date(2025, 5, 30), {"summary": "好"})
    return h.add("conversion_application", date(2025, 6, 20))


def test_conversion_sets_full_on_to_the_probation_end_even_when_approved_later():
    h = _converting().add("conversion_vote", date(2025, 7, 1), {"outcome": "convert", **VOTE_OK}, entitled_expected=9)
    assert isinstance(h.window("probation_assessment"), rules.Blocked)
    w = h.window("conversion_approval")
    assert (w.latest, w.hard_latest) == (date(2025, 10, 1), date(2026, 1, 1))
    h.add("conversion_approval", date(2025, 8, 15), {"approved": True})
    s = h.state
    assert (s.stage, s.full_on, s.joined_on) == ("full", date(2025, 6, 20), date(2024, 6, 20))
    assert [w.step for w in rules.evaluate(h.entries, today=date(2025, 8, 16)).allowed] == [
        "department_filing", "group_assignment", "oath", "archiving"]
    h.add("archiving", date(2025, 8, 20))
    assert h.state.closed == "completed" and rules.evaluate(h.entries, today=FAR).allowed == []


@pytest.mark.parametrize("months,ok", [(5, False), (6, True), (12, True), (13, False), (None, False)])
def test_extension_between_six_months_and_a_year(months, ok):
    h = _converting()
    data = {"outcome": "extend", **VOTE_OK}
    if months is not None:
        data["extension_months"] = months
    if ok:
        h.check("conversion_vote", date(2025, 7, 1), data, entitled_expected=9)
    else:
        assert refused(h, "conversion_vote", date(2025, 7, 1), data, entitled_expected=9).rule == "R-EXTEND"


def test_extension_moves_the_probation_end_and_happens_only_once():
    h = _converting().add("conversion_vote", date(2025, 7, 1), {"outcome": "extend", "extension_months": 6, **VOTE_OK},
                          entitled_expected=9)
    h.add("conversion_approval", date(2025, 7, 10), {"approved": True})
    s = h.state
    assert (s.stage, s.probation_end, s.extended_months) == ("probationary", date(2025, 12, 20), 6)
    w = h.window("conversion_application")
    assert (w.earliest, w.earliest_rule) == (date(2025, 12, 20), "R-EXTEND")
    assert refused(h, "conversion_application", date(2025, 12, 19)).rule == "R-EXTEND"
    assert h.window("probation_assessment").earliest == date(2025, 7, 10)
    h.add("conversion_application", date(2025, 12, 20))
    again = {"outcome": "extend", "extension_months": 6, **VOTE_OK}
    assert refused(h, "conversion_vote", date(2025, 12, 22), again, entitled_expected=9).rule == "R-EXTEND"
    h.add("conversion_vote", date(2025, 12, 22), {"outcome": "convert", **VOTE_OK}, entitled_expected=9)
    h.add("conversion_approval", date(2026, 1, 5), {"approved": True})
    assert (h.state.stage, h.state.full_on) == ("full", date(2025, 12, 20))


def test_cancellation_closes_the_file():
    h = _converting().add("conversion_vote", date(2025, 7, 1), {"outcome": "cancel", **VOTE_OK}, entitled_expected=9)
    h.add("conversion_approval", date(2025, 7, 10), {"approved": True})
    assert (h.state.closed, h.state.stage, h.state.full_on) == ("cancelled", "probationary", None)


def test_unapproved_conversion_allows_a_new_vote():
    h = _converting().add("conversion_vote", date(2025, 7, 1), {"outcome": "convert", **VOTE_OK}, entitled_expected=9)
    h.add("conversion_approval", date(2025, 7, 10), {"approved": False})
    assert refused(h, "conversion_vote", date(2025, 7, 9), {"outcome": "convert", **VOTE_OK},
                   entitled_expected=9).rule == "R-ORDER"
    h.check("conversion_vote", date(2025, 7, 10), {"outcome": "convert", **VOTE_OK}, entitled_expected=9)


# --- R-LEAVING -----------------------------------------------------------------------------------

def test_leaving_within_three_months_warns_at_steps_12_to_15():
    h = _reviewed(True)
    on = date(2024, 5, 6)
    [w] = h.check("branch_review", on, leaving_on=date(2024, 8, 6)).warnings
    assert (w.rule, w.kind) == ("R-LEAVING", "warning")
    assert h.check("branch_review", on, leaving_on=date(2024, 8, 7)).warnings == []
    ev = rules.evaluate(h.entries, today=on, leaving_on=date(2024, 7, 1))
    assert [x.rule for x in ev.warnings] == ["R-LEAVING"]
    assert rules.evaluate(h.entries, today=on).warnings == []


# --- evaluation ------------------------------------------------------------------------------------

def test_evaluation_lists_allowed_steps_with_their_windows():
    h = activist(rec=date(2023, 3, 1))
    ev = rules.evaluate(h.entries, today=date(2023, 3, 2))
    assert [(w.step, w.earliest) for w in ev.allowed] == [("activist_filing", date(2023, 3, 1)),
                                                         ("sponsors_assigned", date(2023, 3, 1))]
    assert ev.stage == "activist" and ev.due is None and ev.next.step == "activist_filing"
    h.add("sponsors_assigned", date(2023, 3, 2), {"sponsor_ids": [1]})
    ev = rules.evaluate(h.entries, today=date(2023, 3, 2))
    assert (ev.due.step, ev.due.due_on, ev.deadline.latest) == ("activist_assessment", date(2023, 9, 1), date(2023, 9, 1))


def test_late_entries_are_shown_as_late():
    h = History().add("application", date(2024, 1, 15))
    h.add("application_talk", date(2024, 3, 1), {"talker_name": "甲"}, late_reason="书记外出")
    [v] = rules.evaluate(h.entries, today=date(2024, 3, 2)).violations
    assert (v.kind, v.rule, v.step) == ("late", "R-TALK-1M", "application_talk")
    assert "书记外出" in v.detail


JUNK = [None, "", " ", "x", -1, 1e30, float("nan"), [], {}, True, "2024-13-40", ["a"], [[1]], {"a": 1}, "１２", "9" * 400]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.code)
def test_junk_data_is_refused_with_a_clear_error_never_a_crash(step):
    from dangjian.recruitment.fields import clean_data

    for spec in step.fields:
        for junk in JUNK:
            try:
                clean_data(step, {spec.name: junk})
            except DomainError as exc:
                assert exc.detail and exc.field
    with pytest.raises(DomainError):
        clean_data(step, ["not", "a", "mapping"])
