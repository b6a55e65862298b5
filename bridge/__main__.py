"""``python -m bridge``: the same program as the ``porchlight-bridge`` console script."""

import sys

from bridge.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
