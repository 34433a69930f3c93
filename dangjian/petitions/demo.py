"""Demo 诉求 and 调解 for 刘集镇: a live queue for 绿博家苑 (on time, late and overdue cases, some raised from
民情日记, letters to the 镇党委 leaders' mailbox), and the 2016 figures of seed 004 (柳园镇): 102 条意见建议、
解决 98 条; 矛盾纠纷 180 件 — 口头协议 23、书面协议 157 — 涉及 492 人、110 万元.

Idempotent: nothing is created when the township already has cases.
"""
import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dangjian.orgs.models import Org
from dangjian.visits.models import VisitLog

from . import rules
from .models import Mediation, Petition, PetitionStep, TrackingCode
from .services import petitions_escalate_overdue

COMMUNITY = "绿博家苑社区党委"
TITLES = [("环境卫生", "environment", "小区东门垃圾清运不及时"), ("物业管理", "property", "电梯经常停运"),
          ("基础设施", "infrastructure", "楼道声控灯损坏"), ("治安安全", "security", "夜间有人在楼下聚集喧哗"),
          ("就业创业", "employment", "希望提供家门口就业岗位"), ("困难救助", "relief", "家中老人大病住院，申请临时救助"),
          ("医疗健康", "medical", "希望社区卫生站延长服务时间"), ("教育", "education", "孩子入学需办理居住证明"),
          ("邻里纠纷", "neighbour", "楼上漏水影响楼下住户"), ("政策咨询", "policy", "咨询拆迁安置补偿款发放时间")]
SUGGESTIONS = ["建议在广场增设健身器材", "建议增加小区停车位", "建议开设老年食堂", "建议组织就业技能培训",
               "建议加装电动车充电桩", "建议定期开展义诊", "建议设置快递代收点", "建议增加路灯"]
NAMES = ["钱秀兰", "孙德胜", "周玉芬", "吴海涛", "郑凤兰", "冯国庆", "陈丽华", "褚明", "卫桂香", "蒋春生"]
DISPUTES = ["邻里漏水纠纷", "宅基地边界纠纷", "拆迁安置补偿纠纷", "劳务工资纠纷", "婚姻家庭纠纷", "物业费纠纷",
            "噪音扰民纠纷", "交通事故赔偿纠纷", "土地承包纠纷", "房屋租赁纠纷"]
CHANNELS = ["wechat", "qq", "phone", "visit", "web"]


def _code(rng: random.Random, used: set) -> str:
    while True:
        code = "".join(rng.choice(rules.TRACKING_ALPHABET) for _ in range(rules.TRACKING_LENGTH))
        if code not in used:
            used.add(code)
            return code


def _walk(p: Petition, *, stop: int, late: bool, today: date, rng: random.Random, actor) -> list[PetitionStep]:
    """Do the first `stop` steps, on time (or one of them late, with its reason), never after today."""
    steps, previous = [], p.received_on
    for i, step in enumerate(rules.STEPS[:stop]):
        due = p.due_of(step)
        done = max(previous, due - timedelta(days=rng.randint(0, 1)))
        is_late = late and i == stop - 1
        if is_late:
            done = due + timedelta(days=rng.randint(1, 4))
        if done > today:
            break
        note = "因涉及多个部门协调，办理延迟" if is_late else {"contact": "已电话联系反映人", "accept": "已受理，明确责任人",
                                                          "handle": "已协调相关单位处理", "feedback": "已回访反映人"}[step]
        steps.append(PetitionStep(petition=p, step=step, done_on=done, due=due, late=rules.is_late(done_on=done, due=due),
                                  note=note, actor=actor, actor_name=getattr(actor, "username", "")))
        if step == "contact":
            p.owner = actor  # 首问负责: the first contact owns the case
        if step == "accept":
            p.handle_due = rules.deadlines(received_on=p.received_on, accepted_on=done)["handle"]
            p.feedback_due = rules.deadlines(received_on=p.received_on, accepted_on=done)["feedback"]
        if step == "handle":
            p.feedback_due = rules.deadlines(received_on=p.received_on, handled_on=done)["feedback"]
            p.resolved = p.resolved if p.resolved is not None else True
        if step == "feedback":
            p.closed_on, p.satisfaction = done, p.satisfaction or rng.choice(["satisfied"] * 4 + ["basically"])
        previous = done
    p.state = [Petition.State.NEW, Petition.State.CONTACTED, Petition.State.ACCEPTED, Petition.State.HANDLED,
               Petition.State.CLOSED][len(steps)]
    p.current_due = p.due_of(p.pending_step) if p.pending_step else None
    return steps


