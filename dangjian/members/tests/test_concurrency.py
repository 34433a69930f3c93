"""Two secretaries editing the same member: the second save is refused (409), never a silent overwrite."""
import threading

import pytest
from django.db import connection, connections

from dangjian.accounts.models import Role
from dangjian.core.errors import Conflict
from dangjian.core.testing import PersonaTestCase, make_user
from dangjian.members import services
from dangjian.members.models import Member

from .helpers import member_data


class OptimisticLockTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.li2 = make_user("li2", cls.branch_one, Role.Kind.SECRETARY)
        cls.m = services.member_create(actor=cls.li, org=cls.branch_one, data=member_data(name="刘德明"))

    def test_service_refuses_a_stale_version_and_changes_nothing(self):
        seen = services.member_version(self.m)
        services.member_update(actor=self.li, member=self.m, data={"occupation": "教师"}, expected_version=seen)
        with self.assertRaises(Conflict):
            services.member_update(actor=self.li2, member=self.m, data={"occupation": "村医"}, expected_version=seen)
        self.assertEqual(Member.objects.get(pk=self.m.pk).occupation, "教师")

    def test_pages_second_editor_sees_a_conflict(self):
        first, second = self.web_as(self.li), self.web_as(self.li2)
        url = f"/members/{self.m.id}/edit/"
        form_a = first.get(url).context["form"]
        form_b = second.get(url).context["form"]

        def post(client, form, occupation):
            data = {k: v for k, v in form.initial.items() if v is not None}
            data.update({"occupation": occupation, "version": form.initial["version"]})
            for key in ("birth_date", "applied_on", "joined_on", "full_on", "work_started_on"):
                if data.get(key):
                    data[key] = data[key].isoformat()
            for key in ("in_hardship", "is_retired", "is_cadre", "is_exempt"):
                if not data.get(key):
                    data.pop(key, None)
            return client.post(url, data)

        self.assertEqual(post(first, form_a, "教师").status_code, 302)
        r = post(second, form_b, "村医")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "已被他人修改")
        self.assertEqual(Member.objects.get(pk=self.m.pk).occupation, "教师")

    def test_api_version_in_body_or_if_match(self):
        api = self.api_as(self.li)
        version = api.get(f"/members/{self.m.id}").json()["version"]
        self.assertTrue(version)
        r = api.patch(f"/members/{self.m.id}", {"occupation": "教师", "version": version})
        self.assertEqual(r.status_code, 200, r.content)
        r = self.api_as(self.li2).patch(f"/members/{self.m.id}", {"occupation": "村医", "version": version})
        self.assertEqual(r.status_code, 409, r.content)
        self.assertIn("已被他人修改", r.json()["detail"])
        self.assertEqual(Member.objects.get(pk=self.m.pk).occupation, "教师")
        # Without a version the client opts out of the check (older clients keep working).
        self.assertEqual(self.api_as(self.li2).patch(f"/members/{self.m.id}", {"occupation": "村医"}).status_code,
                         200)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_with_the_same_version_one_wins():
    """On PostgreSQL the row lock serialises the two transactions: the second sees the moved version."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the threaded race needs PostgreSQL")
    from dangjian.core.testing import make_tree

    tree = make_tree()
    li = make_user("li", tree["branch_one"], Role.Kind.SECRETARY)
    m = services.member_create(actor=li, org=tree["branch_one"], data=member_data(name="刘德明"))
    seen = services.member_version(m)
    results, barrier = [], threading.Barrier(2)

    def save(occupation):
        try:
            barrier.wait()
            services.member_update(actor=li, member=Member.objects.get(pk=m.pk), data={"occupation": occupation},
                                   expected_version=seen)
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(o,)) for o in ("教师", "村医")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
