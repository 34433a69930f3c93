"""{% load standards_tags %}
{% size_warnings_badges org %}: RULES §2 size badges of one org (R-BRANCH-50, R-BRANCH-3, R-COMMITTEE-7, R-GENERAL-50,
R-COMMITTEE-100), for the org page; {% size_warnings_alert org %}: the same as an alert with details (committee page).
Warnings, never refusals."""
from django import template

from dangjian.standards import selectors

register = template.Library()


@register.inclusion_tag("standards/_partials/size_badges.html")
def size_warnings_badges(org):
    return {"warnings": selectors.org_size(org).warnings}


@register.inclusion_tag("standards/_partials/size_alert.html")
def size_warnings_alert(org):
    size = selectors.org_size(org)
    return {"size": size, "warnings": size.warnings}
