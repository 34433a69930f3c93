"""Writes to the org tree. Each service validates, writes and audits in one transaction."""
from django.db import transaction

from dangjian.accounts.scope import require
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import Conflict, DomainError

from .models import CHILD_KINDS, Org, PartyGroup, Unit
from .tree import subtree_q

NAME_MAX = 100
ORG_FIELDS = ["name", "kind", "unit", "is_region", "founded_on", "secretary", "is_active"]


def _clean_name(name: str, *, max_len: int = NAME_MAX) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError("名称不能为空", field="name")
    if len(name) > max_len:
        raise DomainError(f"名称不能超过 {max_len} 个字", field="name")
    return name


def _check_kind_under(parent: Org | None, kind: str) -> None:
    if kind not in Org.Kind.values:
        raise DomainError("组织类型无效，应为 党委 / 党总支 / 党支部", field="kind")
    if parent is not None and kind not in CHILD_KINDS[parent.kind]:
        raise DomainError(
            f"{parent.get_kind_display()}下不能设立{Org.Kind(kind).label}", rule="R-ORG-KIND", field="kind")


def _check_sibling_name(parent: Org | None, name: str, *, exclude_id: int | None = None) -> None:
    siblings = parent.get_children() if parent is not None else Org.get_root_nodes()
    if siblings.filter(name=name).exclude(id=exclude_id).exists():
        raise Conflict(f"同一上级下已有名为“{name}”的组织", field="name")


def _region_for_new(parent: Org | None) -> int | None:
    return parent.region_id if parent is not None else None


@transaction.atomic
def org_create(*, actor, parent: Org | None, name: str, kind: str, unit: Unit | None = None,
               is_region: bool = False, founded_on=None, secretary: str = "") -> Org:
    name = _clean_name(name)
    if parent is None:
        if not getattr(actor, "is_superuser", False):
            raise DomainError("只有系统管理员可以创建顶级组织", field="parent_id", status=403)
    else:
        require(actor, "orgs.manage", parent)
        parent = Org.objects.select_for_update().get(pk=parent.pk)
    _check_kind_under(parent, kind)
    _check_sibling_name(parent, name)
    fields = dict(name=name, kind=kind, unit=unit, is_region=is_region, founded_on=founded_on,
                  secretary=(secretary or "").strip()[:50])
    org = Org.objects.add_child(parent, fields) if parent is not None else Org.objects.add_root(fields)
    # A root or a county-level org is its own region; others inherit their parent's.
    region = org.id if (is_region or parent is None) else _region_for_new(parent)
    Org.objects.filter(pk=org.pk).update(region_id=region)
    org.region_id = region
    audit(actor=actor, verb="org.create", target=org, org=org, after=snapshot(org, ORG_FIELDS))
    return org


@transaction.atomic
def org_update(*, actor, org: Org, **changes) -> Org:
    require(actor, "orgs.manage", org)
    before = snapshot(org, ORG_FIELDS)
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"])
        _check_sibling_name(org.get_parent(), changes["name"], exclude_id=org.id)
    if "kind" in changes and changes["kind"] != org.kind:
        _check_kind_under(org.get_parent(), changes["kind"])
        for child in org.get_children():
            if child.kind not in CHILD_KINDS[changes["kind"]]:
                raise DomainError(f"该组织下有{child.get_kind_display()}，不能改为{Org.Kind(changes['kind']).label}",
                                  rule="R-ORG-KIND", field="kind")
    if "secretary" in changes:
        changes["secretary"] = (changes["secretary"] or "").strip()[:50]
    for key, value in changes.items():
        if key not in ORG_FIELDS:
            raise DomainError(f"字段 {key} 不能修改")
        setattr(org, key, value)
    org.save()
    if "is_region" in changes and changes["is_region"] != before["is_region"]:
        org_recompute_regions(root=org)
    after = snapshot(org, ORG_FIELDS)
    audit(actor=actor, verb="org.update", target=org, org=org,
          before={k: v for k, v in before.items() if after[k] != v},
          after={k: v for k, v in after.items() if before[k] != v})
    return org


