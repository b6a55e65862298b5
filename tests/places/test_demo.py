"""The demo's address file is made by a deterministic generator: same rows, same bytes."""

import hashlib
from pathlib import Path

from places.demo import addresses_write_csv, demo_grid
from tenants.demo import DEMO_DEPARTMENTS


def test_the_demo_address_file_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    spec = DEMO_DEPARTMENTS[0]

    rows = addresses_write_csv(demo_grid(spec["schema"], spec["boundary"]), tmp_path / "a.csv.gz")
    addresses_write_csv(demo_grid(spec["schema"], spec["boundary"]), tmp_path / "b.csv.gz")

    digests = {hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name in ("a.csv.gz", "b.csv.gz")}
    assert len(digests) == 1
    assert rows > 5000
