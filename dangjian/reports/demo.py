"""Demo data of the reports app: two report tasks from the township committee (one still open, one past its
deadline with orgs that have not submitted), and today's member roll-up. Idempotent."""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import prefill, services
from .models import ReportSubmission, ReportTask

OPEN_TASK = "年度党员队伍基本情况统计表"
LATE_TASK = "三季度组织生活开展情况报表"
OPEN_FIELDS = """党员总数*|整数|members.count_on_rolls
正式党员*|整数|members.count_full
预备党员*|整数|members.count_probationary
女党员|整数|members.count_female
35岁及以下党员|整数
大专及以上学历党员|整数|members.count_college
本年发展党员|整数|members.admitted_year
入党积极分子|整数|members.count_activist
党支部书记姓名*|文本
书记是否兼任村（居）委会主任|选项||是、否"""
LATE_FIELDS = """召开支部党员大会（次）*|整数
召开支委会（次）|整数
开展主题党日（次）*|整数
讲党课（次）|整数
存在问题及整改措施|文本"""


@transaction.atomic
def seed(ctx) -> None:
    today = timezone.localdate()
    zhang = ctx.users.get("zhang")
    if zhang is None:
        return
    root = ctx.root
    if not ReportTask.objects.filter(org=root, title=f"{today.year}{OPEN_TASK}").exists():
        task = services.report_task_issue(
            actor=zhang, org=root, title=f"{today.year}{OPEN_TASK}", fields_text=OPEN_FIELDS,
            instructions="请各党支部核对系统预填数据，如有出入请修改后上报。", deadline=today + timedelta(days=14),
            target=ReportTask.Target.BRANCHES)
        values = prefill.prefill(task.fields, org=ctx.orgs["绿博家苑第一党支部"], year=today.year)
        _answer(task, "绿博家苑第一党支部", {**values, "f9": "李秀英", "f10": "否", "f5": 6}, ctx, submit=True)
        _answer(task, "绿博家苑第三党支部", {"f1": 52, "f9": "刘红"}, ctx, submit=False)
        ctx.log.append(f"  统计报表：下发“{task.title}”至 {task.submissions.count()} 个党支部")
    if not ReportTask.objects.filter(org=root, title=f"{today.year}年{LATE_TASK}").exists():
        task = services.report_task_issue(
            actor=zhang, org=root, title=f"{today.year}年{LATE_TASK}", fields_text=LATE_FIELDS, instructions="",
            deadline=today, target=ReportTask.Target.BRANCHES)
        ReportTask.objects.filter(pk=task.pk).update(deadline=today - timedelta(days=5))  # an overdue example
        task.refresh_from_db()
        for i, name in enumerate(["绿博家苑第一党支部", "绿博家苑第二党支部", "刘集社区第一党支部", "大孟村党支部"]):
            _answer(task, name, {"f1": 1, "f2": 3, "f3": 3, "f4": 1, "f5": "无"}, ctx, submit=True,
                    late=i == 3)
        ctx.log.append(f"  统计报表：“{task.title}”已逾期，{task.submissions.exclude(state='submitted').count()} "
                       f"个党支部未上报")
    if not ReportTask.objects.filter(org=root, title=f"{today.year}年{SHEET_TASK}").exists():
        from django.core.files.uploadedfile import SimpleUploadedFile

        task = services.report_task_issue_sheet(
            actor=zhang, org=root, title=f"{today.year}年{SHEET_TASK}", deadline=today + timedelta(days=10),
            instructions="下载本支部的表格（党员人数已预填），填写阵地情况后上传。", target=ReportTask.Target.BRANCHES,
            upload=SimpleUploadedFile("阵地情况统计表.xlsx", _sheet_template()), fields_text=SHEET_FIELDS)
        _answer(task, "绿博家苑第一党支部", {**prefill.prefill(task.fields, org=ctx.orgs["绿博家苑第一党支部"],
                                                              year=today.year), "f2": 80, "f3": "党员之家"},
                ctx, submit=True)
        ctx.log.append(f"  统计报表：下发 Excel 表格“{task.title}”至 {task.submissions.count()} 个党支部")
    from .tasks import member_stats_rollup

    member_stats_rollup(today)


SHEET_TASK = "党员活动阵地情况统计表"
SHEET_FIELDS = "阵地面积（平方米）|小数\n阵地名称*|文本"


def _sheet_template() -> bytes:
    """A header-row template as offices make them: a title row, then 序号 / 填报单位 / the fields."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "阵地情况"
    ws.append(["党员活动阵地情况统计表"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["序号", "填报单位", "党员总数（含预备党员）", "阵地面积（平方米）", "阵地名称"])
    ws.append([1])
    for col, width in zip("ABCDE", (6, 28, 22, 18, 24)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _answer(task, org_name, values, ctx, *, submit: bool, late: bool = False) -> None:
    org = ctx.orgs[org_name]
    sub = ReportSubmission.objects.get(task=task, org=org)
    services.report_submission_save(actor=ctx.users["zhang"], submission=sub, data=values, submit=submit)
    if submit:
        at = timezone.now() - timedelta(days=1 if late else 6)
        ReportSubmission.objects.filter(pk=sub.pk).update(submitted_at=at)
