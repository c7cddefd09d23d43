"""``python -m tests.reliability``: run the reliability experiments (see run.py)."""

import sys

from tests.reliability.run import main

sys.exit(main())
