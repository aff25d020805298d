"""Identity: accounts, credentials, sessions and roles.

Errors (``domain/errors.py``): IdentityError
├── InvalidCredentials (NotAuthenticated)
├── SessionEnded (NotAuthenticated)
├── AccountDisabled (NotAuthenticated)
├── UserNotFound (NotFound)
├── EmailTaken (Conflict)
├── LastAdmin (Conflict)
├── WrongPassword (NotAllowed)
├── WeakPassword (InvalidInput)
├── InvalidToken (InvalidInput)
└── InvalidProfile (InvalidInput)
"""

from __future__ import annotations
