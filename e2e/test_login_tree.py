import pytest

from dangjian.accounts.models import Role
from dangjian.core.testing import PASSWORD, make_tree, make_user

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_and_open_org_tree(page, live_server):
    tree = make_tree()
    make_user("zhang", tree["root"], Role.Kind.ADMIN)
    login(page, live_server, "zhang", PASSWORD)
    assert "工作台" in page.title()
    page.click("text=组织架构")
    page.wait_for_selector("text=测试社区党委")
    page.click("text=测试社区党委")
    page.wait_for_selector("text=第一党支部")
    assert page.locator(".badge", has_text="党委").count() >= 1


def test_wrong_password_shows_chinese_error(page, live_server):
    tree = make_tree()
    make_user("li", tree["branch_one"], Role.Kind.SECRETARY)
    login(page, live_server, "li", "wrong-password")
    assert page.locator("text=用户名或密码错误").is_visible()


def test_phone_viewport_menu_collapses(browser, live_server):
    tree = make_tree()
    make_user("li", tree["branch_one"], Role.Kind.SECRETARY)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server, "li", PASSWORD)
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    page.wait_for_selector("#sidebar-menu.show")
    assert page.locator("text=党员花名册").first.is_visible()
    # No horizontal scroll on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
