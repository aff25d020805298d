"""The identity module's use cases, one handler per message, grouped by what they touch:
``accounts`` (sign-up, profile, email verification), ``sessions`` (sign-in, refresh,
sign-out), ``passwords`` (change, reset), ``admin`` (user management, the console's admin)
and ``queries``.

Most commands are one transaction that the mediator opens and commits around the handler
(registered with ``unit_of_work`` in ``module.py``). Those that hash or verify a password open
their own, after the argon2 work or on either side of it, so that no pooled connection and
no row lock waits tens of milliseconds on it; a refresh that meets a reused token opens its
own to commit the session's end before it refuses. Each says so in its docstring.
"""
