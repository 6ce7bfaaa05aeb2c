from django.core.exceptions import ValidationError


class ApplicationError(ValidationError):
    """A rule of the portal refused an action. Carries a message (or field errors) meant for
    the user; views, admin and API show it as a form error / 400, never a 500."""
