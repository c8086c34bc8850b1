"""The server's use cases. Each takes a SQLAlchemy ``Session`` (the caller owns the transaction) and,
where time matters, ``now`` (timezone-aware UTC); each raises ``DomainError`` subclasses with stable
codes (``counterapp.server.services.errors``)."""
