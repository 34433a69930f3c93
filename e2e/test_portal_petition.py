"""Issue 12: a resident submits a petition from the 百事通 portal on a phone and follows it by code."""
import pytest

from dangjian.core.testing import make_tree
from dangjian.petitions.models import Petition

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_resident_submits_and_tracks_a_petition(browser, live_server):
    make_tree()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/portal/")
    page.click("text=提交诉求")
    page.fill("input[name=title]", "小区路灯不亮")
    page.fill("textarea[name=content]", "3号楼前的路灯坏了两周，晚上出行不便。")
    page.fill("input[name=name]", "王大妈")
    page.fill("input[name=phone]", "13800001111")
    page.click("button:has-text('提交')")
    code = page.locator("#tracking-code").inner_text().strip()
    assert Petition.objects.get().tracking_code == code.replace("-", "")  # shown in groups of four
    page.click("text=查看办理进度")
    page.wait_for_load_state()
    body = page.locator("body").inner_text()
    assert "小区路灯不亮" in body or code in body
    assert "13800001111" not in body  # the status page shows no personal data
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
