"""Notifications: the message model, routing with quiet hours, and the retry rules."""
