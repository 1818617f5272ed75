"""SLA clocks: acknowledgement, assessment, resolution, update cadence and management targets."""

from escalon.domain.sla.clock import (
    BREACH,
    DEFAULT_WARNINGS,
    ClockAlert,
    ClockKind,
    ClockState,
    ClockStatus,
    Pause,
    SlaClock,
    warning_label,
)
from escalon.domain.sla.operations import ORDER, ClockOperation, apply_operations

__all__ = [
    "BREACH",
    "DEFAULT_WARNINGS",
    "ORDER",
    "ClockAlert",
    "ClockKind",
    "ClockOperation",
    "ClockState",
    "ClockStatus",
    "Pause",
    "SlaClock",
    "apply_operations",
    "warning_label",
]
