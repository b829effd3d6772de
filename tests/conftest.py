"""The shared fixtures live in tests/fixtures/; this only loads them."""

pytest_plugins = ["tests.fixtures.core"]
