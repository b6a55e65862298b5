"""The bridge is a program of its own (issue 14): importing any of its modules, in a process
with no Django settings, loads neither Django nor any of the server's packages."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BRIDGE_MODULES = sorted(["bridge", *(f"bridge.{path.stem}" for path in (ROOT / "bridge").glob("*.py"))])
# Every top-level package of the project except the bridge (and the tests and benchmarks).
SERVER_PACKAGES = sorted(
    path.parent.name
    for path in ROOT.glob("*/__init__.py")
    if path.parent.name not in {"bridge", "tests", "bench", "node_modules"}
)
PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _top_level_modules_loaded_by(modules: list[str]) -> set[str]:
    # A clean environment: no DJANGO_SETTINGS_MODULE or anything else of the server's, only
    # the way to this Python and the repository on the path.
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_the_server_packages_are_found() -> None:
    assert {"config", "tenants", "accounts", "cameras", "live"} <= set(SERVER_PACKAGES)
    assert {"bridge.client", "bridge.sources", "bridge.net", "bridge.protocol", "bridge.__main__"} <= set(
        BRIDGE_MODULES
    )


@pytest.mark.parametrize("module", BRIDGE_MODULES)
def test_importing_the_bridge_loads_no_django_and_nothing_of_the_server(module: str) -> None:
    loaded = _top_level_modules_loaded_by([module])

    assert "django" not in loaded
    assert loaded.isdisjoint(SERVER_PACKAGES), sorted(loaded & set(SERVER_PACKAGES))


def test_the_probe_sees_django_when_a_module_imports_it() -> None:
    # the check above would notice: a server module loads Django and its own package
    loaded = _top_level_modules_loaded_by(["live.presence"])

    assert "django" in loaded
    assert "live" in loaded
