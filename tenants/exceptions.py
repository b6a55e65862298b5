class OnboardingError(Exception):
    """A department could not be onboarded; the message says what was wrong."""
