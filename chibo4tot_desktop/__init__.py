"""chibo4tot-desktop: the ward Party office's program for the "Chi bộ 4 tốt" movement.

The core (everything outside ``ui/``) never imports Qt.
"""

__version__ = "0.1.0"
APP_NAME = "chibo4tot-desktop"
APP_TITLE = "Chi bộ 4 tốt"