def _petition(org: Org, *, received_on: date, rng, used, **fields) -> Petition:
    due = rules.deadlines(received_on=received_on)
    return Petition(org=org, region_id=org.region_id, received_on=received_on, tracking_code=_code(rng, used),
                    contact_due=due["contact"], accept_due=due["accept"], handle_due=due["handle"],
                    feedback_due=due["feedback"], current_due=due["contact"], **fields)


@transaction.atomic
def seed(ctx) -> None:
    root = ctx.root
    if Petition.objects.filter(region_id=root.region_id).exists() or Mediation.objects.filter(
            region_id=root.region_id).exists():
        return
    rng = random.Random(2016)
    today = timezone.localdate()
    used: set[str] = set()
    li = ctx.users.get("li")
    community = ctx.orgs.get(COMMUNITY)
    branches = list(community.get_children().order_by("path")) if community else []
    queues = branches + ([community] if community else [])
    live: list[tuple[Petition, int, bool]] = []
    # Cases raised from this and last month's 民情日记 (channel `visit`).
    for log in VisitLog.objects.filter(org__in=branches, visited_on__gte=today - timedelta(days=45)).exclude(
            needs="").select_related("household", "org")[:12]:
        p = _petition(log.org, received_on=log.visited_on, rng=rng, used=used, kind="demand", channel="visit",
                      category="other", title=log.needs[:rules.TITLE_MAX], content=log.needs,
                      submitter_name=log.household.name if log.household else "",
                      submitter_phone=log.household.phone if log.household else "", household=log.household,
                      visit_log=log, created_by=li)
        live.append((p, rng.randint(0, 4), rng.random() < .2))
    for i in range(24):
        label, category, title = TITLES[i % len(TITLES)]
        anonymous = i % 7 == 3
        received = today - timedelta(days=rng.randint(0, 40))
        p = _petition(queues[i % len(queues)] if queues else root, received_on=received, rng=rng, used=used,
                      kind="demand" if i % 5 else "suggestion", channel=CHANNELS[i % len(CHANNELS)], category=category,
                      title=title, content=f"{title}，请尽快协调解决。", anonymous=anonymous,
                      submitter_name="" if anonymous else NAMES[i % len(NAMES)],
                      submitter_phone="" if anonymous else f"1390371{i:04d}", created_by=li)
        live.append((p, rng.choice([0, 1, 2, 3, 4, 4]), rng.random() < .25))
    for i, (text, reply) in enumerate([("建议镇区增设公交站点", "已与县交通局对接，计划年内增设两处站点。"),
                                       ("反映集镇供暖管线老化", "供暖管线改造已列入今年惠民工程。"),
                                       ("希望增加便民服务中心周末窗口", ""), ("反映村道路灯不亮", "")]):
        p = _petition(root, received_on=today - timedelta(days=5 + 6 * i), rng=rng, used=used, kind="letter",
                      channel="mailbox", category="infrastructure", title=text, content=text + "。",
                      submitter_name=NAMES[i], allow_public=bool(reply), public_reply=reply)
        live.append((p, 4 if reply else i - 1, False))
    Petition.objects.bulk_create([p for p, _, _ in live])
    TrackingCode.objects.bulk_create(TrackingCode.for_petitions([p for p, _, _ in live]))
    steps = []
    for p, stop, late in live:
        steps += _walk(p, stop=stop, late=late, today=today, rng=rng, actor=li)
    _seed_004(root, rng, used, li, steps)
    PetitionStep.objects.bulk_create(steps)
    for p, _, _ in live:
        p.save()
    escalated = petitions_escalate_overdue(today=today)
    _mediations(root, branches, today, rng)
    ctx.log.append(f"  群众诉求：办理队列 {len(live)} 件（逾期已督办 {escalated} 个环节）；2016 年意见建议 102 条、解决 98 条，"
                   "矛盾纠纷调解 180 件（口头 23、书面 157，涉及 492 人、110 万元，seed 004）")


