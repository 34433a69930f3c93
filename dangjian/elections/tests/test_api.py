"""The API contract: POST /orgs/{org_id}/elections, GET /orgs/{org_id}/committee, rounds, office, postponement."""
from datetime import date, timedelta

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.elections.models import Candidate, Committee, Election, TermPostponement

from .helpers import make_members, payload


class ElectionApiTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.full = make_members(cls.branch_one, 10)                                  # 10 voters
        cls.prob = make_members(cls.branch_one, 2, stage="probationary", prefix="预备")
        cls.other = make_members(cls.branch_two, 3, prefix="二支部")

    def post(self, body, user=None, org=None):
        return self.api_as(user or self.li).post(f"/orgs/{(org or self.branch_one).id}/elections", body)

    def six(self, votes=(9, 8, 8, 7, 7, 3)):
        return list(zip(self.full[:6], votes))

    def counts(self):
        return (Election.objects.count(), Candidate.objects.count(), Committee.objects.count(),
                AuditEvent.objects.count())

    def assertRefused(self, r, rule, before):
        self.assertEqual(r.status_code, 400, r.content)
        self.assertEqual(r.json()["rule"], rule)
        self.assertTrue(r.json()["detail"])
        self.assertEqual(self.counts(), before)


class ElectionContractTests(ElectionApiTestCase):
    def test_created_with_elected_by_votes(self):
        r = self.post(payload(self.six()))
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertTrue(body["valid"])
        self.assertEqual(set(body) >= {"id", "valid", "elected"}, True)
        self.assertEqual(body["elected"][0], self.full[0].id)
        self.assertEqual(sorted(body["elected"]), sorted(m.id for m in self.full[:5]))
        e = Election.objects.get(pk=body["id"])
        self.assertEqual((e.state, e.entitled, e.present, e.valid), ("elected", 10, 9, True))
        self.assertTrue(AuditEvent.objects.filter(verb="election.result", target_id=str(e.id)).exists())

    def test_quorum_boundary_exactly_four_fifths_fails_one_more_passes(self):
        before = self.counts()
        self.assertRefused(self.post(payload(self.six(), present=8)), "R-ELECT-QUORUM", before)
        self.assertEqual(self.post(payload(self.six(), present=9)).status_code, 201)

    def test_surplus_boundary(self):
        before = self.counts()
        # 5 seats need ≥ 6 candidates
        self.assertRefused(self.post(payload(self.six()[:5])), "R-ELECT-SURPLUS", before)
        # 4 seats need ≥ 5; 1 seat needs 2 (decision: ceil applies to every election)
        self.assertRefused(self.post(payload(self.six()[:4], seats=4)), "R-ELECT-SURPLUS", before)
        self.assertRefused(self.post(payload(self.six()[:1], seats=1)), "R-ELECT-SURPLUS", before)
        r = self.post(payload(self.six((9, 8, 8, 7, 3, 0))[:5], seats=4))
        self.assertEqual(r.status_code, 201, r.content)
        r = self.post(payload(self.six((6, 3, 0, 0, 0, 0))[:2], seats=1))
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["elected"], [self.full[0].id])
        self.assertEqual(self.post(payload(self.six())).status_code, 201)

    def test_ballots_returned_above_issued_is_void(self):
        before = self.counts()
        self.assertRefused(self.post(payload(self.six(), issued=9, returned=10, present=9)), "R-ELECT-BALLOTS",
                           before)
        self.assertEqual(self.post(payload(self.six(), issued=9, returned=9)).status_code, 201)

    def test_exactly_half_of_present_is_not_enough(self):
        r = self.post(payload(list(zip(self.full[:3], (9, 5, 4))), present=10, seats=2))
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["elected"], [self.full[0].id])
        self.assertEqual((r.json()["state"], r.json()["seats_left"]), ("shortfall", 1))
        r = self.post(payload(list(zip(self.full[:3], (9, 6, 4))), present=10, seats=2))
        self.assertEqual(r.json()["elected"], [self.full[0].id, self.full[1].id])

    def test_tie_at_last_seat_needs_revote_then_office(self):
        r = self.post(payload(list(zip(self.full[:3], (8, 5, 5))), seats=2))
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual((body["state"], body["elected"]), ("tie", [self.full[0].id]))
        self.assertEqual(sorted(body["revote"]), [self.full[1].id, self.full[2].id])
        eid = body["id"]
        api = self.api_as(self.li)
        # office is refused until the re-vote
        r = api.post(f"/elections/{eid}/committee", {"took_office_on": "2025-06-02",
                                                    "members": [{"member_id": self.full[0].id, "duty": "secretary"}]})
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-ELECT-TIE"))
        # the re-vote is only between the tied
        bad = payload([(self.full[1], 5), (self.full[3], 4)], held_on="2025-06-01")  # full[3] was not tied
        bad.pop("seats")
        self.assertEqual(api.post(f"/elections/{eid}/rounds", bad).json()["rule"], "R-ELECT-TIE")
        good = payload([(self.full[1], 6), (self.full[2], 3)], held_on="2025-06-01")
        good.pop("seats")
        r = api.post(f"/elections/{eid}/rounds", good)
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual((r.json()["state"], r.json()["elected"]), ("elected", [self.full[1].id]))
        r = api.post(f"/elections/{eid}/committee", {"took_office_on": "2025-06-02", "members": [
            {"member_id": self.full[0].id, "duty": "secretary"}, {"member_id": self.full[1].id,
                                                                   "duty": "deputy_secretary"}]})
        self.assertEqual(r.status_code, 201, r.content)
        r = api.get(f"/orgs/{self.branch_one.id}/committee")
        self.assertEqual(r.json(), {"members": [{"member_id": self.full[0].id, "duty": "secretary"},
                                                {"member_id": self.full[1].id, "duty": "deputy_secretary"}],
                                    "elected_on": "2025-06-01", "term_years": 3, "expires_on": "2028-06-01"})
        self.assertEqual(Election.objects.filter(state="installed").count(), 2)


