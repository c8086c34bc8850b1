"""Use cases. Each takes a session (the caller owns the transaction) and ``now``, returns domain
values, and writes its outbox op in the same transaction as its change. No Qt, no dialogs."""
