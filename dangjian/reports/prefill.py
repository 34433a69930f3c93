"""Data sources a report task's field may be pre-filled from (its `source` key, e.g. "members.count_full").

Each source is one aggregate query over the org's subtree for the task's year. A source whose app is not
installed is not offered (and pre-fills nothing for old templates).
"""
from decimal import Decimal

from django.apps import apps
from django.db.models import Sum

from dangjian.members.choices import ACTIVE_STATUSES, Education, Gender, Stage
from dangjian.members.selectors import members_in_subtree
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

ON_ROLLS = [Stage.PROBATIONARY, Stage.FULL]


def _members(org: Org, **filters) -> int:
    return members_in_subtree(org).filter(status__in=ACTIVE_STATUSES, **filters).count()


def _meetings_held(org: Org, year: int) -> int:
    from dangjian.meetings.models import Meeting

    return Meeting.objects.filter(subtree_q(org.path, field="org__path"), state=Meeting.State.HELD,
                                  starts_at__year=year).count()


def _volunteers_registered(org: Org, year: int) -> int:
    return _members(org, stage__in=ON_ROLLS, volunteer__isnull=False, volunteer__is_active=True)


def _volunteer_hours(org: Org, year: int) -> str:
    from dangjian.volunteers.models import HoursEntry

    total = HoursEntry.objects.filter(subtree_q(org.path, field="org__path"), served_on__year=year).aggregate(
        h=Sum("hours"))["h"]
    return str((total or Decimal("0")).quantize(Decimal("0.01")))


def _petitions_received(org: Org, year: int) -> int:
    from dangjian.petitions.models import Petition

    return Petition.objects.filter(subtree_q(org.path, field="org__path"), received_on__year=year).count()


def _dues_paid(org: Org, year: int) -> str:
    """党费 received in the year (payments net of reversals, voluntary part included), to the fen."""
    from dangjian.dues.models import DuesPayment

    row = DuesPayment.objects.filter(subtree_q(org.path, field="org__path"), paid_on__year=year).aggregate(
        a=Sum("amount"), v=Sum("voluntary"))
    return str(((row["a"] or Decimal("0")) + (row["v"] or Decimal("0"))).quantize(Decimal("0.01")))


def _care_visits(org: Org, year: int) -> int:
    from dangjian.care.models import CareVisit

    return CareVisit.objects.filter(subtree_q(org.path, field="org__path"), visited_on__year=year).count()


# key -> (label, app, function(org, year))
SOURCES = {
    "members.count_on_rolls": ("党员总数（含预备党员）", "members", lambda o, y: _members(o, stage__in=ON_ROLLS)),
    "members.count_full": ("正式党员人数", "members", lambda o, y: _members(o, stage=Stage.FULL)),
    "members.count_probationary": ("预备党员人数", "members", lambda o, y: _members(o, stage=Stage.PROBATIONARY)),
    "members.count_female": ("女党员人数", "members",
                             lambda o, y: _members(o, stage__in=ON_ROLLS, gender=Gender.FEMALE)),
    "members.count_minority": ("少数民族党员人数", "members",
                               lambda o, y: members_in_subtree(o).filter(status__in=ACTIVE_STATUSES,
                                                                         stage__in=ON_ROLLS)
                               .exclude(ethnicity="汉族").count()),
    "members.count_college": ("大专及以上学历党员人数", "members",
                              lambda o, y: _members(o, stage__in=ON_ROLLS, education__in=[
                                  Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE])),
    "members.count_applicant": ("入党申请人人数", "members", lambda o, y: _members(o, stage=Stage.APPLICANT)),
    "members.count_activist": ("入党积极分子人数", "members", lambda o, y: _members(o, stage=Stage.ACTIVIST)),
    "members.count_candidate": ("发展对象人数", "members", lambda o, y: _members(o, stage=Stage.CANDIDATE)),
    "members.admitted_year": ("本年发展党员数", "members",
                              lambda o, y: members_in_subtree(o).filter(joined_on__year=y).count()),
    "members.count_retired": ("离退休党员人数", "members",
                              lambda o, y: _members(o, stage__in=ON_ROLLS, is_retired=True)),
    "members.count_hardship": ("困难党员人数", "members",
                               lambda o, y: _members(o, stage__in=ON_ROLLS, in_hardship=True)),
    "orgs.count_branches": ("党支部个数", "orgs",
                            lambda o, y: Org.objects.filter(subtree_q(o.path), kind=Org.Kind.BRANCH,
                                                            is_active=True).count()),
    "meetings.held_year": ("本年召开组织生活次数", "meetings", _meetings_held),
    "volunteers.registered": ("注册志愿者的党员人数", "volunteers", _volunteers_registered),
    "volunteers.hours_year": ("本年志愿服务时长（小时）", "volunteers", _volunteer_hours),
    "petitions.received_year": ("本年受理群众诉求件数", "petitions", _petitions_received),
    "dues.paid_year": ("本年收缴党费（元）", "dues", _dues_paid),
    "care.visits_year": ("本年走访慰问人次", "care", _care_visits),
}


def available() -> dict[str, str]:
    """key → label of the sources whose app is installed."""
    return {k: label for k, (label, app, _fn) in SOURCES.items()
            if app == "orgs" or apps.is_installed(f"dangjian.{app}")}


def prefill(fields: list[dict], *, org: Org, year: int) -> dict:
    """{field key: value} for every field with an available source."""
    usable = available()
    out = {}
    for f in fields:
        src = f.get("source")
        if src and src in usable:
            out[f["key"]] = SOURCES[src][2](org, year)
    return out
