"""SQL storage for the escalon service: tables, engine set-up, repositories and the unit of work."""
