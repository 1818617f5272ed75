"""Importers: ServiceNow, Zendesk, Jira Service Management and event-log CSV exports to canonical
escalon events, driven by a per-organisation mapping file (see docs/importing.md)."""
