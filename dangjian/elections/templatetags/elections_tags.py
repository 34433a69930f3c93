"""{% load elections_tags %}{% term_badge org %}: the term and expiry badge wherever an org appears (R-TERM)."""
from django import template

from dangjian.elections import selectors

register = template.Library()


@register.inclusion_tag("elections/_partials/term_badge.html")
def term_badge(org, term=None):
    """One org's term state; pass a precomputed `term` (selectors.terms_in_subtree) in lists to avoid N+1."""
    return {"term": term or selectors.term_of(org)}
