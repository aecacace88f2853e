"""Tickets: a ticket per call with its transcript, the ticket store, helpdesk bridges, outbox."""
