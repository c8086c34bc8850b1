"""The counter's local SQLite cache: models, opening and migrating a data directory, the outbox."""
