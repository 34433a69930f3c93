from django.contrib.auth.decorators import login_required

from dangjian.core.xlsx import xlsx_response
from dangjian.core.files import download_response

from . import services


@login_required
def member_export(request, member_id: int):
    """个人信息副本: ?format=json (default) or xlsx; admins and secretaries in scope (404 outside)."""
    data = services.member_data_export(actor=request.user, member_id=member_id)
    name = f"个人信息副本-{data['member']['id']}"
    if request.GET.get("format") == "xlsx":
        return xlsx_response(services.export_workbook(data), f"{name}.xlsx")
    return download_response(services.export_json(data), filename=f"{name}.json",
                             content_type="application/json; charset=utf-8")
