"""The mutation tool's pytest plugin (tools/mutation.sh loads it; the tests and CI never do).

mutmut 3 loads a mutant only in the process that runs the tests, so there:
- the commands the tests run (conftest.run_cli, run_clis) run in that process, not in new ones
  (tests/cli_worker.py's run(), one after the other, also when a test starts them from threads),
  but for --export-keras, which needs a process with eager execution: tools/mutation_child.py
  runs those and tells which functions they reached;
- while the tool records which tests reach which function (MUTANT_UNDER_TEST=stats), a fixture
  that tests share is made for each test: the tool credits a shared fixture's work to the first
  test only, and would never run the others for a mutant there;
- files many tests start from (HOOKS.made) are made once, by the code as it is, and kept for
  every process the tool starts after;
- a mutant can loop for ever (the lock's `while True`), and the tool would wait many times the
  tests' time: a test that runs a minute fails;
- the tool runs a mutant's tests in file order and stops at the first failure: they run here
  fastest first (setup included, as measured while it records), so a mutant that a quick test
  kills does not wait for the slow ones before it.
"""
import os
import signal
import threading

import pytest

MINUTE = 60
DURATIONS = 'mutation-durations.json'  # in mutants/: seconds each test took while the tool recorded
# Keras 3 needs eager execution, which the lecture's TensorFlow 1.x set-up turns off in this process.
EAGER_ONLY = '--export-keras'


class MutationHooks(object):
    def __init__(self, plain):
        self.plain = plain
        # A command run here changes what the whole process shares (sys.stdout, the working
        # folder, os.environ): tests that start commands from several threads take turns.
        self.one_command_at_a_time = threading.Lock()

    def run_commands(self, specs, cwd):
        import subprocess
        import cli_worker
        if any(EAGER_ONLY in args for _, args, _ in specs):
            return self.in_new_process(specs, cwd)
        with self.one_command_at_a_time:
            here = os.getcwd()
            os.chdir(cwd or cli_worker.ROOT)
            try:
                return [subprocess.CompletedProcess([script] + args, *cli_worker.run(script, args, env))
                        for script, args, env in specs]
            finally:
                os.chdir(here)

    def in_new_process(self, specs, cwd):
        """The commands in a new process (tools/mutation_child.py); while the tool records which
        tests reach which function, the functions reached there count for the test too."""
        import json
        import subprocess
        import sys
        import tempfile
        import cli_worker
        with tempfile.TemporaryDirectory() as tmp:
            jobs, results, hits = (os.path.join(tmp, name) for name in ('jobs', 'results', 'hits'))
            with open(jobs, 'w', encoding='utf-8') as f:
                json.dump(specs, f)
            child = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), 'mutation_child.py'),
                                    os.path.join(cli_worker.ROOT, 'tests', 'cli_worker.py'), jobs, results, hits],
                                   capture_output=True, text=True, cwd=cwd or cli_worker.ROOT, timeout=900)
            assert child.returncode == 0, child.stderr[-3000:]
            with open(results, encoding='utf-8') as f:
                done = json.load(f)
            if os.environ.get('MUTANT_UNDER_TEST') == 'stats':
                from mutmut.state import state
                with open(hits, encoding='utf-8') as f:
                    state()._stats.update(json.load(f))
        return [subprocess.CompletedProcess([script] + args, *result) for (script, args, _), result in zip(specs, done)]

    def run_command(self, script, args, env, cwd):
        return self.run_commands([(script, args, env)], cwd)[0]

    def fixture_scope(self):
        return 'function' if os.environ.get('MUTANT_UNDER_TEST') == 'stats' else 'module'

    def made(self, make, folder):
        import hashlib
        import inspect
        import shutil
        import cli_worker
        key = hashlib.md5(inspect.getsource(make).encode('utf-8')).hexdigest()[:12]
        kept = os.path.join(cli_worker.ROOT, '.made-for-tests-' + key)
        if os.path.isdir(kept):
            return kept
        make(folder)
        if os.environ.get('MUTANT_UNDER_TEST') in ('', 'stats'):  # made by the code as it is
            try:
                shutil.copytree(folder, kept + '.%d' % os.getpid(), symlinks=True)
                os.rename(kept + '.%d' % os.getpid(), kept)
            except OSError:  # another process kept its own first
                pass
        return folder


def measuring():
    return os.environ.get('MUTANT_UNDER_TEST') == 'stats'


def testing_a_mutant():
    return os.environ.get('MUTANT_UNDER_TEST') not in (None, '', 'stats', 'fail')


def read_durations():
    import json
    try:
        with open(DURATIONS, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


MEASURED = {}


def pytest_runtest_logreport(report):
    if measuring():  # setup and teardown count: a module's fixtures are made by the test that runs first
        MEASURED[report.nodeid] = MEASURED.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session):
    if measuring() and MEASURED:  # a later, partial recording updates the earlier one
        import json
        durations = read_durations()
        durations.update(MEASURED)
        with open(DURATIONS + '.tmp', 'w', encoding='utf-8') as f:
            json.dump(durations, f)
        os.replace(DURATIONS + '.tmp', DURATIONS)


def pytest_collection_modifyitems(items):
    if testing_a_mutant():
        durations = read_durations()
        items.sort(key=lambda item: durations.get(item.nodeid, float('inf')))  # stable: ties keep file order


def pytest_configure(config):
    import conftest
    conftest.HOOKS = MutationHooks(conftest.HOOKS)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise TimeoutError('the test ran for a minute: a mutant that never ends')
    before = signal.signal(signal.SIGALRM, expire)
    signal.alarm(MINUTE)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)
