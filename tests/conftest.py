"""What the tests share: the tiny settings (TestConfig), synthetic data, one helper per concept,
and the way they run the commands.

- Data: TINY_REVIEWS in the official IMDb layout (make_imdb_tarball, make_imdb_folder),
  synthetic_reviews(n) and prepared(n) (word ids, the slides' split), PERIODIC (a text a tiny
  CharRNN learns in a few epochs).
- Models: train_char(...) and train_sentiment(...) train tiny models through the training layer,
  as the commands do (beyond_slides/training.py); start_from() loads given weights into a graph.
- Commands: run_cli(script, *args) runs `python script args` in a new process; run_clis(jobs)
  runs several in one process (TensorFlow imported once). HOOKS.run_commands decides where:
  tools/mutation_plugin.py runs them in the test's own process. run_python_in_ascii_locale(script)
  runs Python code where the locale is not UTF-8.
- Files: snapshot(folder) to check that nothing changed; functions_in(path) to compare code.
- The reference data (../shared/data, named by RNN_REFERENCE_DATA) and the slides
  (../shared/slides, or RNN_SLIDES_DIR): the tests that need them skip without them, and fail
  under CI=true.
"""
import ast
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import tempfile

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


def make_imdb_tarball(path, reviews=TINY_REVIEWS, truncate=None, top='aclImdb/', others=None):
    """A tarball of reviews in the official layout (top: the folder they are in); others:
    {member name: text} of files besides the reviews."""
    members = [('%s%s/%s/%s' % (top, s, l, name), text) for (s, l), files in reviews.items()
               for name, text in files.items()] + sorted((others or {}).items())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as tar:
        for name, text in members:
            data = text.encode('utf-8') if isinstance(text, str) else text
            info = tarfile.TarInfo(name)
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


# ---------------------------------------------------------------------------
# Tiny models, trained through the training layer as the commands train theirs
# ---------------------------------------------------------------------------

