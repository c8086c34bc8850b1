"""The central server: FastAPI over SQLAlchemy, PostgreSQL in production and SQLite embedded.
Qt-free; imports the domain and the shared op kinds only (never the counter's local store)."""
