"""The referral directory: the real files load, broken ones are reported precisely, the CLI."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.files import ContentInvalid
from bot.help.categories import HELP_CATEGORIES
from bot.help.directory import COUNTRIES, Country, Directory, Service, load_directory

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "referrals" / "directory"
TODAY = date(2026, 12, 7)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the real directory, to break one thing at a time."""
    target = tmp_path / "directory"
    shutil.copytree(REAL, target)
    return target


def edit(path: Path, old: str, new: str) -> str:
    """Replace one exact snippet (it must be there once) and return the new text."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, needle: str) -> int:
    """The 1-based line where `needle` first occurs."""
    return text[: text.index(needle)].count("\n") + 1


def errors(root: Path, *, today: date = TODAY) -> list[str]:
    with pytest.raises(ContentInvalid) as caught:
        load_directory(root, today=today)
    return [str(e) for e in caught.value.errors]


# ------------------------------------------------------------------ the real directory


def test_real_directory_covers_every_country_with_an_emergency_number() -> None:
    directory = load_directory(REAL, today=TODAY)
    assert tuple(c.code for c in directory.countries) == COUNTRIES
    for code in COUNTRIES:
        emergency = directory.emergency(code)
        assert emergency, code
        assert all(s.phone and s.country == code for s in emergency)


def test_real_directory_entries_are_traceable() -> None:
    directory = load_directory(REAL, today=TODAY)
    services = [s for c in directory.countries for s in c.services]
    assert len({s.key for s in services}) == len(services)
    for service in services:
        assert service.source.strip()
        assert service.about_for("en")
        assert set(service.categories) <= set(HELP_CATEGORIES)


# ------------------------------------------------------------------ errors name file, line, field


def test_unknown_category(copy: Path) -> None:
    path = copy / "xk.yaml"
    text = edit(path, "categories: [violence_perpetrator]", "categories: [perpetrators]")
    line = line_of(text, "categories: [perpetrators]")
    found = errors(copy)
    assert len(found) == 1
    assert found[0].startswith(f"{path}:{line}: services[5].categories: ")
    assert "perpetrators" in found[0] and "violence_perpetrator" in found[0]


def test_bad_phone(copy: Path) -> None:
    path = copy / "rs.yaml"
    text = edit(path, 'phone: "0800 300 303"', 'phone: "0800-300-303 (free)"')
    line = line_of(text, "0800-300-303")
    [found] = errors(copy)
    assert found.startswith(f"{path}:{line}: services[3].phone: ")
    assert "digits, spaces and a leading +" in found


def test_unquoted_phone_is_explained(copy: Path) -> None:
    path = copy / "al.yaml"
    text = edit(path, 'phone: "129"', "phone: 129")
    [found] = errors(copy)
    assert found.startswith(f"{path}:{line_of(text, 'phone: 129')}: services[1].phone: ")
    assert 'phone: "129"' in found


def test_missing_source(copy: Path) -> None:
    path = copy / "kz.yaml"
    text = edit(
        path,
        "    source: https://orda.kz/suicid-jeto-vash-vybor-kak-rabotajut-psihologi-v-krizisnom"
        "-centre-150-v-kazahstane/\n",
        "",
    )
    [found] = errors(copy)
    assert found.startswith(f"{path}:{line_of(text, 'id: kz-trust-150')}: services[3].source: ")
    assert "Field required" in found


def test_unknown_country_file(copy: Path) -> None:
    stray = copy / "gr.yaml"
    shutil.copy(copy / "rs.yaml", stray)
    [found] = errors(copy)
    assert found.startswith(f"{stray}:1: country: unknown country file 'gr.yaml'")
    assert "xk.yaml (Kosovo)" in found


def test_duplicate_id(copy: Path) -> None:
    path = copy / "rs.yaml"
    text = edit(path, "id: rs-sos-women", "id: rs-nadel")
    first, second = (i for i, ln in enumerate(text.splitlines(), 1) if "id: rs-nadel" in ln)
    [found] = errors(copy)
    assert found.startswith(f"{path}:{second}: services[5].id: ")
    assert f"already used in rs.yaml:{first}" in found


def test_future_verified_on(copy: Path) -> None:
    path = copy / "uz.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("id: uz-trust-1146")
    text = text[:start] + text[start:].replace("verified_on: 2026-11-24", "verified_on: 2027-01-01")
    path.write_text(text, encoding="utf-8")
    [found] = errors(copy)
    line = line_of(text, "verified_on: 2027-01-01")
    assert found.startswith(f"{path}:{line}: services[3].verified_on: 2027-01-01 is in the future")


def test_every_country_needs_an_emergency_number(copy: Path) -> None:
    path = copy / "tj.yaml"
    text = path.read_text(encoding="utf-8").replace("emergency: true", "emergency: false")
    path.write_text(text, encoding="utf-8")
    [found] = errors(copy)
    assert found.startswith(f"{path}:{line_of(text, 'services:')}: services: ")
    assert "emergency: true" in found


def test_missing_country_file(copy: Path) -> None:
    (copy / "kg.yaml").unlink()
    [found] = errors(copy)
    assert found.startswith(f"{copy / 'kg.yaml'}:1: (file): no file for Kyrgyzstan")


def test_all_errors_in_one_pass(copy: Path) -> None:
    edit(copy / "xk.yaml", "categories: [violence_perpetrator]", "categories: [perpetrators]")
    edit(copy / "rs.yaml", 'phone: "0800 300 303"', 'phone: "call 0800 300 303"')
    edit(copy / "mk.yaml", "website: https://hops.org.mk", "website: hops.org.mk")
    edit(copy / "al.yaml", "id: al-aksion-plus", "id: aksion-plus")
    edit(copy / "kz.yaml", "country: kz", "country: kk")
    found = "\n".join(errors(copy))
    for where in (
        "xk.yaml:",
        "rs.yaml:",
        "mk.yaml:",
        "services[6].id: must start with the country code: al-",
        "kz.yaml:",
    ):
        assert where in found
    assert "no file for" not in found  # a broken file is not also reported as missing


def test_unknown_key_is_an_error(copy: Path) -> None:
    path = copy / "kg.yaml"
    old = "    cost: free\n    languages: [ky, ru]\n    # Bishkek"
    text = edit(path, old, old.replace("cost:", "price:"))
    [found] = errors(copy)
    assert found.startswith(f"{path}:{line_of(text, 'price: free')}: services[1].price: ")


# ------------------------------------------------------------------ the values the bot uses


def service(key: str, **overrides: object) -> Service:
    base = Service(
        key=key,
        country="kg",
        name=key,
        names={"en": key},
        about={"en": "English", "ru": "Русский"},
        categories=("support",),
        emergency=False,
        region=None,
        phone="111",
        website=None,
        telegram=None,
        hours=None,
        cost="free",
        anonymous=None,
        languages=("ky", "ru"),
        source="https://example.org/source",
        verified_on=TODAY,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_lookup_and_fallbacks() -> None:
    kg = Country(
        code="kg",
        names={"en": "Kyrgyzstan", "ky": "Кыргызстан", "mk": "Киргистан"},
        services=(
            service("kg-112", emergency=True, categories=("crisis",), phone="112"),
            service("kg-b", categories=("support", "mental_health")),
            service("kg-a", categories=("mental_health",)),
        ),
    )
    directory = Directory(countries=(kg,))
    assert directory.country("kg") is kg and directory.country("zz") is None
    assert [s.key for s in directory.emergency("kg")] == ["kg-112"]
    assert [s.key for s in directory.services_for("kg", "mental_health")] == ["kg-b", "kg-a"]
    assert directory.services_for("kg", "crisis") == ()  # emergency numbers come separately
    assert directory.services_for("zz", "support") == directory.emergency("zz") == ()
    assert kg.services[1].about_for("ky") == "Русский"  # ky → ru → en
    assert kg.services[1].about_for("sq") == "English"
    assert kg.name_for("ky") == "Кыргызстан" and kg.name_for("mk") == "Киргистан"
    assert kg.name_for("tg") == "Kyrgyzstan"


def test_stale_lists_unverified_and_old_entries() -> None:
    kg = Country(
        code="kg",
        names={"en": "Kyrgyzstan"},
        services=(
            service("kg-fresh", verified_on=date(2026, 11, 20)),
            service("kg-edge", verified_on=date(2026, 6, 10)),  # exactly 180 days
            service("kg-old", verified_on=date(2026, 6, 9)),
            service("kg-never", verified_on=None),
        ),
    )
    stale = Directory(countries=(kg,)).stale(today=TODAY, max_age_days=180)
    assert [s.key for s in stale] == ["kg-old", "kg-never"]


# ------------------------------------------------------------------ ura referrals check


runner = CliRunner()


def test_cli_reports_countries_gaps_and_unverified(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the default folder is URA_REFERRALS_DIR/directory
    monkeypatch.delenv("URA_REFERRALS_DIR", raising=False)
    result = runner.invoke(app, ["referrals", "check", "--today", "2026-12-07"])
    assert result.exit_code == 0, result.stderr
    assert "xk Kosovo: 6 services (emergency 112, 192, 194)" in result.stdout
    assert "no service yet for:" in result.stdout
    assert "UNVERIFIED tj-ambulance-103: never verified, source Ministry of Health" in result.stdout
    assert "STALE" not in result.stdout
    assert "The directory is valid" in result.stdout


def test_cli_checks_verified_on_against_its_today() -> None:
    result = runner.invoke(app, ["referrals", "check", "--dir", str(REAL), "--today", "2026-02-05"])
    assert result.exit_code == 1  # the real entries were verified later than that
    assert "is in the future (today is 2026-02-05)" in result.stderr


def test_cli_lists_stale_entries_but_still_passes(copy: Path) -> None:
    edit(
        copy / "xk.yaml",
        "verified_on: 2026-11-24\n\n  - id: xk-police-192",
        "verified_on: 2025-01-01\n\n  - id: xk-police-192",
    )
    result = runner.invoke(
        app,
        ["referrals", "check", "--dir", str(copy), "--today", "2027-01-01"],
        env={"URA_REFERRAL_MAX_AGE_DAYS": "400"},
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "STALE xk-emergency-112: verified 2025-01-01 (730 days ago), source https://ame.rks-gov.net"
        in result.stdout
    )
    assert "STALE xk-police-192" not in result.stdout
    assert "older than 400 days" in result.stdout


def test_cli_fails_with_locations(copy: Path) -> None:
    path = copy / "mk.yaml"
    text = edit(path, "website: https://hops.org.mk", "website: hops.org.mk")
    result = runner.invoke(app, ["referrals", "check", "--dir", str(copy)])
    assert result.exit_code == 1
    assert f"{path}:{line_of(text, 'website: hops')}: services[5].website: " in result.stderr
    assert "1 problem(s) found" in result.stderr
    assert result.stdout == ""


def test_cli_rejects_a_bad_date() -> None:
    result = runner.invoke(app, ["referrals", "check", "--dir", str(REAL), "--today", "soon"])
    assert result.exit_code == 2
    assert "not a date" in result.stderr
