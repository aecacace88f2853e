"""Text messages to and from callers: confirmations and notes sent through Twilio's Messages
API, and the replies they take (CANCEL, LATER, STATUS, STOP, START)."""
