import ast
import io
import os
import subprocess
import sys
import tarfile

import numpy as np
import pandas as pd
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

# Four reviews per folder, in the official layout; a review's label is the word
# 'great' or 'awful' in it (the synthetic data of the tests).
TINY_REVIEWS = {
    ('test', 'pos'): {'0_10.txt': 'A great film!', '10_9.txt': 'Great, great acting.',
                      '2_8.txt': 'So great.', '1_7.txt': 'great<br />fun'},
    ('test', 'neg'): {'0_1.txt': 'An awful film.', '5_2.txt': 'Awful!',
                      '3_4.txt': 'awful, really', '11_3.txt': "It's awful"},
    ('train', 'pos'): {'0_9.txt': 'Great plot', '1_10.txt': 'great great',
                       '12_7.txt': 'The cast is great.', '3_8.txt': 'great\r\nending'},
    ('train', 'neg'): {'0_2.txt': 'awful plot', '7_1.txt': 'Awful cast',
                       '4_3.txt': 'awful - awful', '10_4.txt': 'The end is awful.'},
}


def make_imdb_tarball(path, reviews=TINY_REVIEWS, truncate=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as tar:
        for (s, l), files in reviews.items():
            for name, text in files.items():
                data = text.encode('utf-8') if isinstance(text, str) else text
                info = tarfile.TarInfo('aclImdb/%s/%s/%s' % (s, l, name))
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    with open(path, 'wb') as f:
        f.write(data[:truncate] if truncate else data)
    return path


def make_imdb_folder(root, reviews=TINY_REVIEWS):
    for (s, l), files in reviews.items():
        folder = os.path.join(root, 'aclImdb', s, l)
        os.makedirs(folder)
        for name, text in files.items():
            with open(os.path.join(folder, name), 'w', encoding='utf-8', newline='') as f:
                f.write(text)
    return os.path.join(root, 'aclImdb')


# ---------------------------------------------------------------------------
# The tiny settings and data of the unit tests
# ---------------------------------------------------------------------------

class TestConfig:
    """The slides' models, small enough to train in a second or two (the idea of the TensorFlow
    PTB tutorial's TestConfig). *_opts: the same settings as command-line options."""
    __test__ = False  # a configuration, not a test class
    char = dict(batch_size=4, num_steps=10, lstm_size=32, num_layers=1, learning_rate=0.01,
                keep_prob=1.0, grad_clip=5.0)
    char_opts = ['--batch-size', 4, '--num-steps', 10, '--lstm-size', 32, '--learning-rate', 0.01,
                 '--keep-prob', 1.0]
    sentiment = dict(seq_len=12, lstm_size=16, num_layers=1, batch_size=20, learning_rate=0.01, embed_size=8)
    sentiment_opts = ['--seq-len', 12, '--lstm-size', 16, '--batch-size', 20, '--learning-rate', 0.01,
                      '--embed-size', 8]


SHIPPED = os.path.join(ROOT, 'models', 'char_rnn')  # the trained CharRNN that ships
PERIODIC = 'abcde\n' * 200  # a text a tiny CharRNN learns in a few epochs
FILLER = ['the', 'movie', 'film', 'plot', 'actor', 'scene', 'story', 'cast', 'was', 'and']


def synthetic_reviews(n, seed=0):
    """Reviews of filler words; the label is given by one word, 'great' (1) or 'awful' (0)."""
    rng = np.random.RandomState(seed)
    rows = []
    for i in range(n):
        words = list(rng.choice(FILLER, 8))
        words.insert(rng.randint(0, 9), 'great' if i % 2 else 'awful')
        rows.append((' '.join(words) + '.', i % 2))
    return pd.DataFrame(rows, columns=['review', 'sentiment'])


def prepared(n=600):
    """(word_to_int, (X_train, y_train, X_test, y_test)) of n synthetic reviews, half for training."""
    import data_utils
    df = synthetic_reviews(n)
    word_to_int, mapped = data_utils.preprocess_reviews(df['review'])
    sequences = data_utils.make_sequences(mapped, TestConfig.sentiment['seq_len'])
    return word_to_int, data_utils.split_train_test(sequences, df['sentiment'], n // 2)


def train_small(text, ckpt_dir, epochs, **overrides):
    """A tiny CharRNN trained on text into ckpt_dir, its configuration saved as the command saves
    it; returns (the model, its characters)."""
    import data_utils
    from beyond_slides import model_files
    from char_rnn import CharRNN
    hparams = dict(TestConfig.char, **overrides)
    chars, char2int, _ = data_utils.char_vocab(text)
    x, y = data_utils.reshape_data(data_utils.encode_text(text, char2int), hparams['batch_size'],
                                   hparams['num_steps'])
    rnn = CharRNN(len(chars), **hparams)
    rnn.train(x, y, num_epochs=epochs, ckpt_dir=ckpt_dir)
    model_files.save_model_config(ckpt_dir, 'CharRNN', dict(hparams, epochs=epochs), chars)
    return rnn, chars


# ---------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def data_cache(tmp_path, monkeypatch):
    """Every test gets its own empty data cache."""
    cache = tmp_path / 'cache'
    monkeypatch.setenv('RNN_DATA_DIR', str(cache))
    return cache


@pytest.fixture(autouse=True)
def a_minute_at_most_under_the_mutation_tool():
    """A mutant can loop for ever (the lock's `while True`), and the tool would wait for a limit
    of many times its tests' time: under the tool, a test that runs a minute fails."""
    import signal
    import threading
    if not under_the_mutation_tool() or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise TimeoutError('the test ran for a minute: a mutant that never ends')
    before = signal.signal(signal.SIGALRM, expire)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


def skip_or_fail_in_ci(reason):
    """Outside CI a test that needs files from ../shared skips, saying why; under CI=true it fails."""
    if os.environ.get('CI') == 'true':
        pytest.fail('%s (CI must run every test)' % reason)
    pytest.skip(reason)


def slides_file(name):
    """The path of ../shared/slides/<name> (the lecture's slides and the book's code)."""
    path = os.path.join(ROOT, '..', 'shared', 'slides', name)
    # The mutation tool runs the tests in its copy of the repository, mutants/, one folder deeper.
    if not os.path.isfile(path) and under_the_mutation_tool():
        path = os.path.join(ROOT, '..', '..', 'shared', 'slides', name)
    if not os.path.isfile(path):
        skip_or_fail_in_ci('%s is not beside the repository' % path)
    return path


@pytest.fixture(scope='session')
def reference_data():
    """../shared/data when RNN_REFERENCE_DATA names it; the test fails if files are missing."""
    folder = os.environ.get('RNN_REFERENCE_DATA')
    if not folder:
        skip_or_fail_in_ci('RNN_REFERENCE_DATA is not set')
    for name in ('aclImdb_v1_labeled.tar.gz', 'pg2265.txt'):
        assert os.path.isfile(os.path.join(folder, name)), 'missing %s in %s' % (name, folder)
    return folder


def under_the_mutation_tool():
    """The mutation tool (tools/mutation.sh) sets MUTANT_UNDER_TEST; its mutants load only in the
    process it runs the tests in, so there commands run in this process (run_cli, run_clis)."""
    return 'MUTANT_UNDER_TEST' in os.environ


def module_scope_unless_mutating(fixture_name, config):
    """A fixture's scope: the module's, but each test's while the mutation tool records which tests
    reach which function (MUTANT_UNDER_TEST=stats): it credits a module fixture's work to the first
    test only, and would never run the others for a mutant there. Running a mutant's tests, the
    module's again: the fixture is made once, under the mutant."""
    return 'function' if os.environ.get('MUTANT_UNDER_TEST') == 'stats' else 'module'


def run_in_this_process(jobs, cwd=None):
    """[(script, [args], {variable: value}), ...] run one after the other in this process, each as
    `python script args` would (tests/cli_worker.py's run()); a CompletedProcess each."""
    import cli_worker
    here = os.getcwd()
    os.chdir(cwd or ROOT)
    try:
        return [subprocess.CompletedProcess([script] + list(args), *cli_worker.run(script, list(args), env))
                for script, args, env in jobs]
    finally:
        os.chdir(here)


@pytest.fixture(scope='session')
def built_movie_data(reference_data, tmp_path_factory):
    """A data cache holding movie_data.csv built from the reference tarball, once for the session."""
    import data_utils
    cache = str(tmp_path_factory.mktemp('built-movie-data'))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv('RNN_DATA_DIR', cache)
        data_utils.load_movie_data(os.path.join(reference_data, 'aclImdb_v1_labeled.tar.gz'))
    return cache


@pytest.fixture
def imdb_tarball(reference_data, built_movie_data, data_cache):
    """The reference tarball, its movie_data.csv already in this test's data cache (built once for
    the session; test_data_utils.py tests the building itself)."""
    import shutil
    shutil.copytree(built_movie_data, str(data_cache), dirs_exist_ok=True)
    return os.path.join(reference_data, 'aclImdb_v1_labeled.tar.gz')


def run_cli(script, *args, env=None, cwd=None):
    """Run python <script> args in a new process; returns the CompletedProcess."""
    if under_the_mutation_tool():
        return run_clis([(script, args, env or {})], cwd)[0]  # in this process
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, os.path.join(ROOT, script)] + [str(a) for a in args],
                          capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=600)


