"""The scope matrix (issue 14): every URL pattern and API operation, enumerated from the URL resolver
and the OpenAPI schema, so a new endpoint is covered automatically.

On the demo of 刘集镇, wang (secretary of 绿博家苑第二党支部) asks for every object of 绿博家苑第一党支部
that an URL names by `<model>_id` (or `{model}_id` in the API): each answer must be 404 — never the
object, never a 403 that confirms it exists, never a 500. Anonymous users get 401 (API) or a redirect
to the login page; ids that do not exist get 404.
"""
import io
import re
from contextlib import redirect_stdout

from django.apps import apps
from django.core.exceptions import FieldError
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver

from dangjian.core.testing import ApiClient
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

User = get_user_model()
PUBLIC_PAGES = {"login", "logout_confirm", "healthz", "favicon", "portal:home", "portal:manifest", "portal:sw"}  # open to anonymous users
PUBLIC_API = {"/api/v1/auth/token", "/api/v1/openapi.json", "/api/v1/docs"}
PARAM = re.compile(r"<(?:int:)?(\w+)>")
API_PARAM = re.compile(r"\{(\w+)\}")


def is_public(name: str | None) -> bool:
    """Pages meant for residents without an account: listed here or named public*."""
    return name in PUBLIC_PAGES or (name or "").split(":")[-1].startswith("public")


def iter_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from iter_patterns(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (f"{namespace}:{p.name}" if namespace else p.name), p


# URL kwargs whose name is not their model's, per app (namespace / first API path segment).
ALIASES = {("dues", "payment_id"): "dues.DuesPayment", ("dues", "exemption_id"): "dues.DuesExemption",
           ("care", "plan_id"): "care.CarePlan", ("care", "entry_id"): "care.FundLedger",
           ("funds", "entry_id"): "care.FundLedger"}


def model_for_param(param: str, app: str = ""):
    """`meeting_id` → the Meeting model of a dangjian app (None when no model has that name)."""
    if (app, param) in ALIASES:
        try:
            return apps.get_model(ALIASES[(app, param)])
        except LookupError:
            return None
    if not param.endswith("_id"):
        return None
    wanted = param[:-3].replace("_", "")
    for model in apps.get_models():
        if model._meta.app_label in ("admin", "auth", "contenttypes", "sessions", "axes", "auditlog"):
            continue
        if model._meta.model_name == wanted:
            return model
    return None


ORG_LOOKUPS = ["org", "branch", "fund__org", "plan__org", "member__org", "meeting__org", "household__org", "petition__org", "activity__org",
               "unit__org", "record__member__org", "person__member__org", "profile__member__org"]
_instances: dict = {}


def instance_in(model, org: Org):
    """One object of model that belongs to org's subtree (or None), found by a path-range query."""
    key = (model, org.pk)
    if key not in _instances:
        _instances[key] = None
        if model is Org:
            _instances[key] = org
        for lookup in ORG_LOOKUPS:
            if _instances[key] is not None:
                break
            try:
                _instances[key] = model.objects.filter(subtree_q(org.path, field=f"{lookup}__path")).order_by("-pk").first()
            except (FieldError, ValueError):
                continue
    return _instances[key]


def fill(path: str, values: dict) -> str:
    path = PARAM.sub(lambda m: str(values.get(m.group(1), 999999999)), path)
    return "/" + path.lstrip("^").rstrip("$").replace("\\Z", "")


class ScopeMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with redirect_stdout(io.StringIO()):
            call_command("seed_demo")
        cls.li, cls.wang = User.objects.get(username="li"), User.objects.get(username="wang")
        cls.branch_one = Org.objects.get(name="绿博家苑第一党支部")
        cls.patterns = [(p, n) for p, n, _ in iter_patterns() if not p.startswith(("admin/", "api/v1/", "static/"))]

    def test_wang_gets_404_for_every_object_of_branch_one(self):
        checked, missing = [], set()
        client = Client()
        client.force_login(self.wang, backend="django.contrib.auth.backends.ModelBackend")
        for path, name in self.patterns:
            params = PARAM.findall(path)
            if not params or is_public(name):
                continue
            values = {}
            for param in params:
                model = model_for_param(param, (name or "").split(":")[0])
                obj = instance_in(model, self.branch_one) if model else None
                if obj is None:
                    missing.add(param)
                    break
                values[param] = obj.pk
            else:
                url = fill(path, values)
                for method in ("get", "post"):
                    r = getattr(client, method)(url)
                    self.assertIn(r.status_code, (404, 405), f"{method.upper()} {url} ({name}) → {r.status_code}")
                checked.append(url)
        self.assertGreater(len(checked), 3, f"too few object pages checked; no demo object for {sorted(missing)}")

    def test_api_operations_hide_branch_one_from_wang(self):
        schema = Client().get("/api/v1/openapi.json").json()
        api = ApiClient(self.wang)
        checked = 0
        for path, ops in schema["paths"].items():
            params = API_PARAM.findall(path)
            values = {}
            for param in params:
                model = model_for_param(param, path.split("/")[3] if path.count("/") > 3 else "")
                obj = instance_in(model, self.branch_one) if model else None
                if obj is None:
                    values = None
                    break
                values[param] = obj.pk
            for method, op in ops.items():
                query = {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}
                if values is not None and params:
                    url = API_PARAM.sub(lambda m: str(values[m.group(1)]), path)
                elif not params and query & {"org", "under", "org_id"}:
                    key = next(k for k in ("org", "under", "org_id") if k in query)
                    url = f"{path}?{key}={self.branch_one.id}"
                else:
                    continue
                r = getattr(api.client, method)(url, content_type="application/json", **api.headers) \
                    if method in ("post", "patch", "put", "delete") else api.client.get(url, **api.headers)
                self.assertIn(r.status_code, (404, 405, 422), f"{method.upper()} {url} → {r.status_code} {r.content[:200]}")
                if r.status_code == 422:  # the body was refused before the lookup: retry with the object only
                    continue
                checked += 1
        self.assertGreater(checked, 5)

    def test_anonymous_gets_401_or_login(self):
        schema = Client().get("/api/v1/openapi.json").json()
        anon = Client()
        for path, ops in schema["paths"].items():
            if path in PUBLIC_API:
                continue
            for method, op in ops.items():
                if op.get("security") == [] or "security" not in op and False:
                    continue
                url = API_PARAM.sub("1", path)
                r = getattr(anon, method)(url)
                if not op.get("security"):
                    continue  # declared public by its app (e.g. a public petition form)
                self.assertEqual(r.status_code, 401, f"{method.upper()} {url}")
        for path, name in self.patterns:
            if is_public(name):
                continue
            url = fill(path, {})
            r = anon.get(url)
            self.assertIn(r.status_code, (302, 404, 405), f"GET {url} ({name}) → {r.status_code}")
            if r.status_code == 302:
                self.assertIn("/login/", r["Location"], url)

    def test_unknown_ids_are_404_not_500(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.li, backend="django.contrib.auth.backends.ModelBackend")
        for path, name in self.patterns:
            if not PARAM.findall(path):
                continue
            url = fill(path, {})
            r = client.get(url)
            self.assertIn(r.status_code, (404, 405), f"GET {url} ({name}) → {r.status_code}")
