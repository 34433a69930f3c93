"""Issue 14 item 5 — strict script CSP in a real browser: an injected inline handler or script is refused, and
the behaviour that used to be inline (confirm, prompt, print, back, autosubmit) works from static/js/app.js."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.idnumber import generate_id_number
from dangjian.core.testing import browser_login, make_tree, make_user
from dangjian.members import services as member_services
from dangjian.volunteers.models import Activity, PostClaim
from dangjian.volunteers.services import activities as activity_services
from dangjian.volunteers.services import posts as post_services

from .guard import Guard, _close_db_connections  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_strict_csp_blocks_injected_scripts_and_data_attributes_work(page, live_server):
    tree = make_tree()
    branch = tree["branch_one"]
    li = make_user("li", branch, Role.Kind.SECRETARY)
    member = member_services.member_create(actor=li, org=branch, data={
        "name": "欧阳明辉", "gender": "M", "birth_date": date(1983, 6, 18), "stage": "full",
        "id_number": generate_id_number(birth_date=date(1983, 6, 18), gender="M", seq=43),
        "joined_on": date(2008, 7, 1), "full_on": date(2009, 7, 1)})
    start = timezone.now() + timedelta(days=3)
    activity = activity_services.activity_publish(actor=li, org=branch, data={
        "title": "社区清洁", "place": "绿博家苑", "headcount": 5, "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat()})
    post = post_services.post_create(actor=li, org=branch, data={"title": "楼栋长", "capacity": 3})
    claim = post_services.claim_create(actor=li, post=post, member=member)
    guard = Guard(page)
    browser_login(page, live_server, "li")
    base = live_server.url

    # The enforced policy has no 'unsafe-inline' for scripts, and the browser refuses what was injected.
    response = guard.goto(base + "/")
    script_src = next(p for p in response.headers["content-security-policy"].split(";") if "script-src" in p)
    assert "unsafe-inline" not in script_src and "'nonce-" in script_src
    page.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend', '<button id="pwn" onclick="window.__pwned = 1">x</button>');
        const s = document.createElement('script'); s.textContent = 'window.__pwned2 = 1'; document.body.appendChild(s);
    }""")
    page.dispatch_event("#pwn", "click")  # the layout may cover the injected button: fire the event itself
    assert page.evaluate("[window.__pwned, window.__pwned2]") == [None, None]
    refused = guard.problems()
    assert any("inline event handler" in p for p in refused) and any("inline script" in p for p in refused), refused

    # data-confirm: refusing keeps the activity, accepting cancels it.
    guard.goto(f"{base}/volunteers/activities/{activity.id}/")
    page.once("dialog", lambda d: d.dismiss())
    page.click("button[data-confirm]")
    page.wait_for_timeout(300)
    activity.refresh_from_db()
    assert activity.state == Activity.State.PUBLISHED
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    with page.expect_navigation():
        page.click("button[data-confirm]")
    assert asked == ["确定取消该活动？"]
    activity.refresh_from_db()
    assert activity.state == Activity.State.CANCELLED

    # data-prompt: an empty answer submits nothing; a reason is sent with the rejection.
    guard.goto(f"{base}/volunteers/posts/")
    decline = f"#claim-{claim.id} form[data-prompt] button"
    page.once("dialog", lambda d: d.dismiss())
    page.click(decline)
    page.wait_for_timeout(300)
    claim.refresh_from_db()
    assert claim.state == PostClaim.State.PENDING
    page.once("dialog", lambda d: d.accept("时间与工作冲突"))
    with page.expect_navigation():
        page.click(decline)
    claim.refresh_from_db()
    assert (claim.state, claim.decline_reason) == (PostClaim.State.DECLINED, "时间与工作冲突")

    # data-print (window.print stubbed: headless Chromium would open nothing) and data-autosubmit.
    guard.goto(f"{base}/reports/dashboard/?org={branch.id}")
    year = str(date.today().year - 1)
    with page.expect_navigation():
        page.select_option("select[name=year]", year)
    assert f"year={year}" in page.url
    page.wait_for_selector(".dash-chart[data-ready='1'] canvas")  # ECharts draws from the nonce'd script
    guard.goto(f"{base}/points/ranking/")
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed") == 1

    # data-back on an error page goes back to where the user came from.
    page.goto(f"{base}/reports/dashboard/?org={branch.id}&year=abc")
    assert "返回" in page.inner_text("body")
    guard.problems()  # the 400 of the error page is expected
    with page.expect_navigation():
        page.click("a[data-back]")
    assert page.url.endswith("/points/ranking/")
    guard.check()
