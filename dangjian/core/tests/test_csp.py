"""Strict Content-Security-Policy for scripts (issue 14, item 5).

Two halves: every template file is walked so that no inline script without the nonce, no `on<event>=`
handler, no `javascript:` URL and no htmx inline JavaScript (`hx-on`, `js:` values, trigger filters) can
come back; and rendered pages are checked for the enforced header (no 'unsafe-inline' in script-src) whose
nonce is the one every inline script of the page carries."""
import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.test import Client, RequestFactory, override_settings

from dangjian.core.testing import PersonaTestCase

NONCE_ATTR = "{{ csp_nonce }}"
# An htmx trigger filter ("click[ctrlKey]") is compiled with Function(): inline JS like hx-on.
HTMX_FILTER = re.compile(r"(?:^|,)\s*[\w:.-]+\s*\[")
URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href"}


def template_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    roots = [base / "templates", *sorted((base / "dangjian").glob("*/templates"))]
    return sorted(p for root in roots for p in root.rglob("*") if p.is_file())


class _Scanner(HTMLParser):
    def __init__(self, *, nonce: str):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        names = {name.lower(): (value or "") for name, value in attrs}
        if tag == "script" and "src" not in names and names.get("type", "").lower() != "application/json" \
                and names.get("nonce") != self.nonce:
            self.problems.append(f"line {line}: <script> without src= lacks nonce=\"{self.nonce}\"")
        for name, value in names.items():
            if name.startswith("on") and re.fullmatch(r"on[a-z]+", name):
                self.problems.append(f"line {line}: inline handler {name}=")
            if name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"line {line}: {name} (inline JavaScript run by htmx)")
            if name in URL_ATTRS and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"line {line}: javascript: URL in {name}=")
            if name in ("hx-vals", "hx-vars", "data-hx-vals") and value.strip().lower().startswith("js:"):
                self.problems.append(f"line {line}: {name} evaluates JavaScript")
            if name in ("hx-trigger", "data-hx-trigger") and HTMX_FILTER.search(value):
                self.problems.append(f"line {line}: {name} filter [...] evaluates JavaScript")


def csp_problems(source: str, *, nonce: str = NONCE_ATTR) -> list[str]:
    """What a strict script-src would block in an HTML (template) source."""
    scanner = _Scanner(nonce=nonce)
    scanner.feed(source)
    scanner.close()
    # Belt and braces for what the parser may read differently around template tags ({% if a > b %} in a
    # tag); script bodies are blanked (same line count) so JavaScript such as `var once = "…"` is not read.
    markup = re.sub(r"(?is)(<script\b[^>]*>)(.*?)(</script>)",
                    lambda m: m.group(1) + re.sub(r"[^\n]", " ", m.group(2)) + m.group(3), source)
    for match in re.finditer(r"(?i)[\s\"'](on[a-z]{3,}\s*=\s*[\"'])|javascript:", markup):
        line = markup.count("\n", 0, match.start()) + 1
        found = f"line {line}: " + ("javascript: URL" if match.group(1) is None else f"inline handler {match.group(1)}")
        if not any(p.startswith(f"line {line}:") for p in scanner.problems):
            scanner.problems.append(found)
    return scanner.problems


def script_src(csp: str) -> str:
    return next(part.strip() for part in csp.split(";") if part.strip().startswith("script-src"))


class TemplateWalkTests(PersonaTestCase):
    def test_the_checker_catches_each_kind_of_inline_script(self):
        bad = {
            "<script>alert(1)</script>": "lacks nonce",
            '<script nonce="abc">alert(1)</script>': "lacks nonce",
            '<button onclick="go()">x</button>': "onclick",
            '<select name="y"\n  onchange="this.form.submit()">': "onchange",
            "<form ONSUBMIT='return confirm(1)'>": "onsubmit",
            '<a href="javascript:history.back()">返回</a>': "javascript:",
            '<div hx-on:click="alert(1)"></div>': "hx-on",
            '<div hx-on::after-request="x()"></div>': "hx-on",
            "<div hx-vals='js:{a: b()}'></div>": "hx-vals",
            '<input hx-trigger="keyup[key==\'Enter\']">': "filter",
        }
        for source, expected in bad.items():
            problems = csp_problems(source)
            self.assertTrue(problems and expected in problems[0], (source, problems))
        good = ('<script nonce="{{ csp_nonce }}">x()</script><script src="/static/js/app.js"></script>'
                '<script type="application/json" id="d">{"a": 1}</script><button data-confirm="确定？">'
                '<select data-autosubmit><input hx-trigger="change, keyup changed delay:400ms from:input[name=q]">'
                '<a href="/online/">在线</a><p>one = two</p>')
        self.assertEqual(csp_problems(good), [])
        self.assertEqual(csp_problems('<a class="btn" href="#" data-back>返回</a><script nonce="n">x()</script>',
                                      nonce="n"), [])

    def test_no_template_has_inline_script_without_nonce_handlers_or_javascript_urls(self):
        files = template_files()
        self.assertGreater(len(files), 100)  # the walk really reaches the app templates
        report = []
        for path in files:
            if path.suffix not in (".html", ".txt", ".xml", ".svg", ".js"):
                continue
            source = path.read_text(encoding="utf-8")
            for problem in csp_problems(source):
                report.append(f"{path.relative_to(settings.BASE_DIR)} {problem}")
            # An htmx response carries its own request's nonce, which the page's policy refuses: fragments
            # swapped into a page must leave their script to static/js.
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source) and "{% extends" not in source \
                    and "<html" not in source:
                report.append(f"{path.relative_to(settings.BASE_DIR)} inline <script> in a fragment")
        self.assertEqual(report, [], "\n".join(report))