class ElectionBadInputTests(ElectionApiTestCase):
    def test_candidate_must_be_full_member_of_the_org(self):
        before = self.counts()
        self.assertRefused(self.post(payload(self.six()[:5] + [(self.prob[0], 3)])), "R-ELECT-CANDIDATE", before)
        self.assertRefused(self.post(payload(self.six()[:5] + [(self.other[0], 3)])), "R-ELECT-CANDIDATE", before)
        dup = payload(self.six()[:5] + [(self.full[0], 3)])
        self.assertRefused(self.post(dup), "R-ELECT-CANDIDATE", before)

    def test_probationary_counted_as_entitled_needs_a_reason(self):
        before = self.counts()
        self.assertRefused(self.post(payload(self.six(), entitled=12, present=11)), "R-ELECT-VOTERS", before)
        self.assertRefused(self.post(payload(self.six(), entitled=9, present=9)), "R-ELECT-VOTERS", before)
        r = self.post(payload(self.six(), entitled=9, present=9, entitled_reason="一名党员长期患病，经批准不列入"))
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(Election.objects.get(pk=r.json()["id"]).entitled_computed, 10)

    def test_votes_above_present_refused(self):
        before = self.counts()
        self.assertRefused(self.post(payload(self.six((10, 8, 8, 7, 7, 3)))), "R-ELECT-VOTES", before)

    def test_malformed_bodies_are_4xx(self):
        before = self.counts()
        for body in ({}, {**payload(self.six()), "seats": 0}, {**payload(self.six()), "present": -1},
                     {**payload(self.six()), "held_on": "not-a-date"},
                     {**payload(self.six()), "candidates": [{"member_id": "x", "votes": 1}]}):
            r = self.post(body)
            self.assertIn(r.status_code, (400, 422), body)
        r = self.post(payload(self.six(), held_on=(date.today() + timedelta(days=3)).isoformat()))
        self.assertEqual(r.status_code, 400)
        r = self.post(payload(self.six(), seats=8))  # a branch committee has at most 7
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-COMMITTEE-7"))
        self.assertEqual(self.counts(), before)


