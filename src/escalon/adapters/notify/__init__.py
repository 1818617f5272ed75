"""Notification channels: Slack, Microsoft Teams, PagerDuty, e-mail and signed webhooks.

Each channel is a `Sender` that turns one outbox message into one request and reduces the answer
to a `SendResult`; the dispatcher owns retries, rate limits and the delivery log.
"""
