from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dangjian.reports"
    label = "reports"
    verbose_name = "统计报表"
    default_auto_field = "django.db.models.BigAutoField"
    # (label, url name, Tabler icon, permission) — read by the shell to build the left menu.
    menu = [
        ("统计分析", "reports:dashboard", "ti-chart-pie", "reports.view"),
        ("台账中心", "reports:ledgers", "ti-books", "reports.view"),
        ("党内统计", "reports:statistics", "ti-table", "reports.view"),
        ("报表任务", "reports:tasks", "ti-file-report", "reports.view"),
        # Only admins hold reports.jobs (ROLE_PERMS: admin "*"; secretaries have *.view/edit/export).
        ("定时任务", "reports:jobs", "ti-clock-cog", "reports.jobs"),
    ]
