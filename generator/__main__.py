"""`python -m acs_sdkgen`."""

from .cli import run

run()
