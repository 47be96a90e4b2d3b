"""`python -m voxcart`: the same as the installed `voxcart` command."""

import sys

from voxcart.cli import main

sys.exit(main())
