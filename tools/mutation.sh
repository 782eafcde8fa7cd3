#!/usr/bin/env bash
# Mutation testing (mutmut 3) of the modules without graph code: data_utils.py, the functions of
# char_rnn.py outside the CharRNN class (create_batch_generator, get_top_char, top_char_picker),
# and beyond_slides/training.py, training_run.py, cli.py, errors.py, model_folder.py,
# sentiment_cli.py, char_cli.py, walkthrough.py. setup.cfg's [mutmut] section says which files,
# which lines are left alone (statements that only word a message) and which tests run: those
# that reach these modules in the tool's process (tests/conftest.py runs the commands there, not
# in new processes, while MUTANT_UNDER_TEST is set).
#
#   pip install -e ".[test,mutation]"
#   RNN_REFERENCE_DATA=../shared/data bash tools/mutation.sh   # without it the real-data tests skip
#
# About 2 hours on 2 cores (docs/results.md); JOBS=4 on more cores. Then `mutmut results` lists
# the survivors, `mutmut show NAME` shows one, and `mutmut run NAME...` runs those again after a
# change (the tool keeps the other verdicts); docs/results.md lists the equivalent ones. The last
# lines count each status and give the score. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
IN_SCOPE=('data_utils.*' 'char_rnn.x_*' 'beyond_slides.*')
rm -rf mutants
python -m mutmut run --max-children "${JOBS:-2}" "${IN_SCOPE[@]}" || true
python -m mutmut results --all true | grep -E '^ *(data_utils\.|char_rnn\.x_|beyond_slides\.)' \
    | sed 's/^ *//' > mutants/results.txt
echo "mutants by status:"
awk -F': ' '{print $2}' mutants/results.txt | sort | uniq -c
awk -F': ' '{n++; if ($2 == "killed" || $2 == "timeout") k++} END {printf "killed: %d of %d (%.1f %%)\n", k, n, 100 * k / n}' \
    mutants/results.txt
