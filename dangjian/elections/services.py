"""Writes of committees, terms and 换届选举: one transaction each, audited (DESIGN rule 3).

Every rule of RULES.md §2 is decided in rules.py; a refusal raises DomainError before anything is
written, and the transaction rolls back whatever came before it (the API's "nothing saved").
"""
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dangjian.accounts.scope import can, require
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import DomainError
from dangjian.members.models import Member
from dangjian.orgs.models import Org

from . import rules, selectors
from .models import Candidate, Committee, CommitteeSeat, Election, TermPostponement, TermSettings

ELECTION_FIELDS = ["org", "state", "round_kind", "parent", "title", "planned_on", "seats", "held_on", "entitled",
                   "entitled_computed", "entitled_reason", "present", "ballots_issued", "ballots_returned", "valid",
                   "seats_left"]
COMMITTEE_FIELDS = ["org", "election", "source", "elected_on", "took_office_on", "term_years", "term_ends_on",
                    "expires_on", "is_current", "ended_on", "approved_on", "approval_org", "approval_doc"]


def _check_date(value: date, field: str, label: str) -> None:
    if value > selectors.today():
        raise DomainError(f"{label}不能晚于今天", rule="R-DATE", field=field)


def _eligible(org: Org, member_ids: list[int]) -> dict[int, Member]:
    """The members, each a full member with voting rights of org (R-ELECT-CANDIDATE); refuses any other."""
    if len(set(member_ids)) != len(member_ids):
        raise DomainError("同一人不能重复列入", rule="R-ELECT-CANDIDATE", field="candidates")
    found = {m.id: m for m in selectors.voters(org).filter(id__in=member_ids)}
    for mid in member_ids:
        if mid not in found:
            raise DomainError(f"党员（编号 {mid}）不是本组织有选举权的正式党员，不能列为候选人或班子成员",
                              rule="R-ELECT-CANDIDATE", field="candidates")
    return found


def _check_entitled(org: Org, entitled: int, reason: str) -> int:
    """R-ELECT-VOTERS: the pre-filled count of full members with voting rights; another number needs a reason."""
    computed = selectors.voters_count(org)
    if rules.entitled_differs(entitled=entitled, computed=computed) and not (reason or "").strip():
        more = "多于" if entitled > computed else "少于"
        raise DomainError(f"应到人数 {entitled} {more}本组织有选举权的正式党员 {computed} 人（预备党员没有表决权和选举权），"
                          "请核对或说明原因", rule="R-ELECT-VOTERS", field="entitled")
    return computed


def _default_title(org: Org, on: date | None) -> str:
    return f"{org.name}{(on or selectors.today()).year}年换届选举"


# --- plan and candidates ---------------------------------------------------------------------------

@transaction.atomic
def election_plan(*, actor, org: Org, seats: int, planned_on: date | None = None, title: str = "",
                  note: str = "") -> Election:
    require(actor, "elections.edit", org)
    rules.check_seats(org_kind=org.kind, seats=seats, full_members=selectors.voters_count(org))
    if Election.objects.filter(org=org, parent__isnull=True).exclude(
            state=Election.State.INSTALLED).exists():
        raise DomainError("本组织已有未完成的换届选举", rule="R-ELECT-PLAN")
    election = Election.objects.create(org=org, region_id=org.region_id, seats=seats, planned_on=planned_on,
                                       title=(title or "").strip()[:100] or _default_title(org, planned_on),
                                       note=(note or "")[:500], created_by=actor)
    audit(actor=actor, verb="election.plan", target=election, org=org, after=snapshot(election, ELECTION_FIELDS))
    return election


def _editable_list(election: Election) -> None:
    if election.state not in (Election.State.PLANNED, Election.State.NOMINATED):
        raise DomainError("选举已进行，候选人名单不能再修改", rule="R-ELECT-PLAN")


