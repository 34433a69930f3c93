from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "dangjian.duties"
    label = "duties"
    verbose_name = "责任与考评"
    menu = [
        ("党建责任书", "duties:pledges", "ti-file-certificate", "duties.view"),
        ("督查整改", "duties:inspections", "ti-search", "duties.view"),
        ("述职评议", "duties:schemes", "ti-speakerphone", "duties.view"),
        ("党建指导员", "duties:instructors", "ti-user-star", "duties.view"),
        ("支部工作法", "duties:work_methods", "ti-list-check", "duties.view"),
        ("服务品牌", "duties:brands", "ti-award", "duties.view"),
        ("表彰与榜样", "duties:honors", "ti-trophy", "duties.view"),
        ("党小组长责任清单", "duties:group_duties", "ti-list-details", "duties.view"),
    ]
