from __future__ import annotations

from dataclasses import dataclass

from escalon.domain.handoff import choose_handoff_mode


@dataclass(frozen=True)
class Rule:
    priorities: tuple[str, ...] = ("P1", "P2")
    vip: bool = True
    sentiments: tuple[str, ...] = ("upset",)
    customer_prefers_live: bool = True


def test_p3_neutral_is_cold_with_reason() -> None:
    choice = choose_handoff_mode(Rule(), priority="P3", sentiment="neutral")
    assert choice.mode == "cold"
    assert choice.reason == "no warm-handoff condition holds (priority P3, sentiment neutral)"


def test_each_condition_alone_makes_it_warm() -> None:
    rule = Rule()
    assert choose_handoff_mode(rule, priority="P1").mode == "warm"
    assert choose_handoff_mode(rule, priority="P4", vip=True).mode == "warm"
    assert choose_handoff_mode(rule, priority="P4", sentiment="upset").mode == "warm"
    assert choose_handoff_mode(rule, priority="P4", prefers_live_transfer=True).mode == "warm"
    assert choose_handoff_mode(rule, priority="P4", requested_warm=True).mode == "warm"


def test_every_condition_that_held_is_listed() -> None:
    choice = choose_handoff_mode(Rule(), priority="P2", vip=True, sentiment="upset")
    assert choice.reasons == (
        "priority P2 is a warm-handoff priority (P1, P2)",
        "the customer is VIP",
        "customer sentiment is upset",
    )


def test_policy_switches_conditions_off() -> None:
    rule = Rule(priorities=(), vip=False, sentiments=(), customer_prefers_live=False)
    choice = choose_handoff_mode(
        rule, priority="P1", vip=True, sentiment="upset", prefers_live_transfer=True
    )
    assert choice.mode == "cold"


def test_requester_cannot_downgrade_a_required_warm_handoff() -> None:
    choice = choose_handoff_mode(Rule(), priority="P1", requested_warm=False)
    assert choice.mode == "warm"
    assert "policy requires warm" in choice.reason
