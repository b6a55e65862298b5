from core.errors import Invalid


class OnboardingError(Invalid):
    """A department could not be onboarded; the message says what was wrong (to the operator
    running create_department)."""

    def __init__(self, message: str, *, code: str = "department_invalid", field: str | None = None) -> None:
        super().__init__(message, code=code, field=field)
