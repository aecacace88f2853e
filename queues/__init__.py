"""Queues and agents: skill/tier/priority queues, presence, assignment, wait estimates.

Today only the hand-over point from the IVR exists (webhooks.py); the queues issue builds the rest.
"""
