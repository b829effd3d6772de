"""The one base of every error a user can act on.

Whatever raises a `RagError` phrases its message for the person reading it (what went wrong,
what to check); each edge turns it into its own form in one place: the CLI into one line and an
exit code, the HTTP API into a status and the JSON error shape, the page into a notice. Anything
else that escapes is a bug, and is logged with its traceback.
"""

from __future__ import annotations


class RagError(Exception):
    """A failure explained in one line, shown to the user as is."""
