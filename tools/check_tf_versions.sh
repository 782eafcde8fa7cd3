#!/usr/bin/env bash
# The lowest and the highest supported TensorFlow, each in a fresh virtual environment:
# install the project with that TensorFlow and its tf-keras, run a quick subset of the tests
# (both graphs build and print the slides' tensors, a few training steps of the project's
# graph match the slides' graph, sampling from the shipped model), train a small CharRNN,
# then check that each version loads the other's checkpoint and samples the same text.
#
#   bash tools/check_tf_versions.sh [WORK_FOLDER]      # default /tmp/tf-versions; about 10 min
#
# Record what it prints, with the date, in docs/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/tf-versions}
python=${PYTHON:-python3}
versions=(2.16 2.21)
mkdir -p "$work"
printf 'abcde\n%.0s' $(seq 200) > "$work/text.txt"
small=(--batch-size 4 --num-steps 10 --lstm-size 32 --learning-rate 0.01 --keep-prob 1.0)
for v in "${versions[@]}"; do
  echo "=== TensorFlow $v"
  rm -rf "$work/venv-$v" "$work/model-$v"
  "$python" -m venv "$work/venv-$v"
  "$work/venv-$v/bin/pip" install -q "tensorflow==$v.*" "tf-keras==$v.*" -e ".[test]"
  "$work/venv-$v/bin/python" -c 'import sys, tensorflow as tf, tf_keras, numpy, pandas
print("python %s, tensorflow %s, tf-keras %s, numpy %s, pandas %s" % (sys.version.split()[0],
      tf.__version__, tf_keras.__version__, numpy.__version__, pandas.__version__))'
  "$work/venv-$v/bin/python" -m pytest -q -p no:cacheprovider tests/test_char.py tests/test_sentiment.py \
      -k 'slides_graph_and_fast or build_prints or both_graphs_print or shipped_model_samples'
  "$work/venv-$v/bin/python" char_rnn.py --train --data "$work/text.txt" --epochs 3 \
      --model-dir "$work/model-$v" "${small[@]}" > "$work/train-$v.log" 2>&1
  "$work/venv-$v/bin/python" char_rnn.py --sample 200 --seed 1 > "$work/shipped-$v.txt"
done
status=0
for saved in "${versions[@]}"; do
  for loading in "${versions[@]}"; do
    "$work/venv-$loading/bin/python" char_rnn.py --sample 30 --seed 2 --prime ab \
        --model-dir "$work/model-$saved" > "$work/sample-$saved-by-$loading.txt"
  done
  if cmp -s "$work/sample-$saved-by-${versions[0]}.txt" "$work/sample-$saved-by-${versions[1]}.txt"; then
    echo "checkpoint saved by $saved: loads in ${versions[*]}, the same sample"
  else
    echo "checkpoint saved by $saved: samples differ between ${versions[*]}"; status=1
  fi
done
if cmp -s "$work/shipped-${versions[0]}.txt" "$work/shipped-${versions[1]}.txt"; then
  echo "shipped model: the same 200 characters in ${versions[*]}"
else
  echo "shipped model: different text in ${versions[*]}"; status=1
fi
exit $status
