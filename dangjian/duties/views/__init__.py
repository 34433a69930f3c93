"""Pages of duties and honors (thin: parse, call one service or selector, render)."""
from .group_duties import group_duties, group_duty_board, group_duty_list_create, group_duty_sheet
from .inspections import (inspection_create, inspection_detail, inspections, rectification_complete,
                          rectification_detail, rectification_recheck, rectifications, rectifications_export)
from .instructors import assignment_detail, assignment_end, instructor_create, instructor_detail, instructors
from .pledges import index, pledge_detail, pledge_issue, pledge_progress, pledge_sign, pledges
from .recognition import (brand_create, brand_detail, brand_photo, brand_rate, brands, honor_create, honor_decide,
                          honor_detail, honor_photo, honors, public_showcase_photo, showcase, work_methods,
                          work_record_create, work_record_detail, work_record_rate, work_record_step)
from .reviews import report_detail, scheme_create, scheme_detail, schemes

__all__ = [
    "assignment_detail", "assignment_end", "group_duties", "group_duty_board", "group_duty_list_create",
    "group_duty_sheet", "brand_create", "brand_detail", "brand_photo", "brand_rate", "brands", "honor_create",
    "honor_decide", "honor_detail", "honor_photo", "honors", "index", "inspection_create", "inspection_detail", "inspections",
    "instructor_create", "instructor_detail", "instructors", "pledge_detail", "pledge_issue", "pledge_progress",
    "pledge_sign", "pledges", "rectification_complete", "rectification_detail", "rectification_recheck",
    "public_showcase_photo", "rectifications", "rectifications_export", "report_detail", "scheme_create", "scheme_detail", "schemes",
    "showcase", "work_methods", "work_record_create", "work_record_detail", "work_record_rate", "work_record_step",
]
