"""escalon: an escalation management engine for customer-support operations."""

__version__ = "0.1.0"
