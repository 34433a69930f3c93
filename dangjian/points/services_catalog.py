"""Writes to the rule catalog and the committee's scheme (re-exported by services.py).

R-POINTS-VERSION: a rule is never edited in place: a change adds a version in force from a date, the
previous version ends the day before, and every entry keeps the version it was recorded under.
R-POINTS-OVERRIDE: a committee defines codes for its whole subtree; a lower org may override an inherited
code only within the limits the nearest defining org set.
"""
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from dangjian.accounts.scope import require
from dangjian.core.audit import audit
from dangjian.core.errors import Conflict, DomainError, FieldErrors
from dangjian.orgs.models import Org

from . import rules, selectors
from .models import Category, PeriodKind, PointEntry, PointRule, PointRuleVersion, PointScheme
from dangjian.orgs.tree import subtree_q

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,29}$")
VERSION_FIELDS = ["name", "category", "points", "evidence_required", "self_report_allowed", "requires_approval",
                  "cap_per_period", "overridable", "override_min", "override_max", "note"]
BOOLS = ["evidence_required", "self_report_allowed", "requires_approval", "overridable"]


class _Err:
    def __init__(self, field, message, rule=""):
        self.field, self.message, self.rule = field, message, rule


def _decimal_or_none(value, field: str, errors: list, *, positive: bool = False) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip())
        if not d.is_finite() or d != d.quantize(rules.SCORE_PLACES) or abs(d) > rules.POINTS_MAX:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.append(_Err(field, "应为最多两位小数的数字"))
        return None
    if positive and d <= 0:
        errors.append(_Err(field, "应大于 0", "R-POINTS-CAP"))
        return None
    return d.quantize(rules.SCORE_PLACES)


def clean_version_data(data: dict) -> dict:
    """Validate a complete set of version fields (FieldErrors listing every problem at once)."""
    errors: list = []
    out = {k: bool(data.get(k)) for k in BOOLS}
    name = (data.get("name") or "").strip()
    if not name or len(name) > 100:
        errors.append(_Err("name", "名称不能为空，且不超过 100 字"))
    out["name"] = name
    out["category"] = data.get("category") or ""
    if out["category"] not in Category.values:
        errors.append(_Err("category", f"类别无效：{out['category'] or '（空）'}，可选 {'、'.join(Category.labels)}"))
    try:
        out["points"] = rules.parse_points(data.get("points"))
    except ValueError as exc:
        errors.append(_Err("points", str(exc)))
        out["points"] = None
    out["cap_per_period"] = _decimal_or_none(data.get("cap_per_period"), "cap_per_period", errors, positive=True)
    out["override_min"] = _decimal_or_none(data.get("override_min"), "override_min", errors)
    out["override_max"] = _decimal_or_none(data.get("override_max"), "override_max", errors)
    low, high = out["override_min"], out["override_max"]
    if low is not None and high is not None and low > high:
        errors.append(_Err("override_min", "调整下限不能大于上限", "R-POINTS-OVERRIDE"))
    if out["points"] is not None and out["cap_per_period"] is not None and out["cap_per_period"] < abs(out["points"]):
        errors.append(_Err("cap_per_period", "每期上限不能小于单次分值", "R-POINTS-CAP"))
    note = (data.get("note") or "").strip()
    if len(note) > 300:
        errors.append(_Err("note", "说明不能超过 300 字"))
    out["note"] = note
    if errors:
        raise FieldErrors(errors)
    return out


def _valid_from(value) -> date:
    if value is None:
        return selectors.today()
    if not isinstance(value, date) or value.year < 1921:
        raise DomainError("生效日期格式应为 YYYY-MM-DD", field="valid_from")
    return value


def _check_against_parent(org: Org, code: str, day: date, data: dict) -> PointRuleVersion | None:
    """The inherited version this org's rule would override on `day` (None: a code of its own)."""
    parent = selectors.rule_version_in_force(org=org, code=code, day=day, include_self=False)
    if parent is None:
        exists_above = PointRule.objects.filter(code=code, org__path__in=selectors.ancestor_paths(org)[:-1]).exists()
        if exists_above:
            raise DomainError(f"上级的积分标准 {code} 在 {day} 未施行，不能调整", field="valid_from",
                              rule="R-POINTS-OVERRIDE")
        if org.kind == Org.Kind.BRANCH:
            raise DomainError("党支部不能新设积分标准，只能在上级党委允许的范围内调整已有标准", field="code",
                              rule="R-POINTS-OVERRIDE")
        return None
    problem = rules.override_problem(
        parent_points=parent.points, overridable=parent.overridable, low=parent.override_min,
        high=parent.override_max, parent_cap=parent.cap_per_period, points=data["points"], cap=data["cap_per_period"])
    if problem:
        raise DomainError(problem, field="points", rule="R-POINTS-OVERRIDE")
    if data["category"] != parent.category:
        raise DomainError("调整不能改变积分标准的类别", field="category", rule="R-POINTS-OVERRIDE")
    if org.kind == Org.Kind.BRANCH:
        data.update(overridable=False, override_min=None, override_max=None)
    else:  # a middle committee passes limits down, never wider than its own (unset = the parent's)
        if data["override_min"] is None:
            data["override_min"] = parent.override_min
        if data["override_max"] is None:
            data["override_max"] = parent.override_max
        if (parent.override_min is not None and data["override_min"] < parent.override_min) or \
                (parent.override_max is not None and data["override_max"] > parent.override_max):
            raise DomainError("向下级授权的调整范围不能超出上级规定的范围", field="override_min", rule="R-POINTS-OVERRIDE")
    return parent


