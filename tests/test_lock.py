"""The lock installs on every Python we support, on the platforms a new user is likely to have.

``requirements.lock`` pins hashes; ``requirements.wheels`` (written beside it by
``scripts/lock.py``) names the file behind each hash. A package with compiled parts must ship a
wheel for CPython 3.11, 3.12 and 3.13 on manylinux x86_64 and aarch64 and on macOS arm64, or
``make run`` would try to build it from source there (or fail) instead of installing it.
"""

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from packaging.tags import Tag, compatible_tags, cpython_tags, mac_platforms
from packaging.utils import parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_PYTHONS = [(3, 11), (3, 12), (3, 13)]
# manylinux up to glibc 2.31 (Debian 11, Ubuntu 20.04 and newer), with the older names pip
# still takes (manylinux1 is glibc 2.5, manylinux2010 2.12, manylinux2014 2.17); macOS 11 and
# newer.
LINUX_GLIBC_MINORS = range(5, 32)
PLATFORMS = {
    "manylinux x86_64": [
        *(f"manylinux_2_{minor}_x86_64" for minor in LINUX_GLIBC_MINORS),
        "manylinux1_x86_64",
        "manylinux2010_x86_64",
        "manylinux2014_x86_64",
    ],
    "manylinux aarch64": [
        *(f"manylinux_2_{minor}_aarch64" for minor in LINUX_GLIBC_MINORS),
        "manylinux2014_aarch64",
    ],
    "macOS arm64": list(mac_platforms((11, 0), "arm64")),
}
PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>\S+)")
HASH = re.compile(r"--hash=sha256:(?P<sha>[0-9a-f]{64})")


def locked_hashes() -> dict[str, set[str]]:
    """Each pinned package of requirements.lock with the hashes it allows."""
    hashes: dict[str, set[str]] = {}
    current = ""
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if pin := PIN.match(line):
            current = f"{pin['name']}=={pin['version']}"
            hashes[current] = set()
        for found in HASH.finditer(line):
            hashes[current].add(found["sha"])
    return hashes


@cache
def listed_files() -> dict[str, dict[str, str]]:
    """Each package of requirements.wheels with its files, by hash."""
    files: dict[str, dict[str, str]] = defaultdict(dict)
    for line in (ROOT / "requirements.wheels").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, version, filename, sha = line.split()
        files[f"{name}=={version}"][sha] = filename
    return files


def supported_tags(python: tuple[int, int], platforms: list[str]) -> set[Tag]:
    return {
        *cpython_tags(python, platforms=platforms),
        *compatible_tags(python, platforms=platforms),
    }


@cache
def compiled_packages() -> dict[str, list[frozenset[Tag]]]:
    """Packages with at least one platform-specific wheel, with every wheel's tags."""
    compiled = {}
    for package, files in listed_files().items():
        wheels = [parse_wheel_filename(name)[3] for name in files.values() if name.endswith(".whl")]
        if any(tag.platform != "any" for tags in wheels for tag in tags):
            compiled[package] = wheels
    return compiled


def test_the_file_list_names_the_locked_files() -> None:
    """Same packages and versions; every listed file is one the lock allows.

    The lock may allow a few more (PyPy builds of a package whose marker excludes PyPy).
    """
    listed, locked = listed_files(), locked_hashes()
    assert sorted(listed) == sorted(locked), "run `make lock` to refresh requirements.wheels"
    assert {package: set(files) - locked[package] for package, files in listed.items()} == {
        package: set() for package in locked
    }


def test_the_compiled_packages_are_the_ones_expected() -> None:
    """A guard that the check below looks at real packages, not at an empty list."""
    compiled = {package.split("==")[0] for package in compiled_packages()}
    assert {"asyncpg", "orjson", "pydantic-core", "argon2-cffi-bindings", "uvloop"} <= compiled


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@pytest.mark.parametrize("python", SUPPORTED_PYTHONS, ids=lambda v: f"cp{v[0]}{v[1]}")
def test_every_compiled_package_has_a_wheel_for(python: tuple[int, int], platform: str) -> None:
    tags = supported_tags(python, PLATFORMS[platform])
    missing = [
        package
        for package, wheels in compiled_packages().items()
        if not any(wheel_tags & tags for wheel_tags in wheels)
    ]
    assert missing == []


def test_requires_python_admits_exactly_the_supported_versions() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11,<3.14"' in pyproject
    assert 'target-version = "py311"' in pyproject
