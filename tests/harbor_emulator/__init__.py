"""A Harbor v2.15 control-plane emulator for the collection's tests and offline demo.

It re-implements, in Python, the behaviour of Harbor's REST API that the collection relies on (see
../shared/harbor-api/NOTES.md); its files mirror Harbor's own layout (``handler/<name>.py`` beside
``src/server/v2.0/handler/<name>.go``). No Harbor code is copied.
"""
from .app import Emulator, create_app

__all__ = ["Emulator", "create_app"]
