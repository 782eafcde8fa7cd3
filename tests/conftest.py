"""What pytest and the tests share beside the helper modules (data_helpers.py: synthetic data and
the IMDb layouts; model_helpers.py: tiny models and their settings; file_helpers.py: snapshots and
code compared): the fixtures, and the way the tests run the commands, which stays here because
tools/mutation_plugin.py replaces conftest.HOOKS.

- Commands: run_cli(script, *args) runs `python script args` in a new process; run_clis(jobs)
  runs several in one process (TensorFlow imported once). HOOKS.run_commands decides where:
  tools/mutation_plugin.py runs them in the test's own process. run_python_in_ascii_locale(script)
  runs Python code where the locale is not UTF-8.
- Figures: assert_labelled(fig), every chart labelled.
- Data caches: each test has its own, empty (data_cache), the fixtures tests share one of the
  session's (never the user's); imdb_tarball: the reference tarball, its movie_data.csv built.
- The reference data (../shared/data, named by RNN_REFERENCE_DATA) and the slides
  (../shared/slides, or RNN_SLIDES_DIR): the tests that need them skip without them, and fail
  under CI=true.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


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
# The data cache, and the files from ../shared
# ---------------------------------------------------------------------------

@pytest.fixture(scope='session', autouse=True)
def session_data_cache(tmp_path_factory):
    """The fixtures that tests share get a data cache of the session's, never the user's (whose
    contents would decide what they read and print), and no local IMDb copy but the one they name."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv('RNN_DATA_DIR', str(tmp_path_factory.mktemp('session-cache')))
        mp.delenv('RNN_IMDB_DATA', raising=False)
        yield


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
    shutil.copytree(built_movie_data, str(data_cache), dirs_exist_ok=True)
    return os.path.join(reference_data, 'aclImdb_v1_labeled.tar.gz')
