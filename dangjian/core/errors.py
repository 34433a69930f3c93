"""Errors the domain raises; the API and the pages turn them into clear Chinese 4xx answers."""


class DomainError(Exception):
    """A business rule refused the request (400). `rule` cites RULES.md (e.g. "R-QUORUM")."""

    status = 400

    def __init__(self, detail: str, *, rule: str = "", field: str = "", status: int | None = None):
        super().__init__(detail)
        self.detail = detail
        self.rule = rule
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        body = {"detail": self.detail}
        if self.rule:
            body["rule"] = self.rule
        if self.field:
            body["field"] = self.field
        return body


class Conflict(DomainError):
    """The request collides with existing data (409), e.g. a duplicate name."""

    status = 409


class FieldErrors(DomainError):
    """Several field errors at once (400): {"detail", "errors": [{"field", "message"}]}."""

    def __init__(self, errors: list, *, detail: str = ""):
        first = errors[0]
        super().__init__(detail or first.message, rule=getattr(first, "rule", ""), field=first.field)
        self.errors = errors

    def as_dict(self) -> dict:
        body = super().as_dict()
        body["errors"] = [{"field": e.field, "message": e.message, **({"rule": e.rule} if e.rule else {})}
                          for e in self.errors]
        return body
