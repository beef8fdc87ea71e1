"""`newsweave serve`: the JSON API under /api/ and server-rendered pages over one Corpus.

The app only formats what Corpus's read methods return; models load on the first request
that needs them, so the server is ready in seconds. Every response carries a strict
Content-Security-Policy: pages hold no inline script or style and load nothing remote,
so stored article text (untrusted) can never run code even where escaping were missed.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
