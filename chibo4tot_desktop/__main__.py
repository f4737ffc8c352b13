"""``python -m chibo4tot_desktop`` does what the ``chibo4tot-desktop`` command does."""

import sys

from chibo4tot_desktop.cli import main

sys.exit(main())
