"""The ordering module's use cases, one handler per message: ``carts.py`` (a guest's or a
customer's cart), ``checkout.py`` (the cart becomes an order, once per Idempotency-Key) and
``orders.py`` (an order's moves, its reads, and the clean-up).

Other modules are asked through the mediator outside any transaction, never inside one: a
transaction that waits for a second pooled connection can starve the pool. The handlers that
need no other module are transactional: the mediator opens their unit of work and commits it.
"""
