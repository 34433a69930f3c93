"""Demo data: the organization of 刘集镇 (seed 003) and the personas of DESIGN.md.

Idempotent: everything is looked up by name before it is created, so running it twice
changes nothing. Each domain app may add its own data with a `demo.seed(ctx)` function.
"""
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from dangjian.accounts.models import Role
from dangjian.orgs.models import Org, Unit

from .checks import DEMO_PASSWORD

User = get_user_model()

ROOT = "中共中牟县刘集镇委员会"
# (committee name, unit kind, [branch names])  — seed 003: 1 企业党委, 3 社区党委, 25 党支部.
COMMITTEES = [
    ("刘集镇非公企业党委", Unit.Kind.ENTERPRISE,
     ["海宁皮革城党支部", "金科物业党支部", "圣源商砼党支部", "名望地产党支部", "青云绿化党支部", "华强公司党支部"]),
    ("绿博家苑社区党委", Unit.Kind.COMMUNITY,
     ["绿博家苑第一党支部", "绿博家苑第二党支部", "绿博家苑第三党支部", "绿博家苑第四党支部",
      "绿博家苑第五党支部", "绿博家苑第六党支部"]),
    ("刘集社区党委", Unit.Kind.COMMUNITY, ["刘集社区第一党支部", "刘集社区第二党支部", "刘集社区第三党支部", "刘集社区老年党支部"]),
    ("万胜社区党委", Unit.Kind.COMMUNITY, ["万胜社区第一党支部", "万胜社区第二党支部", "万胜社区第三党支部", "万胜社区流动党员党支部"]),
]
DIRECT_BRANCHES = [("刘集镇机关党支部", Unit.Kind.GOVERNMENT), ("刘集镇直事业单位党支部", Unit.Kind.INSTITUTION),
                   ("大孟村党支部", Unit.Kind.VILLAGE), ("刘集村党支部", Unit.Kind.VILLAGE),
                   ("东史庄村党支部", Unit.Kind.VILLAGE)]
# Person, org name, role, display name.
PERSONAS = [
    ("zhang", ROOT, Role.Kind.ADMIN, "张建国"),
    ("li", "绿博家苑第一党支部", Role.Kind.SECRETARY, "李秀英"),
    ("wang", "绿博家苑第二党支部", Role.Kind.SECRETARY, "王坤"),
    ("zhao", "绿博家苑第一党支部", Role.Kind.MEMBER, "赵志强"),
]


@dataclass
class DemoContext:
    root: Org
    orgs: dict[str, Org] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


def _unit(name: str, kind: str) -> Unit:
    unit, _ = Unit.objects.get_or_create(name=name, defaults={"kind": kind})
    return unit


def _child(parent: Org, name: str, kind: str, unit: Unit | None = None) -> Org:
    existing = parent.get_children().filter(name=name).first()
    if existing:
        return existing
    org = Org.objects.add_child(parent, dict(name=name, kind=kind, unit=unit, region_id=parent.region_id))
    return org


@transaction.atomic
def seed_orgs() -> DemoContext:
    root = Org.get_root_nodes().filter(name=ROOT).first()
    if root is None:
        root = Org.objects.add_root(dict(name=ROOT, kind=Org.Kind.COMMITTEE, is_region=True,
                                         unit=_unit("刘集镇", Unit.Kind.GOVERNMENT), secretary="张建国"))
        Org.objects.filter(pk=root.pk).update(region_id=root.pk)
        root.refresh_from_db()
    ctx = DemoContext(root=root, orgs={ROOT: root})
    for name, unit_kind, branches in COMMITTEES:
        committee = _child(root, name, Org.Kind.COMMITTEE, _unit(name.replace("党委", ""), unit_kind))
        ctx.orgs[name] = committee
        for b in branches:
            ctx.orgs[b] = _child(committee, b, Org.Kind.BRANCH, committee.unit)
    for b, unit_kind in DIRECT_BRANCHES:
        ctx.orgs[b] = _child(root, b, Org.Kind.BRANCH, _unit(b.replace("党支部", ""), unit_kind))
    for username, org_name, role, full_name in PERSONAS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=full_name)
            user.set_password(DEMO_PASSWORD)
            user.save()
        Role.objects.get_or_create(user=user, org=ctx.orgs[org_name], role=role)
        ctx.users[username] = user
    return ctx
