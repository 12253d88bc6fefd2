"""Every Kinlink service in one process, with no servers: SQLite stores, a bus kept in SQLite, a
simulated card processor and demo facilities. What `make run` starts."""
