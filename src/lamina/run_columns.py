"""The run table's columns (`lamina.compare`).

Outside that package, so that the command line's parser, which needs only these names
for ``lamina runs --sort``, imports nothing more.
"""

#: Columns of the run table, in order (``--sort`` takes these names).
COLUMNS = (
    "run",
    "date",
    "status",
    "spec",
    "changed",
    "best_val",
    "test",
    "epochs",
    "seconds",
    "device",
)
