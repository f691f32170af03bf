"""`python -m acs_sdkgen`."""

import sys

from .cli import main

sys.exit(main())
