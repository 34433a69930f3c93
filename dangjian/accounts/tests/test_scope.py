from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404

from dangjian.accounts.models import Role
from dangjian.accounts.scope import as_id, scoped_get
from dangjian.core.testing import PersonaTestCase, count_queries
from dangjian.standards.models import StandardChecklist, StandardItem


class AsIdTests(PersonaTestCase):
    def test_ints_and_digit_strings_pass(self):
        self.assertEqual(as_id("12"), 12)
        self.assertEqual(as_id(7), 7)

    def test_malformed_is_404(self):
        for junk in ("abc", "", "1.5", None, [], {}):
            with self.subTest(junk=junk), self.assertRaises(Http404):
                as_id(junk)


class ScopedGetTests(PersonaTestCase):
    """404 for a malformed id or a row outside the scope, 403 inside it without the right, else the row."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.li_role = Role.objects.get(user=cls.li, org=cls.branch_one)
        cls.wang_role = Role.objects.get(user=cls.wang, org=cls.branch_two)
        checklist = StandardChecklist.objects.create(org=cls.branch_one, name="清单", year=2024,
                                                     issued_on=date(2024, 3, 1))
        cls.item = StandardItem.objects.create(checklist=checklist, code="A1", name="阵地")

    def get(self, actor, pk, perm="orgs.view", **kw):
        return scoped_get(Role.objects.select_related("org"), actor=actor, pk=pk, perm=perm, **kw)

    def test_inside_scope_with_the_right_is_the_row(self):
        self.assertEqual(self.get(self.li, self.li_role.id), self.li_role)
        self.assertEqual(self.get(self.li, str(self.li_role.id)), self.li_role)
        self.assertEqual(self.get(self.zhang, self.wang_role.id, perm="orgs.manage"), self.wang_role)

    def test_malformed_id_is_404_without_a_query(self):
        for junk in ("abc", "", None):
            with self.subTest(junk=junk), self.assertRaises(Http404):
                self.get(self.li, junk)
        self.assertEqual(count_queries(lambda: self.assertRaises(Http404, self.get, self.li, "x")), 0)

    def test_missing_row_is_404(self):
        with self.assertRaises(Http404):
            self.get(self.zhang, 10**9)

    def test_outside_scope_is_404_even_without_the_right(self):
        for perm in ("orgs.view", "orgs.manage"):
            with self.subTest(perm=perm), self.assertRaises(Http404):
                self.get(self.wang, self.li_role.id, perm=perm)
        with self.assertRaises(Http404):  # a plain member sees no org
            self.get(self.zhao, self.li_role.id)

    def test_inside_scope_without_the_right_is_403(self):
        with self.assertRaises(PermissionDenied):
            self.get(self.li, self.li_role.id, perm="orgs.manage")

    def test_org_reached_through_a_relation(self):
        qs = StandardItem.objects.select_related("checklist__org")
        self.assertEqual(scoped_get(qs, actor=self.li, pk=self.item.id, perm="standards.view",
                                    org_field="checklist__org"), self.item)
        with self.assertRaises(Http404):
            scoped_get(qs, actor=self.wang, pk=self.item.id, perm="standards.view", org_field="checklist__org")
        with self.assertRaises(PermissionDenied):
            scoped_get(qs, actor=self.li, pk=self.item.id, perm="standards.manage", org_field="checklist__org")
