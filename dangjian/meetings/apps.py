from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangjian.meetings"
    label = "meetings"
    verbose_name = "组织生活"
    menu = [
        ("三会一课", "meetings:list", "ti-calendar-event", "meetings.view"),
        ("组织生活合规", "meetings:compliance", "ti-checklist", "meetings.view"),
        ("出勤与预警", "meetings:attendance_report", "ti-chart-bar", "meetings.view"),
        ("谈心谈话", "meetings:talks", "ti-messages", "meetings.view"),
        ("民主评议党员", "meetings:reviews", "ti-award", "meetings.view"),
        ("每周工作提示", "meetings:prompts", "ti-list-check", "meetings.view"),
        ("双重组织生活", "meetings:cadres", "ti-id-badge", "meetings.view"),
        ("我的组织生活", "meetings:mine", "ti-device-mobile", ""),
    ]
