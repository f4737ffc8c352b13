"""Data safety, without Qt: backups and their thinning, restore, the integrity and logical
checks, one writer at a time (the lock file), network-share detection, table checksums.

The office's whole history lives in one SQLite file; everything here exists so that no crash,
bad file or second copy of the program can lose it.
"""
