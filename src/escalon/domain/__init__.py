"""The pure domain core: policy, calendars, SLA clocks, events, the engine.

Nothing here reads the wall clock or does I/O; time and data come in as arguments.
"""