@transaction.atomic
def candidate_add(*, actor, election: Election, member_id) -> Candidate:
    require(actor, "elections.edit", election.org)
    _editable_list(election)
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        raise DomainError("请选择候选人", rule="R-ELECT-CANDIDATE", field="member_id")
    member = _eligible(election.org, [member_id])[member_id]
    if election.round_kind == Election.Round.TIE:
        raise DomainError("再次投票只在票数相等的候选人之间进行，名单不能修改", rule="R-ELECT-TIE")
    if election.parent_id and not election.parent.candidates.filter(member=member, elected=False).exists():
        raise DomainError("另行选举的候选人须是上一轮未当选的候选人", rule="R-ELECT-CANDIDATE", field="member_id")
    if election.candidates.filter(member=member).exists():
        raise DomainError(f"{member.name} 已在候选人名单中", rule="R-ELECT-CANDIDATE", field="member_id")
    candidate = Candidate.objects.create(election=election, member=member, order=election.candidates.count())
    if election.state == Election.State.NOMINATED:
        Election.objects.filter(pk=election.pk).update(state=Election.State.PLANNED)
        election.state = Election.State.PLANNED
    audit(actor=actor, verb="election.candidate_add", target=election, org=election.org,
          after={"member": member.id, "name": member.name})
    return candidate


@transaction.atomic
def candidate_remove(*, actor, election: Election, member_id) -> None:
    require(actor, "elections.edit", election.org)
    _editable_list(election)
    if election.round_kind == Election.Round.TIE:
        raise DomainError("再次投票只在票数相等的候选人之间进行，名单不能修改", rule="R-ELECT-TIE")
    deleted, _ = election.candidates.filter(member_id=member_id).delete()
    if not deleted:
        raise DomainError("该党员不在候选人名单中", rule="R-ELECT-CANDIDATE", field="member_id")
    if election.state == Election.State.NOMINATED:
        Election.objects.filter(pk=election.pk).update(state=Election.State.PLANNED)
        election.state = Election.State.PLANNED
    audit(actor=actor, verb="election.candidate_remove", target=election, org=election.org,
          before={"member": int(member_id)})


@transaction.atomic
def candidates_confirm(*, actor, election: Election) -> Election:
    """Close the candidate list (R-ELECT-SURPLUS: ≥ 20 % more candidates than seats)."""
    require(actor, "elections.edit", election.org)
    _editable_list(election)
    count = election.candidates.count()
    if election.round_kind == Election.Round.TIE:
        if count <= election.seats:
            raise DomainError("再次投票的候选人须多于剩余名额", rule="R-ELECT-TIE")
    elif count < rules.candidates_minimum(election.seats):
        raise DomainError(f"候选人 {count} 名，应多于应选名额 {election.seats} 名的 20%（至少 "
                          f"{rules.candidates_minimum(election.seats)} 名）", rule="R-ELECT-SURPLUS", field="candidates")
    before = election.state
    election.state = Election.State.NOMINATED
    election.save(update_fields=["state"])
    audit(actor=actor, verb="election.candidates_confirm", target=election, org=election.org,
          before={"state": before}, after={"state": election.state, "candidates": count})
    return election


# --- the election meeting --------------------------------------------------------------------------

