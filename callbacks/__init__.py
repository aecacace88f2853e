"""Scheduled callbacks: the offer, records and their state machine, slots in the caller's time
zone, the dialer (RQ jobs), pacing, the exactly-once guard and sweeper, the API and KPIs.

See docs/ARCHITECTURE.md ("Callbacks") for how the modules fit together.
"""
