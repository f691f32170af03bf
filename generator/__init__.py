"""OpenAPI-driven SDK generator: spec → IR → models, clients and docs."""

import logging

# A library's loggers stay silent unless the application configures logging (the `mock` command does).
logging.getLogger("acs_sdkgen").addHandler(logging.NullHandler())
