"""The package list and package data of the wheel (the rest of the metadata is in pyproject.toml).

Packages are *found* under the top-level names this distribution owns (``OWNED``, checked at
run time by ``stod/distribution.py``), so a new subpackage such as ``engine.areas.x`` is never
left out of the wheel. ``engine/`` is a namespace package (no ``__init__.py``), hence the
namespace finder. The release's ``rules/`` folder ships as the data folder ``stod/rules`` of the
installed package, where ``engine.yamlsource.default_rules_root`` finds it without a checkout.
"""
from setuptools import find_namespace_packages, setup

OWNED = ("engine", "cases", "reports", "stod")  # keep equal to stod.distribution.OWNED_TOP_LEVEL

# Every folder is listed as a package, the data folders (templates, static, the rules' areas)
# too: setuptools warns, once per folder and at length, about a folder Python could import
# that is not listed, and each fresh `pip install` printed a page of those warnings.
packages = [
    name for name in find_namespace_packages(include=[f"{top}*" for top in OWNED])
    if name.split(".")[0] in OWNED and "__pycache__" not in name
]
rules = ["stod.rules"] + [f"stod.rules.{name}" for name in find_namespace_packages(where="rules")
                          if "__pycache__" not in name]

setup(
    packages=packages + rules,
    package_dir={"stod.rules": "rules"},
    package_data={"": ["*.yaml", "*.html", "*.css", "*.js", "*.svg", "*.txt"]},
    exclude_package_data={"": ["*.pyc"]},
)
