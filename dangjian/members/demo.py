"""Demo members for 刘集镇 (seed 003): 893 党员 in all, 313 of them under 绿博家苑社区党委."""
import random

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.crypto import blind_index
from dangjian.core.idnumber import generate_id_number, mask_id_number
from dangjian.core.pinyin import pinyin_full, pinyin_initials
from dangjian.orgs.models import Org, PartyGroup

from .choices import Stage
from .models import Member
from .selectors import members_in_subtree

TOTAL = 893
LVBO = "绿博家苑社区党委"
LVBO_TOTAL = 313
# Persona members: (username, branch, name, birth, gender, joined)
PERSONA_MEMBERS = [
    ("li", "绿博家苑第一党支部", "李秀英", (1972, 5, 12), "F", (1998, 7, 1)),
    ("wang", "绿博家苑第二党支部", "王坤", (1969, 11, 3), "M", (1993, 6, 28)),
    ("zhao", "绿博家苑第一党支部", "赵志强", (1985, 3, 21), "M", (2012, 6, 30)),
]


def _plan(branches: list[Org], total: int) -> dict[int, int]:
    base, extra = divmod(total, len(branches))
    return {b.id: base + (1 if i < extra else 0) for i, b in enumerate(branches)}


@transaction.atomic
def seed(ctx) -> None:
    from datetime import date

    from .synthetic import member_rows

    today = timezone.localdate()
    rng = random.Random(2018)
    used = set()
    lvbo = ctx.orgs[LVBO]
    lvbo_branches = list(lvbo.get_children().filter(kind=Org.Kind.BRANCH).order_by("path"))
    other_branches = [o for o in Org.objects.in_subtree(ctx.root).filter(kind=Org.Kind.BRANCH).order_by("path")
                      if not o.path.startswith(lvbo.path)]
    plan = _plan(lvbo_branches, LVBO_TOTAL) | _plan(other_branches, TOTAL - LVBO_TOTAL)
    # Personas first, so that the branch plans include them.
    for username, branch_name, name, birth, gender, joined in PERSONA_MEMBERS:
        branch = ctx.orgs[branch_name]
        user = ctx.users.get(username)
        if Member.objects.filter(user=user).exists():
            continue
        id_number = generate_id_number(birth_date=date(*birth), gender=gender, seq=17)
        used.add(id_number)
        Member.objects.create(
            org=branch, region_id=branch.region_id, user=user, name=name, name_pinyin=pinyin_full(name),
            name_initials=pinyin_initials(name), gender=gender, birth_date=date(*birth), id_number=id_number,
            id_index=blind_index(id_number), id_masked=mask_id_number(id_number), phone="1380371" + f"{len(used):04d}",
            education="bachelor", occupation="社区工作者", unit_name="绿博家苑社区", stage=Stage.FULL,
            joined_on=date(*joined), full_on=date(joined[0] + 1, joined[1], joined[2]))
        if username == "zhao":
            Role.objects.get_or_create(user=user, org=branch, role=Role.Kind.MEMBER)
    created = 0
    for branch in lvbo_branches + other_branches:
        groups = list(PartyGroup.objects.filter(org=branch))
        if not groups and plan[branch.id] >= 30:
            groups = [PartyGroup.objects.create(org=branch, name=f"第{n}党小组") for n in "一二三"]
        have = members_in_subtree(branch).filter(stage__in=[Stage.PROBATIONARY, Stage.FULL]).count()
        need = plan[branch.id] - have
        if need <= 0:
            continue
        rows = member_rows(org=branch, count=need, rng=random.Random(branch.path), today=today, used_ids=used)
        for i, row in enumerate(rows):
            if groups:
                row.party_group = groups[i % len(groups)]
        Member.objects.bulk_create(rows, batch_size=500)
        created += len(rows)
    if created:
        ctx.log.append(f"  党员：新建 {created} 名（全镇共 {TOTAL} 名，其中绿博家苑 {LVBO_TOTAL} 名）")
