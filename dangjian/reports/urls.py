from django.urls import path

from . import views, views_tasks

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/data/<slug:chart>/", views.dashboard_data, name="dashboard_data"),
    path("ledgers/", views.ledger_list, name="ledgers"),
    path("ledgers/jobs/<int:ledger_job_id>/", views.ledger_job, name="ledger_job"),
    path("ledgers/jobs/<int:ledger_job_id>/progress/", views.ledger_job_progress, name="ledger_job_progress"),
    path("ledgers/jobs/<int:ledger_job_id>/download/", views.ledger_job_download, name="ledger_job_download"),
    path("ledgers/<slug:key>/", views.ledger_preview, name="ledger_preview"),
    path("ledgers/<slug:key>/export/", views.ledger_export, name="ledger_export"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export/", views.statistics_export, name="statistics_export"),
    path("tasks/", views_tasks.task_list, name="tasks"),
    path("tasks/new/", views_tasks.task_new, name="task_new"),
    path("tasks/<int:report_task_id>/", views_tasks.task_detail, name="task_detail"),
    path("tasks/<int:report_task_id>/export/", views_tasks.task_export, name="task_export"),
    path("tasks/<int:report_task_id>/close/", views_tasks.task_close, name="task_close"),
    path("tasks/<int:report_task_id>/template/", views_tasks.task_template, name="task_template"),
    path("submissions/<int:report_submission_id>/", views_tasks.submission, name="submission"),
    path("submissions/<int:report_submission_id>/sheet/", views_tasks.submission_sheet, name="submission_sheet"),
    path("submissions/<int:report_submission_id>/upload/", views_tasks.submission_upload, name="submission_upload"),
    path("jobs/", views_tasks.jobs, name="jobs"),
    path("jobs/rollup/", views_tasks.jobs_rollup, name="jobs_rollup"),
]
