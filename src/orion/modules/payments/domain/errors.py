"""The payments module's errors.

PaymentsError
└── PaymentNotFound        -> 404
"""

from __future__ import annotations

from orion.shared_kernel.domain.errors import DomainError, NotFound


class PaymentsError(DomainError):
    code = "payments-error"


class PaymentNotFound(PaymentsError, NotFound):
    code = "payment-not-found"
    title = "Payment not found"
