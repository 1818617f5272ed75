"""Business-hours calendars: working windows, holidays, time zones, follow-the-sun coverage."""
