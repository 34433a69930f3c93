"""Helpers shared by the pages' forms."""
from dangjian.core.errors import DomainError


def apply_domain_error(form, exc: DomainError) -> None:
    """Show a service's refusal on the form fields it concerns (or on the form).

    A FieldErrors carries several field errors at once: each lands on its own field.
    """
    for err in getattr(exc, "errors", None) or [exc]:
        field = err.field if err.field in form.fields else None
        form.add_error(field, getattr(err, "message", None) or err.detail)
