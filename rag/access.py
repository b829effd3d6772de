"""Who may change the article collection: one rule for every surface (HTTP API, chat page).

A change (upload, removal) needs a secret whenever one is configured, `RAG_API_TOKEN` or
`RAG_ADMIN_PASSWORD`, whichever surface it comes through: the page's hidden Gradio events and the
REST API cannot be used to get around each other. With no secret configured, changes are allowed
only on a page that listens on loopback alone (`rag ui`, a single person's own machine); anything
reachable from elsewhere refuses them.
"""

from __future__ import annotations

import hmac

from rag.errors import RagError
from rag.settings import Settings


class AccessError(RagError, PermissionError):
    """A refused change to the collection; the message says what would allow it."""


class WritesDisabled(AccessError):
    """No secret is configured and the surface is not a loopback-only page."""


class WrongSecret(AccessError):
    """A secret is configured and the request did not carry it."""


def write_secrets(settings: Settings) -> list[str]:
    return [s.get_secret_value() for s in (settings.api_token, settings.admin_password) if s is not None]


def check_write(settings: Settings, secret: str | None, *, loopback_page: bool = False) -> None:
    """Allow a change, or raise `WritesDisabled` / `WrongSecret` with what to do."""
    accepted = write_secrets(settings)
    if not accepted:
        if loopback_page:
            return
        raise WritesDisabled("changing the articles is disabled: start the server with RAG_API_TOKEN "
                             "(or RAG_ADMIN_PASSWORD) set")
    given = (secret or "").encode()
    if not any(hmac.compare_digest(given, s.encode()) for s in accepted):
        raise WrongSecret("wrong password: changing the articles needs RAG_API_TOKEN or RAG_ADMIN_PASSWORD")