def _apply_result(*, actor, election: Election, held_on: date, entitled: int, entitled_reason: str, present: int,
                  ballots_issued: int, ballots_returned: int, votes: dict[int, int]) -> Election:
    org = election.org
    _check_date(held_on, "held_on", "选举日期")
    if election.parent_id and held_on < election.parent.held_on:
        raise DomainError("再次投票的日期不能早于上一轮", rule="R-DATE", field="held_on")
    computed = _check_entitled(org, entitled, entitled_reason)
    ballot = rules.Ballot(seats=election.seats, entitled=entitled, present=present, ballots_issued=ballots_issued,
                          ballots_returned=ballots_returned, votes=votes)
    rules.check_ballot(ballot, revote_of_tie=election.round_kind == Election.Round.TIE)
    result = rules.tally(votes=votes, seats=election.seats, present=present)
    before = snapshot(election, ELECTION_FIELDS)
    election.held_on, election.entitled, election.entitled_computed = held_on, entitled, computed
    election.entitled_reason = (entitled_reason or "").strip()[:200]
    election.present, election.ballots_issued, election.ballots_returned = present, ballots_issued, ballots_returned
    election.valid = True
    election.seats_left = result.seats_left
    election.state = {rules.COMPLETE: Election.State.ELECTED, rules.TIE: Election.State.TIE,
                      rules.SHORTFALL: Election.State.SHORTFALL}[result.outcome]
    election.save()
    elected, tied = set(result.elected), set(result.tied)
    for c in election.candidates.all():
        c.votes = votes[c.member_id]
        c.elected = c.member_id in elected
        c.tied = c.member_id in tied
        c.save(update_fields=["votes", "elected", "tied"])
    audit(actor=actor, verb="election.result", target=election, org=org, before=before,
          after={**snapshot(election, ELECTION_FIELDS), "votes": {str(k): v for k, v in votes.items()},
                 "elected": result.elected, "tied": result.tied})
    return election


@transaction.atomic
def election_record_result(*, actor, election: Election, held_on: date, entitled: int, present: int,
                           ballots_issued: int, ballots_returned: int, votes: dict[int, int],
                           entitled_reason: str = "") -> Election:
    """Record the meeting of a nominated election: a refused ballot (quorum, void ballots, votes) saves nothing."""
    require(actor, "elections.edit", election.org)
    if election.state != Election.State.NOMINATED:
        raise DomainError("请先确定候选人名单，再录入选举结果", rule="R-ELECT-PLAN")
    listed = set(election.candidates.values_list("member_id", flat=True))
    if set(votes) != listed:
        raise DomainError("请为名单上的每位候选人录入得票数", rule="R-ELECT-VOTES", field="candidates")
    return _apply_result(actor=actor, election=election, held_on=held_on, entitled=entitled,
                         entitled_reason=entitled_reason, present=present, ballots_issued=ballots_issued,
                         ballots_returned=ballots_returned, votes=votes)


@transaction.atomic
def election_create(*, actor, org: Org, held_on: date, entitled: int, present: int, seats: int,
                    ballots_issued: int, ballots_returned: int, candidates: list[dict], entitled_reason: str = "",
                    title: str = "") -> Election:
    """The whole election at once (the API): plan, candidate list and meeting. Any refusal saves nothing."""
    require(actor, "elections.edit", org)
    rules.check_seats(org_kind=org.kind, seats=seats, full_members=selectors.voters_count(org))
    member_ids = [int(c["member_id"]) for c in candidates]
    _eligible(org, member_ids)
    votes = {int(c["member_id"]): int(c["votes"]) for c in candidates}
    election = Election.objects.create(org=org, region_id=org.region_id, seats=seats, planned_on=held_on,
                                       title=(title or "").strip()[:100] or _default_title(org, held_on),
                                       state=Election.State.NOMINATED, created_by=actor)
    Candidate.objects.bulk_create([Candidate(election=election, member_id=mid, order=i)
                                   for i, mid in enumerate(member_ids)])
    audit(actor=actor, verb="election.plan", target=election, org=org, after=snapshot(election, ELECTION_FIELDS))
    return _apply_result(actor=actor, election=election, held_on=held_on, entitled=entitled,
                         entitled_reason=entitled_reason, present=present, ballots_issued=ballots_issued,
                         ballots_returned=ballots_returned, votes=votes)


