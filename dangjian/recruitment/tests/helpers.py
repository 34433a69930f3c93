"""Shared fixtures: full members to sponsor and vote, and a walk through the 25 steps on valid dates."""
from datetime import date, timedelta

from django.utils import timezone

from dangjian.members.services import member_create
from dangjian.recruitment import rules, services

VETERAN_NAMES = ["甲党员", "乙党员", "丙党员", "丁党员", "戊党员"]


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def make_full(actor, org, names=VETERAN_NAMES, prefix=""):
    return [member_create(actor=actor, org=org, data={
        "name": prefix + name, "gender": "M", "birth_date": date(1970, 1, 1 + i), "stage": "full",
        "joined_on": date(2000, 7, 1), "full_on": date(2001, 7, 1)}) for i, name in enumerate(names)]


def applicant(actor, org, *, name="申请人", applied_on=None, birth=date(1995, 5, 5), **extra):
    return services.applicant_create(actor=actor, org=org, applied_on=applied_on or days_ago(5),
                                     data={"name": name, "gender": "M", "birth_date": birth, **extra}).member


def plan(start: date, sponsors: list[int], voters: int) -> list[tuple[str, date, dict]]:
    """Every step after the application, on valid dates counted from the application on `start`."""
    d = lambda n: start + timedelta(days=n)  # noqa: E731
    vote = {"present": voters, "for": voters, "against": 0, "abstain": 0}
    vote_on = d(460)
    conv = rules.add_years(vote_on, 1)
    return [
        ("application_talk", d(10), {"talker_id": sponsors[0]}),
        ("activist_recommendation", d(40), {"method": "member_recommendation"}),
        ("activist_filing", d(45), {}), ("sponsors_assigned", d(45), {"sponsor_ids": sponsors[:2]}),
        ("activist_assessment", d(200), {"summary": "思想汇报按时"}),
        ("activist_assessment", d(370), {"summary": "思想汇报按时"}),
        ("candidate_designation", d(410), {}), ("candidate_filing", d(412), {}),
        ("introducers_assigned", d(412), {"introducer_ids": sponsors[:2]}),
        ("political_review", d(420), {"conclusion": "政审合格", "passed": True}),
        ("candidate_training", d(425), {"days": 3}), ("branch_review", d(430), {}),
        ("pre_review", d(432), {"publicity_from": d(432).isoformat(), "publicity_to": d(452).isoformat()}),
        ("application_form", d(453), {}), ("admission_vote", vote_on, vote),
        ("approval_talk", d(462), {"talker_name": "镇党委组织委员"}),
        ("admission_approval", d(470), {"approved": True}),
        ("department_filing", d(475), {}), ("group_assignment", d(475), {}), ("oath", d(476), {}),
        ("probation_assessment", d(600), {"summary": "预备期表现好"}),
        ("probation_assessment", d(760), {"summary": "预备期表现好"}),
        ("conversion_application", conv, {}),
        ("conversion_vote", conv + timedelta(days=2), {"outcome": "convert", **vote}),
        ("conversion_approval", conv + timedelta(days=10), {"approved": True}),
        ("archiving", conv + timedelta(days=12), {}),
    ]


START_AGO = 870  # the whole plan fits before today


def walk(actor, member, *, upto: str, sponsors: list[int], voters: int, start: date | None = None):
    """Record the plan's steps up to and including `upto`; returns the step dates by code."""
    start = start or member.applied_on
    dates = {}
    for code, on, data in plan(start, sponsors, voters):
        services.step_record_create(actor=actor, member=member, step=code, on=on, data=data)
        dates[code] = on
        if code == upto:
            break
    return dates
