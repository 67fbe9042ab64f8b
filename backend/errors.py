"""One error family for the whole platform; handlers render it as HTML or JSON."""


class AppError(Exception):
    """An error meant for the user, with an HTTP status."""

    status = 400

    def __init__(self, message: str, status: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class NotFound(AppError):
    status = 404


class Forbidden(AppError):
    status = 403


class Conflict(AppError):
    status = 409


class InvalidInput(AppError):
    status = 422


class InvalidTransition(Conflict):
    """A status change that the lifecycle does not allow."""
