"""Live ingestion: verify a vendor's webhook, then translate it into canonical events.

Verification always runs on the raw body before any parsing, so a forged or replayed request
costs one HMAC and never reaches the JSON parser. Translation reuses the importers' rules, so a
change seen live and the same change imported later from an export mean the same thing, with
the same event ids: Jira's changelog id is in both, and Zendesk ids name the fact (ticket, second
of the update, values set; see `zendesk.FactIds`), so importing the export later adds nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from escalon.adapters.importers.common import (
    RowCounter,
    RowError,
    TimeReader,
    collect,
)
from escalon.adapters.importers.jsm import JsmImport, jira_text
from escalon.adapters.importers.mapping import ImportMapping
from escalon.adapters.importers.reader import JsonRecord
from escalon.adapters.importers.timeline import Change, TicketTimeline
from escalon.adapters.importers.zendesk import (
    FACT,
    MERGE_TAG,
    FactIds,
    comment_author,
    customer_of,
    fact_second,
    priority_of,
    segment_of,
    tags_of,
    text_of,
)
from escalon.domain.events import Event, TicketStatus

SIGNATURE_TOLERANCE = timedelta(minutes=5)


class WebhookRejected(ValueError):
    """The request is not authentic, is stale, or cannot be translated; the message says why."""


def verify_token(presented: str | None, expected: str) -> None:
    """The integration token, compared in constant time."""
    if not presented or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise WebhookRejected("missing or wrong integration token")


def zendesk_signature(body: bytes, timestamp: str, secret: str) -> str:
    """Base64 HMAC-SHA256 of timestamp + body, as Zendesk signs its webhooks."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_zendesk(
    body: bytes,
    *,
    signature: str | None,
    timestamp: str | None,
    secret: str,
    now: datetime,
    tolerance: timedelta = SIGNATURE_TOLERANCE,
) -> None:
    """Check `X-Zendesk-Webhook-Signature` and refuse timestamps outside `tolerance` of `now`."""
    if not signature or not timestamp:
        raise WebhookRejected("missing X-Zendesk-Webhook-Signature or its timestamp")
    expected = zendesk_signature(body, timestamp, secret)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise WebhookRejected("signature does not match the body")
    try:
        sent = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise WebhookRejected(f"bad signature timestamp {timestamp!r}") from None
    if sent.tzinfo is None or abs(now - sent) > tolerance:
        raise WebhookRejected("signature timestamp is too old or in the future (replayed?)")


