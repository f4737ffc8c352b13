"""The office's operations: the one door every change goes through.

``Office`` (``ops.base``) is one organisation's unit of work on an open database: it owns the
sessions, the per-organisation filter and the change notice. Every user action is one
function over it, grouped by area:

- ``ops.setup``: the organisation, phases, the yearly calendar, criteria catalogues and
  settings (a whole settings dialog saved all or nothing);
- ``ops.cells``: add, edit, dissolve, reactivate, delete;
- ``ops.registrations``: a typed registration, a delete, a whole import;
- ``ops.scoring``: a scoring sheet;
- ``ops.awards``: proposals (only for what qualifies), decisions for one or many, withdrawals;
- ``ops.exchange``: packets received from the wards (their content checked by
  ``ops.packet_rules``), and decisions sent down (``ops.decisions``);
- ``ops.evidence``: files of evidence attached to records;
- ``ops.keys``: the office's signing keys and the senders it registered;
- ``ops.repairs``: what ``check`` repairs.

Reads live in ``ops.queries``; the year's figures and verdicts in ``reports`` and
``ops.verdicts``. The window, every command, the Excel importer, the packet importer and the
repairs call these functions and nothing else to write. Each write function validates its
input (``ops.checks``: one set of Vietnamese messages), runs in one transaction, writes the
audit log in it, and its ``Change`` reaches the database's listeners after the commit.
"""

from chibo4tot_desktop.ops.base import Office

__all__ = ["Office"]
