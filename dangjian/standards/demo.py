"""Demo 标准化规范化 for 刘集镇 (seeds 000, 002, 003): the 八有 checklist of 刘集镇非公企业党委 for its enterprise
branches — last year all met, this year's re-check with evidence for some items and gaps for others —, a checklist of
绿博家苑社区党委, venues (绿博1号社区党群服务中心, 党员之家, 村室) with photos, a model branch (机关党支部, seed 000)
and model posts.

Idempotent: each block is skipped when its first record already exists.
"""
import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from dangjian.members.selectors import members_on_rolls

from . import rules, services
from .models import ModelDesignation, StandardCheck, StandardChecklist, Venue

ENTERPRISE = "刘集镇非公企业党委"
LVBO = "绿博家苑社区党委"
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
# branch → item codes left as gaps this year (not met / still pending); everything else met with evidence.
GAPS = {"海宁皮革城党支部": (set(), set()), "金科物业党支部": ({"archives"}, set()),
        "圣源商砼党支部": ({"funds"}, {"activities"}), "名望地产党支部": ({"site", "facilities"}, {"archives"}),
        "青云绿化党支部": (set(), {"rules", "activities", "archives"}), "华强公司党支部": ({"flag"}, set())}
VENUES = [  # org, kind, name, address, area, facilities, hours
    (LVBO, "service_center", "绿博1号社区党群服务中心", "中牟县刘集镇绿博家苑1号院", "1200",
     "便民服务大厅、党员教育室、文化活动室、图书阅览室", "周一至周日 8:30–18:00"),
    ("绿博家苑第一党支部", "party_home", "绿博家苑第一党支部党员之家", "绿博家苑1号院党群服务中心二楼", "80",
     "会议桌椅、投影仪、书报柜、党旗与入党誓词", "周一至周五 9:00–17:00，主题党日全天开放"),
    ("刘集村党支部", "activity_room", "刘集村村室（三室一中心）", "中牟县刘集镇刘集村村委会院内", "220",
     "党员活动室、便民服务中心、图书室、警务室", "周一至周六 8:00–12:00，14:30–17:30"),
    ("海宁皮革城党支部", "party_home", "海宁皮革城党员活动室", "海宁皮革城办公楼三层", "60",
     "桌椅、电视、书柜、党建宣传栏", "工作日 12:00–13:30、17:30–19:00"),
]
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
               b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _png(text: str, colour=(196, 30, 58)) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (480, 320), colour)
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype(FONT, 30)
    except OSError:
        font = ImageFont.load_default()
    draw.rectangle((16, 16, 464, 304), outline=(255, 215, 0), width=4)
    draw.text((40, 130), text[:14], fill=(255, 255, 255), font=font)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _evidence(actor, check, kind_hint):
    org_name, item = check.org.name, check.item.name
    if kind_hint == rules.FIGURE:
        return services.evidence_add(actor=actor, check=check, kind=rules.FIGURE, figure_value=30000, figure_unit="元",
                                     caption="镇党委按每个企业支部3万元标准下拨党建工作经费")
    if kind_hint == rules.DOCUMENT:
        f = SimpleUploadedFile(f"{item}.pdf", MINIMAL_PDF, content_type="application/pdf")
        return services.evidence_add(actor=actor, check=check, kind=rules.DOCUMENT, upload=f,
                                     caption=f"{org_name}{item}台账（扫描件）")
    f = SimpleUploadedFile(f"{item}.png", _png(f"{org_name[:8]}·{item}"), content_type="image/png")
    return services.evidence_add(actor=actor, check=check, kind=rules.PHOTO, upload=f, caption=f"{item}现场照片")


def _judge(zhang, checklist, gaps: dict[str, tuple[set, set]]):
    hints = {code: kind for code, _, _, kind in rules.BAYOU}
    for check in StandardCheck.objects.filter(checklist=checklist).select_related("org", "item", "checklist__org"):
        not_met, pending = gaps.get(check.org.name, (set(), set()))
        if check.item.code in pending:
            continue
        if check.item.code in not_met:
            services.check_judge(actor=zhang, check=check, verdict=rules.NOT_MET, note="现场检查未达到标准，限期整改")
            continue
        _evidence(zhang, check, hints.get(check.item.code, rules.PHOTO))
        services.check_judge(actor=zhang, check=check, verdict=rules.MET, note="现场查看，符合标准")


