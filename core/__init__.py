"""Hotline's kernel: settings, Redis, call sessions and their event log, phone numbers, clock.

Imports none of the feature packages.
"""
