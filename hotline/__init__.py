"""Composition root: the Flask app factory, the `hotline` CLI, server and worker entry points."""
