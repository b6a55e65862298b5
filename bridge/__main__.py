"""``python -m bridge``: the same program as the ``porchlight-bridge`` console script."""

import sys

from bridge.client import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