def _version_snapshot(v: PointRuleVersion) -> dict:
    from dangjian.core.audit import snapshot

    return snapshot(v, VERSION_FIELDS + ["version", "valid_from", "valid_to"])


@transaction.atomic
def rule_create(*, actor, org: Org, code: str, data: dict, valid_from: date | None = None,
                subject: str = PointRule.Subject.MEMBER) -> PointRule:
    """Define a code at a committee, or override an inherited one at a lower org (R-POINTS-OVERRIDE)."""
    require(actor, "points.edit", org)
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise DomainError("编码须以字母开头，由字母、数字、-、_ 组成，不超过 30 位", field="code")
    if subject not in PointRule.Subject.values:
        raise DomainError(f"计分对象无效：{subject}", field="subject")
    day = _valid_from(valid_from)
    cleaned = clean_version_data(data)
    if PointRule.objects.filter(org=org, code=code).exists():
        raise Conflict(f"本组织已有编码为 {code} 的积分标准；修改请发布新版本", field="code")
    parent = _check_against_parent(org, code, day, cleaned)
    rule = PointRule.objects.create(org=org, code=code, subject=parent.rule.subject if parent else subject,
                                    overrides=parent.rule if parent else None, created_by=actor)
    version = PointRuleVersion.objects.create(rule=rule, version=1, valid_from=day, created_by=actor, **cleaned)
    audit(actor=actor, verb="points.rule_override" if parent else "points.rule_create", target=rule, org=org,
          after={"code": code, **_version_snapshot(version)})
    return rule


@transaction.atomic
def rule_revise(*, actor, rule: PointRule, data: dict, valid_from: date | None = None) -> PointRuleVersion:
    """R-POINTS-VERSION: a new version from `valid_from`; entries already recorded keep theirs."""
    rule = PointRule.objects.select_for_update().select_related("org").get(pk=rule.pk)
    require(actor, "points.edit", rule.org)
    current = rule.versions.order_by("-version").first()
    merged = {k: getattr(current, k) for k in VERSION_FIELDS}
    merged.update({k: v for k, v in data.items() if k in VERSION_FIELDS})
    cleaned = clean_version_data(merged)
    day = _valid_from(valid_from)
    if day <= current.valid_from:
        raise DomainError(f"新版本的生效日期须晚于当前版本的生效日期 {current.valid_from}", field="valid_from",
                          rule="R-POINTS-VERSION")
    if rule.overrides_id:
        _check_against_parent(rule.org, rule.code, day, cleaned)
    elif cleaned["category"] != current.category and rule.overridden_by.exists():
        raise DomainError("已有下级调整的标准不能改变类别", field="category", rule="R-POINTS-VERSION")
    before = _version_snapshot(current)
    if current.valid_to is None or current.valid_to > day:
        current.valid_to = day
        current.save(update_fields=["valid_to"])
    version = PointRuleVersion.objects.create(rule=rule, version=current.version + 1, valid_from=day,
                                              created_by=actor, **cleaned)
    audit(actor=actor, verb="points.rule_revise", target=rule, org=rule.org, before=before,
          after=_version_snapshot(version))
    return version


@transaction.atomic
def rule_retire(*, actor, rule: PointRule, valid_to: date | None = None) -> PointRuleVersion:
    """Stop a rule from `valid_to` (exclusive); entries before it stay as they are."""
    rule = PointRule.objects.select_for_update().select_related("org").get(pk=rule.pk)
    require(actor, "points.edit", rule.org)
    current = rule.versions.order_by("-version").first()
    day = _valid_from(valid_to)
    if day <= current.valid_from:
        raise DomainError(f"停用日期须晚于当前版本的生效日期 {current.valid_from}", field="valid_to",
                          rule="R-POINTS-VERSION")
    if current.valid_to is not None and current.valid_to <= day:
        raise Conflict(f"该标准已于 {current.valid_to} 停用", rule="R-POINTS-VERSION")
    before = {"valid_to": current.valid_to}
    current.valid_to = day
    current.save(update_fields=["valid_to"])
    audit(actor=actor, verb="points.rule_retire", target=rule, org=rule.org, before=before, after={"valid_to": day})
    return current


