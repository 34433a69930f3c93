"""{% load standards_tags %}{% size_warnings_badges org %}: R-BRANCH-50 / R-BRANCH-3 / R-COMMITTEE-7 badges of one
branch, for the org page."""
from django import template

from dangjian.standards import selectors

register = template.Library()


@register.inclusion_tag("standards/_partials/size_badges.html")
def size_warnings_badges(org):
    if org.kind != "branch":
        return {"warnings": []}
    row = next((s for s in selectors.size_report(org) if s.org.id == org.id), None)
    return {"warnings": row.warnings if row else []}
