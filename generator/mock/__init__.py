"""A mock server generated from the spec: checks every request, answers examples or fitting data, keeps state.

`acs-sdkgen mock SPEC` runs it from the command line; in Python tests, `with serve(spec) as mock:`
starts it on a free port of 127.0.0.1 and `mock.url` is where to point the SDK.
"""

from .server import MockServer, build, serve

__all__ = ["MockServer", "build", "serve"]
