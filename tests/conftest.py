from __future__ import annotations

import uuid
from typing import Iterator

# pytester restores sys.modules after each of its tests, so a module first imported inside one
# is imported again later, with new classes. httpx imports httpcore on first use and maps its
# errors by class: imported there, a refused connection later escaped as httpcore's ConnectError.
import httpcore  # noqa: F401
import httpx
import pytest

# Helpers live in tests/support, which pyproject puts on the path (`pythonpath`).
import postgres_switch
from browser_support import browser, page  # noqa: F401  (browser fixtures for the UI tests)
from postgres_fixtures import postgres_admin_url, postgres_url  # noqa: F401  (one PostgreSQL server per process)
from sandbox_process import RunningSandbox, start_sandbox
from shared_tls import share_the_default_tls_context

# The plugin's own tests run pytest inside pytest.
pytest_plugins = ["pytester"]

# Hypothesis and Schemathesis (installed for the fuzzing test) register pytest plugins that load
# in every pytest a test starts, about 2 s of CPU each time; those runs check our plugin, not theirs.
INNER_PYTEST_OPTIONS = "-p no:hypothesispytest -p no:schemathesis"


def pytest_configure(config: pytest.Config) -> None:
    share_the_default_tls_context()  # a client per test would otherwise load the CA bundle each time
    postgres_switch.configure(config)  # GCLAP_TEST_DATABASE: the session sandbox on PostgreSQL


def pytest_unconfigure(config: pytest.Config) -> None:
    postgres_switch.unconfigure(config)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding a `long` test run first, longest first: under `-n 2` the workers take whole
    files in this order, so the long ones start at once and both workers finish together.

    xdist gives a worker its next file as soon as two tests or fewer are left in the ones it
    holds, so a worker on a file with one long test takes the next file too and keeps it until
    that test ends. The two Schemathesis shares (one long test each, equal in cost) must
    therefore weigh the most: each worker starts on one, rather than one worker on both."""
    weight: dict[object, float] = {}
    for item in items:
        marker = item.get_closest_marker("long")
        if marker is not None:
            weight[item.path] = weight.get(item.path, 0) + marker.kwargs.get("seconds", 10)
    items.sort(key=lambda item: -weight.get(item.path, 0))  # stable: the rest keep their order


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester, with its runs (in this process or a subprocess, and the xdist workers they
    start) leaving out the third-party plugins the project's own suite needs."""
    monkeypatch.setenv("PYTEST_ADDOPTS", INNER_PYTEST_OPTIONS)
    return pytester


@pytest.fixture(scope="session")
def sandbox(gclap_sandbox: RunningSandbox) -> RunningSandbox:
    """One real sandbox for the session (the pytest plugin's); tests isolate themselves with
    unique addresses, or take the `gclap` fixture, which resets it first."""
    return gclap_sandbox


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with sandbox.client() as client:
        yield client


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[RunningSandbox]:
    """A sandbox of the test module's own, for tests that move the clock or change settings."""
    running = start_sandbox()
    yield running
    running.stop()


@pytest.fixture
def emptied_sandbox(own_sandbox: RunningSandbox) -> RunningSandbox:
    """The module's own sandbox, emptied for this test (`POST /api/v1/sandbox/reset/`: mail,
    events, contacts, suppressions, the clock; keys and settings stay): for tests that count
    everything, at the cost of one request instead of a new sandbox."""
    with own_sandbox.client() as api:
        response = api.post("/api/v1/sandbox/reset/")
        assert response.status_code == 200, response.text
    return own_sandbox


@pytest.fixture
def unique() -> str:
    """A short unique token to keep one test's mail apart from another's."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def launch() -> Iterator:
    """Start extra sandboxes with their own flags; all are stopped after the test."""
    started: list[RunningSandbox] = []

    def _launch(*args: str, **kw) -> RunningSandbox:
        running = start_sandbox(*args, **kw)
        started.append(running)
        return running

    yield _launch
    for running in started:
        running.stop()


@pytest.fixture
def smtp_sink() -> Iterator:
    """A second real SMTP server (an aiosmtpd sink) that relayed mail arrives at."""
    from smtp_sink import SmtpSink

    sink = SmtpSink()
    yield sink
    sink.close()