def verify_hub_signature(body: bytes, *, signature: str | None, secret: str) -> None:
    """Jira webhooks with a secret send `X-Hub-Signature: sha256=<hex HMAC of the body>`."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected.encode(), signature.encode()):
        raise WebhookRejected("X-Hub-Signature does not match the body")


def parse_body(body: bytes) -> Any:
    """The JSON body, only ever called after verification."""
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise WebhookRejected(f"body is not JSON: {err}") from None


def zendesk_events(payload: Any, mapping: ImportMapping) -> list[Event]:
    """A Zendesk ticket event webhook (`zen:event-type:ticket.*`) as canonical events.

    The payload carries the ticket as the update left it (`detail`) and the change
    (`event.previous`/`current`), which is enough to tell a reopening or a move up the tiers
    without any stored state. Events are dated to the second the ticket was saved (`detail`'s
    `updated_at`, else the event's `time`), as its audit is, and get the ids an export of the
    same audit gives (`zendesk.FactIds`).
    """
    if not isinstance(payload, dict):
        raise WebhookRejected("payload must be a JSON object")
    kind = str(payload.get("type", "")).removeprefix("zen:event-type:")
    detail = payload.get("detail") or {}
    change = payload.get("event") or {}
    ticket = text_of(detail.get("id")) or str(payload.get("subject", "")).rpartition(":")[2]
    if not ticket or not payload.get("id"):
        raise WebhookRejected("ticket event without id or ticket")
    times = TimeReader("iso", mapping.zone)
    try:
        at = _second(times, detail.get("updated_at") or payload.get("time"))
        if kind == "ticket.created":
            at = _second(times, detail.get("created_at") or at.isoformat())
        return _zendesk_change(kind, ticket, at, detail, change, mapping)
    except RowError as err:
        raise WebhookRejected(str(err)) from None


def _second(times: TimeReader, text: Any) -> datetime:
    """Webhook times carry nanoseconds, audits whole seconds: count the second, in UTC."""
    return times.parse(str(text or "")).astimezone(UTC).replace(microsecond=0)


def _zendesk_change(
    kind: str,
    ticket: str,
    at: datetime,
    detail: dict[str, Any],
    change: dict[str, Any],
    mapping: ImportMapping,
) -> list[Event]:
    timeline = TicketTimeline(mapping, FactIds(ticket))
    builder = timeline.builder
    status = _status(mapping, text_of(detail.get("status")) or "open")
    group, agent = text_of(detail.get("group_id")), text_of(detail.get("assignee_id"))
    tags = tags_of(detail.get("tags"))
    _seed(timeline, status, group, agent, tags)
    if kind == "ticket.created":
        return timeline.created(
            at,
            FACT,
            status=status,
            customer=customer_of(mapping, detail),
            segment=segment_of(mapping, detail, {}),
            group=group,
            agent=agent,
            priority=priority_of(mapping, detail.get("priority")),
            subject=text_of(detail.get("subject")),
            channel=text_of((detail.get("via") or {}).get("channel")),
            tags=tags,
        )
    previous, current = _side(change, "previous"), _side(change, "current")
    if kind == "ticket.status_changed":
        timeline.status = _status(mapping, previous or "open")
        new = _status(mapping, current or "")
        merged = new == "closed" and MERGE_TAG in tags
        closed_as = "merged" if merged else None
        return timeline.apply(at, FACT, Change(status=new, closed_as=closed_as))
    if kind == "ticket.group_assignment_changed":
        _seed(timeline, status, previous, agent, tags)
        return timeline.apply(at, FACT, Change(assignment=(current, agent)))
    if kind == "ticket.agent_assignment_changed":
        _seed(timeline, status, group, previous, tags)
        return timeline.apply(at, FACT, Change(assignment=(group, current)))
    if kind == "ticket.priority_changed":
        timeline.priority = priority_of(mapping, previous)
        return timeline.apply(at, FACT, Change(priority=priority_of(mapping, current)))
    if kind == "ticket.tags_changed":
        added = tags_of(change.get("tags_added"))
        timeline.tags = tags - added
        return timeline.apply(at, FACT, Change(tags=tags | added))
    if kind == "ticket.comment_added":
        comment = change.get("comment") or {}
        author = text_of((comment.get("author") or {}).get("id"))
        data = {
            "public": bool(comment.get("is_public", True)),
            "author": comment_author(author, text_of(detail.get("requester_id"))),
            "author_id": author,
        }
        ident = text_of(comment.get("id"))
        key = f"comment:{ident}" if ident else f"{fact_second(at)}:comment:{author}"
        return [builder.build("ticket.commented", at, key, data)]
    return []


def _side(change: dict[str, Any], side: str) -> str | None:
    value = change.get(side)
    if isinstance(value, dict):
        value = value.get("id", value.get("status", value.get("name")))
    return text_of(value)


def _seed(
    timeline: TicketTimeline,
    status: TicketStatus,
    group: str | None,
    agent: str | None,
    tags: frozenset[str],
) -> None:
    timeline.status, timeline.group, timeline.agent, timeline.tags = status, group, agent, tags
    timeline.tier = timeline.mapping.tiers.tier_of(group)


def _status(mapping: ImportMapping, label: str) -> TicketStatus:
    status = mapping.status_of(label)
    if status is None:
        raise WebhookRejected(f"unknown status {label!r} (add it to `statuses`)")
    return status


def jira_events(payload: Any, mapping: ImportMapping) -> list[Event]:
    """A Jira webhook (`jira:issue_created`, `jira:issue_updated`) as canonical events.

    An update is its changelog entry replayed on the issue as it was just before; the ids are
    those an export import gives the same history entry. Deletions and other events are ignored.
    """
    if not isinstance(payload, dict):
        raise WebhookRejected("payload must be a JSON object")
    kind = payload.get("webhookEvent")
    issue = payload.get("issue")
    if kind not in ("jira:issue_created", "jira:issue_updated"):
        return []
    if not isinstance(issue, dict) or jira_text(issue.get("key")) is None:
        raise WebhookRejected("issue webhook without issue key")
    histories = []
    changelog = payload.get("changelog")
    if kind == "jira:issue_updated" and isinstance(changelog, dict):
        stamp = payload.get("timestamp")
        if not isinstance(stamp, int):
            raise WebhookRejected("issue update without timestamp")
        created = datetime.fromtimestamp(stamp / 1000, tz=mapping.zone).isoformat()
        items = changelog.get("items", [])
        histories.append({"id": changelog.get("id"), "created": created, "items": items})
    exported = {**issue, "changelog": {"total": len(histories), "histories": histories}}
    events, rejections = collect(JsmImport(mapping, RowCounter()).run([JsonRecord(1, exported)]))
    if rejections:
        raise WebhookRejected(rejections[0].reason)
    if kind == "jira:issue_updated":
        return [e for e in events if e.type != "ticket.created"]
    return events
