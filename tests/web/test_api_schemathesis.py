"""schemathesis against the app's OpenAPI document: no operation answers with a server error.

Every operation of /openapi.json is called in process (ASGI) with generated parameters,
anonymously and with a signed-in analyst's cookies; the only check is
``not_a_server_error`` (no 5xx), since what each role may see is the access tests' job.
Examples per operation are bounded (TOTALPLACE_FUZZ_EXAMPLES, default 10) so both runs
together stay under a minute on the example place.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from tests.web.browser import session_cookies

EXAMPLES = int(os.environ.get("TOTALPLACE_FUZZ_EXAMPLES", "10"))
ANALYST = "analyst@hyndburn.example.org"


@pytest.fixture(scope="session")
def api_schema(web_app: Any) -> Any:
    """Return the app's OpenAPI document loaded by schemathesis, bound to the app (ASGI)."""
    return schemathesis.openapi.from_asgi("/openapi.json", web_app)


@pytest.fixture(scope="session")
def analyst_cookies(web_app: Any) -> dict[str, str]:
    """Return the cookies of the Hyndburn analyst, signed in."""
    return session_cookies(web_app, ANALYST)


_bounded = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _fuzz(api_schema: Any, cookies: dict[str, str] | None) -> list[str]:
    """Call every operation with valid and invalid generated requests; return the failures."""
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @given(case=strategy)
        @_bounded
        def call(case: Any) -> None:
            case.call_and_validate(cookies=cookies, checks=[not_a_server_error])

        try:
            call()
        # schemathesis raises its check failures as a BaseExceptionGroup; every operation's
        # failure is kept, not just the first.
        except (Exception, FailureGroup) as error:
            failures.append(f"{operation.label}: {error}")
    return failures


def test_api_operations_exist(api_schema: Any) -> None:
    """The document lists the JSON API (a guard against fuzzing nothing)."""
    labels = [result.ok().label for result in api_schema.get_all_operations()]
    assert any(" /api/v1/" in label for label in labels), labels


def test_no_server_error_anonymous(api_schema: Any) -> None:
    failures = _fuzz(api_schema, None)
    assert not failures, "\n\n".join(failures)


def test_no_server_error_signed_in(api_schema: Any, analyst_cookies: dict[str, str]) -> None:
    failures = _fuzz(api_schema, analyst_cookies)
    assert not failures, "\n\n".join(failures)


def test_fuzzing_finds_a_server_error() -> None:
    """The harness itself: an operation that fails on some inputs is reported."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    broken = FastAPI()

    @broken.get("/api/v1/share")
    def share(parts: int):  # no return annotation: FastAPI would resolve it here
        if parts > 3:
            return JSONResponse({"detail": "boom"}, status_code=500)
        return JSONResponse({"parts": parts})

    failures = _fuzz(schemathesis.openapi.from_asgi("/openapi.json", broken), None)
    assert len(failures) == 1 and failures[0].startswith("GET /api/v1/share"), failures
