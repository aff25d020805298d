"""Ordering: carts, checkout, the order lifecycle and the order history."""
