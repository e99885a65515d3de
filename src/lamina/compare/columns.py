"""The run table's columns, on their own so the command line's parser imports nothing more."""

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
