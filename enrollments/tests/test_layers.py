"""The import-linter contracts of pyproject.toml cover every module: a new module lands in a layer, or the test says so.

import-linter checks only the modules a contract names; a module in no layer may import anything, so
the layering would say nothing about it. This test walks the packages and names any module that no
layer (nor the plumbing contract) covers, reading the contracts from pyproject.toml as `make lint` does.
"""

import ast
import importlib.util
import pkgutil
import re
import tomllib
from pathlib import Path

import backoffice
import enrollments

ROOT = Path(__file__).resolve().parents[2]

# Modules no layer needs to hold, each for a reason: Django's glue, which imports to wire the app, not to serve.
ALLOWED = {
    # AppConfigs: Django imports them to register the apps; EnrollmentsConfig.ready configures DynamoDB and the
    # path converters (it imports dynamo.connection and converters, both of which are in layers).
    "enrollments.apps": "the app's AppConfig",
    "enrollments.imports.apps": "the imports app's AppConfig",
    "enrollments.bulk_cancel.apps": "the bulk cancel app's AppConfig",
    "enrollments.reports.apps": "the reports app's AppConfig",
    "enrollments.exports.apps": "the exports app's AppConfig",
    "enrollments.renewals.apps": "the renewals app's AppConfig",
    "enrollments.jobs.apps": "the jobs app's AppConfig (Celery finds its tasks through it)",
    "enrollments.webhooks.apps": "the webhooks app's AppConfig (registers the listener of enrollments' changes)",
    "enrollments.outbox.apps": "the development outbox's AppConfig (Django finds its admin module through it)",
    "enrollments.digests.apps": "the compliance digest app's AppConfig (Celery finds its tasks, Django its admin)",
    "enrollments.client_api.apps": "the clients' API app's AppConfig (Django finds its admin module through it)",
    "backoffice.apps": "makes BackofficeAdminSite the admin site",
    # Django wants a models module per app; this one only holds the permissions (no table, no imports of the app).
    "enrollments.models": "the permission holder",
}
# Not walked: tests import anything to check it, and migrations are Django's history of the SQL tables.
SKIPPED = (".tests", ".migrations")


def _contracts() -> list[dict]:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["tool"]["importlinter"]["contracts"]


def covered_names(contracts: list[dict]) -> set[str]:
    """Return the modules the layers name, and the sources of the plumbing contract (forbidden to import the app)."""
    names: set[str] = set()
    for contract in contracts:
        if contract["type"] == "layers":
            for layer in contract["layers"]:
                names.update(name.strip() for name in re.split(r"[:|]", layer))
        elif contract["id"] == "plumbing":
            names.update(contract["source_modules"])
    return names


def _is_namespace_only(module: str) -> bool:
    """Return whether a package's ``__init__`` holds no code (at most a docstring): its submodules are what count."""
    source = Path(importlib.util.find_spec(module).origin).read_text()
    body = ast.parse(source).body
    return all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body)


def uncovered(packages, covered: set[str]) -> list[str]:
    """Return the modules of ``packages`` that no name in ``covered`` (itself or a parent package) covers."""
    missing = []
    for package in packages:
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            name = info.name
            if any(part in name for part in SKIPPED) or name in ALLOWED:
                continue
            parts = name.split(".")
            if any(".".join(parts[:end]) in covered for end in range(1, len(parts) + 1)):
                continue
            if info.ispkg and _is_namespace_only(name):
                continue
            missing.append(name)
    return missing


def test_layers__every_module_of_the_app__is_in_a_layer_or_allowed_for_a_reason():
    missing = uncovered([enrollments, backoffice], covered_names(_contracts()))

    assert not missing, f"in no layer of pyproject.toml's import-linter contracts: {', '.join(missing)}"


def test_layers__a_module_left_out__is_named():
    contracts = [
        {"id": "layers", "type": "layers", "layers": ["enrollments.views : enrollments.api", "enrollments.rules"]},
    ]

    missing = uncovered([enrollments], covered_names(contracts))

    assert "enrollments.clock" in missing and "enrollments.selectors.catalog" in missing
    assert "enrollments.views.companies" not in missing and "enrollments.apps" not in missing


def test_layers__allowlist__names_only_modules_that_exist():
    # An allowed module that was renamed or removed would hide nothing, and mislead: keep the list true.
    assert all(importlib.util.find_spec(name) is not None for name in ALLOWED)