def snapshot(folder):
    """{relative path: bytes} of every file under folder."""
    out = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, 'rb') as f:
                out[os.path.relpath(path, folder)] = f.read()
    return out


def start_from(graph, sess, weights):
    """Load weights ({variable name: value}) into graph's trainable variables in sess, if given;
    returns the weights it starts from, so that a second graph can start from the same."""
    from beyond_slides.tf_setup import tf
    with graph.as_default():
        for v in tf.trainable_variables():
            if weights is not None:
                v.load(weights[v.op.name], sess)
        return {v.op.name: sess.run(v) for v in tf.trainable_variables()}


class RecordingSaver(object):
    """A Saver that records the path of every save (and saves)."""

    def __init__(self, saver):
        self.saver, self.saved = saver, []

    def save(self, sess, path, *args, **kwargs):
        self.saved.append(path)
        return self.saver.save(sess, path, *args, **kwargs)


def functions_in(path):
    """{name: source lines} of the top-level functions and the classes' methods in a file;
    a name defined twice gets #1 and #2."""
    with open(path, encoding='utf-8') as f:
        source = f.read()
    lines = source.splitlines()
    found = {}

    def add(name, node):
        key = name
        if name in found or name + '#1' in found:
            if name in found:
                found[name + '#1'] = found.pop(name)
            key = name + '#2'
        found[key] = lines[node.lineno - 1:node.end_lineno]

    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            add(node.name, node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    add('%s.%s' % (node.name, item.name), item)
    return found


def run_clis(jobs, cwd=None, env=None):
    """Several command lines [(script, [args]) or (script, [args], {job's env}), ...] in one new
    process (tests/cli_worker.py: TensorFlow imported once), each as `python script args` would run,
    with env's variables and then the job's own set; a CompletedProcess each."""
    specs = [(job[0], [str(a) for a in job[1]], {**(env or {}), **(job[2] if len(job) > 2 else {})})
             for job in jobs]
    if under_the_mutation_tool():
        return run_in_this_process(specs, cwd)
    import json
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'jobs.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(specs, f)
        worker = subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'cli_worker.py'), path,
                                 path + '.out'], capture_output=True, text=True, cwd=cwd or ROOT, timeout=900)
        assert worker.returncode == 0, worker.stderr[-3000:]
        with open(path + '.out', encoding='utf-8') as f:
            results = json.load(f)
    return [subprocess.CompletedProcess(job, *result) for job, result in zip(jobs, results)]


def tf1_probabilities_after_each(model_dir, text):
    """The CharRNN's probabilities of the next character after each character of text (len, classes),
    from the slides' TF1 graph in sampling mode, the state carried, dropout off."""
    import contextlib
    import io
    from beyond_slides import model_files
    from beyond_slides.tf_setup import tf
    from char_rnn import CharRNN
    hparams, chars = model_files.load_model_config(model_dir, 'CharRNN')
    char2int = {ch: i for i, ch in enumerate(chars)}
    with contextlib.redirect_stdout(io.StringIO()):
        rnn = CharRNN(len(chars), sampling=True, lstm_size=hparams['lstm_size'], num_layers=hparams['num_layers'])
    out = []
    with tf.Session(graph=rnn.g) as sess:
        rnn.saver.restore(sess, tf.train.latest_checkpoint(model_dir))
        state = sess.run(rnn.initial_state)
        for ch in text:
            proba, state = sess.run(['probabilities:0', rnn.final_state],
                                    {'tf_x:0': [[char2int[ch]]], 'tf_keepprob:0': 1.0, rnn.initial_state: state})
            out.append(proba[0])
    return np.stack(out)

