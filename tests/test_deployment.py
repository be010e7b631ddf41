"""The deployment files, read as a reviewer would where Docker cannot build them (CI builds
and validates them where it can: .ci/run)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_runs_postgres_then_one_migration_then_the_bot() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    postgres, migrate, bot = services["postgres"], services["migrate"], services["bot"]
    assert postgres["image"] == "postgres:16" and "healthcheck" in postgres
    assert any(v.startswith("ura-postgres:") for v in postgres["volumes"])
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "ura db upgrade" in " ".join(migrate["command"]) and migrate["restart"] == "no"
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["restart"] == "unless-stopped" and bot["env_file"] == ".env"
    assert "--no-migrate" in bot["command"]  # migrations run once, in `migrate`
    assert "ura-postgres" in compose["volumes"]


def test_the_image_is_slim_non_root_locked_and_compiles_its_catalogs() -> None:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    text = "\n".join(lines)
    base = next(line for line in lines if line.startswith("FROM"))
    assert base.endswith("-slim")
    assert "--require-hashes -r requirements/run.lock" in text
    assert "pybabel -q compile" in text
    users = [line for line in lines if line.startswith("USER ")]
    assert users and users[-1] != "USER root"
    assert all(not line.startswith("RUN") for line in lines[lines.index(users[-1]) :])
