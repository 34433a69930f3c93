"""Demo volunteer service for 刘集镇 (seed 003) at seed 000's scale.

Seed 000 (兖州): a 3-level system 总站—分站—专业化服务队, 46 teams, 4 400 activities, 5 800 good deeds, online
registration of members ≥ 80 %. Seed 003 (绿博家苑, 313 members): every member's skills, interests, capacity
and time in a 志愿者台账; residents' needs collected and matched; posts claimed, confirmed by the community,
《党员领岗协议书》 published. Deterministic (fixed random seed) and idempotent: it does nothing once the
town's station exists. Bulk data (activities, hours, deeds) skip the audit log; posts, claims and needs go
through the services, so their audit trail is real.
"""
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dangjian.core.pinyin import pinyin_full, pinyin_initials
from dangjian.members.choices import ACTIVE_STATUSES, Stage
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import selectors, services
from .models import (Activity, GoodDeed, HoursEntry, Level, Signup, UnitMembership, VolunteerProfile,
                     VolunteerUnit)
from .rules import claim_term
from .services.posts import agreement_no_for

STATION = "刘集镇党员志愿服务总站"
LVBO = "绿博家苑社区党委"
TEAMS, ACTIVITIES, DEEDS = 46, 4400, 5800  # seed 000
SKILLS = ["医疗", "法律", "理发", "维修", "电工", "文艺", "书法", "驾驶", "助学", "心理疏导", "环境整治", "交通劝导",
          "敬老", "电脑", "摄影", "烹饪"]
INTERESTS = ["唱歌", "广场舞", "书法", "读书", "太极", "象棋", "园艺", "摄影", "乒乓球", "戏曲"]
CAPACITY = ["可上门服务", "每周可服务 4 小时", "会驾驶，可接送", "周末全天可服务", "晚间可服务", "可带队组织活动"]
GRIDS = [f"{n}网格" for n in range(1, 9)]
# (specialty, team name suffix, activity titles, place)
KINDS = [
    ("medical", "医疗服务队", ["义诊进社区", "免费测血压血糖", "健康知识讲座"], "党群服务中心"),
    ("legal", "法律服务队", ["法律咨询", "普法宣传", "矛盾纠纷调解"], "便民服务大厅"),
    ("arts", "文艺服务队", ["文艺汇演", "广场舞教学", "书法送福"], "社区文化广场"),
    ("environment", "环境整治队", ["楼院环境整治", "清理小广告", "义务植树"], "小区楼院"),
    ("elderly", "敬老服务队", ["敬老院慰问", "为老人理发", "空巢老人探访"], "敬老院"),
    ("traffic", "交通劝导队", ["文明交通劝导", "路口执勤"], "商贸路口"),
    ("education", "助学圆梦队", ["暑期作业辅导", "助学圆梦捐赠"], "社区书屋"),
]
KIND_SKILL = {"medical": "医疗", "legal": "法律", "arts": "文艺", "environment": "环境整治", "elderly": "敬老",
              "traffic": "交通劝导", "education": "助学"}
DEED_TITLES = ["扶老人过马路", "拾金不昧归还失主", "帮邻居修水管", "义务清理楼道杂物", "照顾空巢老人", "劝导文明停车",
               "帮助走失儿童回家", "为困难家庭送米面油", "雨天帮忙收晒物", "义务接送学生", "协助扑灭电动车起火"]
WITNESSES = "王建华 刘桂兰 陈明 张秀梅 李国强 杨丽 赵海 孙红 周平 吴静 郑军 冯玉兰".split()
POSTS = [("楼院环境巡查岗", "每日巡查楼院卫生和乱堆乱放，发现问题及时劝导和上报", "各楼院", "每天早 7:00-8:00", 6),
         ("文明停车劝导岗", "劝导机动车、电动车规范停放", "小区出入口", "工作日 17:30-19:00", 4),
         ("空巢老人联络岗", "每周联系结对空巢老人，了解需求并反馈社区", "结对老人家中", "每周至少一次", 8),
         ("政策宣传岗", "宣传党的政策和社区通知，收集居民意见", "公告栏、微信群", "每周二", 3),
         ("矛盾纠纷调解岗", "协助调解邻里纠纷，小事不出楼院", "调解室", "每周四下午", 3),
         ("垃圾分类督导岗", "在投放点督导垃圾分类", "垃圾投放点", "每天 7:00-9:00、18:00-20:00", 6),
         ("治安巡逻岗", "夜间巡逻，排查安全隐患", "小区主干道", "每周五、六 19:00-21:00", 6),
         ("夕阳红活动组织岗", "组织老年人文体活动", "老年活动室", "每周三上午", 2)]
