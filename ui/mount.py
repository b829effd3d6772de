"""The chat page mounted into an ASGI app (`rag serve` serves it at `/ui/`)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from rag.assistant import Assistant
from rag.documents import MAX_FILE_BYTES
from rag.settings import Settings


def mount_ui(app: FastAPI, settings: Settings, bot: Assistant, auth: tuple[str, str] | None) -> None:
    """The page at `/ui/` (with its own login when `auth` is given) and `/` redirecting there."""
    import gradio as gr

    from ui.app import build_app, launch_kwargs

    demo = build_app(settings, bot).queue(default_concurrency_limit=8)  # not loopback: writes need a secret
    gr.mount_gradio_app(app, demo, path="/ui", auth=auth, max_file_size=MAX_FILE_BYTES, show_error=False,
                        **launch_kwargs())

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/ui/")
