"""The bridge's encoders on Debian 12's own packages (python3-av 10, python3-pil 9.4), which
install.sh installs for owners: the test camera, an H.265 camera and a masked camera must give
H.264 units there too, not only with the PyAV of the server's virtualenv. Skipped where the
system Python has no PyAV (install python3-av to run it)."""

import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")

SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from bridge.masks import Rect
    from bridge.sources import Unit, make_source

    for spec, masked in [("test:160x96?codec=h264", False), ("test:160x96?codec=h265", False),
                         ("test:160x96?codec=h264", True)]:
        source = make_source(spec)
        source.encoded = True
        if masked:
            source.masks = (Rect(0.0, 0.0, 0.5, 0.5),)
        source.open()
        units = [source.read() for _ in range(6)]
        source.close()
        assert all(isinstance(u, Unit) for u in units), (spec, masked, units)
        print(spec, masked, "ok")
    """
)


def _system_pyav() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    found = subprocess.run([str(SYSTEM_PYTHON), "-c", "import av, PIL"], capture_output=True, check=False)
    return found.returncode == 0


@pytest.mark.skipif(not _system_pyav(), reason="the system Python has no PyAV/Pillow (apt install python3-av)")
def test_the_bridge_encodes_with_debians_pyav() -> None:
    done = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", SCRIPT, str(ROOT)], capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(" ok") == 3
