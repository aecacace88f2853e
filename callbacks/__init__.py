"""Scheduled callbacks: offers, scheduling in the caller's time zone, the dialer, pacing.

Today only the offer URL the IVR hands callers to exists (webhooks.py); the callbacks issue
builds the rest.
"""
