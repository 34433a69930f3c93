from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.encoding import escape_uri_path

from dangjian.core.xlsx import xlsx_response

from . import services


@login_required
def member_export(request, member_id: int):
    """个人信息副本: ?format=json (default) or xlsx; admins and secretaries in scope (404 outside)."""
    data = services.member_data_export(actor=request.user, member_id=member_id)
    name = f"个人信息副本-{data['member']['id']}"
    if request.GET.get("format") == "xlsx":
        return xlsx_response(services.export_workbook(data), f"{name}.xlsx")
    response = HttpResponse(services.export_json(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name + '.json')}"
    response["Cache-Control"] = "private, no-store"
    return response
