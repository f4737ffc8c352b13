"""``python -m chibo4tot_desktop`` does what the ``chibo4tot-desktop`` command does."""

import sys

if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        # The packaged program: Excel files are read in a child process started with
        # multiprocessing ("spawn"), which runs this same executable; freeze_support hands
        # the child its work. The guard keeps that child from running the program again.
        import multiprocessing

        multiprocessing.freeze_support()

    from chibo4tot_desktop.cli import main

    sys.exit(main())
