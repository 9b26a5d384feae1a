"""The service fixtures (live servers on loopback) for the event tests."""

from tests.api.conftest import live_server

__all__ = ["live_server"]
