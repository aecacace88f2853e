"""Recordings: webhooks, download, pydub processing, storage, transcription (a later issue)."""
