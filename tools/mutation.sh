#!/usr/bin/env bash
# Mutation testing (mutmut 3) of the modules without graph code: data_utils.py, get_top_char,
# top_char_picker and create_batch_generator of char_rnn.py, and beyond_slides/training.py,
# training_run.py, cli.py, errors.py, model_folder.py, sentiment_cli.py, char_cli.py,
# walkthrough.py. setup.cfg's [mutmut] section says which files, which lines are left alone
# (the CharRNN class's graph code, and statements that only word a message) and which tests
# run (those that run in this process: a command in a new process cannot load the mutants).
#
#   pip install -e ".[test,mutation]"
#   bash tools/mutation.sh            # about 60 min on 2 cores; JOBS=4 on more cores
#
# Then `mutmut results` lists the survivors and `mutmut show NAME` shows one. The summary line
# at the end counts each status. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf mutants
python -m mutmut run --max-children "${JOBS:-2}" || true
python -m mutmut results --all true > mutants/results.txt
echo "mutants by status:"
awk -F': ' '{print $2}' mutants/results.txt | sort | uniq -c
