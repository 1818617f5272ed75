from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from escalon.adapters.importers.mapping import load_mapping
from escalon.adapters.importers.webhooks import (
    WebhookRejected,
    jira_events,
    parse_body,
    verify_hub_signature,
    verify_token,
    verify_zendesk,
    zendesk_events,
    zendesk_signature,
)

SECRET = "dGhpc2lzYXNlY3JldA=="
NOW = datetime(2024, 4, 17, 17, 18, 30, tzinfo=UTC)
BODY = json.dumps(
    {
        "type": "zen:event-type:ticket.status_changed",
        "account_id": 88888888,
        "id": "01HX-STATUS",
        "time": "2024-04-17T17:18:10Z",
        "zendesk_event_version": "2022-11-06",
        "subject": "zen:ticket:35436",
        "detail": {"id": "35436", "status": "OPEN", "group_id": "2001", "tags": []},
        "event": {"previous": "SOLVED", "current": "OPEN"},
    }
).encode()


def test_zendesk_signature_is_base64_hmac_of_timestamp_and_body() -> None:
    # Computed independently of the module: HMAC-SHA256(secret, timestamp || body), base64.
    stamp = "2024-04-17T17:18:10Z"
    reference = base64.b64encode(
        hmac.new(SECRET.encode(), stamp.encode() + BODY, hashlib.sha256).digest()
    ).decode()
    assert zendesk_signature(BODY, stamp, SECRET) == reference
    verify_zendesk(BODY, signature=reference, timestamp=stamp, secret=SECRET, now=NOW)


@pytest.mark.parametrize(
    ("body", "stamp", "now", "message"),
    [
        (BODY + b" ", "2024-04-17T17:18:10Z", NOW, "does not match"),
        (BODY, "2024-04-17T17:18:11Z", NOW, "does not match"),
        (BODY, "2024-04-17T17:18:10Z", NOW + timedelta(minutes=6), "too old"),
        (BODY, "2024-04-17T17:18:10Z", NOW - timedelta(minutes=6), "too old"),
    ],
)
def test_zendesk_forgeries_and_replays_are_refused(
    body: bytes, stamp: str, now: datetime, message: str
) -> None:
    signed = zendesk_signature(BODY, "2024-04-17T17:18:10Z", SECRET)
    with pytest.raises(WebhookRejected, match=message):
        verify_zendesk(body, signature=signed, timestamp=stamp, secret=SECRET, now=now)


def test_missing_headers_are_refused_before_parsing() -> None:
    garbage = b"\xff not json at all"
    with pytest.raises(WebhookRejected, match="missing"):
        verify_zendesk(garbage, signature=None, timestamp=None, secret=SECRET, now=NOW)
    with pytest.raises(WebhookRejected, match="not JSON"):
        parse_body(garbage)


def test_hub_signature_and_integration_token() -> None:
    body = b'{"webhookEvent": "jira:issue_updated"}'
    good = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    verify_hub_signature(body, signature=good, secret="s3cret")
    with pytest.raises(WebhookRejected):
        verify_hub_signature(body + b"x", signature=good, secret="s3cret")
    verify_token("tok-123", "tok-123")
    for wrong in (None, "", "tok-124"):
        with pytest.raises(WebhookRejected, match="token"):
            verify_token(wrong, "tok-123")


def test_zendesk_status_webhook_knows_a_reopening_from_the_previous_value(
    fixtures: Path,
) -> None:
    mapping = load_mapping(fixtures / "zendesk-test.yaml")
    events = zendesk_events(json.loads(BODY), mapping)
    assert [(e.type, e.id, e.ticket) for e in events] == [
        ("ticket.reopened", "zendesk:35436:20240417T171810Z:reopened", "35436")
    ]


def test_zendesk_group_webhook_up_a_tier_is_an_escalation(fixtures: Path) -> None:
    mapping = load_mapping(fixtures / "zendesk-test.yaml")
    payload = {
        "type": "zen:event-type:ticket.group_assignment_changed",
        "id": "01HX-GROUP",
        "time": "2024-04-17T17:20:00Z",
        "detail": {"id": "35436", "status": "OPEN", "group_id": "2002", "assignee_id": "501"},
        "event": {"previous": {"id": "2001"}, "current": {"id": "2002"}},
    }
    events = zendesk_events(payload, mapping)
    assert [e.type for e in events] == ["escalation.requested", "ticket.assigned"]
    assert events[0].type == "escalation.requested" and events[0].data.to == "L2"