def _checklists(ctx, zhang, today):
    enterprise = ctx.orgs[ENTERPRISE]
    if StandardChecklist.objects.filter(org=enterprise).exists():
        return
    last = services.checklist_issue(actor=zhang, org=enterprise, name=rules.BAYOU_NAME, year=today.year - 1,
                                    items_text=rules.default_items_text(), target_kinds=["branch"],
                                    note="企业党支部“八有”标准（镇党委授牌要求）")
    _judge(zhang, last, {})
    this = services.checklist_recheck(actor=zhang, checklist=last, year=today.year)
    _judge(zhang, this, GAPS)
    lvbo = services.checklist_issue(actor=zhang, org=ctx.orgs[LVBO], name=rules.BAYOU_NAME, year=today.year,
                                    items_text=rules.default_items_text(), target_kinds=["branch"])
    li = ctx.users["li"]
    first = StandardCheck.objects.filter(checklist=lvbo, org=ctx.orgs["绿博家苑第一党支部"]).select_related(
        "org", "item", "checklist__org").order_by("item__order")
    for check in first[:3]:
        _evidence(li, check, rules.PHOTO)
    for check in first[:2]:
        services.check_judge(actor=zhang, check=check, verdict=rules.MET, note="符合标准")
    ctx.log.append(f"  标准化：{ENTERPRISE}“八有”清单（{last.year} 年全部达标、{this.year} 年复查有缺口），{LVBO} 清单")


def _venues(ctx, zhang):
    if Venue.objects.filter(org__in=[ctx.orgs[v[0]] for v in VENUES if v[0] in ctx.orgs]).exists():
        return
    for org_name, kind, name, address, area, facilities, hours in VENUES:
        org = ctx.orgs.get(org_name)
        if org is None:
            continue
        v = services.venue_create(actor=zhang, org=org, data={"kind": kind, "name": name, "address": address,
                                                              "area": area, "facilities": facilities,
                                                              "opening_hours": hours, "is_public": True})
        for n, colour in enumerate([(196, 30, 58), (160, 20, 40)][: 2 if kind == "service_center" else 1]):
            f = SimpleUploadedFile(f"venue{n}.png", _png(name[:12], colour), content_type="image/png")
            services.venue_photo_add(actor=zhang, venue=v, upload=f, caption="外景" if n == 0 else "活动室")


def _models(ctx, zhang, today):
    jiguan = ctx.orgs.get("刘集镇机关党支部")
    if jiguan is None or ModelDesignation.objects.filter(org=jiguan).exists():
        return
    start = date(today.year, 1, 1)
    end = date(today.year + 1, 12, 31)
    d = services.designation_propose(
        actor=zhang, org=jiguan, kind=rules.BRANCH, title="示范过硬支部", criteria=rules.DEFAULT_CRITERIA[rules.BRANCH],
        starts_on=start, ends_on=end,
        story="坚持把镇党委委员所在支部建成示范过硬支部；“三会一课”、主题党日一次不少，书记带头讲党课。")
    services.designation_review(actor=zhang, designation=d, outcome="approve", reviewed_on=start + timedelta(days=10),
                                note="经镇党委研究，予以命名")
    for org_name, title, story in [
            ("海宁皮革城党支部", "诚信经营示范岗", "带头亮身份、亮承诺，党员挂牌经营，全年零投诉。"),
            ("绿博家苑第一党支部", "楼院服务示范岗", "包楼联户，小事不出楼院，常年义务调解邻里纠纷。")]:
        org = ctx.orgs.get(org_name)
        member = members_on_rolls(org).filter(stage="full").exclude(user__isnull=False).order_by("id").first() \
            if org else None
        if member is None:
            continue
        d = services.designation_propose(actor=zhang, org=org, kind=rules.POST, title=title, member_id=member.id,
                                         criteria=rules.DEFAULT_CRITERIA[rules.POST], starts_on=start, ends_on=end,
                                         story=story)
        services.designation_review(actor=zhang, designation=d, outcome="approve",
                                    reviewed_on=start + timedelta(days=10))
    jinke = ctx.orgs.get("金科物业党支部")
    member = members_on_rolls(jinke).filter(stage="full").order_by("id").first() if jinke else None
    if member is not None:
        services.designation_propose(actor=zhang, org=jinke, kind=rules.POST, title="红色物业服务示范岗",
                                     member_id=member.id, criteria=rules.DEFAULT_CRITERIA[rules.POST],
                                     starts_on=today, ends_on=date(today.year + 1, 12, 31))


@transaction.atomic
def seed(ctx) -> None:
    zhang = ctx.users["zhang"]
    today = timezone.localdate()
    _checklists(ctx, zhang, today)
    _venues(ctx, zhang)
    _models(ctx, zhang, today)
