"""Schemathesis fuzzes every operation of `rag serve`'s OpenAPI spec: no input may cause a 5xx.

The server runs for real on 127.0.0.1 (uvicorn) over a private copy of the bundled index, with the
stub LLM, a configured token (so writes get past auth and their bodies are fuzzed too) and the
JSON error shape checked on every 4xx.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from rag.assistant import Assistant
from rag.serve.app import create_app
from rag.settings import Settings
from tests.fixtures.openai_stub import OpenAIStub, StubBehaviour, extractive_reply
from tests.fixtures.served import TOKEN, Served, serving, stub_settings
from tests.fixtures.settings import BUNDLED


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, bundled_index: Path, e5: Any, use: Any) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(bundled_index, tmp / "index")
    shutil.copytree(BUNDLED, tmp / "articles")
    with OpenAIStub(StubBehaviour(reply=extractive_reply)) as stub:
        settings_ = stub_settings(tmp, tmp / "index", stub, articles_dir=tmp / "articles", api_token=TOKEN)
        bot = Assistant(settings_, embedder=e5)
        bot._aux_embedder = use
        with serving(settings_, bot, stub) as served:
            yield served


# The spec, from the app itself (no models load): one test per operation, so a new endpoint is fuzzed
# without anyone remembering to add it here.
SPEC = create_app(Settings(index_dir=Path("unused"), articles_dir=BUNDLED), ui=False).openapi()
OPERATIONS = sorted(f"{method.upper()} {path}" for path, item in SPEC["paths"].items() for method in item)


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_input_causes_a_server_error(live: Served, label: str) -> None:
    operation = schemathesis.openapi.from_dict(SPEC).find_operation_by_label(label)
    assert operation is not None

    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case: Any) -> None:
        response = case.call_and_validate(base_url=live.url, headers={"Authorization": f"Bearer {TOKEN}"},
                                          checks=[not_a_server_error])
        content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])
        if 400 <= response.status_code < 500 and content_type[0].startswith("application/json"):
            body = response.json()
            assert set(body) == {"error"} and {"message", "type", "code"} <= set(body["error"]), body

    fuzz()
