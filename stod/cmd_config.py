"""stod config: the configuration in effect, each value with where it came from (secrets never shown)."""
from __future__ import annotations

import click

from .common import InputProblem

SHOWN = (("database_url", "databas"), ("rules_dir", "regelmapp"), ("session_secret", "sessionsnyckel"),
         ("anchor_key_file", "ankarnyckelfil"), ("log_level", "loggnivå"), ("production", "produktionsläge"))


DEFAULTS = {"database_url": "./stod.db (SQLite)", "session_secret": "– (en slumpnyckel i databasen)",
            "anchor_key_file": "–"}


def _shown(name: str, value) -> str:
    if value is None:
        return DEFAULTS.get(name, "–")
    if name == "session_secret":
        return f"satt ({len(value)} tecken)"
    if name == "database_url":
        from cases.store import _safe

        return _safe(value)
    if name == "production":
        return "på" if value else "av"
    return str(value)


@click.command("config")
def config_cmd():
    """Show the configuration in effect (environment and STOD_CONFIG file) and check it.

    Secrets are never printed, only whether they are set. In production mode a missing or
    placeholder session secret is refused (exit 2), as stod serve would refuse it.

    Example: STOD_CONFIG=/etc/stodbeslut/stod.toml stod config
    """
    from engine.yamlsource import default_rules_root

    from .cli import apply_config

    config = apply_config()
    click.echo(f"konfigurationsfil: {config.file or '– (bara miljövariabler)'}")
    for name, label in SHOWN:
        value = getattr(config, name)
        origin = config.origin.get(name) or config.origin.get(f"{name}_file") or "standard"
        if name == "rules_dir" and value is None:
            value = str(default_rules_root())
        if name == "anchor_key_file" and "anchor_key" in config.origin:
            label, value, origin = "ankarnyckel", "satt", config.origin["anchor_key"]
        click.echo(f"{label}: {_shown(name, value)}  ({origin})")
    if config.production and config.secret_problem():
        raise InputProblem(config.secret_problem())


def register(main: click.Group) -> None:
    main.add_command(config_cmd)
