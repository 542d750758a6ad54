from __future__ import annotations

import sys

from carepath.cli.main import main

sys.exit(main())
