"""Compile ``requirements.lock`` for every supported Python and list the files it pins.

``requirements.lock`` is one universal resolution (``uv pip compile --universal``) with the
hash of every file PyPI has for each pinned release, so ``pip install --require-hashes`` works
on Python 3.11, 3.12 and 3.13 alike, on Linux and macOS. Hashes alone do not say which file is
which, so ``requirements.wheels`` records the file name behind each hash; the test
``tests/test_lock.py`` reads both and checks that every package with compiled parts ships a
wheel for each supported Python on the platforms we promise.

Usage: ``python scripts/lock.py`` (``make lock``). Versions already pinned stay pinned; pass
``--upgrade`` to move every package to its newest release.
"""

import argparse
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
WHEELS = ROOT / "requirements.wheels"
LOWEST_PYTHON = "3.11"


def uv(*args: str) -> None:
    uv_bin = Path(sys.executable).with_name("uv")
    subprocess.run([str(uv_bin), "pip", "compile", "--quiet", *args], check=True, cwd=ROOT)


def compile_lock(upgrade: bool) -> None:
    uv(
        "pyproject.toml",
        "--extra",
        "dev",
        "--universal",
        "--python-version",
        LOWEST_PYTHON,
        "--generate-hashes",
        "--output-file",
        LOCK.name,
        *(["--upgrade"] if upgrade else []),
    )


def list_files() -> None:
    """Resolve the lock once more as a PEP 751 lock, which names each file, and keep the names."""
    with tempfile.TemporaryDirectory() as scratch:
        pylock = Path(scratch) / "pylock.toml"
        uv(
            LOCK.name,
            "--universal",
            "--python-version",
            LOWEST_PYTHON,
            "--format",
            "pylock.toml",
            "--output-file",
            str(pylock),
        )
        packages = tomllib.loads(pylock.read_text())["packages"]
    lines = [
        "# Written by scripts/lock.py from requirements.lock: package, version, file, sha256.",
        "# tests/test_lock.py checks it against the lock; do not edit by hand.",
    ]
    for package in packages:
        files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
        for file in files:
            name = file["url"].rsplit("/", 1)[1]
            lines.append(
                f"{package['name']} {package['version']} {name} {file['hashes']['sha256']}"
            )
    WHEELS.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="move every pin to its newest")
    args = parser.parse_args()
    compile_lock(args.upgrade)
    list_files()


if __name__ == "__main__":
    main()