NEEDS = [("为独居老人上门理发", ["理发"], "行动不便，希望上门"), ("房屋租赁合同咨询", ["法律"], ""),
         ("孩子暑期作业辅导", ["助学"], "初二数学"), ("更换楼道灯泡", ["电工"], "3号楼2单元"),
         ("陪同老人医院复查", ["驾驶", "医疗"], "需要接送"), ("洗衣机维修", ["维修"], ""),
         ("高龄老人量血压", ["医疗"], "每周一次"), ("手机使用教学", ["电脑"], "教老人视频通话"),
         ("邻里噪音纠纷调解", ["法律", "心理疏导"], ""), ("代写春联", ["书法"], ""),
         ("清理楼顶杂物", ["环境整治"], "需要 2-3 人"), ("帮忙搬运家具", [], "一楼搬到三楼")]
REQUESTERS = "刘奶奶 王大爷 陈女士 张阿姨 李先生 赵奶奶 周大爷 吴女士 郑阿姨 孙先生".split()


def _aware(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _availability(rng, retired: bool) -> list[dict]:
    if retired:
        days = rng.sample(range(1, 8), rng.randint(2, 5))
        start = rng.choice([8, 9, 14, 15])
        return [{"weekday": d, "start": f"{start:02d}:00", "end": f"{start + rng.choice([2, 3]):02d}:00"} for d in days]
    slots = [{"weekday": d, "start": "19:00", "end": "21:00"} for d in rng.sample(range(1, 6), rng.randint(1, 3))]
    slots += [{"weekday": d, "start": rng.choice(["08:00", "09:00", "14:00"]), "end": rng.choice(["12:00", "17:00"])}
              for d in rng.sample([6, 7], rng.randint(1, 2))]
    return [s for s in slots if s["start"] < s["end"]]


def _profile(rng, org: Org, member: Member | None, name: str, phone: str, retired: bool) -> VolunteerProfile:
    skills = rng.sample(SKILLS, rng.choice([1, 1, 2, 2, 3]))
    return VolunteerProfile(
        org=org, region_id=org.region_id, member=member, name=name, name_pinyin=pinyin_full(name)[:200],
        name_initials=pinyin_initials(name)[:50], phone=phone, skills=skills,
        interests=rng.sample(INTERESTS, rng.randint(1, 3)), capacity=rng.choice(CAPACITY),
        availability=_availability(rng, retired), grid=rng.choice(GRIDS),
        registered_via=VolunteerProfile.Via.SELF if rng.random() < 0.8 else VolunteerProfile.Via.STAFF)


def _seed_profiles(ctx, rng) -> None:
    """志愿者台账: ~90 % of 绿博家苑's members, ~78 % elsewhere (seed 000: ≥ 80 % online), and residents."""
    lvbo = ctx.orgs[LVBO]
    zhao = ctx.users.get("zhao")
    members = (Member.objects.filter(subtree_q(ctx.root.path, field="org__path"),
                                     stage__in=[Stage.PROBATIONARY, Stage.FULL], status__in=ACTIVE_STATUSES,
                                     is_exempt=False, volunteer__isnull=True)
               .select_related("org").order_by("id"))
    rows = []
    for m in members:
        if zhao is not None and m.user_id == zhao.pk:
            continue  # zhao registers himself in the demo
        share = 0.9 if m.org.path.startswith(lvbo.path) else 0.78
        if rng.random() < share:
            rows.append(_profile(rng, m.org, m, m.name, m.phone, m.is_retired))
    branches = list(lvbo.get_children().filter(kind=Org.Kind.BRANCH).order_by("path")) or [lvbo]
    for i in range(40):  # 群众志愿者 of 绿博家苑, registered with the branch of their building
        name = rng.choice("王李张刘陈杨黄赵吴周") + rng.choice(["阿姨", "大姐", "师傅", "大爷", "老师"]) + str(i + 1)
        rows.append(_profile(rng, branches[i % len(branches)], None, name,
                             "1" + rng.choice("3589") + f"{rng.randint(0, 10 ** 9 - 1):09d}", rng.random() < 0.5))
    VolunteerProfile.objects.bulk_create(rows, batch_size=500)


def _seed_units(ctx, rng) -> list[VolunteerUnit]:
    root = ctx.root
    station = VolunteerUnit.objects.create(org=root, region_id=root.region_id, name=STATION, level=Level.STATION,
                                           description="兖行先锋式三级党员志愿服务体系的总站")
    subs = {}
    for committee in root.get_children().filter(kind=Org.Kind.COMMITTEE).order_by("path"):
        subs[committee.path] = VolunteerUnit.objects.create(
            org=committee, region_id=committee.region_id, parent=station, level=Level.SUBSTATION,
            name=committee.name.replace("党委", "") + "志愿服务分站")
    branches = list(Org.objects.filter(subtree_q(root.path), kind=Org.Kind.BRANCH).order_by("path"))
    teams = [VolunteerUnit(org=root, region_id=root.region_id, parent=station, level=Level.TEAM,
                           specialty="other", name="镇机关应急服务队")]
    k = 0
    for b in branches:
        parent = next((u for path, u in subs.items() if b.path.startswith(path)), station)
        for _ in range(2 if len(teams) + 2 <= TEAMS else 1):
            specialty, suffix, _, _ = KINDS[k % len(KINDS)]
            k += 1
            teams.append(VolunteerUnit(org=b, region_id=b.region_id, parent=parent, level=Level.TEAM,
                                       specialty=specialty, name=b.name.replace("党支部", "") + suffix))
            if len(teams) >= TEAMS:
                break
        if len(teams) >= TEAMS:
            break
    VolunteerUnit.objects.bulk_create(teams)
    teams = list(VolunteerUnit.objects.filter(subtree_q(root.path, field="org__path"), level=Level.TEAM)
                 .select_related("org"))
    by_org: dict[int, list] = {}
    for t in teams:
        by_org.setdefault(t.org_id, []).append(t)
    memberships = []
    today = timezone.localdate()
    vols = VolunteerProfile.objects.filter(subtree_q(root.path, field="org__path")).order_by("id")
    for v in vols:
        options = by_org.get(v.org_id) or []
        if not options:
            continue
        team = options[v.id % len(options)]
        joined = today - timedelta(days=rng.randint(30, 700))
        memberships.append(UnitMembership(unit=team, volunteer=v, joined_on=joined))
    UnitMembership.objects.bulk_create(memberships, batch_size=1000)
    for t in teams:  # the first member of each team leads it
        first = t.memberships.order_by("id").first()
        if first:
            UnitMembership.objects.filter(pk=first.pk).update(role=UnitMembership.Role.LEADER)
    return teams


def _seed_activities(ctx, rng, teams) -> None:
    """4 400 activities over two years (the last weeks ahead still open), with sign-ups and hours."""
    today = timezone.localdate()
    kinds = {k[0]: k for k in KINDS}
    members_of = {}
    for unit_id, vid in UnitMembership.objects.filter(unit__in=teams).values_list("unit_id", "volunteer_id"):
        members_of.setdefault(unit_id, []).append(vid)
    rows = []
    for i in range(ACTIVITIES):
        team = teams[i % len(teams)]
        _, _, titles, place = kinds.get(team.specialty, KINDS[3])
        day = today - timedelta(days=rng.randint(-20, 720)) if i % 60 else today + timedelta(days=rng.randint(1, 20))
        hour = rng.choice([8, 9, 14, 15, 19])
        hours = rng.choice([2, 2, 3])
        start = _aware(day, hour)
        past = start + timedelta(hours=hours) < timezone.now()
        rows.append(Activity(org=team.org, region_id=team.region_id, unit=team, title=rng.choice(titles), place=place,
                             starts_at=start, ends_at=start + timedelta(hours=hours),
                             skills=[KIND_SKILL[team.specialty]] if team.specialty in KIND_SKILL else [],
                             headcount=rng.randint(6, 15),
                             state=Activity.State.DONE if past else Activity.State.PUBLISHED,
                             summary=f"组织志愿者开展{rng.choice(titles)}，服务群众 {rng.randint(10, 80)} 人次。" if past
                             else ""))
    Activity.objects.bulk_create(rows, batch_size=1000)
    signups, entries = [], []
    now = timezone.now()
    for a in Activity.objects.filter(unit__in=teams).only("id", "org_id", "region_id", "unit_id", "starts_at",
                                                          "ends_at", "headcount", "state"):
        pool = members_of.get(a.unit_id, [])
        if not pool:
            continue
        chosen = rng.sample(pool, min(len(pool), rng.randint(2, min(a.headcount, 8))))
        done = a.state == Activity.State.DONE
        for vid in chosen:
            signups.append(Signup(activity_id=a.id, region_id=a.region_id, volunteer_id=vid, checked_in_at=a.starts_at if done else None,
                                  checked_out_at=a.ends_at if done else None))
            if done and a.ends_at < now:
                hours = Decimal((a.ends_at - a.starts_at).seconds // 1800) / 2 - (Decimal("0.5") if rng.random() < .2
                                                                                   else 0)
                entries.append(HoursEntry(org_id=a.org_id, region_id=a.region_id, volunteer_id=vid, activity_id=a.id,
                                          served_on=timezone.localtime(a.starts_at).date(), hours=hours,
                                          reason="签到签退自动计时"))
    Signup.objects.bulk_create(signups, batch_size=2000)
    HoursEntry.objects.bulk_create(entries, batch_size=2000)


def _seed_deeds(ctx, rng) -> None:
    today = timezone.localdate()
    vols = list(VolunteerProfile.objects.filter(subtree_q(ctx.root.path, field="org__path"))
                .values_list("id", "org_id", "region_id"))
    team_of = dict(UnitMembership.objects.filter(volunteer_id__in=[v[0] for v in vols])
                   .values_list("volunteer_id", "unit_id"))
    rows = []
    for _ in range(DEEDS):
        vid, org_id, region_id = rng.choice(vols)
        rows.append(GoodDeed(org_id=org_id, region_id=region_id, volunteer_id=vid, unit_id=team_of.get(vid),
                             done_on=today - timedelta(days=rng.randint(0, 720)), title=rng.choice(DEED_TITLES),
                             witness=rng.choice(WITNESSES)))
    GoodDeed.objects.bulk_create(rows, batch_size=2000)


def _seed_posts(ctx, rng) -> None:
    """绿博家苑: posts claimed and confirmed by the community; a few claims wait for li at branch one."""
    zhang, li = ctx.users["zhang"], ctx.users["li"]
    lvbo = ctx.orgs[LVBO]
    branch_one = ctx.orgs["绿博家苑第一党支部"]
    members = list(Member.objects.filter(subtree_q(lvbo.path, field="org__path"), stage=Stage.FULL, status="normal",
                                         user__isnull=True).select_related("org").order_by("id"))
    rng.shuffle(members)
    today = timezone.localdate()
    for title, duty, place, schedule, capacity in POSTS:
        post = services.post_create(actor=zhang, org=lvbo, data={"title": title, "duty": duty, "place": place,
                                                                 "schedule": schedule, "capacity": capacity})
        for _ in range(rng.randint(capacity - 1, capacity)):
            m = members.pop()
            claim = services.claim_create(actor=zhang, post=post, member=m,
                                          pledge=f"{schedule}按时到岗，亮明党员身份，认真履行{title}职责")
            claim = services.claim_confirm(actor=zhang, claim=claim)
            claim.starts_on, claim.ends_on = claim_term(today - timedelta(days=rng.randint(0, 300)))
            claim.agreement_no = agreement_no_for(claim)
            claim.decided_at = _aware(claim.starts_on, 10)
            claim.save(update_fields=["starts_on", "ends_on", "agreement_no", "decided_at"])
    post = services.post_create(actor=li, org=branch_one, data={
        "title": "第一党支部楼栋长岗", "duty": "联系本楼栋住户，收集诉求，传达通知", "place": "各楼栋",
        "schedule": "长期", "capacity": 4})
    for m in [m for m in members if m.org_id == branch_one.id][:2]:
        services.claim_create(actor=zhang, post=post, member=m, pledge="熟悉本楼栋住户情况，随叫随到")


def _seed_needs(ctx, rng) -> None:
    """Residents' needs of 绿博家苑: done with ratings, assigned through the matcher, and open ones."""
    zhang = ctx.users["zhang"]
    lvbo = ctx.orgs[LVBO]
    today = timezone.localdate()
    n = 0
    for round_ in range(3):
        for title, skills, description in NEEDS:
            n += 1
            offset = {0: -rng.randint(5, 60), 1: rng.randint(1, 7), 2: rng.randint(3, 14)}[round_]
            day = today + timedelta(days=offset)
            start = _aware(day, rng.choice([9, 10, 15, 19]))
            org = ctx.orgs["绿博家苑第一党支部"] if n % 4 == 0 else lvbo  # some needs come to li's branch
            demand = services.demand_create(actor=zhang, org=org, data={
                "title": title, "skills": skills, "description": description or f"{title}（居民来电）",
                "starts_at": start, "ends_at": start + timedelta(hours=rng.choice([1, 2])), "grid": rng.choice(GRIDS),
                "urgency": rng.choice(["low", "low", "normal", "high"]), "requester_name": rng.choice(REQUESTERS),
                "requester_phone": f"139{rng.randint(0, 10 ** 8 - 1):08d}", "place": "绿博家苑"})
            if round_ == 2:
                continue  # open: the board shows the matcher's suggestions
            matches = selectors.demand_matches(actor=zhang, demand=demand, limit=3)
            if not matches:
                continue
            volunteer = VolunteerProfile.objects.select_related("org").get(pk=matches[0].volunteer_id)
            demand = services.demand_assign(actor=zhang, demand=demand, volunteer=volunteer)
            if round_ == 0:
                services.demand_complete(actor=zhang, demand=demand, rating=rng.choice([5, 5, 5, 4, 4, 3]),
                                         feedback=rng.choice(["服务热情周到", "来得很及时，谢谢党员同志", "很满意",
                                                              "解决了大问题"]))


@transaction.atomic
def seed(ctx) -> None:
    if VolunteerUnit.objects.filter(org=ctx.root, name=STATION).exists():
        return
    if LVBO not in ctx.orgs or not Member.objects.filter(subtree_q(ctx.orgs[LVBO].path, field="org__path")).exists():
        ctx.log.append("  志愿服务：没有党员数据，跳过")
        return
    rng = random.Random(2019)
    _seed_profiles(ctx, rng)
    teams = _seed_units(ctx, rng)
    _seed_activities(ctx, rng, teams)
    _seed_deeds(ctx, rng)
    _seed_posts(ctx, rng)
    _seed_needs(ctx, rng)
    stats = selectors.registration_stats(org=ctx.root)
    units = VolunteerUnit.objects.filter(subtree_q(ctx.root.path, field="org__path")).count()
    ctx.log.append(f"  志愿服务：{units} 个总站/分站/"
                   f"服务队，{VolunteerProfile.objects.count()} 名志愿者（党员注册率 "
                   f"{selectors.percent(stats['rate'])}），{Activity.objects.count()} 次活动，"
                   f"{GoodDeed.objects.count()} 件好人好事")
