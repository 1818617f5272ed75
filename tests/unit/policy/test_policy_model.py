"""The policy model and the default policy that ships with escalon."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from escalon.adapters.policy_files import (
    default_policy_path,
    load_default_policy,
    load_policy,
    parse_policy,
)
from escalon.adapters.yamlsource import SourceError
from escalon.domain.durations import parse_duration
from escalon.domain.policy import Policy, TimeCriterion

ROOT = Path(__file__).resolve().parents[3]


def test_packaged_default_is_the_repository_file() -> None:
    packaged = default_policy_path()
    assert packaged.read_text() == (ROOT / "policies" / "default.yaml").read_text()


def test_default_carries_the_seed_numbers() -> None:
    policy = load_default_policy()
    assert policy.version == "2025"
    assert [str(policy.tiers[t].acknowledgement) for t in policy.tiers_in_order()] == [
        "0m",
        "15m",
        "30m",
        "1h",
    ]
    assert str(policy.tiers["L2"].initial_assessment) == "1h"
    assert str(policy.tiers["L3"].initial_assessment) == "4h"
    l1_time = policy.paths[0].criteria[0]
    l2_time = policy.paths[1].criteria[0]
    assert isinstance(l1_time, TimeCriterion) and l1_time.threshold == parse_duration("2h")
    assert isinstance(l2_time, TimeCriterion) and l2_time.threshold == parse_duration("8h")
    roles = policy.authority.roles
    assert roles["support_manager"].credit_cap == Decimal(5000)
    assert roles["vp_support"].credit_cap == Decimal(25000)
    assert roles["c_level"].credit_cap is None
    assert policy.management.chain == ["support_manager", "vp_support", "c_level"]
    assert len(policy.management.triggers) == 6
    response = policy.management.response
    assert [
        str(response.acknowledgement),
        str(response.executive_notification.within),
        str(response.initial_customer_contact),
        str(response.resolution_plan),
        str(response.status_updates),
    ] == ["30m", "1h", "2h", "4h", "1d"]
    assert policy.prevention.top_drivers == 10


def test_calendar_choice_by_priority_then_region_then_default() -> None:
    clocks = load_default_policy().clocks
    assert clocks.for_ticket("P1", "emea") == "24x7"
    assert clocks.for_ticket("P2", "emea") == "emea"
    assert clocks.for_ticket("P2", "mars") == "amer"
    assert clocks.for_ticket("P3", None) == "amer"


def test_region_matches_without_regard_to_case() -> None:
    clocks = load_default_policy().clocks
    assert clocks.for_ticket("P2", "EMEA") == "emea"
    assert clocks.for_ticket("P3", "Apac") == "apac"
    assert clocks.for_ticket("P2", "MARS") == "amer"


def test_fingerprint_ignores_formatting_but_not_content() -> None:
    text = (ROOT / "policies" / "default.yaml").read_text()
    base = parse_policy(text)
    reformatted = parse_policy("# a comment\n" + text.replace("  L2: 55", "  L2: 55.0"))
    changed = parse_policy(text.replace("acknowledgement: 15m", "acknowledgement: 20m"))
    assert base.fingerprint == reformatted.fingerprint
    assert base.fingerprint != changed.fingerprint
    assert base.ref == f"2025@{base.fingerprint[:12]}"


def test_policy_is_frozen() -> None:
    policy = load_default_policy()
    with pytest.raises(Exception, match="frozen"):
        policy.version = "2026"  # type: ignore[misc]


def test_version_must_be_text(tmp_path: Path) -> None:
    text = (
        (ROOT / "policies" / "default.yaml").read_text().replace('version: "2025"', "version: 2025")
    )
    target = tmp_path / "p.yaml"
    target.write_text(text)
    with pytest.raises(SourceError) as caught:
        load_policy(target)
    assert [str(i) for i in caught.value.issues] == [
        f"{target}:5:10: version: Input should be a valid string"
    ]


def test_regions_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    text = (
        (ROOT / "policies" / "default.yaml")
        .read_text()
        .replace(
            "by_region: {amer: amer, emea: emea,", "by_region: {amer: amer, emea: emea, EMEA: amer,"
        )
    )
    assert "EMEA: amer" in text
    target = tmp_path / "p.yaml"
    target.write_text(text)
    with pytest.raises(SourceError) as caught:
        load_policy(target)
    (issue,) = caught.value.issues
    assert str(issue).startswith(f"{target}:")
    assert "clocks.by_region" in str(issue)
    assert "'emea' and 'EMEA' differ only in case" in str(issue)


def test_model_is_importable_from_the_domain() -> None:
    assert Policy.model_config["frozen"] is True
    assert Policy.model_config["extra"] == "forbid"