@transaction.atomic
def election_revote(*, actor, election: Election, member_ids: list[int] | None = None) -> Election:
    """Open the next round. A tie → a re-vote between exactly the tied candidates (R-ELECT-TIE), list closed at
    once; a shortfall → 另行选举 for the open seats among the unelected of this round (pre-filled with those with
    the most votes, R-ELECT-SURPLUS applies; the list stays open for changes unless member_ids are given)."""
    require(actor, "elections.edit", election.org)
    if election.state not in (Election.State.TIE, Election.State.SHORTFALL):
        raise DomainError("本轮选举不需要再次投票", rule="R-ELECT-TIE")
    if Election.objects.filter(parent=election).exists():
        raise DomainError("已发起下一轮投票", rule="R-ELECT-TIE")
    tie = election.state == Election.State.TIE
    rest = list(election.candidates.filter(elected=False).order_by("-votes", "order"))
    if tie:
        chosen = [c.member_id for c in rest if c.tied]
        if member_ids is not None and sorted(member_ids) != sorted(chosen):
            raise DomainError("再次投票只在票数相等的候选人之间进行", rule="R-ELECT-TIE", field="candidates")
    elif member_ids is not None:
        allowed = {c.member_id for c in rest}
        if len(set(member_ids)) != len(member_ids) or not set(member_ids) <= allowed:
            raise DomainError("另行选举的候选人须是上一轮未当选的候选人", rule="R-ELECT-CANDIDATE",
                              field="candidates")
        chosen = list(member_ids)
    else:
        chosen = [c.member_id for c in rest[: rules.candidates_minimum(election.seats_left)]]
    nxt = Election.objects.create(
        org=election.org, region_id=election.region_id, parent=election, seats=election.seats_left,
        round_kind=Election.Round.TIE if tie else Election.Round.SHORTFALL, planned_on=selectors.today(),
        state=Election.State.NOMINATED if tie else Election.State.PLANNED,
        title=f"{election.root.title}（{'再次投票' if tie else '另行选举'}）"[:100], created_by=actor)
    Candidate.objects.bulk_create([Candidate(election=nxt, member_id=mid, order=i) for i, mid in enumerate(chosen)])
    audit(actor=actor, verb="election.revote", target=nxt, org=election.org,
          after={**snapshot(nxt, ELECTION_FIELDS), "candidates": chosen})
    return nxt


@transaction.atomic
def election_revote_create(*, actor, election: Election, held_on: date, entitled: int, present: int,
                           ballots_issued: int, ballots_returned: int, candidates: list[dict],
                           entitled_reason: str = "") -> Election:
    """The next round at once (the API): its list and its meeting. Any refusal saves nothing."""
    member_ids = [int(c["member_id"]) for c in candidates]
    nxt = election_revote(actor=actor, election=election, member_ids=member_ids)
    if nxt.state == Election.State.PLANNED:
        candidates_confirm(actor=actor, election=nxt)
    votes = {int(c["member_id"]): int(c["votes"]) for c in candidates}
    return election_record_result(actor=actor, election=nxt, held_on=held_on, entitled=entitled, present=present,
                                  ballots_issued=ballots_issued, ballots_returned=ballots_returned, votes=votes,
                                  entitled_reason=entitled_reason)


# --- the new committee -----------------------------------------------------------------------------

def _create_committee(*, actor, org: Org, elected_on: date, seats: list[tuple[int, str]], source: str,
                      election: Election | None = None, took_office_on: date | None = None) -> Committee:
    duties = [d for _, d in seats]
    rules.check_duties(duties)
    rules.check_seats(org_kind=org.kind, seats=len(seats), full_members=selectors.voters_count(org))
    members = _eligible(org, [mid for mid, _ in seats])
    years = selectors.term_years_for(org)
    end = rules.term_ends_on(elected_on, years)
    previous = Committee.objects.select_for_update().filter(org=org, is_current=True).first()
    if previous is not None:
        if previous.elected_on > elected_on:
            raise DomainError("现任班子的选举日期晚于该日期，不能以旧班子替换", rule="R-TERM", field="elected_on")
        Committee.objects.filter(pk=previous.pk).update(is_current=False, ended_on=took_office_on or elected_on)
        audit(actor=actor, verb="committee.end", target=previous, org=org, before={"is_current": True},
              after={"is_current": False, "ended_on": took_office_on or elected_on})
    committee = Committee.objects.create(org=org, region_id=org.region_id, election=election, source=source,
                                         elected_on=elected_on, took_office_on=took_office_on, term_years=years,
                                         term_ends_on=end, expires_on=end, created_by=actor)
    ordered = sorted(seats, key=lambda s: rules.DUTY_ORDER[s[1]])
    CommitteeSeat.objects.bulk_create([CommitteeSeat(committee=committee, member=members[mid], duty=duty, order=i)
                                       for i, (mid, duty) in enumerate(ordered)])
    audit(actor=actor, verb="committee.create", target=committee, org=org,
          after={**snapshot(committee, COMMITTEE_FIELDS), "seats": [[mid, d] for mid, d in ordered]})
    return committee


