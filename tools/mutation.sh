#!/usr/bin/env bash
# Mutation testing (mutmut 3) of every module without graph code, and of the other modules'
# functions without graph code: setup.cfg's [mutmut] section says which files, which are left out
# and why, which lines are left alone (statements that only word a message) and which tests run:
# those that reach the code in the tool's process (tools/mutation_plugin.py, which this script
# loads, runs the commands there, not in new processes).
#
#   pip install -e ".[test,mutation]"
#   RNN_REFERENCE_DATA=../shared/data bash tools/mutation.sh   # without it the real-data tests skip
#   RNN_REFERENCE_DATA=../shared/data bash tools/mutation.sh 'beyond_slides.datasets.*' ...
#
# Without patterns the whole scope runs from scratch; with patterns (of the scope's, below) only
# their mutants run, and the verdicts of the others are kept from the runs before.
# Hours on 2 cores (docs/results.md); JOBS=4 on more cores. Then `mutmut results` lists the
# survivors, `mutmut show NAME` shows one, and `mutmut run NAME...` runs those again after a change
# (the tool keeps the other verdicts; it records which functions a test reaches only for tests new
# to it: a test changed in place keeps its old reach until renamed). An equivalent survivor (no
# test can tell it from the code) is marked on its line, `# pragma: no mutate: REASON` (setup.cfg):
# the tool then makes no mutant there. The last lines count each status by module and give the
# score (tools/mutation_summary.py). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/tools${PYTHONPATH:+:$PYTHONPATH}"   # the plugin, for the tool's pytest
export RNN_SLIDES_DIR="${RNN_SLIDES_DIR:-$(cd .. && pwd)/shared/slides}"   # the tool runs from mutants/
IN_SCOPE=(
    'data_utils.*' 'char_rnn.x_*' 'sentiment_rnn.x_*'
    'beyond_slides.cli.*'
    'beyond_slides.sentiment_command.*' 'beyond_slides.char_command.*' 'beyond_slides.errors.*'
    'beyond_slides.files.*' 'beyond_slides.settings.*' 'beyond_slides.datasets.*' 'beyond_slides.fast_words.*'
    'beyond_slides.predicting.*' 'beyond_slides.model_folder.*' 'beyond_slides.supervisor.*'
    'beyond_slides.training.*' 'beyond_slides.walkthrough.*' 'beyond_slides.exercises.*'
    'beyond_slides.lecture_notebook.*' 'beyond_slides.tf_setup.x_device_line*'
    'beyond_slides.fast_lstm.x_unsupported*' 'beyond_slides.fast_lstm.x_basic_cell*'
    'beyond_slides.fast_lstm.x_output_keep_prob*' 'beyond_slides.fast_lstm.x_group_sizes*'
    'beyond_slides.keras_export.x_lstm_weights*' 'beyond_slides.keras_export.x_export*'
)
if [ $# -eq 0 ]; then
    rm -rf mutants
    set -- "${IN_SCOPE[@]}"
fi
python -m mutmut run --max-children "${JOBS:-2}" "$@" || true
python -m mutmut results --all true > mutants/all-results.txt
python tools/mutation_summary.py mutants/all-results.txt   # by module, and the score
