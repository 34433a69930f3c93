from django.db import models
from treebeard.mp_tree import MP_Node, MP_NodeManager

from .tree import subtree_q


class Unit(models.Model):
    """所在单位: the village, community, company… that hosts an org."""

    class Kind(models.TextChoices):
        VILLAGE = "village", "村"
        COMMUNITY = "community", "社区"
        GOVERNMENT = "government", "机关"
        INSTITUTION = "institution", "事业单位"
        STATE_ENTERPRISE = "state_enterprise", "国有企业"
        ENTERPRISE = "enterprise", "非公企业"
        SOCIAL_ORG = "social_org", "社会组织"
        SCHOOL = "school", "学校"
        OTHER = "other", "其他"

    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("单位类型", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "所在单位"

    def __str__(self):
        return self.name


class OrgManager(MP_NodeManager):
    def in_subtree(self, org: "Org"):
        return self.filter(subtree_q(org.path))


class Org(MP_Node):
    """党组织: one node of the tree (党委 / 党总支 / 党支部)."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "党委"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(Unit, verbose_name="所在单位", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="orgs")
    # County-level ancestor (or the root): the distribution key of high-volume tables (DESIGN rule 9).
    is_region = models.BooleanField("县级区域", default=False)
    region_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    secretary = models.CharField("书记", max_length=50, blank=True)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgManager()

    class Meta:
        verbose_name = verbose_name_plural = "党组织"

    def __str__(self):
        return self.name

    @property
    def parent_id(self) -> int | None:
        if self.depth <= 1:
            return None
        if not hasattr(self, "_parent_id"):
            parent_path = self.path[: -self.steplen]
            self._parent_id = Org.objects.filter(path=parent_path).values_list("id", flat=True).first()
        return self._parent_id

    def allowed_child_kinds(self) -> list[str]:
        return CHILD_KINDS[self.kind]

    # --- Tree navigation -------------------------------------------------------------------------
    # treebeard 7 moved these to the manager (the model-level versions warn and go away in treebeard 8).
    # The code base reads better as org.get_parent(), so the model keeps them as one-line adapters.
    @classmethod
    def add_root(cls, **kwargs) -> "Org":
        return cls.objects.add_root(kwargs)

    @classmethod
    def get_root_nodes(cls):
        return cls.objects.get_root_nodes()

    def add_child(self, **kwargs) -> "Org":
        return Org.objects.add_child(self, kwargs)

    def move(self, target: "Org", pos: str | None = None) -> None:
        Org.objects.move(self, target, pos)

    def get_parent(self, update: bool = False) -> "Org | None":
        return Org.objects.get_parent(self, update=update)

    def get_root(self) -> "Org":
        return Org.objects.get_root(self)

    def get_ancestors(self):
        return Org.objects.get_ancestors(self)

    def get_children(self):
        return Org.objects.get_children(self)

    def get_children_count(self) -> int:
        return Org.objects.get_children_count(self)

    def get_siblings(self):
        return Org.objects.get_siblings(self)

    def get_descendants(self, include_self: bool = False):
        return Org.objects.get_descendants(self, include_self=include_self)

    def get_descendant_count(self) -> int:
        return Org.objects.get_descendants(self).count()


# Which kinds may sit under which (条例 §2-§5: a 党支部 has no sub-orgs; a 党总支 leads 党支部).
CHILD_KINDS = {
    Org.Kind.COMMITTEE: [Org.Kind.COMMITTEE, Org.Kind.GENERAL_BRANCH, Org.Kind.BRANCH],
    Org.Kind.GENERAL_BRANCH: [Org.Kind.BRANCH],
    Org.Kind.BRANCH: [],
}


class PartyGroup(models.Model):
    """党小组: inside a branch; not an Org."""

    org = models.ForeignKey(Org, verbose_name="党支部", on_delete=models.CASCADE, related_name="party_groups")
    name = models.CharField("名称", max_length=50)
    leader = models.CharField("党小组长", max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "党小组"
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="partygroup_unique_name")]
        ordering = ["org_id", "name"]

    def __str__(self):
        return f"{self.org.name}·{self.name}"