def _seed_004(root: Org, rng, used, actor, steps: list) -> None:
    """102 suggestions in 2016, all answered, 98 of them resolved (seed 004)."""
    orgs = list(Org.objects.in_subtree(root).filter(kind=Org.Kind.BRANCH).order_by("path"))
    rows = []
    for i in range(102):
        p = _petition(orgs[i % len(orgs)], received_on=date(2016, 2, 15) + timedelta(days=(i * 5) % 290), rng=rng,
                      used=used, kind="suggestion", channel=["wechat", "qq", "visit", "phone"][i % 4],
                      category="other", title=SUGGESTIONS[i % len(SUGGESTIONS)], content=SUGGESTIONS[i % len(SUGGESTIONS)],
                      submitter_name=NAMES[i % len(NAMES)], resolved=i >= 4)
        rows.append(p)
    Petition.objects.bulk_create(rows)
    TrackingCode.objects.bulk_create(TrackingCode.for_petitions(rows))
    for p in rows:
        steps += _walk(p, stop=4, late=False, today=date(2016, 12, 31), rng=rng, actor=actor)
        p.save()


def _mediations(root: Org, branches: list[Org], today: date, rng) -> None:
    """Seed 004's 180 disputes in 2016 with the exact totals, and a few current ones for 绿博家苑."""
    orgs = list(Org.objects.in_subtree(root).filter(kind=Org.Kind.BRANCH).order_by("path"))
    people = [2] * 180
    for _ in range(492 - 360):
        people[rng.randrange(180)] += 1
    weights = [rng.random() if i % 3 else 0 for i in range(180)]  # a third involve no money
    total = Decimal("1100000.00")
    amounts = [(total * Decimal(w) / Decimal(sum(weights))).quantize(Decimal("1")) for w in weights]
    amounts[1] += total - sum(amounts)  # exact total, absorbed by one case with money at stake
    outcomes = ["oral"] * 23 + ["written"] * 157
    rng.shuffle(outcomes)
    rows = []
    for i in range(180):
        org = orgs[i % len(orgs)]
        outcome = outcomes[i]
        title = DISPUTES[i % len(DISPUTES)]
        rows.append(Mediation(org=org, region_id=org.region_id, title=title, category="neighbour",
                              occurred_on=date(2016, 1, 10) + timedelta(days=(i * 2) % 340), parties_count=2,
                              parties="、".join(rng.sample(NAMES, 2)), people_involved=people[i], amount=amounts[i],
                              outcome=outcome, mediator="党建指导员",
                              agreement="经调解，双方自愿达成协议，互谅互让，不再就此事发生争执。" if outcome == "written" else ""))
    for i, org in enumerate(branches[:6]):
        outcome = ["written", "oral", "written", "failed", "written", "oral"][i]
        rows.append(Mediation(org=org, region_id=org.region_id, title=DISPUTES[i], category="neighbour",
                              occurred_on=today - timedelta(days=3 + 9 * i), parties="、".join(rng.sample(NAMES, 2)),
                              parties_count=2, people_involved=2 + i, amount=Decimal(500 * i), outcome=outcome,
                              mediator="李秀英", agreement="双方同意由责任方承担维修费用，十日内付清。"
                              if outcome == "written" else ""))
    Mediation.objects.bulk_create(rows)
