"""The IVR: menu trees, voice webhooks, TwiML, issue and priority."""
