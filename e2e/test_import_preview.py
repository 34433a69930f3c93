"""Issue 4: the Excel import preview in the browser — errors shown per row and column, nothing
written, then a corrected file imported after confirmation."""
import io
from datetime import date

import pytest
from openpyxl import Workbook

from dangjian.accounts.models import Role
from dangjian.core.idnumber import generate_id_number
from dangjian.core.testing import PASSWORD, make_tree, make_user
from dangjian.members.models import Member

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def roster(tmp_path, *, bad: bool):
    wb = Workbook()
    ws = wb.active
    ws.append(["第一党支部党员花名册"])
    ws.append(["序号", "姓名", "身份证号", "入党时间", "转正时间", "人员类别", "手机"])
    ok_id = generate_id_number(birth_date=date(1980, 3, 4), gender="M", seq=11)
    other = generate_id_number(birth_date=date(1975, 8, 9), gender="F", seq=12)
    ws.append([1, "张三", ok_id, "2005-07-01", "2006/7/1", "正式", "13800138000"])
    ws.append([2, "李四", other[:-1] + ("0" if other[-1] != "0" else "1") if bad else other, "2001年7月1日",
               "2002-07-01", "正式", "13900139000"])
    path = tmp_path / ("bad.xlsx" if bad else "good.xlsx")
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return str(path)


def test_import_preview_then_confirm(page, live_server, tmp_path):
    tree = make_tree()
    make_user("li", tree["branch_one"], Role.Kind.SECRETARY)
    login(page, live_server, "li", PASSWORD)
    page.goto(f"{live_server.url}/members/import/?org={tree['branch_one'].id}")
    page.set_input_files("input[name=file]", roster(tmp_path, bad=True))
    page.click("#preview-btn")
    page.wait_for_selector("#preview-errors")
    assert page.locator("td.text-danger").count() >= 1
    assert "身份证" in page.locator("td.text-danger").first.inner_text() + page.locator("tbody").inner_text()
    assert Member.objects.count() == 0
    page.click("text=重新上传")
    page.set_input_files("input[name=file]", roster(tmp_path, bad=False))
    page.click("#preview-btn")
    page.wait_for_selector("#preview-ok")
    page.click("#confirm-btn")
    page.wait_for_selector("text=已导入 2 名党员")
    assert set(Member.objects.values_list("name", flat=True)) == {"张三", "李四"}