# --- scheme -------------------------------------------------------------------------------------------------

@transaction.atomic
def scheme_save(*, actor, org: Org, data: dict) -> PointScheme:
    """A committee sets its 先锋指数 formula (⚙ R-POINTS-INDEX, R-POINTS-STAR, R-POINTS-OBJECTION)."""
    require(actor, "points.edit", org)
    if org.kind == Org.Kind.BRANCH:
        raise DomainError("先锋指数方案由党委或党总支制定", rule="R-POINTS-INDEX")
    scheme = PointScheme.objects.select_for_update().filter(org=org).first() or PointScheme(org=org)
    errors: list = []
    base = _decimal_or_none(data.get("base", scheme.base), "base", errors)
    warn = _decimal_or_none(data.get("warn_below", scheme.warn_below), "warn_below", errors)
    if warn is None:
        errors.append(_Err("warn_below", "预警分数线应为数字", "R-POINTS-WARN"))
    unq = _decimal_or_none(data.get("unqualified_below", scheme.unqualified_below), "unqualified_below", errors)
    if unq is None:
        errors.append(_Err("unqualified_below", "不合格分数线应为数字", "R-POINTS-WARN"))
    elif warn is not None and unq > warn:
        errors.append(_Err("unqualified_below", "不合格分数线不能高于预警分数线", "R-POINTS-WARN"))
    if base is None or base < 0:
        errors.append(_Err("base", "基础分应为不小于 0 的数字", "R-POINTS-INDEX"))
    kind = data.get("period_kind", scheme.period_kind)
    if kind not in PeriodKind.values:
        errors.append(_Err("period_kind", f"考评周期无效：{kind}"))
    try:
        days = int(data.get("objection_days", scheme.objection_days))
        if not 1 <= days <= 30:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(_Err("objection_days", "公示期应为 1–30 个工作日", "R-POINTS-OBJECTION"))
        days = None
    try:
        stars = rules.normalize_stars(data.get("star_thresholds", scheme.star_thresholds))
    except (TypeError, ValueError, InvalidOperation) as exc:
        errors.append(_Err("star_thresholds", f"星级门槛格式不正确（{exc or '应为 [[分数, 星级], …]'}）"))
        stars = []
    weights = data.get("category_weights", scheme.category_weights) or {}
    clean_weights = {}
    if not isinstance(weights, dict):
        errors.append(_Err("category_weights", "类别权重应为 {类别: 权重}"))
        weights = {}
    for cat, w in weights.items():
        if cat not in Category.values:
            errors.append(_Err("category_weights", f"类别无效：{cat}"))
            continue
        d = _decimal_or_none(w, "category_weights", errors)
        if d is not None and not Decimal("0") <= d <= Decimal("10"):
            errors.append(_Err("category_weights", "权重应在 0 到 10 之间"))
        elif d is not None:
            clean_weights[cat] = str(d)
    note = (data.get("note", scheme.note) or "").strip()
    if len(note) > 500:
        errors.append(_Err("note", "计分说明不能超过 500 字"))
    if errors:
        raise FieldErrors(errors)
    if kind != scheme.period_kind and PointEntry.objects.filter(subtree_q(org.path, field="org__path")).exists():
        raise DomainError("本组织已有积分记录，不能再改变考评周期", field="period_kind", rule="R-POINTS-INDEX")
    before = {"base": scheme.base, "period_kind": scheme.period_kind, "objection_days": scheme.objection_days,
              "warn_below": scheme.warn_below, "unqualified_below": scheme.unqualified_below,
              "star_thresholds": scheme.star_thresholds,
              "category_weights": scheme.category_weights} if scheme.pk else None
    scheme.base, scheme.warn_below, scheme.period_kind, scheme.objection_days = base, warn, kind, days
    scheme.unqualified_below = unq
    scheme.star_thresholds = [[str(m), s] for m, s in stars]
    scheme.category_weights, scheme.note, scheme.updated_by = clean_weights, note, actor
    scheme.save()
    audit(actor=actor, verb="points.scheme_save", target=scheme, org=org, before=before,
          after={"base": base, "period_kind": kind, "objection_days": days, "warn_below": warn,
                 "unqualified_below": unq, "star_thresholds": scheme.star_thresholds, "category_weights": clean_weights})
    return scheme
