"""Domain errors of the registry. Each carries a message for the person who caused it."""

from django.core.exceptions import ValidationError


class OutsideJurisdiction(ValidationError):
    """The point lies outside this department's boundary (maybe inside another's)."""

    def __init__(self, message: str, *, other_name: str | None = None, other_url: str | None = None) -> None:
        super().__init__({"location": [message]})
        self.other_name = other_name
        self.other_url = other_url

    @property
    def extra_detail(self) -> dict[str, object]:
        """Added to the API's 400 by accounts.api_base.exception_handler."""
        if not self.other_name:
            return {}
        return {"other_department": {"name": self.other_name, "url": self.other_url}}
