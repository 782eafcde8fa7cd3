"""Ctrl-C (SIGINT) and SIGTERM during training save the run where it is; --resume goes on
from exactly there. Real training subprocesses on small data."""
import csv
import os
import shlex
import signal
import subprocess
import sys

import numpy as np

from beyond_slides.model_folder import ModelFolder
from conftest import ROOT, run_cli
from data_helpers import PERIODIC, synthetic_reviews
from model_helpers import TestConfig

CHAR_OPTS, SENTIMENT_OPTS = TestConfig.char_opts, TestConfig.sentiment_opts


def history(model_dir):
    with open(os.path.join(model_dir, 'loss_history.csv')) as f:
        rows = list(csv.reader(f))[1:]
    return [(int(e), int(i)) for e, i, _ in rows], np.array([float(r[2]) for r in rows])


def stop_midway(script, args, signum, wait_for):
    """Start a training run, send signum once a stdout line contains wait_for; the finished process."""
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, script)] + [str(a) for a in args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    for line in p.stdout:
        if wait_for in line:
            p.send_signal(signum)
            break
    out, err = p.communicate(timeout=300)
    return p.returncode, err


def continue_command(stderr):
    """The command the stop message says to run, as an argument list for run_cli."""
    last = stderr.strip().splitlines()[-1]
    assert 'continue with: ' in last, stderr
    words = shlex.split(last.split('continue with: ', 1)[1])
    assert words[0] == 'python'
    return words[1], words[2:]


def test_char_rnn_stopped_by_ctrl_c_resumes_exactly(tmp_path):
    text = tmp_path / 'text.txt'
    text.write_text(PERIODIC, encoding='utf-8')
    epochs = 40
    args = ['--train', '--data', text, '--epochs', epochs] + CHAR_OPTS  # keep_prob 1: no dropout
    straight, stopped = str(tmp_path / 'straight'), str(tmp_path / 'stopped')
    r = run_cli('char_rnn.py', *args, '--model-dir', straight)
    assert r.returncode == 0, r.stderr

    status, err = stop_midway('char_rnn.py', args + ['--model-dir', stopped], signal.SIGINT,
                              wait_for='Iteration 10|')
    assert status == 128 + signal.SIGINT, err
    assert 'stopped by SIGINT at epoch 1 after' in err and 'Traceback' not in err
    assert os.path.exists(os.path.join(stopped, 'stopped_at.npz'))
    saved_rows, _ = history(stopped)
    assert 10 <= len(saved_rows) < epochs * 29  # the rows up to the stop are kept

    script, again = continue_command(err)
    assert script == 'char_rnn.py' and '--resume' in again
    r = run_cli(script, *again)
    assert r.returncode == 0, r.stderr
    assert 'Trained epochs 1-%d' % epochs in r.stdout

    rows, losses = history(stopped)
    want_rows, want_losses = history(straight)
    assert rows == want_rows  # every epoch and iteration once, in order
    np.testing.assert_allclose(losses, want_losses, rtol=1e-5)  # the same weights, state and Adam slots
    names = sorted(os.listdir(stopped))
    assert not [n for n in names if 'stopped' in n], names  # the stop point is gone once used
    hparams, _ = ModelFolder(stopped).load_config('CharRNN')
    assert hparams['epochs'] == epochs


def test_sentiment_stopped_by_sigterm_resumes_and_keeps_the_checkpoint_names(tmp_path):
    data = str(tmp_path / 'reviews.csv')
    synthetic_reviews(600).to_csv(data, index=False)
    model_dir = str(tmp_path / 'model')
    args = ['--data', data, '--epochs', 25, '--model-dir', model_dir] + SENTIMENT_OPTS

    status, err = stop_midway('sentiment_rnn.py', args, signal.SIGTERM, wait_for='Epoch: 3/25')
    assert status == 128 + signal.SIGTERM, err
    assert 'stopped by SIGTERM at epoch 3 after' in err and 'Traceback' not in err
    assert not os.path.exists(os.path.join(model_dir, '.training.lock'))

    script, again = continue_command(err)
    r = run_cli(script, *again)
    assert r.returncode == 0, r.stderr
    assert 'Test Acc.: ' in r.stdout and 'Epoch: 2/25' not in r.stdout

    rows, _ = history(model_dir)
    assert rows == [(i // 15 + 1, i + 1) for i in range(25 * 15)]  # 15 batches an epoch
    ckpts = sorted(n[:-len('.index')] for n in os.listdir(model_dir) if n.endswith('.index'))
    assert ckpts == ['sentiment-19.ckpt', 'sentiment-24.ckpt', 'sentiment-9.ckpt']
    assert 'stopped_at.npz' not in os.listdir(model_dir)
