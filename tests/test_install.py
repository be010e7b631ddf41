"""An installed Ura, not a checkout: build the wheel, install it into a fresh venv, and run
`ura` from a folder far from the project. It must find its lessons, referral lists,
catalogs and migrations under `<prefix>/share/ura` (bot/paths.py).

The fresh venv gets no dependencies of its own: it reads the ones already installed in the
venv running the tests through a `.pth` line, so nothing is downloaded and the test takes
seconds. That line only adds a folder to `sys.path` (the `.pth` files inside it, such as
the editable install of the checkout, are not run), so `bot` comes from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ("lessons", "referrals", "locale", "migrations")
SHIPPED = {".yaml", ".md", ".jsonl", ".po", ".pot", ".mo", ".py", ".mako"}
TIMEOUT = 120


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, (
        f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def _content_files(root: Path) -> set[str]:
    """The files under `root` of the kinds that ship, relative to `root`."""
    return {
        path.relative_to(root).as_posix()
        for folder in CONTENT
        for path in (root / folder).rglob("*")
        if path.is_file() and path.suffix in SHIPPED and "__pycache__" not in path.parts
    }


class Installed:
    def __init__(self, venv: Path, outside: Path, source: Path) -> None:
        self.venv = venv
        self.outside = outside
        self.source = source  # the copy the wheel was built from
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("URA_", "TELEGRAM_", "DATABASE_", "PYTHON", "VIRTUAL_ENV"))
        }

    def ura(self, *args: str) -> str:
        return _run(self.venv / "bin" / "ura", *args, cwd=self.outside, env=self.env)

    def python(self, code: str) -> str:
        return _run(self.venv / "bin" / "python", "-c", code, cwd=self.outside, env=self.env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("install")
    # Build from a copy: an in-tree build would leave build/ and *.egg-info in the checkout.
    source = base / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            ".env",
            "build",
            "dist",
            "data",
            "*.egg-info",
            "__pycache__",
            ".*_cache",
            ".hypothesis",
        ),
    )
    dist, venv = base / "dist", base / "venv"
    pip = (sys.executable, "-m", "pip")
    _run(
        *pip,
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        dist,
        source,
        cwd=base,
    )
    (wheel,) = dist.glob("ura-*.whl")
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=base)
    # This venv's pip installs into the new one, before the .pth exists: so it sees an empty
    # environment, not the checkout's editable ura.
    python = venv / "bin" / "python"
    _run(*pip, "--python", python, "install", "-q", "--no-deps", "--no-index", wheel, cwd=base)
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run(python, "-c", purelib, cwd=base).strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_ura_test_dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(ours)))

    outside = base / "elsewhere"
    outside.mkdir()
    return Installed(venv, outside, source)


def test_the_wheel_carries_the_content_under_share(installed: Installed) -> None:
    share = installed.venv / "share" / "ura"
    where = installed.python(
        "import bot, bot.paths; print(bot.__file__); print(bot.paths.project_root())"
    )
    module, root = where.split()
    assert Path(module).is_relative_to(installed.venv), f"bot imported from {module}"
    assert Path(root) == share
    expected = _content_files(installed.source)
    assert any(name.endswith(".po") for name in expected)
    missing = sorted({str(Path(name).parent) for name in expected - _content_files(share)})
    assert not missing, (
        "not in the wheel (add these folders to [tool.setuptools.data-files] in "
        f"pyproject.toml): {', '.join(missing)}"
    )


def test_installed_help(installed: Installed) -> None:
    out = installed.ura("--help")
    for command in ("run", "db", "lessons", "i18n", "referrals", "chat"):
        assert command in out


def test_installed_lessons_check(installed: Installed) -> None:
    out = installed.ura("lessons", "check")
    assert "All lesson files are valid." in out
    tracks = sorted(p.name for p in (ROOT / "lessons").iterdir() if p.is_dir())
    for track in tracks:
        assert f"{track}: " in out


def test_installed_i18n_coverage(installed: Installed) -> None:
    coverage = json.loads(installed.ura("i18n", "coverage", "--json"))
    assert coverage["tracks"] == len([p for p in (ROOT / "lessons").iterdir() if p.is_dir()])
    assert coverage["lessons"] > 0
    locales = {p.parent.parent.name for p in (ROOT / "locale").glob("*/LC_MESSAGES/ura.po")}
    assert locales <= set(coverage["locales"])
    assert coverage["locales"]["en"]["ui"] == 1.0
