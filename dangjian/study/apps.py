from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "dangjian.study"
    label = "study"
    verbose_name = "学习教育"
    menu = [
        ("学习资料", "study:materials", "ti-book", "study.view"),
        ("集中培训", "study:courses", "ti-school", "study.view"),
        ("在线测试", "study:quizzes", "ti-checklist", "study.view"),
        ("学时台账", "study:hours", "ti-clock-hour-4", "study.view"),
        ("新任书记培训", "study:secretaries", "ti-user-check", "study.view"),
        ("我的学习", "study:me", "ti-device-mobile", ""),
    ]
