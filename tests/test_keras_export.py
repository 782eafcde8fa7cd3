"""The trained TF1 models exported to Keras 3 compute the same numbers: probabilities within
1e-5 and the same sampled text, checked in new processes that load only the .keras file
(tests/keras_only.py imports keras and numpy, never this project)."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from beyond_slides.model_folder import ModelFolder
from beyond_slides.predicting import CharSampler, build_quietly, encode_reviews, load_sentiment_rnn, predict_every_row
from char_rnn import CharRNN
from conftest import ROOT, run_cli, run_clis, shared
from data_helpers import PERIODIC, synthetic_reviews
from file_helpers import snapshot
from model_helpers import SHIPPED, TestConfig, edit_config
from sentiment_rnn import SentimentRNN

KERAS_ONLY = os.path.join(ROOT, 'tests', 'keras_only.py')


def keras_only(*jobs, cwd):
    """tests/keras_only.py's jobs, in one new process started from a folder outside the project;
    what each job printed."""
    path = os.path.join(cwd, 'keras_jobs.json')
    with open(path, 'w', encoding='utf-8') as f:
        json.dump([[str(a) for a in job] for job in jobs], f)
    r = subprocess.run([sys.executable, KERAS_ONLY, path], capture_output=True, text=True, cwd=cwd, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.split('\x00')[:-1]


# ---------------------------------------------------------------------------
# CharRNN: the shipped model, and a two-layer one
# ---------------------------------------------------------------------------

@pytest.fixture(scope=shared)
def char_models(tmp_path_factory):
    """{name: (model folder, its .keras export)} for the shipped model and a 2-layer CharRNN."""
    folder = tmp_path_factory.mktemp('char_export')
    (folder / 'text.txt').write_text(PERIODIC + 'The end.\n', encoding='utf-8')
    two = str(folder / 'two_layers')
    jobs = [('char_rnn.py', ['--train', '--data', folder / 'text.txt', '--epochs', 3, '--model-dir', two,
                             *TestConfig.char_opts, '--num-layers', 2, '--keep-prob', 0.8]),  # the last value holds
            ('char_rnn.py', ['--export-keras', folder / 'shipped.keras']),
            ('char_rnn.py', ['--export-keras', folder / 'two.keras', '--model-dir', two])]
    # training turns eager execution off for its process: the exports run in another one
    for r in run_clis(jobs[:1]) + run_clis(jobs[1:]):
        assert r.returncode == 0, r.stderr[-2000:]
    return {'shipped': (SHIPPED, str(folder / 'shipped.keras')), 'two layers': (two, str(folder / 'two.keras'))}


STEPS = [('shipped', 'The Tragedie of Hamlet'), ('two layers', 'abcde\nThe end')]


def test_char_probabilities_at_every_step_equal_the_tf1_graphs(char_models, tmp_path):
    keras_only(*[('char-steps', char_models[name][1], text, tmp_path / ('%d.npy' % i))
                 for i, (name, text) in enumerate(STEPS)], cwd=str(tmp_path))
    for i, (name, text) in enumerate(STEPS):
        with CharSampler(char_models[name][0], CharRNN) as sampler:
            expected = sampler.after_each(text)
        np.testing.assert_allclose(np.load(str(tmp_path / ('%d.npy' % i))), expected, rtol=0, atol=1e-5,
                                   err_msg=name)


SAMPLES = [('shipped', 'The ', 1, 5, 1.0), ('shipped', 'Ham.', 7, 3, 0.7), ('two layers', 'ab', 2, 2, 1.0)]


def test_keras_samples_the_text_the_command_samples(char_models, tmp_path):
    texts = keras_only(*[('char-sample', char_models[name][1], prime, 300, seed, top_n, temperature)
                         for name, prime, seed, top_n, temperature in SAMPLES], cwd=str(tmp_path))
    runs = run_clis([('char_rnn.py', ['--sample', 300, '--prime', prime, '--seed', seed, '--top-n', top_n,
                                      '--temperature', temperature, '--model-dir', char_models[name][0]])
                     for name, prime, seed, top_n, temperature in SAMPLES])
    for (name, prime, *_), text, r in zip(SAMPLES, texts, runs):
        assert r.returncode == 0, r.stderr
        assert text == r.stdout and len(text) == len(prime) + 300 + 1, name


UNSORTED = ['\n', 'e', 'a', 'd', 'c', 'b']  # PERIODIC's characters in an order of their own


def test_the_vocabulary_beside_the_model_is_the_models_own_id_order(char_models, tmp_path):
    """Also for characters handed over in an order of their own: the Keras file's ids mean the
    characters they meant in the TF1 model."""
    import data_utils
    with open(char_models['shipped'][1] + '.vocab.json', encoding='utf-8') as f:
        saved = json.load(f)
    assert saved['vocab'] == ModelFolder(SHIPPED).load_config('CharRNN')[1] and len(saved['vocab']) == 65
    char2int = {ch: i for i, ch in enumerate(UNSORTED)}
    x, y = data_utils.reshape_data(data_utils.encode_text(PERIODIC, char2int), 4, 10)
    rnn = build_quietly(CharRNN, len(UNSORTED), **TestConfig.char)
    rnn.chars = UNSORTED  # as the book's script hands them over
    model_dir = str(tmp_path / 'unsorted')
    rnn.train(x, y, num_epochs=2, ckpt_dir=model_dir)
    r = run_cli('char_rnn.py', '--export-keras', tmp_path / 'u.keras', '--model-dir', model_dir)
    assert r.returncode == 0 and r.stderr == '', r.stderr  # as quiet as the other commands: no C++ notes
    with open(str(tmp_path / 'u.keras.vocab.json'), encoding='utf-8') as f:
        saved = json.load(f)
    assert (saved['model'], saved['vocab']) == ('CharRNN', UNSORTED)
    assert saved['hparams'] == ModelFolder(model_dir).load_config('CharRNN')[0]


# ---------------------------------------------------------------------------
# SentimentRNN: one and two layers, 500 test reviews
# ---------------------------------------------------------------------------

@pytest.fixture(scope=shared)
def sentiment_exports(tmp_path_factory):
    """(1,000 synthetic reviews, [the folders of a 1- and a 2-layer SentimentRNN trained on the first
    500, each exported to FOLDER.keras])."""
    folder = tmp_path_factory.mktemp('sentiment_export')
    reviews = synthetic_reviews(1000)
    reviews.to_csv(str(folder / 'reviews.csv'), index=False)
    layers = (1, 2)
    dirs = [str(folder / ('model%d' % n)) for n in layers]
    trains = run_clis([('sentiment_rnn.py', ['--data', folder / 'reviews.csv', '--epochs', 2, '--model-dir',
                                             d, '--num-layers', n] + TestConfig.sentiment_opts)
                       for d, n in zip(dirs, layers)])
    # training turns eager execution off for its process: the exports run in another one
    exports = run_clis([('sentiment_rnn.py', ['--export-keras', d + '.keras', '--model-dir', d]) for d in dirs])
    for r in trains + exports:
        assert r.returncode == 0, r.stderr[-2000:]
    return reviews, dirs


def test_sentiment_probabilities_equal_predicts_with_one_and_two_layers(sentiment_exports, tmp_path):
    reviews, dirs = sentiment_exports
    expected = {}
    for d in dirs:
        hparams, vocab = ModelFolder(d).load_config('SentimentRNN')
        with open(d + '.keras.vocab.json', encoding='utf-8') as f:  # the Keras file's words, the model's ids
            assert json.load(f)['vocab'] == vocab
        sequences, expected[d] = tf1_sentiment_probabilities(d, list(reviews['review'][500:]))
        np.save(str(tmp_path / (os.path.basename(d) + '.npy')), sequences)
    keras_only(*[('sentiment', d + '.keras', tmp_path / (os.path.basename(d) + '.npy'),
                  tmp_path / (os.path.basename(d) + '.p.npy')) for d in dirs], cwd=str(tmp_path))
    for d in dirs:
        found = np.load(str(tmp_path / (os.path.basename(d) + '.p.npy')))
        assert found.shape == (500,)
        np.testing.assert_allclose(found, expected[d], rtol=0, atol=1e-5, err_msg=d)
        assert expected[d].std() > 1e-3  # answers that differ from review to review: a comparison that can fail


def usage_snippet():
    """The code block of docs/usage.md that rates reviews with sentiment.keras."""
    with open(os.path.join(ROOT, 'docs', 'usage.md'), encoding='utf-8') as f:
        text = f.read()
    block = text[text.index('<!-- keras-sentiment-snippet -->'):].split('```')[1]
    assert block.startswith('python\n')
    return block[len('python\n'):]


def test_the_usage_snippet_rates_reviews_as_predict_does_with_keras_and_numpy_only(sentiment_exports, tmp_path):
    _, dirs = sentiment_exports
    for suffix in ('', '.vocab.json'):  # the file names the snippet opens, beside it
        shutil.copy(dirs[0] + '.keras' + suffix, str(tmp_path / ('sentiment.keras' + suffix)))
    code = usage_snippet() + 'import sys\nassert not [m for m in sys.modules if m.split(".")[0] in %r]\n' % (
        ('beyond_slides', 'data_utils', 'sentiment_rnn', 'char_rnn'),)
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=str(tmp_path), timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    rated = [line.split('  ', 1) for line in r.stdout.strip().splitlines()]
    predicted, = run_clis([('sentiment_rnn.py', ['--model-dir', dirs[0], '--predict'] + [t for _, t in rated])])
    assert predicted.returncode == 0, predicted.stderr
    expected = [(line.split('  ')[0], line.split('  ', 2)[2]) for line in predicted.stdout.strip().splitlines()]
    assert len(rated) == 2 and all(abs(float(p) - float(q)) <= 0.0015 and t == u
                                   for (p, t), (q, u) in zip(rated, expected)), (rated, expected)


def tf1_sentiment_probabilities(model_dir, texts):
    """(the reviews' word-id sequences, the TF1 graph's probabilities as --predict computes them)."""
    folder = ModelFolder(model_dir)
    hparams, vocab = folder.load_config('SentimentRNN')
    sequences, _ = encode_reviews(texts, vocab, hparams['seq_len'])
    rnn = load_sentiment_rnn(folder.path, SentimentRNN)
    return sequences.astype(np.int32), predict_every_row(rnn, sequences, return_proba=True, from_zero_state=True)


# ---------------------------------------------------------------------------
# Bad input: one line, nothing written
# ---------------------------------------------------------------------------

def test_bad_exports_say_what_is_wrong_and_write_nothing(tmp_path):
    damaged = str(tmp_path / 'damaged')
    shutil.copytree(SHIPPED, damaged)
    data = next(n for n in os.listdir(damaged) if '.data-' in n)
    with open(os.path.join(damaged, data), 'r+b') as f:
        f.truncate(64)
    (tmp_path / 'exists.keras').write_text('a file of the user')
    (tmp_path / 'vocab_exists.keras.vocab.json').write_text('a file of the user')  # the model file is new
    os.makedirs(str(tmp_path / 'empty'))
    out = tmp_path / 'out'
    out.mkdir()
    cases = [
        (['--export-keras', out / 'a.keras', '--model-dir', tmp_path / 'empty'], 'has no saved model'),
        (['--export-keras', out / 'b.keras', '--model-dir', damaged], 'cannot read the checkpoint'),
        (['--export-keras', tmp_path / 'exists.keras'], 'exists.keras already exists'),
        (['--export-keras', tmp_path / 'vocab_exists.keras'], 'vocab_exists.keras.vocab.json already exists'),
        (['--export-keras', out / 'c.h5'], 'ends with .keras'),
    ]
    before = snapshot(str(tmp_path))
    for (args, message), r in zip(cases, run_clis([('char_rnn.py', args) for args, _ in cases])):
        assert r.returncode == 2, (args, r.stderr[-2000:])
        last = r.stderr.strip().splitlines()[-1]
        assert last.startswith('error: ') and message in last, last
    assert snapshot(str(tmp_path)) == before
    assert sorted(os.listdir(str(out))) == []


FAIL_THE_MODELS_MOVE = """
import errno, os, sys
sys.path.insert(0, %r)
real_replace = os.replace
def replace(src, dst):
    print('moved from %%s' %% os.path.dirname(os.path.dirname(src)), file=sys.stderr)
    if dst.endswith('.keras'):  # the model file's move into place, after the vocabulary's
        raise OSError(errno.ENOSPC, 'No space left on device', dst)
    return real_replace(src, dst)
