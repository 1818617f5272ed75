"""The HTTP API (`escalon serve`): thin FastAPI routes over the service layer."""