def test_zendesk_tag_webhook_and_bad_payloads(fixtures: Path) -> None:
    mapping = load_mapping(fixtures / "zendesk-test.yaml")
    tagged = {
        "type": "zen:event-type:ticket.tags_changed",
        "id": "01HX-TAGS",
        "time": "2024-04-17T17:21:00Z",
        "detail": {"id": "7", "status": "OPEN", "tags": ["vip", "escalated"]},
        "event": {"tags_added": ["escalated"], "tags_removed": []},
    }
    assert [e.type for e in zendesk_events(tagged, mapping)] == ["escalation.requested"]
    with pytest.raises(WebhookRejected, match="bad date"):
        zendesk_events({**tagged, "time": "noon"}, mapping)
    with pytest.raises(WebhookRejected, match="without id"):
        zendesk_events({"type": "zen:event-type:ticket.created", "detail": {}}, mapping)


def test_jira_update_webhook_gives_the_same_ids_as_the_export(fixtures: Path) -> None:
    mapping = load_mapping(fixtures / "jsm-test.yaml")
    payload = {
        "timestamp": 1709546400000,  # 2024-03-04T10:00:00Z
        "webhookEvent": "jira:issue_updated",
        "issue": {
            "key": "SD-1",
            "fields": {
                "status": {"name": "In Progress"},
                "created": "2024-03-04T09:00:00.000+0000",
                "Team": {"name": "Network L2"},
                "labels": ["escalated", "login"],
            },
        },
        "changelog": {
            "id": "3",
            "items": [
                {"field": "Team", "fromString": "Service Desk", "toString": "Network L2"},
                {"field": "labels", "fromString": "login", "toString": "escalated login"},
            ],
        },
    }
    events = jira_events(payload, mapping)
    assert [e.id for e in events] == ["jsm:SD-1:3:requested", "jsm:SD-1:3:group:assigned"]
    assert jira_events({**payload, "webhookEvent": "jira:issue_deleted"}, mapping) == []
    created = jira_events({**payload, "webhookEvent": "jira:issue_created"}, mapping)
    assert [e.type for e in created] == ["ticket.created"]


def test_zendesk_webhook_capitals_map_as_the_export_lower_case_does(fixtures: Path) -> None:
    mapping = load_mapping(fixtures / "zendesk-test.yaml")
    payload = {
        "type": "zen:event-type:ticket.priority_changed",
        "id": "01HX-PRIO",
        "time": "2024-04-17T17:22:00.123456789Z",
        "detail": {"id": "7", "status": "OPEN", "priority": "HIGH"},
        "event": {"previous": "NORMAL", "current": "HIGH"},
    }
    [event] = zendesk_events(payload, mapping)
    assert event.type == "ticket.updated" and event.data.priority == "P2"
    assert event.id == "zendesk:7:20240417T172200Z:P2:updated"


def test_zendesk_merge_webhook_closes_without_solving(fixtures: Path) -> None:
    mapping = load_mapping(fixtures / "zendesk-test.yaml")
    payload = {
        "type": "zen:event-type:ticket.status_changed",
        "id": "01HX-MERGE",
        "time": "2024-04-17T17:23:00Z",
        "detail": {"id": "8", "status": "CLOSED", "tags": ["closed_by_merge"]},
        "event": {"previous": "OPEN", "current": "CLOSED"},
    }
    assert [(e.type, e.id) for e in zendesk_events(payload, mapping)] == [
        ("ticket.status_changed", "zendesk:8:20240417T172300Z:closed:merged:status_changed")
    ]


@pytest.mark.parametrize(
    ("author", "is_staff", "expected"),
    [("9001", False, "customer"), ("501", True, "agent"), ("9002", False, "agent")],
)
def test_zendesk_comment_author_follows_the_export_rule(
    fixtures: Path, author: str, is_staff: bool, expected: str
) -> None:
    # Audits do not say who is staff, so the requester's comments are the customer's and any
    # other author's (a CC'd end user too) an agent's, whichever way the comment arrives.
    mapping = load_mapping(fixtures / "zendesk-test.yaml")
    payload = {
        "type": "zen:event-type:ticket.comment_added",
        "id": "01HX-COMMENT",
        "time": "2024-04-17T17:24:00Z",
        "detail": {"id": "9", "status": "OPEN", "requester_id": "9001"},
        "event": {
            "comment": {
                "id": "555666",
                "is_public": True,
                "author": {"id": author, "is_staff": is_staff, "name": "x"},
            }
        },
    }
    [event] = zendesk_events(payload, mapping)
    assert event.id == "zendesk:9:comment:555666:commented"
    assert event.type == "ticket.commented" and event.data.author == expected