class ElectionScopeTests(ElectionApiTestCase):
    def test_outsider_and_plain_member_get_404(self):
        before = self.counts()
        eid = self.post(payload(self.six())).json()["id"]
        before = self.counts()
        for user in (self.wang, self.zhao):
            api = self.api_as(user)
            self.assertEqual(self.post(payload(self.six()), user=user).status_code, 404)
            for path in (f"/orgs/{self.branch_one.id}/committee", f"/orgs/{self.branch_one.id}/elections",
                         f"/elections/{eid}", f"/terms?org_id={self.branch_one.id}"):
                self.assertEqual(api.get(path).status_code, 404, path)
            self.assertEqual(api.post(f"/elections/{eid}/committee", {"took_office_on": "2025-06-02", "members": []})
                             .status_code, 404)
            self.assertEqual(api.post(f"/orgs/{self.branch_one.id}/committee/postponements", {
                "new_expires_on": "2026-01-01", "approved_on": "2025-01-01", "approval_org": "x", "reason": "y"})
                .status_code, 404)
        self.assertEqual(self.counts(), before)

    def test_anonymous_gets_401(self):
        api = self.api_as(None)
        self.assertEqual(api.post(f"/orgs/{self.branch_one.id}/elections", payload(self.six())).status_code, 401)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/committee").status_code, 401)

    def test_admin_above_sees_and_lists(self):
        self.post(payload(self.six()))
        r = self.api_as(self.zhang).get(f"/orgs/{self.root.id}/elections")
        self.assertEqual(r.json()["count"], 1)
        self.assertEqual(len(r.json()["items"][0]["candidates"]), 6)


class CommitteeApiTests(ElectionApiTestCase):
    def install(self, held_on="2023-03-10"):
        eid = self.post(payload(self.six(), held_on=held_on)).json()["id"]
        duties = ["secretary", "deputy_secretary", "organizing_member", "publicity_member", "discipline_member"]
        r = self.api_as(self.li).post(f"/elections/{eid}/committee", {
            "took_office_on": held_on, "members": [{"member_id": m.id, "duty": d} for m, d in zip(self.full, duties)]})
        self.assertEqual(r.status_code, 201, r.content)
        return Committee.objects.get(is_current=True)

    def test_empty_committee_shape(self):
        r = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/committee")
        self.assertEqual(r.json(), {"members": [], "elected_on": None, "term_years": 3, "expires_on": None})
        r = self.api_as(self.zhang).get(f"/orgs/{self.community.id}/committee")
        self.assertEqual(r.json()["term_years"], 5)  # 基层党委

    def test_postponement_at_most_one_year(self):
        c = self.install()
        self.assertEqual(c.expires_on, date(2026, 3, 10))
        url = f"/orgs/{self.branch_one.id}/committee/postponements"
        body = {"new_expires_on": "2027-03-11", "approved_on": "2025-01-05", "approval_org": "测试社区党委",
                "reason": "拆迁安置期间党员分散"}
        api = self.api_as(self.li)
        before = (TermPostponement.objects.count(), AuditEvent.objects.count())
        r = api.post(url, body)
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-TERM-POSTPONE"))
        self.assertEqual((TermPostponement.objects.count(), AuditEvent.objects.count()), before)
        c.refresh_from_db()
        self.assertEqual(c.expires_on, date(2026, 3, 10))
        r = api.post(url, {**body, "new_expires_on": "2027-03-10"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/committee").json()["expires_on"], "2027-03-10")
        r = api.post(url, {**body, "new_expires_on": "2027-03-11"})
        self.assertEqual(r.status_code, 400)

    def test_install_needs_one_secretary_and_every_elected(self):
        eid = self.post(payload(self.six())).json()["id"]
        api = self.api_as(self.li)
        members = [{"member_id": m.id, "duty": "member"} for m in self.full[:5]]
        r = api.post(f"/elections/{eid}/committee", {"took_office_on": "2025-06-01", "members": members})
        self.assertEqual(r.status_code, 400)
        members[0]["duty"] = "secretary"
        r = api.post(f"/elections/{eid}/committee", {"took_office_on": "2025-06-01", "members": members[:4]})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Committee.objects.count(), 0)
        r = api.post(f"/elections/{eid}/committee", {"took_office_on": "2025-06-01", "members": members})
        self.assertEqual(r.status_code, 201)
        r = api.post(f"/elections/{eid}/committee", {"took_office_on": "2025-06-01", "members": members})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Committee.objects.count(), 1)

    def test_terms_list(self):
        self.install(held_on=(date.today() - timedelta(days=3 * 366 + 5)).isoformat())
        r = self.api_as(self.zhang).get("/terms", {"org_id": self.root.id, "state": "overdue"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual([i["org_id"] for i in r.json()["items"]], [self.branch_one.id])
        self.assertEqual(self.api_as(self.zhang).get("/terms", {"org_id": self.root.id, "state": "bad"}).status_code,
                         422)
