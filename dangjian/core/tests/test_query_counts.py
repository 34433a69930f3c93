"""Query discipline (issue 13): no list page or list endpoint runs a query per row (N+1).

Every parameter-less GET page of the URL resolver and every parameter-less GET operation of the OpenAPI
schema is requested by zhang (admin of the whole township) on the full seed_demo, twice: with every list
paginated through dangjian.core.pagination forced to 1 row per page, then to 200 (testing.forced_page_size).
The query counts must match within SLACK. Pages that do not paginate through core.pagination show the same
count both times (they are checked for nothing but errors); known offenders are listed in KNOWN_N_PLUS_ONE
with their measured counts: the main test fails on any other offender; test_known_offenders_fixed is
an xfail that starts passing (XPASS) once their apps fix them — then empty the list.
"""
import io
from contextlib import redirect_stdout

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, TestCase, override_settings

from dangjian.core.testing import ApiClient, query_counts
from dangjian.core.tests.test_scope_matrix import PARAM, is_public, iter_patterns

SLACK = 2
SKIP_PAGES = ("logout", "healthz", "portal:sw", "portal:manifest")
# url → (queries with 1 row per page, with 200 rows per page) measured on seed_demo (issue 13 report).
KNOWN_N_PLUS_ONE: dict[str, tuple[int, int]] = {
}


def pages() -> list[str]:
    out = []
    for path, name, _p in iter_patterns():
        if path.startswith(("admin/", "api/", "static/", "media/", "__")) or PARAM.search(path):
            continue
        if "(?P<" in path or is_public(name) or any(s in (name or "") for s in SKIP_PAGES):
            continue
        out.append("/" + path.lstrip("^").rstrip("$").replace("\\Z", ""))
    return sorted(set(out))


def api_lists() -> list[str]:
    from config.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    out = []
    for path, ops in schema["paths"].items():
        if "{" in path or "get" not in ops or path.endswith(("/openapi.json", "/docs")):
            continue
        query = {p["name"] for p in ops["get"].get("parameters", []) if p.get("in") == "query"}
        out.append(path + ("?org={org}" if "org" in query else "?org_id={org}" if "org_id" in query else
                           "?under={org}" if "under" in query else ""))
    return sorted(set(out))


# The idle timeout refreshes the session at most once a minute: a refresh falling between the two measurements
# of one URL would add its queries to one side only.
@override_settings(SESSION_IDLE_TIMEOUT=0)
class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from dangjian.orgs.models import Org

        with redirect_stdout(io.StringIO()):
            call_command("seed_demo")
        cls.zhang = get_user_model().objects.get(username="zhang")
        cls.root = Org.get_root_nodes().order_by("path").first()

    def measure(self, only=None) -> tuple[dict, list]:
        """{url: (few, many)} of every list (or of `only`), and the URLs that answered 5xx."""
        client = Client(raise_request_exception=False)
        client.force_login(self.zhang, backend="django.contrib.auth.backends.ModelBackend")
        api = ApiClient(self.zhang)
        api.client.raise_request_exception = False
        counts, errors = {}, []
        targets = [(u, u, lambda url: client.get(url)) for u in pages()] + \
                  [(u, u.format(org=self.root.id), lambda url: api.client.get(url, **api.headers)) for u in api_lists()]
        for key, url, fetch in targets:
            if only is not None and key not in only:
                continue
            statuses = []

            def get(url=url, fetch=fetch):
                statuses.append(fetch(url).status_code)

            counts[key] = query_counts(get)
            if statuses[-1] >= 500:
                errors.append(f"{url} → {statuses[-1]}")
        return counts, errors

    def offenders(self, counts: dict) -> dict:
        return {u: c for u, c in counts.items() if c[1] - c[0] > SLACK}

    def test_lists_have_no_new_n_plus_one(self):
        counts, errors = self.measure()
        self.assertGreater(len(counts), 20)
        self.assertEqual(errors, [])
        new = {u: c for u, c in self.offenders(counts).items() if u not in KNOWN_N_PLUS_ONE}
        report = "\n".join(f"  {u!r}: {c}," for u, c in sorted(new.items()))
        self.assertEqual(new, {}, f"query count grows with the rows (1 row/page, 200 rows/page):\n{report}")

    @pytest.mark.xfail(reason="the apps of KNOWN_N_PLUS_ONE still run a query per row", strict=False)
    def test_known_offenders_fixed(self):
        counts, _ = self.measure(only=set(KNOWN_N_PLUS_ONE))
        self.assertEqual(self.offenders(counts), {})
