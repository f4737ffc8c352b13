"""Excel files: registration templates out, filled registrations in, the office's lists out.

No Qt here. ``reader`` checks and reads outside files safely, ``template`` writes the
registration template, ``importer`` turns files into a checked plan and applies it in one
transaction, ``exports`` writes the office's lists.
"""
