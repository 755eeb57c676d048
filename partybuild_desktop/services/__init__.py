"""One module per job. Functions take a SQLAlchemy Session and return plain data; no Qt here."""
