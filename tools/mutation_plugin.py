"""The mutation tool's pytest plugin (tools/mutation.sh loads it; the tests and CI never do).

mutmut 3 loads a mutant only in the process that runs the tests, so there:
- the commands the tests run (conftest.run_cli, run_clis) run in that process, not in new ones
  (tests/cli_worker.py's run(), one after the other);
- while the tool records which tests reach which function (MUTANT_UNDER_TEST=stats), a fixture
  that tests share is made for each test: the tool credits a shared fixture's work to the first
  test only, and would never run the others for a mutant there;
- files many tests start from (HOOKS.made) are made once, by the code as it is, and kept for
  every process the tool starts after;
- a mutant can loop for ever (the lock's `while True`), and the tool would wait many times the
  tests' time: a test that runs a minute fails.
"""
import os
import signal
import threading

import pytest

MINUTE = 60


class MutationHooks(object):
    def __init__(self, plain):
        self.plain = plain

    def run_commands(self, specs, cwd):
        import subprocess
        import cli_worker
        here = os.getcwd()
        os.chdir(cwd or cli_worker.ROOT)
        try:
            return [subprocess.CompletedProcess([script] + args, *cli_worker.run(script, args, env))
                    for script, args, env in specs]
        finally:
            os.chdir(here)

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
