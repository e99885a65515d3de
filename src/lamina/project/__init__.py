"""Projects: a folder holding a spec and the runs trained from it.

Layout::

    my-project/
      project.json              {"format": "lamina-project", "name", "created", "spec"}
      runs/<run-id>/
        spec.json               the spec as trained
        weights.final.h5        weights at the end (best epoch if early stopping restored it)
        weights.best.h5         weights of the best epoch
        history.json            per-epoch metrics
        metrics.json            test metrics, confusion matrix
        run.json                device, seed, versions, timings, data, standardiser, status
        log.txt                 the run's log
        checkpoint.json         only while training: the best epoch written so far

Only weights and JSON are stored, never pickled code, so opening a project from a
stranger cannot run code; models are rebuilt from the spec. Every file is written
atomically (temporary file + rename), and ``run.json`` is written last: a run folder
without it is an interrupted run or save and is listed as incomplete, not loaded by
`load_run`. While a run trains, the best weights so far are checkpointed
(``spec.json``, ``weights.best.h5``, ``checkpoint.json``), so a run interrupted by a
crash or a kill keeps them: ``Run(path).model("best")`` rebuilds that model.
"""

from lamina.project.files import (
    CHECKPOINT_FILE,
    PROJECT_FILE,
    PROJECT_FORMAT,
    PROJECT_FORMAT_VERSION,
    RUN_FILE,
    RUNS_DIR,
    WEIGHTS_BEST,
    WEIGHTS_FINAL,
    ProjectError,
)
from lamina.project.folder import (
    Project,
    create_project,
    find_run,
    load_project,
    open_project,
    save_project,
)
from lamina.project.run import Run, load_run, write_checkpoint, write_run

__all__ = [
    "CHECKPOINT_FILE",
    "PROJECT_FILE",
    "PROJECT_FORMAT",
    "PROJECT_FORMAT_VERSION",
    "RUNS_DIR",
    "RUN_FILE",
    "WEIGHTS_BEST",
    "WEIGHTS_FINAL",
    "Project",
    "ProjectError",
    "Run",
    "create_project",
    "find_run",
    "load_project",
    "load_run",
    "open_project",
    "save_project",
    "write_checkpoint",
    "write_run",
]