@transaction.atomic
def committee_install(*, actor, election: Election, duties: dict[int, str], took_office_on: date) -> Committee:
    """The new committee takes office: the members elected in all rounds, each with a duty."""
    require(actor, "elections.edit", election.org)
    chain = selectors.election_chain(election)
    last = chain[-1]
    if last.state == Election.State.INSTALLED or Committee.objects.filter(election=chain[0]).exists():
        raise DomainError("该选举产生的班子已经就职", rule="R-ELECT-PLAN")
    if last.state == Election.State.TIE:
        raise DomainError("末位票数相等，须先就票数相等的候选人再次投票", rule="R-ELECT-TIE")
    if last.state not in (Election.State.ELECTED, Election.State.SHORTFALL):
        raise DomainError("选举尚未产生结果", rule="R-ELECT-PLAN")
    elected = selectors.elected_members(chain)
    if not elected:
        raise DomainError("没有当选人，不能组成新班子", rule="R-ELECT-MAJORITY")
    ids = [c.member_id for c in elected]
    if set(duties) != set(ids):
        raise DomainError("请为每位当选人确定分工", rule="R-COMMITTEE-7", field="duty")
    _check_date(took_office_on, "took_office_on", "就职日期")
    if took_office_on < last.held_on:
        raise DomainError("就职日期不能早于选举日期", rule="R-DATE", field="took_office_on")
    committee = _create_committee(actor=actor, org=election.org, elected_on=chain[0].held_on,
                                  seats=[(mid, duties[mid]) for mid in ids], source=Committee.Source.ELECTION,
                                  election=chain[0], took_office_on=took_office_on)
    Election.objects.filter(id__in=[e.id for e in chain]).update(state=Election.State.INSTALLED)
    audit(actor=actor, verb="election.install", target=chain[0], org=election.org,
          after={"committee": committee.id, "rounds": len(chain)})
    return committee


@transaction.atomic
def committee_record(*, actor, org: Org, elected_on: date, seats: list[tuple[int, str]]) -> Committee:
    """补录 an existing committee elected before the system was used (its term runs from elected_on)."""
    require(actor, "elections.edit", org)
    _check_date(elected_on, "elected_on", "选举日期")
    return _create_committee(actor=actor, org=org, elected_on=elected_on, seats=seats, source=Committee.Source.RECORD)


