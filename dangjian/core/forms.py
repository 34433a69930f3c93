"""Helpers shared by the pages' forms."""
from dangjian.core.errors import DomainError


def apply_domain_error(form, exc: DomainError) -> None:
    """Show a service's refusal on the form field it concerns (or on the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.detail)
