"""Writes of volunteer service, one transaction each with its audit event (DESIGN rule 3).

Split by sub-domain (units and volunteers, activities, posts and claims, needs); import from here.
"""
from .activities import (activity_cancel, activity_check_in, activity_check_out, activity_photo_add,
                         activity_publish, activity_signup, activity_signup_cancel, activity_summarize,
                         good_deed_record, hours_credit)
from .demands import demand_assign, demand_cancel, demand_complete, demand_create, demand_submit
from .posts import (claim_confirm, claim_create, claim_decline, claim_end, claim_renew, claim_withdraw, post_create,
                    post_update)
from .units import (unit_add_member, unit_create, unit_remove_member, unit_update, volunteer_register,
                    volunteer_update)

__all__ = [
    "activity_cancel", "activity_check_in", "activity_check_out", "activity_photo_add", "activity_publish",
    "activity_signup", "activity_signup_cancel", "activity_summarize", "good_deed_record", "hours_credit",
    "demand_assign", "demand_cancel", "demand_complete", "demand_create", "demand_submit",
    "claim_confirm", "claim_create", "claim_decline", "claim_end", "claim_renew", "claim_withdraw", "post_create",
    "post_update", "unit_add_member", "unit_create", "unit_remove_member", "unit_update", "volunteer_register",
    "volunteer_update",
]