class RenderedPageTests(PersonaTestCase):
    def assert_strict_page(self, response):
        self.assertEqual(response.status_code, 200)
        csp = response["Content-Security-Policy"]
        scripts = script_src(csp)
        self.assertNotIn("unsafe-inline", scripts)
        self.assertNotIn("unsafe-eval", scripts)
        self.assertNotIn("Content-Security-Policy-Report-Only", response)
        nonce = re.fullmatch(r"script-src 'self' 'nonce-([\w-]+)'", scripts).group(1)
        body = response.content.decode()
        in_page = set(re.findall(r'nonce="([^"]*)"', body))
        self.assertLessEqual(in_page, {nonce})  # base.html's scripts and the page's own inline ones
        self.assertEqual(csp_problems(body, nonce=nonce), [])
        return nonce, body

    def test_home_page_header_nonce_is_the_one_in_the_page_and_fresh_per_request(self):
        client = self.web_as(self.li)
        first, body = self.assert_strict_page(client.get("/"))
        self.assertIn(f'src="/static/js/app.js" nonce="{first}"', body)
        second, _ = self.assert_strict_page(client.get("/"))
        self.assertNotEqual(first, second)
        self.assertGreaterEqual(len(first), 20)

    def test_pages_with_their_own_inline_scripts_carry_the_nonce(self):
        client = self.web_as(self.li)
        for path in (f"/dues/org/{self.branch_one.id}/sheet/", "/points/ranking/", "/reports/dashboard/"):
            with self.subTest(path=path):
                nonce, body = self.assert_strict_page(client.get(path))
                self.assertRegex(body, rf'<script nonce="{nonce}">\s*\S')  # an inline script, not only src ones

    def test_stand_alone_pages_load_the_shared_script_with_the_nonce(self):
        self.assert_strict_page(Client().get("/login/"))  # no script at all
        nonce, body = self.assert_strict_page(Client().get("/portal/"))
        self.assertIn(f'<script nonce="{nonce}">if (\'serviceWorker\'', body)
        nonce, body = self.assert_strict_page(Client().get("/portal/public/"))
        self.assertIn(f'src="/static/js/app.js" nonce="{nonce}"', body)  # data-autosubmit on the org picker

    def test_nonce_reaches_templates_rendered_with_a_request_and_is_empty_without(self):
        request = RequestFactory().get("/")
        request.csp_nonce = "n0nce-abc"
        template = engines["django"].from_string('<script nonce="{{ csp_nonce }}"></script>')
        self.assertEqual(template.render({}, request), '<script nonce="n0nce-abc"></script>')
        self.assertEqual(template.render({}), '<script nonce=""></script>')  # PDFs: WeasyPrint runs no script

    def test_the_shared_script_handles_every_data_attribute_the_templates_use(self):
        js = (Path(settings.BASE_DIR) / "static" / "js" / "app.js").read_text(encoding="utf-8")
        used = set()
        for path in template_files():
            used |= set(re.findall(r"\b(data-(?:confirm|print|back|autosubmit|prompt|prompt-field))\b",
                                   path.read_text(encoding="utf-8")))
        self.assertTrue({"data-confirm", "data-print", "data-autosubmit", "data-back", "data-prompt"} <= used)
        for attr in used:
            self.assertIn(attr, js)
        self.assertIn("allowEval = false", js)

    @override_settings(CSP_STRICT_SCRIPTS=False)
    def test_switch_back_allows_inline_scripts_and_reports_the_strict_policy(self):
        r = self.web_as(self.li).get("/")
        self.assertIn("'unsafe-inline'", script_src(r["Content-Security-Policy"]))
        report_only = script_src(r["Content-Security-Policy-Report-Only"])
        nonce = re.search(r"'nonce-([\w-]+)'", report_only).group(1)
        self.assertNotIn("unsafe-inline", report_only)
        self.assertIn(f'nonce="{nonce}"', r.content.decode())

    def test_strict_is_the_default(self):
        self.assertTrue(settings.CSP_STRICT_SCRIPTS)
