"""标准化规范化 (seed 003 八有), evidence uploads, model posts and branch-size warnings (RULES.md §2), as data plus
pure functions. Each rule cites its id; tests/test_rules.py walks the boundaries."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dangjian.core.errors import DomainError

# --- the default checklist: 八有 (seed 003: 企业党支部都达到有场所、有设施、有党旗、有经费、有牌子、有制度、有活动、有档案) ---
BAYOU_NAME = "党支部标准化规范化建设（八有）"
BAYOU = [
    ("site", "有场所", "有固定的党组织活动场所（党员之家、活动室）", "photo"),
    ("facilities", "有设施", "桌椅、电教设备、书报柜等基本设施齐全", "photo"),
    ("flag", "有党旗", "悬挂党旗，张贴入党誓词", "photo"),
    ("funds", "有经费", "党建工作经费有保障、有台账", "figure"),
    ("sign", "有牌子", "悬挂党组织牌子", "photo"),
    ("rules", "有制度", "“三会一课”等制度健全并上墙", "document"),
    ("activities", "有活动", "经常开展组织活动，有记录", "document"),
    ("archives", "有档案", "党员、会议、活动台账档案齐全规范", "document"),
]
CODE_RE = r"^[a-z][a-z0-9_]{0,29}$"
MAX_ITEMS = 30

PENDING, MET, NOT_MET = "pending", "met", "not_met"
VERDICTS = [(PENDING, "待检查"), (MET, "达标"), (NOT_MET, "未达标")]


def parse_items(text: str) -> list[tuple[str, str, str]]:
    """Checklist items from lines "code 名称 说明" (说明 optional). Codes unique, 1–30 items (R-STD-ITEMS)."""
    import re

    items, seen = [], set()
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) < 2:
            raise DomainError(f"第 {n} 行应为“代码 名称 说明”", rule="R-STD-ITEMS", field="items")
        code, name = parts[0], parts[1][:30]
        if not re.match(CODE_RE, code):
            raise DomainError(f"第 {n} 行代码“{code[:20]}”只能用小写字母、数字和下划线", rule="R-STD-ITEMS", field="items")
        if code in seen:
            raise DomainError(f"代码“{code}”重复", rule="R-STD-ITEMS", field="items")
        seen.add(code)
        items.append((code, name, parts[2][:200] if len(parts) > 2 else ""))
    if not items:
        raise DomainError("清单至少要有一项", rule="R-STD-ITEMS", field="items")
    if len(items) > MAX_ITEMS:
        raise DomainError(f"清单最多 {MAX_ITEMS} 项", rule="R-STD-ITEMS", field="items")
    return items


def default_items_text() -> str:
    return "\n".join(f"{code} {name} {desc}" for code, name, desc, _ in BAYOU)


def check_verdict(verdict: str, evidence_count: int) -> None:
    """R-STD-EVIDENCE: an item is judged met only on evidence (a photo, a document or a figure)."""
    if verdict not in (MET, NOT_MET):
        raise DomainError("请选择检查结论", rule="R-STD-EVIDENCE", field="verdict")
    if verdict == MET and evidence_count == 0:
        raise DomainError("没有佐证材料，不能判定为达标", rule="R-STD-EVIDENCE", field="verdict")


# --- evidence and photo uploads (type by content, not by name; size limits) -------------------------------

MB = 1024 * 1024
PHOTO, DOCUMENT, FIGURE = "photo", "document", "figure"
EVIDENCE_KINDS = [(PHOTO, "照片"), (DOCUMENT, "文件"), (FIGURE, "数据")]
# kind → (allowed extensions, max bytes); what a file really is is checked by core.files.validate_upload.
IMAGE_TYPES = {".jpg", ".jpeg", ".png"}
DOCUMENT_TYPES = {".pdf", ".docx", ".xlsx", ".doc", ".xls"} | IMAGE_TYPES
UPLOAD_RULES = {PHOTO: (IMAGE_TYPES, 5 * MB), DOCUMENT: (DOCUMENT_TYPES, 10 * MB), FIGURE: (IMAGE_TYPES | {".pdf"}, 5 * MB)}
KIND_HINTS = {PHOTO: "JPG 或 PNG 图片，不超过 5 MB", DOCUMENT: "PDF、Word、Excel 或图片，不超过 10 MB",
              FIGURE: "填写数值（如经费金额、场所面积），可附 JPG、PNG 或 PDF，不超过 5 MB"}
FIGURE_MAX = Decimal("1000000000")


def check_upload(upload, *, kind: str, field: str = "file") -> str:
    """R-STD-UPLOAD: the file's extension is allowed for its kind, its content really is that type (parsed, not
    sniffed), and it is not too big. Returns the lower-case extension to store it under a random name."""
    from dangjian.core.files import validate_upload

    types, limit = UPLOAD_RULES[kind]
    return validate_upload(upload, allowed=types, max_bytes=limit, field=field, rule="R-STD-UPLOAD")


def check_evidence(*, kind: str, has_file: bool, figure: Decimal | None) -> None:
    if kind not in UPLOAD_RULES:
        raise DomainError("请选择材料类型", rule="R-STD-UPLOAD", field="kind")
    if kind == FIGURE:
        if figure is None:
            raise DomainError("请填写数值", rule="R-STD-UPLOAD", field="figure_value")
        if figure < 0 or figure > FIGURE_MAX:
            raise DomainError("数值超出范围", rule="R-STD-UPLOAD", field="figure_value")
    elif not has_file:
        raise DomainError("请选择要上传的文件", rule="R-STD-UPLOAD", field="file")


# --- venues (阵地) ---------------------------------------------------------------------------------------

VENUE_KINDS = [("party_home", "党员之家"), ("service_center", "党群服务中心"), ("activity_room", "党员活动室"),
               ("other", "其他阵地")]
AREA_MAX = Decimal("100000")
PHOTOS_PER_VENUE = 12


def check_area(area: Decimal | None) -> None:
    if area is not None and not (Decimal("0") < area <= AREA_MAX):
        raise DomainError("面积应在 0–100000 平方米之间", rule="R-STD-VENUE", field="area")


# --- model posts and branches (党员示范岗 / 示范支部, seed 000) -----------------------------------------------

POST, BRANCH = "post", "branch"
MODEL_KINDS = [(POST, "党员示范岗"), (BRANCH, "示范支部")]
DEFAULT_CRITERIA = {
    POST: "亮身份、亮承诺、亮业绩；岗位业绩突出，群众评价好；模范遵守党纪国法，发挥先锋模范作用",
    BRANCH: "组织设置规范、班子坚强有力、党员队伍过硬、组织生活严格、作用发挥明显（“八有”全部达标）",
}
MAX_PERIOD_YEARS = 3  # R-STD-MODEL: a designation runs for a set period (at most 3 years), then is reviewed again


def check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期", rule="R-STD-MODEL", field="ends_on")
    try:
        limit = starts_on.replace(year=starts_on.year + MAX_PERIOD_YEARS)
    except ValueError:  # 29 Feb
        limit = starts_on.replace(year=starts_on.year + MAX_PERIOD_YEARS, day=28)
    if ends_on > limit:
        raise DomainError(f"命名期限最长 {MAX_PERIOD_YEARS} 年，期满复评", rule="R-STD-MODEL", field="ends_on")


# --- branch size (RULES §2) ------------------------------------------------------------------------------

BRANCH_MAX_MEMBERS = 50   # R-BRANCH-50: generally ≤ 50 members (probationary + full): a warning, not a block
BRANCH_MIN_FULL = 3       # R-BRANCH-3: ≥ 3 full members, else a 联合党支部
COMMITTEE_MIN_FULL = 7    # R-COMMITTEE-7: ≥ 7 full members elect a 支部委员会 (3–7 members)
COMMITTEE_MIN_SEATS = 3


@dataclass(frozen=True)
class SizeWarning:
    rule: str
    label: str
    detail: str


def size_warnings(*, org_kind: str, on_rolls: int, full: int, committee_seats: int) -> list[SizeWarning]:
    if org_kind != "branch":
        return []
    out = []
    if on_rolls > BRANCH_MAX_MEMBERS:
        out.append(SizeWarning("R-BRANCH-50", "党员超过 50 名",
                               f"党员 {on_rolls} 名（含预备党员），一般不超过 {BRANCH_MAX_MEMBERS} 名，可考虑分设党支部或成立党总支"))
    if full < BRANCH_MIN_FULL:
        out.append(SizeWarning("R-BRANCH-3", "正式党员不足 3 名",
                               f"正式党员 {full} 名，党支部应有 {BRANCH_MIN_FULL} 名以上正式党员，可与邻近单位成立联合党支部"))
    if full >= COMMITTEE_MIN_FULL and committee_seats < COMMITTEE_MIN_SEATS:
        out.append(SizeWarning("R-COMMITTEE-7", "应设支部委员会",
                               f"正式党员 {full} 名（7 名以上），应选举产生支部委员会（3–5 人，最多 7 人）"))
    return out


# R-GENERAL-50 / R-COMMITTEE-100 (RULES §2): how large an org may grow before it may be upgraded. "May" (with the
# upper committee's approval), so these are hints shown as warnings, never refusals. Counted: members on the rolls
# (probationary + full) of the org's whole subtree, as for R-BRANCH-50.
GENERAL_BRANCH_MIN_MEMBERS = 50    # R-GENERAL-50: ≥ 50 members may form a 党总支
BASE_COMMITTEE_MIN_MEMBERS = 100   # R-COMMITTEE-100 ⚙: ≥ 100 members may form a 基层党委 (a committee may set its own)


COMMITTEE_MIN_RANGE = (GENERAL_BRANCH_MIN_MEMBERS + 1, 1000)  # a committee's own R-COMMITTEE-100 threshold


def check_committee_min(value) -> None:
    low, high = COMMITTEE_MIN_RANGE
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError(f"设立基层党委的党员人数应在 {low} 到 {high} 之间", rule="R-COMMITTEE-100",
                          field="committee_min_members")


def upgrade_warnings(*, org_kind: str, on_rolls: int,
                     committee_min: int = BASE_COMMITTEE_MIN_MEMBERS) -> list[SizeWarning]:
    """A 党支部 with ≥ 50 members may become a 党总支 (R-GENERAL-50); a 党支部 or 党总支 with ≥ 100 a 基层党委
    (R-COMMITTEE-100). Exactly on the threshold counts ("≥"). A branch past both thresholds gets only the larger
    hint; a 党委 gets none."""
    if org_kind not in ("branch", "general_branch"):
        return []
    if on_rolls >= committee_min:
        return [SizeWarning("R-COMMITTEE-100", "可设基层党委",
                            f"党员 {on_rolls} 名（含预备党员），达到 {committee_min} 名，因工作需要可经上级党组织批准"
                            f"设立基层党委")]
    if org_kind == "branch" and on_rolls >= GENERAL_BRANCH_MIN_MEMBERS:
        return [SizeWarning("R-GENERAL-50", "可设党总支",
                            f"党员 {on_rolls} 名（含预备党员），达到 {GENERAL_BRANCH_MIN_MEMBERS} 名，可经上级党组织批准"
                            f"设立党总支，下设若干党支部")]
    return []


def org_warnings(*, org_kind: str, on_rolls: int, full: int, committee_seats: int,
                 committee_min: int = BASE_COMMITTEE_MIN_MEMBERS) -> list[SizeWarning]:
    """Every size warning of one org (RULES §2): the branch's own (R-BRANCH-50, R-BRANCH-3, R-COMMITTEE-7), then
    the upgrade hints (R-GENERAL-50, R-COMMITTEE-100)."""
    return (size_warnings(org_kind=org_kind, on_rolls=on_rolls, full=full, committee_seats=committee_seats)
            + upgrade_warnings(org_kind=org_kind, on_rolls=on_rolls, committee_min=committee_min))


def percent(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0
