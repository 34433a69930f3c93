"""Writes of duties and honors: one transaction each, with its audit event (DESIGN rule 3)."""
from .brands import brand_create, brand_rate, work_method_create, work_record_create, work_record_rate, work_step_record
from .group_duties import group_duty_list_create, group_duty_record
from .honors import honor_decide, honor_nominate, honor_set_public
from .inspections import (finding_create, inspection_create, rectification_complete, rectification_create,
                          rectification_recheck)
from .instructors import assignment_end, checklist_item_add, instructor_assign, instructor_create, instructor_log_create
from .pledges import pledge_progress_update, pledge_sign, pledge_template_issue
from .reviews import duty_report_score, duty_report_submit, review_scheme_create

__all__ = [
    "assignment_end", "brand_create", "brand_rate", "checklist_item_add", "duty_report_score", "duty_report_submit",
    "finding_create", "group_duty_list_create", "group_duty_record",
    "honor_decide", "honor_nominate", "honor_set_public", "inspection_create", "instructor_assign",
    "instructor_create", "instructor_log_create", "pledge_progress_update", "pledge_sign", "pledge_template_issue",
    "rectification_complete", "rectification_create", "rectification_recheck", "review_scheme_create",
    "work_method_create", "work_record_create", "work_record_rate", "work_step_record",
]
