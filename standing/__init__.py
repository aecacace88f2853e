"""Where a caller stands: their open tickets told on the phone before the menu, one key away
from the ticket's line and agent."""
