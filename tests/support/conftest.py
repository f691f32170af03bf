"""Make the fake-gateway fixtures available here until ``tests/conftest.py`` loads them as a plugin."""

from tests.support.fixtures import acs_server, clean_env  # noqa: F401