def train_char(text, model_dir, epochs, resume=False, supervisor_class=None, **overrides):
    """A tiny CharRNN trained on text into model_dir by the training layer, as a notebook trains one
    (configuration, loss history, epochs recorded); supervisor_class: a Supervisor subclass that
    supervises it. Returns (the model, its characters, the supervisor)."""
    import data_utils
    from char_rnn import CharRNN
    hparams = dict(TestConfig.char, **overrides)
    chars, char2int, _ = data_utils.char_vocab(text)
    x, y = data_utils.reshape_data(data_utils.encode_text(text, char2int), hparams['batch_size'],
                                   hparams['num_steps'])
    rnn = quietly(CharRNN, len(chars), **hparams)
    rnn.chars = chars
    with supervised(rnn, model_dir, epochs, chars, x.shape[1] // rnn.num_steps, resume, supervisor_class) as s:
        rnn.train(x, y, num_epochs=epochs, ckpt_dir=model_dir, supervisor=s)
    return rnn, chars, s


def train_sentiment(model_dir, epochs, n_reviews=200, resume=False, supervisor_class=None, **overrides):
    """A tiny SentimentRNN trained on n_reviews synthetic reviews (half of them: with the test
    configuration, 5 mini-batches of 20 an epoch for 200) by the training layer. Returns (the model,
    (X_train, y_train, X_test, y_test), the supervisor)."""
    from sentiment_rnn import SentimentRNN
    word_to_int, data = prepared(n_reviews)
    n_words = max(word_to_int.values()) + 1
    rnn = quietly(SentimentRNN, n_words=n_words, model_dir=model_dir, **dict(TestConfig.sentiment, **overrides))
    n_batches = len(data[0]) // rnn.batch_size
    with supervised(rnn, model_dir, epochs, word_to_int, n_batches, resume, supervisor_class, n_words=n_words) as s:
        rnn.train(data[0], data[1], num_epochs=epochs, supervisor=s)
    return rnn, data, s


def signal_at(iteration, signum=signal.SIGINT, times=1):
    """A Supervisor class to hand to train_char or train_sentiment: it sends this process signum
    (times times) as mini-batch `iteration` ends, as Ctrl-C or `kill` would."""
    from beyond_slides.supervisor import Supervisor

    class SignalAt(Supervisor):
        def after_batch(self, sess, epoch, i, loss, state):
            if i == iteration:
                for _ in range(times):
                    os.kill(os.getpid(), signum)
            super().after_batch(sess, epoch, i, loss, state)
    return SignalAt


@contextlib.contextmanager
def supervised(model, model_dir, epochs, vocab, n_batches, resume, supervisor_class, **extra):
    """training.supervised_training, its supervisor of supervisor_class if given."""
    from unittest import mock
    from beyond_slides import training
    with mock.patch.object(training, 'Supervisor', supervisor_class or training.Supervisor):
        with training.supervised_training(model, model_dir, epochs, vocab, n_batches, resume=resume,
                                          progress=False, **extra) as supervisor:
            yield supervisor


def quietly(make, *args, **kwargs):
    """make(*args, **kwargs) without what it prints (build() prints the slides' tensors)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return make(*args, **kwargs)


class RecordingSaver(object):
    """A Saver that records the path of every save (and saves)."""

    def __init__(self, saver):
        self.saver, self.saved = saver, []

    def save(self, sess, path, *args, **kwargs):
        self.saved.append(path)
        return self.saver.save(sess, path, *args, **kwargs)


def start_from(graph, sess, weights):
    """Load weights ({variable name: value}) into graph's trainable variables in sess, if given;
    returns the weights it starts from, so that a second graph can start from the same."""
    from beyond_slides.tf_setup import tf
    with graph.as_default():
        for v in tf.trainable_variables():
            if weights is not None:
                v.load(weights[v.op.name], sess)
        return {v.op.name: sess.run(v) for v in tf.trainable_variables()}


# ---------------------------------------------------------------------------
# Running the commands
# ---------------------------------------------------------------------------

class TestHooks(object):
    """Where the tests run the commands and how long shared fixtures live. tools/mutation_plugin.py
    (the mutation tool's) replaces HOOKS with its own: commands in this process, a fixture per test."""
    __test__ = False

    def run_commands(self, specs, cwd):
        """[(script, [args], {variable: value}), ...] in one new process (tests/cli_worker.py:
        TensorFlow imported once), each as `python script args` would run; a CompletedProcess each."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'jobs.json')
            with open(path, 'w', encoding='utf-8') as f:
                json.dump(specs, f)
            worker = subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'cli_worker.py'), path,
                                     path + '.out'], capture_output=True, text=True, cwd=cwd or ROOT,
                                    timeout=900)
            assert worker.returncode == 0, worker.stderr[-3000:]
            with open(path + '.out', encoding='utf-8') as f:
                results = json.load(f)
        return [subprocess.CompletedProcess([script] + args, *result)
                for (script, args, _), result in zip(specs, results)]

    def run_command(self, script, args, env, cwd):
        """`python script args` in a new process of its own; env's variables set (None: unset)."""
        full_env = {k: v for k, v in dict(os.environ, **env).items() if v is not None}
        return subprocess.run([sys.executable, os.path.join(ROOT, script)] + args, capture_output=True,
                              text=True, env=full_env, cwd=cwd or ROOT, timeout=600)

    def fixture_scope(self):
        """The scope of fixtures that several tests share."""
        return 'module'

    def made(self, make, folder):
        """make(folder): files many tests start from (data, tiny trained models); their folder."""
        make(folder)
        return folder


HOOKS = TestHooks()


def shared(fixture_name, config):
    """The scope of a fixture several tests share: `@pytest.fixture(scope=shared)`."""
    return HOOKS.fixture_scope()


def run_cli(script, *args, env=None, cwd=None):
    """Run python <script> args in a new process; returns the CompletedProcess."""
    return HOOKS.run_command(script, [str(a) for a in args], env or {}, cwd)


def run_clis(jobs, cwd=None, env=None):
    """Several command lines [(script, [args]) or (script, [args], {job's env}), ...] in one new
    process, each as `python script args` would run, with env's variables and then the job's
    own set; a CompletedProcess each."""
    specs = [(job[0], [str(a) for a in job[1]], {**(env or {}), **(job[2] if len(job) > 2 else {})})
             for job in jobs]
    return HOOKS.run_commands(specs, cwd)


def run_python_in_ascii_locale(script, *args):
    """python -c script args in a new process whose locale is not UTF-8 (the C locale, ASCII: as
    Windows' cp1252, open() without an encoding cannot read or write other characters), importing
    the project from ROOT; its output read as UTF-8. A CompletedProcess."""
    env = dict(os.environ, LC_ALL='C', LANG='C', PYTHONUTF8='0', PYTHONCOERCECLOCALE='0', PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, '-c', script] + [str(a) for a in args], env=env, capture_output=True,
                          text=True, encoding='utf-8')


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

def assert_labelled(fig):
    """Every chart of the figure has labelled axes and a legend (a heatmap: its labelled colour bar;
    axes sharing x: one x label); a diagram (no data drawn) has a title and a legend."""
    charts = [ax for ax in fig.axes if ax.lines or ax.images or ax.patches or ax.collections]
    charts = [ax for ax in charts if ax.get_label() != '<colorbar>']
    colour_bars = [ax for ax in fig.axes if ax.get_label() == '<colorbar>']
    if not any(ax.axison for ax in charts):  # a diagram
        assert fig.legends and fig._suptitle is not None and fig._suptitle.get_text()
        return
    for ax in charts:
        assert ax.get_xlabel() or ax.get_shared_x_axes().get_siblings(ax) != [ax], 'an x axis without a label'
        assert ax.get_ylabel(), 'a y axis without a label'
        assert ax.get_legend() or (ax.images and colour_bars), 'a chart without a legend'


# ---------------------------------------------------------------------------
# Files, and the reference data
# ---------------------------------------------------------------------------

def edit_config(folder, edit):
    """The folder's model_config.json changed in place by edit(config): a model folder a test spoils."""
    path = os.path.join(folder, 'model_config.json')
    with open(path, encoding='utf-8') as f:
        config = json.load(f)
    edit(config)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(config, f)


def snapshot(folder):
    """{relative path: bytes} of every file under folder."""
    out = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, 'rb') as f:
                out[os.path.relpath(path, folder)] = f.read()
    return out


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


@pytest.fixture(autouse=True)
def data_cache(tmp_path, monkeypatch):
    """Every test gets its own empty data cache, and no local IMDb copy but the one it names."""
    cache = tmp_path / 'cache'
    monkeypatch.setenv('RNN_DATA_DIR', str(cache))
    monkeypatch.delenv('RNN_IMDB_DATA', raising=False)
    return cache


def skip_or_fail_in_ci(reason):
    """Outside CI a test that needs files from ../shared skips, saying why; under CI=true it fails."""
    if os.environ.get('CI') == 'true':
        pytest.fail('%s (CI must run every test)' % reason)
    pytest.skip(reason)


def slides_file(name):
    """The path of the slides' file `name` (the lecture's slides and the book's code), in
    $RNN_SLIDES_DIR or ../shared/slides."""
    folder = os.environ.get('RNN_SLIDES_DIR') or os.path.join(ROOT, '..', 'shared', 'slides')
    path = os.path.join(folder, name)
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
