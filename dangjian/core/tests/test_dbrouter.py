"""The replica router (issue 13): reads on the replica until the request writes, then the primary."""
import threading
from unittest import mock

from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory, TestCase, override_settings

from dangjian.core import dbrouter
from dangjian.orgs.models import Org

ROUTED = override_settings(DATABASE_ROUTERS=["dangjian.core.dbrouter.ReplicaRouter"])
WITH_REPLICA = mock.patch.object(dbrouter, "has_replica", return_value=True)
# TestCase runs every test inside a transaction; outside one is what a request sees by default.
OUTSIDE = mock.patch.object(dbrouter, "in_transaction", return_value=False)


def read_alias() -> str:
    return Org.objects.all().db  # asks the router, runs no query


@ROUTED
class RouterTests(TestCase):
    def setUp(self):
        OUTSIDE.start()
        self.addCleanup(OUTSIDE.stop)

    def request(self, method="get", cookies=None, view=None):
        """Run `view` (recording the read alias before and after its own work) through the middleware."""
        seen = []

        def get_response(request):
            seen.append(read_alias())
            if view:
                view()
            seen.append(read_alias())
            return HttpResponse("ok")

        req = getattr(RequestFactory(), method)("/x/")
        req.COOKIES.update(cookies or {})
        response = dbrouter.StickyPrimaryMiddleware(get_response)(req)
        return seen, response

    def test_reads_go_to_the_replica_until_a_write_then_stick_to_the_primary(self):
        with WITH_REPLICA:
            seen, response = self.request(view=lambda: Org.objects.filter(pk=-1).update(name="写入"))
            self.assertEqual(seen, ["replica", "default"])
            self.assertEqual(response.cookies[dbrouter.COOKIE].value, "1")
            # The next request starts fresh: the flag does not leak from one request to the next.
            seen, response = self.request(view=read_alias)
            self.assertEqual(seen, ["replica", "replica"])
            self.assertNotIn(dbrouter.COOKIE, response.cookies)
            self.assertEqual(read_alias(), "replica")

    def test_writes_always_go_to_the_primary(self):
        with WITH_REPLICA:
            self.request(view=lambda: self.assertEqual(dbrouter.ReplicaRouter().db_for_write(Org), "default"))

    def test_unsafe_methods_and_the_cookie_start_on_the_primary(self):
        with WITH_REPLICA:
            self.assertEqual(self.request(method="post")[0], ["default", "default"])
            self.assertEqual(self.request(cookies={dbrouter.COOKIE: "1"})[0], ["default", "default"])

    def test_reads_inside_a_transaction_stay_on_the_primary(self):
        real = mock.patch.object(dbrouter, "in_transaction",
                                 side_effect=lambda: dbrouter.connections["default"].in_atomic_block)
        with transaction.atomic(), real, WITH_REPLICA:
            self.assertEqual(read_alias(), "default")

    def test_the_flag_is_per_thread(self):
        with WITH_REPLICA:
            got = []

            def other():
                got.append(dbrouter.ReplicaRouter().db_for_read(Org))

            def view():
                dbrouter.stick_to_primary()
                t = threading.Thread(target=other)
                t.start()
                t.join()
            seen, _ = self.request(view=view)
            self.assertEqual(seen[-1], "default")
            self.assertEqual(got, ["replica"])

    def test_without_a_replica_everything_is_the_primary(self):
        self.assertEqual(self.request()[0], ["default", "default"])
        self.assertFalse(dbrouter.has_replica())
