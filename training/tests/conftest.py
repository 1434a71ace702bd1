"""Common fixtures: the path to the golden vectors (Tests/Fixtures/golden) and to a psgan binary."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GOLDEN = ROOT.parent / "Tests" / "Fixtures" / "golden"


@pytest.fixture
def golden_dir() -> Path:
    d = GOLDEN / "psgan-tiny"
    assert d.is_dir(), f"golden vectors missing at {d}"
    return d
