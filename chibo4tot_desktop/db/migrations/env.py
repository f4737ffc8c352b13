"""Alembic environment: runs on the connection the program hands over (never an ini file)."""

from alembic import context

from chibo4tot_desktop.db.models import Base, for_postgresql

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        url = config.get_main_option("sqlalchemy.url")
        engine = create_engine(url)
        with engine.begin() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:
    if connection.dialect.name == "postgresql":
        for_postgresql()           # the models' partial indexes as PostgreSQL reads them
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # Each step and its version bump share one transaction (the caller's).
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run_migrations_online()