os.replace = replace
from beyond_slides import cli
sys.exit(cli.CHAR_COMMAND.main(sys.argv[1:]))
"""


def test_an_export_whose_model_cannot_be_put_in_place_leaves_neither_file(tmp_path):
    out = tmp_path / 'out'
    out.mkdir()
    r = subprocess.run([sys.executable, '-c', FAIL_THE_MODELS_MOVE % ROOT, '--export-keras', str(out / 'm.keras')],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 2, r.stderr[-2000:]
    assert r.stderr.strip().splitlines()[-1].startswith('error: no space left on the disk, writing ')
    assert os.listdir(str(out)) == []
    # both files were moved from a temporary folder beside their place: one file system, so each
    # move is a rename that happens whole or not at all
    assert {line for line in r.stderr.splitlines() if line.startswith('moved from')} == {'moved from %s' % out}


# ---------------------------------------------------------------------------
# The export's two guards that need Keras itself: eager execution, and weights that fit the
# configuration (each in a new process: the tests' own may have turned eager execution off)
# ---------------------------------------------------------------------------

EXPORT_THEN_TURN_EAGER_OFF = """
import sys
sys.path.insert(0, %r)
from beyond_slides import cli
first = cli.CHAR_COMMAND.main(['--export-keras', sys.argv[1]])  # a new process: eager execution on
print('first export: %%s' %% first, file=sys.stderr)
from beyond_slides import tf_setup  # the lecture's TensorFlow 1.x set-up: graph mode from here on
sys.exit(cli.CHAR_COMMAND.main(['--export-keras', sys.argv[2]]))
"""


def test_the_export_in_a_process_the_lectures_code_turned_to_graph_mode_is_refused(tmp_path):
    out = tmp_path / 'out'
    out.mkdir()
    r = subprocess.run([sys.executable, '-c', EXPORT_THEN_TURN_EAGER_OFF % ROOT, str(out / 'eager.keras'),
                        str(out / 'graph.keras')], capture_output=True, text=True, timeout=600)
    assert 'first export: 0' in r.stderr, r.stderr[-2000:]  # accepted while eager execution is on
    assert r.returncode == 2, r.stderr[-2000:]
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith('error: Keras 3 needs eager execution') and 'export from a new one' in last, last
    assert sorted(os.listdir(str(out))) == ['eager.keras', 'eager.keras.vocab.json']  # nothing of the refused one


def with_config(tmp_path, name, change):
    """A copy of the shipped model whose model_config.json is changed by change(config)."""
    folder = str(tmp_path / name)
    shutil.copytree(SHIPPED, folder)
    edit_config(folder, change)
    return folder


def test_a_checkpoint_one_unit_or_one_character_off_its_configuration_is_refused(tmp_path):
    # the shipped checkpoint: 65 characters, 128 LSTM units, one layer (a second layer in the
    # configuration would otherwise be exported with Keras's random weights)
    cases = [('exact', lambda c: None, None),  # the edge: the configuration the checkpoint was saved with
             ('units_127', lambda c: c['hparams'].update(lstm_size=127), 'does not fit its model_config.json'),
             ('units_129', lambda c: c['hparams'].update(lstm_size=129), 'does not fit its model_config.json'),
             ('chars_64', lambda c: c['vocab'].pop(), 'does not fit its model_config.json'),
             ('chars_66', lambda c: c['vocab'].append('\u00e9'), 'does not fit its model_config.json'),
             ('layers_2', lambda c: c['hparams'].update(num_layers=2), 'does not fit its model_config.json')]
    out = tmp_path / 'out'
    out.mkdir()
    folders = [with_config(tmp_path, name, change) for name, change, _ in cases]
    runs = run_clis([('char_rnn.py', ['--export-keras', out / (name + '.keras'), '--model-dir', folder])
                     for (name, _, _), folder in zip(cases, folders)])
    for (name, _, message), r in zip(cases, runs):
        if message is None:
            assert r.returncode == 0 and r.stderr == '', r.stderr[-2000:]
        else:
            assert r.returncode == 2, (name, r.stderr[-2000:])
            last = r.stderr.strip().splitlines()[-1]
            assert last.startswith('error: ') and message in last and name in last, last
    assert sorted(os.listdir(str(out))) == ['exact.keras', 'exact.keras.vocab.json']
