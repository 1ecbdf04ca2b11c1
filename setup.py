"""The package list and package data of the wheel (the rest of the metadata is in pyproject.toml).

Packages are *found* under the top-level names this distribution owns (``OWNED``, checked at
run time by ``stod/distribution.py``), so a new subpackage such as ``engine.areas.x`` is never
left out of the wheel. ``engine/`` is a namespace package (no ``__init__.py``), hence the
namespace finder. The release's ``rules/`` folder ships as the data folder ``stod/rules`` of the
installed package, where ``engine.yamlsource.default_rules_root`` finds it without a checkout.
"""
from setuptools import find_namespace_packages, setup

OWNED = ("engine", "cases", "reports", "stod")  # keep equal to stod.distribution.OWNED_TOP_LEVEL
DATA_DIRS = ("templates", "static")  # folders of package data, not packages

packages = [
    name for name in find_namespace_packages(include=[f"{top}*" for top in OWNED])
    if name.split(".")[0] in OWNED and not set(name.split(".")[1:]) & set(DATA_DIRS) and "__pycache__" not in name
]

setup(
    packages=packages + ["stod.rules"],
    package_dir={"stod.rules": "rules"},
    package_data={
        "": ["*.yaml", "templates/**/*", "static/**/*"],
        "stod.rules": ["**/*.yaml"],
    },
    exclude_package_data={"": ["*.pyc"]},
)
