"""schemathesis over the store API's own OpenAPI schema, against a real server (uvicorn on a
loopback port, a temporary SQLite database with the demo store): every operation, with valid
and with invalid data, once as staff (an admin key) and once as a shopper (a bearer token).
Any server error, undocumented status code or response that does not match its schema fails.

Bounded: a few cases per operation and mode (a few hundred in all, seconds of wall time); set
VOXCART_FUZZ_EXAMPLES=N to multiply them for a deeper run. The cases are the same on every run
(derandomized), so a red CI names a real regression, not a new random draw; set
VOXCART_FUZZ_RANDOM=1 to explore new cases.

Nothing is excluded. The assistant's routes are not part of this app (the CLI adds them when a
trained model is loaded): `/webhooks/rest/webhook` is covered by tests/api/test_bad_requests.py
and tests/dialogue, and `/webhook` (the action server protocol) by its own tests.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from commerce.accounts import create_staff_key
from commerce.api.app import create_app
from commerce.api.rate_limits import RateLimits
from commerce.service import Store
from tests.api.live_server import served
from tests.conftest import Shopper

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SCALE = int(os.environ.get("VOXCART_FUZZ_EXAMPLES", "1"))
RANDOM = bool(os.environ.get("VOXCART_FUZZ_RANDOM"))
EXAMPLES = {GenerationMode.POSITIVE: 4 * SCALE, GenerationMode.NEGATIVE: 2 * SCALE}
AUTH_HEADERS = {"authorization", "x-api-key"}
# The fuzz run must meet the API, not the rate limiter.
UNLIMITED = RateLimits(staff="", shopper="", anonymous="")


@dataclass
class FuzzRun:
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    unsatisfiable: list[str] = field(default_factory=list)


@pytest.fixture
def database_url(sqlite_database_url: str) -> str:
    """SQLite in a temporary folder (PostgreSQL is covered by the other API tests)."""
    return sqlite_database_url


@pytest.fixture
def base_url(store: Store) -> Iterator[str]:
    with served(create_app(store.sessions, rate_limits=UNLIMITED)) as url:
        yield url


def fuzz(base_url: str, credentials: dict[str, str]) -> FuzzRun:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    run = FuzzRun()
    with requests.Session() as http:
        http.trust_env = False  # loopback: never through a proxy from the environment
        for result in schema.get_all_operations():
            if isinstance(result, Err):  # an operation the loader cannot read is a failure
                run.failures.append(f"unreadable operation: {result.err()}")
                continue
            operation = result.ok()
            for mode, examples in EXAMPLES.items():
                _fuzz_operation(operation, mode, examples, base_url, credentials, http, run)
    return run


def _fuzz_operation(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    base_url: str,
    credentials: dict[str, str],
    http: requests.Session,
    run: FuzzRun,
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failure is reported
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        run.cases += 1
        # The role's own credentials, never generated ones: this run is authenticated.
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in AUTH_HEADERS}
        case.headers = {**headers, **credentials}
        response = case.call(base_url=base_url, session=http, timeout=30)
        case.validate_response(response, checks=CHECKS)

    label = f"{operation.label} ({mode.value})"
    try:
        call()
    except Unsatisfiable:
        # e.g. nothing to make invalid in an operation without parameters or body
        run.unsatisfiable.append(label)
    except (FailureGroup, Exception) as exc:  # failed checks, or a transport error
        run.failures.append(f"{label}: {exc}")


def report(role: str, run: FuzzRun, seconds: float) -> str:
    summary = f"{role}: {run.cases} cases in {seconds:.1f} s, {len(run.failures)} failures"
    if run.unsatisfiable:
        summary += f"; no invalid data possible for {', '.join(run.unsatisfiable)}"
    return summary


@pytest.mark.parametrize("role", ["staff", "shopper"])
def test_fuzz_the_store_api(
    role: str,
    base_url: str,
    store: Store,
    make_shopper: Callable[..., Shopper],
    capsys: pytest.CaptureFixture[str],
) -> None:
    if role == "staff":
        with store.sessions() as session:
            credentials = {"X-API-Key": create_staff_key(session, label="fuzz", role="admin")}
    else:
        credentials = make_shopper("Fuzz Shopper", "fuzz").headers
    started = time.monotonic()
    run = fuzz(base_url, credentials)
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\n{report(role, run, seconds)}")
    assert run.cases >= 100
    assert run.failures == [], "\n\n".join(run.failures)
