"""A Slurm job-array script that starts search workers on a cluster."""

from __future__ import annotations

import shlex

from lamina.hpsearch.settings import check_search_name

TEMPLATE = """#!/bin/bash
# lamina search workers as a Slurm job array: each array task is one worker that joins the
# search {name!r} and trains trials until its budget is reached (Optuna hands out the trials,
# no trial runs twice). Start the search once (it stores the spec, space and data in the
# study), then submit this script:  sbatch search-workers.sh
#
# The study lives in PostgreSQL; keep the password out of this file: put the URL in
# ~/.lamina-search-storage (chmod 600) or export LAMINA_SEARCH_STORAGE before sbatch.
#SBATCH --job-name=lamina-{name}
#SBATCH --array=0-7             # 8 workers; at most 4 at once: --array=0-7%4
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --output=lamina-{name}-%A_%a.out
##SBATCH --gres=gpu:1          # one GPU per worker

set -euo pipefail
export LAMINA_SEARCH_STORAGE="${{LAMINA_SEARCH_STORAGE:-$(cat ~/.lamina-search-storage)}}"
# TensorFlow uses the cores Slurm gave this task, no more.
export TF_NUM_INTRAOP_THREADS="${{SLURM_CPUS_PER_TASK:-1}}" TF_NUM_INTEROP_THREADS=1
# A shared project folder (all runs together), or one per task:
#   PROJECT="$SCRATCH/{name}-$SLURM_ARRAY_TASK_ID"
PROJECT={project}

srun lamina search worker --study {name} --project "$PROJECT"
"""


def slurm_template(name: str, project: str) -> str:
    """The job-array script for the search `name`, runs written to `project`.

    The name is checked (it is written into shell lines); the folder is shell-quoted.

    Raises:
        SearchError: If `name` is not a valid search name.
    """
    check_search_name(name)
    return TEMPLATE.format(name=name, project=shlex.quote(str(project)))
