"""Storage: SQLAlchemy tables, repositories, unit of work, engine factory, the event log."""