@transaction.atomic
def committee_approve_secretary(*, actor, committee: Committee, approved_on: date, approval_org: str,
                                approval_doc: str = "") -> Committee:
    """The upper committee's approval of the new secretary (recorded by the upper committee itself)."""
    org = committee.org
    upper = org.get_parent() or org
    if not can(actor, "elections.edit", upper):
        raise PermissionDenied("书记人选须由上级党组织批复并登记")
    if not committee.is_current:
        raise DomainError("只能为现任班子登记批复", rule="R-ELECT-APPROVE")
    if committee.approved_on:
        raise DomainError("该班子的书记人选已登记批复", rule="R-ELECT-APPROVE")
    _check_date(approved_on, "approved_on", "批复日期")
    if approved_on < committee.elected_on:
        raise DomainError("批复日期不能早于选举日期", rule="R-ELECT-APPROVE", field="approved_on")
    approval_org = (approval_org or "").strip()[:100]
    if not approval_org:
        raise DomainError("请填写批复机关", rule="R-ELECT-APPROVE", field="approval_org")
    before = snapshot(committee, COMMITTEE_FIELDS)
    committee.approved_on, committee.approval_org = approved_on, approval_org
    committee.approval_doc, committee.approved_by = (approval_doc or "").strip()[:100], actor
    committee.save(update_fields=["approved_on", "approval_org", "approval_doc", "approved_by"])
    audit(actor=actor, verb="committee.approve_secretary", target=committee, org=org, before=before,
          after=snapshot(committee, COMMITTEE_FIELDS))
    secretary = committee.seats.filter(duty="secretary").select_related("member").first()
    if secretary and org.secretary != secretary.member.name:
        old = org.secretary
        Org.objects.filter(pk=org.pk).update(secretary=secretary.member.name)  # the org's 书记 shown everywhere
        audit(actor=actor, verb="org.update", target=org, org=org, before={"secretary": old},
              after={"secretary": secretary.member.name})
    return committee


@transaction.atomic
def term_postpone(*, actor, committee: Committee, new_expires_on: date, approved_on: date, approval_org: str,
                  reason: str, approval_doc: str = "") -> TermPostponement:
    """R-TERM-POSTPONE: an approved 延期换届, at most 1 year past the regular end in all."""
    require(actor, "elections.edit", committee.org)
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    if not committee.is_current:
        raise DomainError("只能为现任班子办理延期换届", rule="R-TERM-POSTPONE")
    rules.check_postponement(term_end=committee.term_ends_on, current_expiry=committee.expires_on,
                             new_expiry=new_expires_on, approved_on=approved_on, today=selectors.today())
    approval_org, reason = (approval_org or "").strip()[:100], (reason or "").strip()[:500]
    if not approval_org:
        raise DomainError("延期换届须经上级党组织批准，请填写批准机关", rule="R-TERM-POSTPONE", field="approval_org")
    if not reason:
        raise DomainError("请填写延期原因", rule="R-TERM-POSTPONE", field="reason")
    row = TermPostponement.objects.create(committee=committee, org=committee.org,
                                          previous_expires_on=committee.expires_on, new_expires_on=new_expires_on,
                                          approved_on=approved_on, approval_org=approval_org,
                                          approval_doc=(approval_doc or "").strip()[:100], reason=reason,
                                          created_by=actor)
    Committee.objects.filter(pk=committee.pk).update(expires_on=new_expires_on)
    audit(actor=actor, verb="committee.postpone", target=committee, org=committee.org,
          before={"expires_on": committee.expires_on}, after={"expires_on": new_expires_on, "reason": reason,
                                                              "approval_org": approval_org})
    committee.expires_on = new_expires_on
    return row


@transaction.atomic
def term_settings_set(*, actor, org: Org, remind_days: int) -> TermSettings:
    """R-TERM-REMIND ⚙: a committee sets its reminder window (inherited below it)."""
    require(actor, "elections.edit", org)
    if org.kind == Org.Kind.BRANCH:
        raise DomainError("换届提醒天数由党委或党总支设置", rule="R-TERM-REMIND")
    if not 1 <= int(remind_days) <= rules.REMIND_DAYS_MAX:
        raise DomainError(f"提醒天数应在 1–{rules.REMIND_DAYS_MAX} 之间", rule="R-TERM-REMIND", field="remind_days")
    row, _ = TermSettings.objects.get_or_create(org=org)
    before = row.remind_days
    row.remind_days, row.updated_by = int(remind_days), actor
    row.save()
    audit(actor=actor, verb="term_settings.update", target=org, org=org, before={"remind_days": before},
          after={"remind_days": row.remind_days})
    return row
