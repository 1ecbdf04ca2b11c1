"""The one place an operator configures stodbeslut: environment variables and an optional TOML file.

| setting | environment | TOML key (file named by ``STOD_CONFIG``) |
|---|---|---|
| database URL | ``STOD_DATABASE_URL`` | ``database_url`` |
| rules folder | ``STOD_RULES_DIR`` | ``rules_dir`` |
| session secret | ``STOD_SESSION_SECRET`` | ``session_secret`` (or ``session_secret_file``) |
| audit anchor key | ``STOD_ANCHOR_KEY`` / ``STOD_ANCHOR_KEY_FILE`` | ``anchor_key_file`` |
| log level | ``STOD_LOG_LEVEL`` | ``log_level`` (DEBUG, INFO, WARNING, ERROR) |
| production mode | ``STOD_PRODUCTION`` (1/true/ja) | ``production`` (true/false) |

An environment variable wins over the file. ``engine/`` and ``cases/`` know nothing of this
module (they sit below it): each reads its one documented variable, and ``export`` puts the
file's values there, so the whole program sees one configuration. A bad file or value is a
``ConfigError`` in Swedish naming the setting; the commands turn it into exit 2.

Production mode refuses to start the web app without a real session secret: missing, a known
placeholder, or shorter than ``MIN_SECRET_LENGTH`` characters. Outside production the secret
defaults to a random key kept in the database (shared by every server on that database).
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .services.files import os_reason

CONFIG_ENV = "STOD_CONFIG"
MIN_SECRET_LENGTH = 32
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Values that mean "nobody set a secret": the placeholders of examples and templates.
PLACEHOLDER_SECRETS = frozenset({"", "secret", "changeme", "change-me", "byt-mig", "byt-ut-mig", "hemlig",
                                 "dev", "development", "test", "stod", "xxx"})
TRUE = ("1", "true", "yes", "ja", "on")
FALSE = ("0", "false", "no", "nej", "off", "")

# setting name -> (environment variable, TOML key)
SETTINGS = {
    "database_url": ("STOD_DATABASE_URL", "database_url"),
    "rules_dir": ("STOD_RULES_DIR", "rules_dir"),
    "session_secret": ("STOD_SESSION_SECRET", "session_secret"),
    "session_secret_file": ("STOD_SESSION_SECRET_FILE", "session_secret_file"),
    "anchor_key": ("STOD_ANCHOR_KEY", None),  # a key belongs in the environment or a file, never in the TOML
    "anchor_key_file": ("STOD_ANCHOR_KEY_FILE", "anchor_key_file"),
    "log_level": ("STOD_LOG_LEVEL", "log_level"),
    "production": ("STOD_PRODUCTION", "production"),
}
# What ``export`` hands down to engine/ and cases/ through their own variables.
EXPORTED = ("database_url", "rules_dir", "anchor_key_file")


class ConfigError(Exception):
    """A configuration that cannot be used: ``field`` names the setting, the message the fix."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Config:
    database_url: str | None = None
    rules_dir: str | None = None
    session_secret: str | None = None
    anchor_key_file: str | None = None
    log_level: str = "INFO"
    production: bool = False
    file: str | None = None
    origin: dict[str, str] = field(default_factory=dict)  # setting -> where it came from (for `stod config`)

    def secret_problem(self) -> str | None:
        """Why the session secret is not fit for production (Swedish), or None."""
        secret = self.session_secret
        if secret is None:
            return ("STOD_SESSION_SECRET saknas: i produktionsläge måste sessionsnyckeln anges "
                    f"(minst {MIN_SECRET_LENGTH} slumpmässiga tecken, t.ex. från `openssl rand -hex 32`), "
                    "i miljön eller som session_secret_file i konfigurationsfilen")
        if secret.strip().lower() in PLACEHOLDER_SECRETS:
            return ("STOD_SESSION_SECRET är ett exempelvärde; ange en egen slumpmässig nyckel "
                    "(t.ex. `openssl rand -hex 32`)")
        if len(secret) < MIN_SECRET_LENGTH:
            return (f"STOD_SESSION_SECRET är för kort ({len(secret)} tecken); ange minst {MIN_SECRET_LENGTH} "
                    "slumpmässiga tecken (t.ex. `openssl rand -hex 32`)")
        return None


