"""tools/ship_embedding.py run as a command on a tiny trained SentimentRNN (always with --out in
tmp_path: its default is the shipped models/sentiment_embedding.npz): --words up to the model's
vocabulary writes the commonest words and their embedding rows; one word more, none, or a folder
without a model is one line and status 2, and the file already at --out stays as it was."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, shared
from model_helpers import train_sentiment

SCRIPT = os.path.join(ROOT, 'tools', 'ship_embedding.py')


@pytest.fixture(scope=shared)
def model(tmp_path_factory):
    """A tiny SentimentRNN's folder, and its vocabulary as model_config.json saved it."""
    model_dir = str(tmp_path_factory.mktemp('ship') / 'model')
    train_sentiment(model_dir, 1)
    with open(os.path.join(model_dir, 'model_config.json'), encoding='utf-8') as f:
        return model_dir, json.load(f)['vocab']


def run_all(*commands):
    """Each command's arguments run as `python tools/ship_embedding.py ...`, side by side."""
    procs = [subprocess.Popen([sys.executable, SCRIPT] + [str(a) for a in args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT) for args in commands]
    return [(p.returncode, out, err) for p in procs for out, err in [p.communicate(timeout=600)]]


def test_words_up_to_the_vocabulary_are_written_and_one_more_none_or_no_model_is_refused(model, tmp_path):
    model_dir, vocab = model
    n = len(vocab)  # ids 1..n name the words (0 is padding)
    kept = b'the file that was there'
    for name in ('over.npz', 'zero.npz', 'nomodel.npz'):
        (tmp_path / name).write_bytes(kept)
    edge, over, zero, no_model = run_all(
        [model_dir, '--words', n, '--out', tmp_path / 'edge.npz'],
        [model_dir, '--words', n + 1, '--out', tmp_path / 'over.npz'],
        [model_dir, '--words', 0, '--out', tmp_path / 'zero.npz'],
        [tmp_path / 'nothing', '--words', 1, '--out', tmp_path / 'nomodel.npz'])

    assert edge[0] == 0, edge[2]
    with np.load(str(tmp_path / 'edge.npz')) as z:
        words, rows = list(z['words']), z['rows']
    assert words == sorted(vocab, key=vocab.get)  # the commonest (id 1) first, every word once
    import tensorflow as tf
    embedding = tf.train.load_checkpoint(tf.train.latest_checkpoint(model_dir)).get_tensor('embedding')
    assert rows.dtype == np.float32 and rows.shape == (n, 8)  # TestConfig.sentiment's embed_size
    np.testing.assert_array_equal(rows, embedding[[vocab[w] for w in words]])

    assert over[0] == 2 and over[2].strip().splitlines() == [
        'error: --words %d is more than the %d words of the model in %s: give at most %d' % (n + 1, n, model_dir, n)]
    assert zero[0] == 2 and zero[2].strip().splitlines() == [
        "error: argument --words: '0' is not a whole number from 1 to 1000000 (python tools/ship_embedding.py "
        "--help lists the options)"]
    assert no_model[0] == 2 and len(no_model[2].strip().splitlines()) == 1
    assert no_model[2].startswith('error: %s has no saved model' % (tmp_path / 'nothing'))
    for name in ('over.npz', 'zero.npz', 'nomodel.npz'):
        assert (tmp_path / name).read_bytes() == kept
