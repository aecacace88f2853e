"""The caller simulator: places calls into a running Hotline as Twilio would, plays the TwiML it
answers, and answers Hotline's callbacks; plus the simulated phone network's side door that the
service offers while it has no Twilio credentials. Tests, docs and admins all use it."""
