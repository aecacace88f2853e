"""Service figures (KPIs, SLA) read from the ticket store: definitions in docs/KPIS.md."""
