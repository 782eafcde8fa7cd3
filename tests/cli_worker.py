"""Run many command lines in one Python process, TensorFlow imported once (tests/conftest.py: run_clis).

    python tests/cli_worker.py JOBS.json RESULTS.json

JOBS.json: [[script, [argument, ...], {environment variable: value}], ...], script being
sentiment_rnn.py or char_rnn.py. Each job runs as `python script arguments` would (the
script's __main__ calls its command's main()), with the variables set for that job only.
RESULTS.json: [[exit status, stdout, stderr], ...], in the order of the jobs.
"""
import contextlib
import importlib
import io
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
COMMANDS = {'sentiment_rnn.py': 'SENTIMENT_COMMAND', 'char_rnn.py': 'CHAR_COMMAND'}  # of beyond_slides.cli


def run(script, args, env):
    saved = dict(os.environ)
    os.environ.update(env)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = getattr(importlib.import_module('beyond_slides.cli'), COMMANDS[script]).main(args)
            except SystemExit as e:  # argparse's errors
                status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        # The project's TF_USE_LEGACY_KERAS=1 is set once for the process, by the job that first imports
        # TensorFlow; TensorFlow reads it later, when a graph first uses its layers: it stays for the
        # jobs after, as it would in that job's own process.
        process_wide = {k: os.environ[k] for k in ('TF_USE_LEGACY_KERAS',) if k in os.environ and k not in env}
        os.environ.clear()
        os.environ.update(saved, **process_wide)
    return [status, out.getvalue(), err.getvalue()]


def main(jobs_path, results_path):
    with open(jobs_path, encoding='utf-8') as f:
        jobs = json.load(f)
    results = [run(*job) for job in jobs]
    with open(results_path, 'w', encoding='utf-8') as f:
        json.dump(results, f)


if __name__ == '__main__':
    main(*sys.argv[1:])
