"""Issue 14 item 7 — reports: the township admin opens the dashboard (every chart draws), clicks a sub-org's
bar to drill down into it, and exports a ledger (党员花名册) of that sub-org as Excel."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from dangjian.accounts.models import Role
from dangjian.core.testing import browser_login, make_tree, make_user
from dangjian.reports.tests.helpers import member

from .guard import Guard, _close_db_connections  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Pixel centre of bar `index` of the first series of the chart in element `id`, relative to the page.
BAR_CENTRE = """([id, index]) => {
  const el = document.getElementById(id);
  const chart = window.echarts.getInstanceByDom(el);
  const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
  const box = el.getBoundingClientRect();
  return {x: box.left + layout.x + layout.width / 2, y: box.top + layout.y + layout.height / 2};
}"""


def test_dashboard_drill_down_and_ledger_export(page, live_server):
    tree = make_tree()
    make_user("zhang", tree["root"], Role.Kind.ADMIN)
    b1, b2, other = tree["branch_one"], tree["branch_two"], tree["other"]
    member(b1, "甲", gender="F", born=date(1990, 7, 1), education="bachelor", joined=date(2010, 7, 1),
           full=date(2011, 7, 1))
    member(b1, "乙", gender="M", born=date(1985, 6, 30), joined=date(2008, 1, 1), full=date(2009, 1, 1))
    member(b2, "己", gender="M", born=date(1959, 6, 30), joined=date(2016, 7, 1), full=date(2017, 7, 1))
    member(other, "壬", gender="F", born=date(1960, 7, 1), joined=date(1995, 7, 1), full=date(1996, 7, 1))
    guard = Guard(page)
    browser_login(page, live_server, "zhang")
    guard.check()

    guard.goto(f"{live_server.url}/reports/dashboard/?org={tree['root'].id}&source=live")
    charts = page.locator(".dash-chart")
    total = charts.count()
    assert total >= 3
    page.wait_for_function("![...document.querySelectorAll('.dash-chart')].some(el => el.innerText.includes('加载中'))")
    assert page.get_by_text("图表加载失败").count() == 0
    assert page.locator(".dash-chart[data-ready='1'] canvas").count() >= 1
    guard.check()

    # Drill down: click the 测试社区党委 bar of 下级组织党员数.
    names = page.evaluate("() => window.echarts.getInstanceByDom(document.getElementById('chart-members_by_child'))"
                          ".getOption().xAxis[0].data")
    index = names.index("测试社区党委")
    point = page.evaluate(BAR_CENTRE, ["chart-members_by_child", index])
    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])
    page.wait_for_load_state("networkidle")
    assert f"org={tree['community'].id}" in page.url
    assert "测试社区党委" in page.locator(".page-title").inner_text()
    crumbs = page.get_by_label("组织层级")
    assert crumbs.get_by_role("link", name="测试镇党委").count() == 1
    page.wait_for_function("document.getElementById('chart-members_by_child').dataset.ready === '1'")
    assert page.evaluate("() => window.echarts.getInstanceByDom(document.getElementById('chart-members_by_child'))"
                         ".getOption().xAxis[0].data") == ["第一党支部", "第二党支部"]
    guard.check()

    # Export the community's roster ledger as Excel.
    guard.goto(f"{live_server.url}/reports/ledgers/?org={tree['community'].id}")
    row = page.locator("#ledger-table tbody tr", has_text="党员花名册")
    with page.expect_download() as info:
        row.get_by_role("button", name="Excel").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(open(download.path(), "rb").read()), read_only=True)
    cells = [str(c) for r in wb.active.iter_rows(values_only=True) for c in r if c is not None]
    assert {"甲", "乙", "己"} <= set(cells) and "壬" not in cells  # 机关党支部 is outside the community
    guard.check()
