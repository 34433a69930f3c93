from django.urls import path

from . import views, views_member, views_more, views_reports

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("plan/", views.meeting_plan, name="plan"),
    path("new/", views.meeting_create, name="create"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/edit/", views.meeting_edit, name="edit"),
    path("<int:meeting_id>/qr/", views.qr_panel, name="qr"),
    path("<int:meeting_id>/attendance/", views.attendance_toggle, name="attendance"),
    path("<int:meeting_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("leave/<int:request_id>/decide/", views.leave_decide, name="leave_decide"),
    path("c/<str:token>/", views_member.checkin, name="checkin"),
    path("mine/", views_member.mine, name="mine"),
    path("<int:meeting_id>/leave/", views_member.leave_request, name="leave_request"),
    path("makeups/<int:makeup_id>/done/", views_member.makeup_done, name="makeup_done"),
    path("compliance/", views_reports.compliance, name="compliance"),
    path("attendance/", views_reports.attendance_report, name="attendance_report"),
    path("talks/", views_reports.talks, name="talks"),
    path("settings/", views_reports.settings_page, name="settings"),
    path("reviews/", views_more.review_index, name="reviews"),
    path("reviews/open/", views_more.review_open, name="review_open"),
    path("reviews/<int:review_id>/", views_more.review_detail, name="review"),
    path("reviews/<int:review_id>/close/", views_more.review_close, name="review_close"),
    path("prompts/", views_more.prompt_index, name="prompts"),
    path("prompts/publish/", views_more.prompt_publish, name="prompt_publish"),
    path("prompts/<int:prompt_id>/", views_more.prompt_detail, name="prompt"),
    path("prompts/<int:prompt_id>/done/", views_more.prompt_done, name="prompt_done"),
    path("cadres/", views_more.cadre_report, name="cadres"),
    path("cadres/<int:member_id>/card/", views_more.cadre_card, name="cadre_card"),
]