def org_rename(*, actor, org: Org, name: str) -> Org:
    return org_update(actor=actor, org=org, name=name)


@transaction.atomic
def org_move(*, actor, org: Org, new_parent: Org) -> Org:
    """Move org and its subtree under new_parent (both must be in the actor's scope)."""
    require(actor, "orgs.manage", org)
    require(actor, "orgs.manage", new_parent)
    org = Org.objects.get(pk=org.pk)
    new_parent = Org.objects.get(pk=new_parent.pk)
    if org.depth == 1:
        raise DomainError("顶级组织不能移动", rule="R-ORG-MOVE")
    if new_parent.path.startswith(org.path):
        raise DomainError("不能把组织移到它自己或它的下级组织之下", rule="R-ORG-CYCLE", field="parent_id")
    old_parent = org.get_parent()
    if old_parent.pk == new_parent.pk:
        return org
    _check_kind_under(new_parent, org.kind)
    _check_sibling_name(new_parent, org.name)
    Org.objects.move(org, new_parent, pos="last-child")
    org = Org.objects.get(pk=org.pk)
    org_recompute_regions(root=org)
    audit(actor=actor, verb="org.move", target=org, org=org,
          before={"parent_id": old_parent.pk, "parent": old_parent.name},
          after={"parent_id": new_parent.pk, "parent": new_parent.name})
    return org


def org_recompute_regions(*, root: Org) -> None:
    """Recompute region_id below root after a move or a change of is_region."""
    parent = root.get_parent()
    inherited = parent.region_id if parent is not None else root.id
    regions: dict[str, int] = {}
    moved: dict[int, list[int]] = {}  # new region id -> ids of the orgs that changed to it
    for node in Org.objects.filter(subtree_q(root.path)).order_by("path").only("id", "path", "depth", "is_region",
                                                                              "region_id"):
        parent_path = node.path[: -Org.steplen]
        base = regions.get(parent_path, inherited)
        region = node.id if node.is_region or (node.depth == 1) else base
        regions[node.path] = region
        if node.region_id != region:
            moved.setdefault(region, []).append(node.id)
    for region, org_ids in moved.items():
        Org.objects.filter(pk__in=org_ids).update(region_id=region)
        # Every row that carries its org's region (members, meetings, ledgers…) follows, or region-narrowed
        # queries such as the roster would silently lose the moved orgs' rows.
        for model in _models_with_region():
            model._base_manager.filter(org_id__in=org_ids).exclude(region_id=region).update(region_id=region)


def _models_with_region() -> list:
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model is Org or model._meta.proxy:
            continue
        names = {f.name: f for f in model._meta.concrete_fields}
        org = names.get("org")
        if "region_id" in names and org is not None and getattr(org, "related_model", None) is Org:
            found.append(model)
    return found


@transaction.atomic
def party_group_create(*, actor, org: Org, name: str, leader: str = "") -> PartyGroup:
    require(actor, "orgs.edit", org)
    if org.kind != Org.Kind.BRANCH:
        raise DomainError("党小组只能设在党支部内", field="org_id")
    name = _clean_name(name, max_len=50)
    if PartyGroup.objects.filter(org=org, name=name).exists():
        raise Conflict(f"本支部已有名为“{name}”的党小组", field="name")
    group = PartyGroup.objects.create(org=org, name=name, leader=(leader or "").strip()[:50])
    audit(actor=actor, verb="party_group.create", target=group, org=org, after={"name": name, "leader": group.leader})
    return group


@transaction.atomic
def unit_create(*, actor, name: str, kind: str, address: str = "") -> Unit:
    name = _clean_name(name)
    if kind not in Unit.Kind.values:
        raise DomainError("单位类型无效", field="kind")
    unit = Unit.objects.create(name=name, kind=kind, address=(address or "").strip()[:200])
    audit(actor=actor, verb="unit.create", target=unit, after={"name": name, "kind": kind})
    return unit
