"""Shared fixtures: paths to the shared golden files and to a psgan binary."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parents[1] / "shared"


@pytest.fixture
def golden_dir() -> Path:
    d = SHARED / "golden" / "psgan-tiny"
    if not d.exists():
        pytest.skip(f"golden vectors not found at {d}")
    return d
