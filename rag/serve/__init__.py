"""`rag serve`: the chat page, an OpenAI-compatible endpoint and a REST API in one ASGI app.

`app` wires one app together (`create_app`); each concern is a module of its own: `openai_compat`
(OpenAI's chat-completion wire format and its SSE stream), `rest` (`/api/ask`, `/api/articles`),
`ops` (`/healthz`, `/metrics`, admission, body limits, the `--auth` guard), `errors` (every error
in OpenAI's JSON shape), and `state` (what one app's routes share: the assistant, the gate, metrics).
"""
