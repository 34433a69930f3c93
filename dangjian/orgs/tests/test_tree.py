"""Subtree lookups: an index range on the path, correct on deep and wide trees."""
import random

from django.test import TestCase

from dangjian.orgs.models import Org
from dangjian.orgs.tree import path_upper, subtree_q, subtree_sql, subtrees_q


def test_path_upper_increments_last_char():
    assert path_upper("0001") == "0002"
    assert path_upper("0009") == "000A"
    assert path_upper("000Z") == "001"  # tighter than "0010", equally correct
    assert path_upper("00010ZZZ") == "00011"
    assert path_upper("ZZZZ") is None


def test_subtree_sql_is_a_range_not_like():
    sql, params = subtree_sql("00010002")
    assert "LIKE" not in sql.upper()
    assert params == ["00010002", "00010003"]


def test_subtrees_q_drops_nested_roots():
    q = subtrees_q(["0001", "00010002", "0003"])
    assert str(q).count("path__gte") == 2


class SubtreeLookupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        rng = random.Random(7)
        cls.root = Org.objects.add_root(dict(name="根", kind=Org.Kind.COMMITTEE))
        # Deep: a chain 12 levels down. Wide: 40 children under one node with further levels,
        # so that child 1's path and child 11's path share prefixes in every position.
        node = cls.root
        cls.chain = []
        for i in range(12):
            node = Org.objects.add_child(node, dict(name=f"深{i}", kind=Org.Kind.COMMITTEE))
            cls.chain.append(node)
        cls.wide = Org.objects.add_child(cls.root, dict(name="宽", kind=Org.Kind.COMMITTEE))
        for i in range(40):
            child = Org.objects.add_child(Org.objects.get(pk=cls.wide.pk), dict(name=f"子{i}", kind=Org.Kind.COMMITTEE))
            for j in range(rng.randint(0, 3)):
                Org.objects.add_child(Org.objects.get(pk=child.pk), dict(name=f"孙{i}-{j}", kind=Org.Kind.BRANCH))

    def assert_same_as_treebeard(self, org):
        org = Org.objects.get(pk=org.pk)
        ours = set(Org.objects.filter(subtree_q(org.path)).values_list("id", flat=True))
        theirs = set(org.get_descendants().values_list("id", flat=True)) | {org.id}
        self.assertEqual(ours, theirs)

    def test_every_node_subtree_matches_treebeard(self):
        for org in Org.objects.all():
            self.assert_same_as_treebeard(org)

    def test_deep_chain(self):
        top = Org.objects.get(pk=self.chain[0].pk)
        self.assertEqual(Org.objects.in_subtree(top).count(), 12)
        bottom = Org.objects.get(pk=self.chain[-1].pk)
        self.assertEqual(Org.objects.in_subtree(bottom).count(), 1)

    def test_sibling_one_does_not_include_sibling_eleven(self):
        children = list(Org.objects.get(pk=self.wide.pk).get_children().order_by("path"))
        first = children[1]
        eleventh = children[11]
        ids = set(Org.objects.in_subtree(first).values_list("id", flat=True))
        self.assertNotIn(eleventh.id, ids)

    def test_query_uses_range_not_like(self):
        sql = str(Org.objects.filter(subtree_q(self.wide.path)).query).upper()
        self.assertNotIn("LIKE", sql)
        self.assertIn(">=", sql)
