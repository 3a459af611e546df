"""Fallback dependency audit, for machines where pip-audit cannot reach PyPI's per-version
advisory endpoint (/pypi/<name>/<version>/json) but the project endpoint (/pypi/<name>/json)
answers: that endpoint lists the known vulnerabilities of the project's latest release, so
every installed distribution that IS the latest release is audited exactly; the others are
named as not audited (with the latest version), never silently passed.

Exit status: 1 when an audited distribution has a known vulnerability, 0 otherwise (and 0 with
a warning when PyPI cannot be reached at all). Usage: python .ci/pypi-audit.py
"""

from __future__ import annotations

import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import distributions

INDEX = "https://pypi.org/pypi/{name}/json"
OWN = {"concerto"}  # this project, installed in editable mode (a homonym exists on PyPI)


def project(name: str) -> tuple[str, dict | None]:
    try:
        url = INDEX.format(name=name)
        with urllib.request.urlopen(url, timeout=20) as response:  # nosec B310 (https constant)
            return name, json.load(response)
    except (OSError, ValueError):
        return name, None


def main() -> int:
    installed = {
        d.metadata["Name"].lower(): d.version
        for d in distributions()
        if d.metadata["Name"] and d.metadata["Name"].lower() not in OWN
    }
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = dict(pool.map(project, sorted(installed)))
    unreachable = [name for name, data in answers.items() if data is None]
    if len(unreachable) == len(installed):
        print("WARNING: PyPI's project endpoint cannot be reached either: audit skipped")
        return 0
    audited, older, vulnerable = [], [], []
    for name, data in sorted(answers.items()):
        if data is None:
            continue
        latest = data["info"]["version"]
        if latest != installed[name]:
            older.append(f"{name} {installed[name]} (latest {latest})")
            continue
        audited.append(name)
        for vuln in data.get("vulnerabilities") or []:
            if not vuln.get("withdrawn"):
                vulnerable.append(f"{name} {installed[name]}: {vuln.get('id')}")
    for line in vulnerable:
        print(f"pypi-audit: {line}")
    print(
        f"pypi-audit: {len(audited)} of {len(installed)} installed distributions audited "
        f"(the latest release of their project), {len(vulnerable)} known vulnerabilities"
    )
    if older:
        print("pypi-audit: not audited (older than the latest release; the per-version endpoint")
        print("  is unreachable here): " + ", ".join(older))
    if unreachable:
        print("pypi-audit: no answer for: " + ", ".join(unreachable))
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
