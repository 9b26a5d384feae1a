"""Generated instances shared by the generator's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dom.generate import GeneratedBundle, GeneratorParams, generate, make_bundle


@pytest.fixture(scope="session")
def sample() -> GeneratedBundle:
    """The sample instance, drawn in memory."""
    return make_bundle(GeneratorParams.sample())


@pytest.fixture(scope="session")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated instance with more nodes than the curated twelve, written to disk."""
    out = tmp_path_factory.mktemp("wide")
    generate(out, GeneratorParams(nodes=30, skus=600, orders=1500, seed=5))
    return out
