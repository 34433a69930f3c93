"""Test helpers: the personas of DESIGN.md and API clients that carry a bearer token.

zhang — 镇党委 admin (the whole township); li — secretary of branch one; wang — secretary of
branch two (must see nothing of branch one); zhao — an ordinary member of branch one.
"""
import json

from django.contrib.auth import get_user_model
from django.test import Client, TestCase

from dangjian.accounts.models import ApiToken, Role
from dangjian.orgs.models import Org

User = get_user_model()
PASSWORD = "Persona-pass-2024"


def make_tree():
    root = Org.add_root(name="测试镇党委", kind=Org.Kind.COMMITTEE, is_region=True)
    Org.objects.filter(pk=root.pk).update(region_id=root.pk)
    root.refresh_from_db()
    community = root.add_child(name="测试社区党委", kind=Org.Kind.COMMITTEE, region_id=root.pk)
    branch_one = community.add_child(name="第一党支部", kind=Org.Kind.BRANCH, region_id=root.pk)
    branch_two = community.add_child(name="第二党支部", kind=Org.Kind.BRANCH, region_id=root.pk)
    other = root.add_child(name="机关党支部", kind=Org.Kind.BRANCH, region_id=root.pk)
    return {"root": Org.objects.get(pk=root.pk), "community": Org.objects.get(pk=community.pk),
            "branch_one": Org.objects.get(pk=branch_one.pk), "branch_two": Org.objects.get(pk=branch_two.pk),
            "other": Org.objects.get(pk=other.pk)}


def make_user(username: str, org: Org, role: str) -> "User":
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username)
    Role.objects.create(user=user, org=org, role=role)
    return user


class ApiClient:
    """Thin JSON client for /api/v1 with a bearer token."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _, raw = ApiToken.issue(user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    def _url(self, path: str) -> str:
        return path if path.startswith("/") and path.startswith("/api/") else "/api/v1" + path

    def get(self, path, params=None):
        return self.client.get(self._url(path), params or {}, **self.headers)

    def post(self, path, data=None, **extra):
        if extra.get("files"):
            return self.client.post(self._url(path), extra["files"], **self.headers)
        return self.client.post(self._url(path), json.dumps(data or {}), content_type="application/json",
                                **self.headers)

    def patch(self, path, data=None):
        return self.client.patch(self._url(path), json.dumps(data or {}), content_type="application/json",
                                 **self.headers)

    def put(self, path, data=None):
        return self.client.put(self._url(path), json.dumps(data or {}), content_type="application/json",
                               **self.headers)

    def delete(self, path):
        return self.client.delete(self._url(path), **self.headers)


class PersonaTestCase(TestCase):
    """zhang, li, wang, zhao and their orgs, built once per class."""

    @classmethod
    def setUpTestData(cls):
        tree = make_tree()
        cls.root, cls.community = tree["root"], tree["community"]
        cls.branch_one, cls.branch_two, cls.other_branch = tree["branch_one"], tree["branch_two"], tree["other"]
        cls.zhang = make_user("zhang", cls.root, Role.Kind.ADMIN)
        cls.li = make_user("li", cls.branch_one, Role.Kind.SECRETARY)
        cls.wang = make_user("wang", cls.branch_two, Role.Kind.SECRETARY)
        cls.zhao = make_user("zhao", cls.branch_one, Role.Kind.MEMBER)

    def api_as(self, user) -> ApiClient:
        return ApiClient(user)

    def web_as(self, user) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client


def browser_login(page, base_url, username: str, password: str = PASSWORD) -> None:
    """Log a Playwright page in through the real login form (base_url: a URL or pytest's live_server)."""
    page.goto(f"{getattr(base_url, 'url', base_url)}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


# --- Query discipline (issue 13): a list's query count must not grow with its rows ---------------------------

def count_queries(fn) -> int:
    """How many SQL queries fn() runs on the default database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def forced_page_size(size: int):
    """Every list paginated through dangjian.core.pagination (`paginate` for the API, `page_of` for pages) shows
    `size` rows per page, whatever the request asks: the same list, few rows or many."""
    from contextlib import ExitStack
    from unittest import mock

    from django.core.paginator import Paginator

    from dangjian.core import pagination

    real = pagination.page_params

    class Sized(Paginator):
        def __init__(self, object_list, per_page, *args, **kwargs):
            super().__init__(object_list, size, *args, **kwargs)

    stack = ExitStack()
    stack.enter_context(mock.patch.object(pagination, "Paginator", Sized))
    stack.enter_context(mock.patch.object(pagination, "page_params",
                                          lambda page, page_size: (real(page, size)[0], size)))
    return stack


def query_counts(request, *, small: int = 1, large: int = 200) -> tuple[int, int]:
    """(queries with `small` rows per page, queries with `large`) of request(), after one warm-up call."""
    request()
    with forced_page_size(small):
        few = count_queries(request)
    with forced_page_size(large):
        many = count_queries(request)
    return few, many


def assert_no_n_plus_one(request, *, small: int = 1, large: int = 200, slack: int = 2, label: str = "") -> tuple:
    """Fail when request() runs more than `slack` extra queries for a page of `large` rows than for one of
    `small` rows (an N+1: a query per row). `request` is a callable doing the GET, e.g.
    `lambda: client.get(url)`. Returns the two counts."""
    few, many = query_counts(request, small=small, large=large)
    assert many - few <= slack, f"{label}: {few} queries with {small} row(s) per page, {many} with {large} (N+1)"
    return few, many


def tiny_image(fmt: str = "PNG") -> bytes:
    """A real 2×2 image (uploads are parsed, so magic bytes alone are refused)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 16, 46)).save(buf, format=fmt)
    return buf.getvalue()
