"""The identity module's errors; the hierarchy is listed in the module's docstring."""

from __future__ import annotations

from orion.shared_kernel.domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
)


class IdentityError(DomainError):
    code = "identity-error"


class InvalidCredentials(IdentityError, NotAuthenticated):
    """Unknown email and wrong password alike: telling them apart would enumerate users."""

    code = "invalid-credentials"
    title = "Invalid email or password"


class SessionEnded(IdentityError, NotAuthenticated):
    code = "session-ended"
    title = "The session has ended; sign in again"


class AccountDisabled(IdentityError, NotAuthenticated):
    code = "account-disabled"
    title = "The account is disabled"


class UserNotFound(IdentityError, NotFound):
    code = "user-not-found"
    title = "User not found"


class EmailTaken(IdentityError, Conflict):
    code = "email-taken"
    title = "An account with this email exists"


class WeakPassword(IdentityError, InvalidInput):
    code = "weak-password"
    title = "The password is too weak"


class InvalidToken(IdentityError, InvalidInput):
    code = "invalid-token"
    title = "The token is invalid, used or expired"


class InvalidProfile(IdentityError, InvalidInput):
    code = "invalid-profile"
    title = "Invalid profile"


class WrongPassword(IdentityError, NotAllowed):
    code = "wrong-password"
    title = "The current password is not right"


class LastAdmin(IdentityError, Conflict):
    """A shop with no active admin could be managed by nobody, short of the console."""

    code = "last-admin"
    title = "The only active admin cannot be demoted or disabled"
