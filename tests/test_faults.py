"""Fault injection (issue 16): the demo under load while its own Redis or PostgreSQL stops or stalls.

Each scenario serves the demo project with gunicorn (2 sync workers) on a
fresh database and Redis of its own (never the machine's shared servers),
sends a steady mix of signed-in and signed-out requests, stops or pauses a
server for a few seconds, restarts it, and checks what every answer said
(tests/faults/scenarios.py, ``Result.violations``). ``make faults`` runs the
whole matrix, with 10 s outages and Django's own engines as a baseline.

Without redis-server or PostgreSQL's initdb the tests skip, saying so; with
USEAUTH_REQUIRE_FAULTS=1 (CI) they fail instead.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults import servers
from tests.faults.__main__ import main
from tests.faults.load import Record
from tests.faults.scenarios import QUICK
from tests.faults.scenarios import STORES
from tests.faults.scenarios import Lab
from tests.faults.scenarios import Scenario
from tests.faults.scenarios import example
from tests.faults.scenarios import table

#: Our engines and the faults that test each rule; `make faults` runs them all.
SHORT = [
    Scenario(STORES["cache"], "redis stop (appendonly)"),
    Scenario(STORES["cache"], "redis stop"),
    Scenario(STORES["cache"], "redis pause"),
    Scenario(STORES["cache (django-redis)"], "redis pause"),
    Scenario(STORES["cached_db"], "redis stop"),
    Scenario(STORES["cached_db"], "postgres stop"),
    Scenario(STORES["db"], "postgres stop"),
    Scenario(STORES["db"], "redis stop", session_cache="default"),
]


def require_servers() -> None:
    """Skip (fail with USEAUTH_REQUIRE_FAULTS=1) when a server program is missing."""
    missing = servers.missing_binaries()
    reason = f"the fault tests need {', '.join(missing)}: apt-get install redis-server postgresql"
    if missing and os.environ.get("USEAUTH_REQUIRE_FAULTS") == "1":
        pytest.fail(reason)
    if missing:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    require_servers()
    lab = Lab(tmp_path_factory.mktemp("faults"))
    try:
        lab.setup()
        yield lab
    finally:
        lab.close()


class TestFaults:
    @pytest.mark.parametrize("scenario", SHORT, ids=[s.label for s in SHORT])
    def test_rules(self, lab: Lab, scenario: Scenario) -> None:
        result = lab.run(scenario, QUICK)
        print(table([result]))
        examples = json.dumps(result.examples, indent=1, default=str)
        assert result.violations() == [], (
            f"{scenario.label}: {result.violations()}\n{examples}"
        )
        if result.loses_sessions:
            print(
                f"{scenario.label}: {result.sessions_lost} of {result.users} sessions lost (Redis restarted empty)"
            )


class TestCommand:
    def test_baseline_table_and_json(
        self, lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        # One scenario through `python -m tests.faults`: a baseline (Django's
        # engine), measured and never judged.
        out = tmp_path / "faults.json"
        results = main(
            [
                "--quick",
                "--only",
                "django db",
                "--fault",
                "redis pause",
                "--out",
                str(out),
            ]
        )
        assert [r.scenario for r in results] == ["django db / redis pause"]
        assert results[0].violations() == []
        assert "| django db | redis pause |" in capsys.readouterr().out
        assert json.loads(out.read_text())[0]["ours"] is False

    def test_help(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setattr(sys, "argv", ["tests.faults", "--help"])
        # Imported above: runpy runs it afresh, as `python -m` does.
        monkeypatch.delitem(sys.modules, "tests.faults.__main__")
        with pytest.raises(SystemExit):
            runpy.run_module("tests.faults", run_name="__main__")
        assert "--quick" in capsys.readouterr().out


class TestMissingServers:
    def test_skip(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(servers, "missing_binaries", lambda: ["initdb"])
        monkeypatch.delenv("USEAUTH_REQUIRE_FAULTS", raising=False)
        with pytest.raises(pytest.skip.Exception, match="need initdb"):
            require_servers()

    def test_required(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(servers, "missing_binaries", lambda: ["redis-server"])
        monkeypatch.setenv("USEAUTH_REQUIRE_FAULTS", "1")
        with pytest.raises(pytest.fail.Exception, match="need redis-server"):
            require_servers()


def test_an_example_keeps_the_start_of_the_body() -> None:
    record = Record("sign-in", 1.0, 0.5, 500, "x" * 300, [], None)
    shown = example(record)
    assert shown["body"] == "x" * 200
    assert shown["status"] == 500
