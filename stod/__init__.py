"""stod: the command line of stodbeslut, thin over engine/ and cases/."""
import os

# The product installs no pydantic plugin: pydantic need not search every installed package's
# metadata for one when the first model is made (pydantic's documented switch; about 10 ms of
# a one-file `stod check`, whose cold start is bounded at 0.5 s). Set before any model exists.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