def _read_file(path: str) -> dict:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(CONFIG_ENV, f"konfigurationsfilen {path} finns inte; ange en befintlig TOML-fil "
                                      "eller ta bort STOD_CONFIG") from None
    except OSError as error:
        raise ConfigError(CONFIG_ENV, f"konfigurationsfilen {path} går inte att läsa ({os_reason(error)})") from None
    except UnicodeDecodeError:
        raise ConfigError(CONFIG_ENV, f"konfigurationsfilen {path} är inte UTF-8-text; spara den som UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(CONFIG_ENV, f"konfigurationsfilen {path} är inte giltig TOML ({_toml_place(error)}); rätta "
                                      'filen: varje inställning skrivs en gång, på egen rad, som namn = "värde", '
                                      't.ex. database_url = "/var/lib/stod/stod.db"') from None
    known = {key for _, key in SETTINGS.values() if key}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: {unknown[0]}", f"okänd inställning; giltiga är {', '.join(sorted(known))}")
    return data


_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml_place(error: tomllib.TOMLDecodeError) -> str:
    """Where in the file tomllib stopped, in Swedish (its own message is English)."""
    found = _TOML_PLACE.search(str(error))
    if found:
        return f"fel på rad {found.group(1)}, tecken {found.group(2)}"
    return "fel vid filens slut" if "end of document" in str(error) else "fel i filen"


# What a TOML value that should have been a string is, in Swedish.
_TOML_KINDS = {"list": "en lista", "dict": "en tabell", "int": "ett tal", "float": "ett tal", "bool": "true/false",
               "datetime": "ett datum", "date": "ett datum", "time": "en tid"}


def _secret_from_file(path: str, setting: str) -> str:
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = os_reason(error) if isinstance(error, OSError) else "inte UTF-8-text"
        raise ConfigError(setting, f"nyckelfilen {path} går inte att läsa ({reason})") from None
    return value


def load(environ: Mapping[str, str] | None = None) -> Config:
    """The configuration from the environment and, if ``STOD_CONFIG`` names one, the TOML file."""
    environ = os.environ if environ is None else environ
    path = environ.get(CONFIG_ENV) or None
    data = _read_file(path) if path else {}
    values, origin = {}, {}
    for name, (env, key) in SETTINGS.items():
        if environ.get(env) not in (None, ""):
            values[name], origin[name] = environ[env], env
        elif key and key in data:
            values[name], origin[name] = data[key], f"{path}: {key}"
    for name, value in values.items():
        if name != "production" and not isinstance(value, str):
            kind = _TOML_KINDS.get(type(value).__name__, "ett annat slags värde")
            raise ConfigError(origin[name], f'ska vara en textsträng inom citattecken, inte {kind}; skriv t.ex. '
                                            f'{SETTINGS[name][1] or name} = "…"')
    level = str(values.get("log_level", "INFO")).upper()
    if level not in LOG_LEVELS:
        raise ConfigError(origin.get("log_level", "STOD_LOG_LEVEL"),
                          f"{values['log_level']!r} är ingen loggnivå; ange en av {', '.join(LOG_LEVELS)}")
    production = values.get("production", False)
    if isinstance(production, str):
        if production.strip().lower() not in TRUE + FALSE:
            raise ConfigError(origin["production"], f"{production!r} är varken på eller av; ange 1 eller 0")
        production = production.strip().lower() in TRUE
    elif not isinstance(production, bool):
        raise ConfigError(origin["production"], "ska vara true eller false")
    secret = values.get("session_secret")
    if secret is None and values.get("session_secret_file"):
        secret = _secret_from_file(values["session_secret_file"], origin["session_secret_file"])
    return Config(database_url=values.get("database_url"), rules_dir=values.get("rules_dir"), session_secret=secret,
                  anchor_key_file=values.get("anchor_key_file"), log_level=level, production=production,
                  file=path, origin=origin)


def export(config: Config, environ: dict | None = None) -> None:
    """Hand the file's database URL, rules folder and anchor key file to engine/ and cases/.

    Only values not already in the environment are set, so the environment keeps winning.
    """
    environ = os.environ if environ is None else environ
    for name in EXPORTED:
        env = SETTINGS[name][0]
        value = getattr(config, name)
        if value and not environ.get(env):
            environ[env] = value
