"""One package per rule area; each declares its ``AREA`` (an ``engine.registry.AreaSpec``).

The registry finds the packages here by themselves: adding an area is adding a rules folder
under ``rules/`` and a package here (or one named by ``package:`` in the area's index.yaml).
"""
