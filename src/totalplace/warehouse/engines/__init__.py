"""One module per warehouse engine: DuckDB (the default), PostgreSQL and Spark."""
