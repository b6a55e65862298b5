"""Domain errors of the registry. Each carries a message for the person who caused it."""

from django.core.exceptions import ValidationError


class OutsideJurisdiction(ValidationError):
    """The point lies outside this department's boundary (maybe inside another's)."""

    def __init__(self, message: str, *, other_name: str | None = None, other_url: str | None = None) -> None:
        super().__init__({"location": [message]})
        self.other_name = other_name
        self.other_url = other_url
