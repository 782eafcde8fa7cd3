"""One training run at a time per model folder, end to end: a held lock refuses a second run, a
lock file left behind never blocks, of two runs started together exactly one trains; a damaged
checkpoint is one clear line."""
import fcntl
import os
import subprocess
import sys

import pytest

from beyond_slides.model_folder import ModelFolder
from conftest import ROOT, run_cli
from data_helpers import PERIODIC
from model_helpers import TestConfig

SMALL_OPTS = TestConfig.char_opts


def train(tmp_path, model_dir, epochs=1):
    text = tmp_path / 'text.txt'
    text.write_text(PERIODIC, encoding='utf-8')
    return run_cli('char_rnn.py', '--train', '--data', text, '--epochs', epochs, '--model-dir', model_dir,
                   *SMALL_OPTS)


def test_a_run_holding_the_lock_makes_a_second_one_refuse(tmp_path):
    model_dir = tmp_path / 'model'
    model_dir.mkdir()
    with open(str(model_dir / '.training.lock'), 'a') as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as a running training run holds it
        r = train(tmp_path, model_dir)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1] == ('error: another training run is using %s: wait for it to '
                                                 'finish, or give another --model-dir' % model_dir)
    assert sorted(os.listdir(str(model_dir))) == ['.training.lock']


@pytest.mark.parametrize('contents', ['%d\n' % os.getpid(), '1', 'not a number', ''],
                         ids=['this-process', 'pid-1', 'not-a-number', 'empty'])
def test_a_lock_file_left_behind_never_blocks(tmp_path, contents):
    model_dir = tmp_path / 'model'
    model_dir.mkdir()
    (model_dir / '.training.lock').write_text(contents)  # left by a run that crashed, or anything
    r = train(tmp_path, model_dir)
    assert r.returncode == 0, r.stderr
    assert '.training.lock' not in os.listdir(str(model_dir))
    assert 'checkpoint' in os.listdir(str(model_dir))


def test_two_runs_started_together_exactly_one_trains(tmp_path):
    text = tmp_path / 'text.txt'
    text.write_text(PERIODIC, encoding='utf-8')
    model_dir = str(tmp_path / 'model')
    command = [sys.executable, os.path.join(ROOT, 'char_rnn.py'), '--train', '--data', str(text),
               '--epochs', 30, '--model-dir', model_dir] + [str(a) for a in SMALL_OPTS]
    runs = [subprocess.Popen([str(a) for a in command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, cwd=ROOT) for _ in range(2)]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in runs]
    for p in runs:
        p.stdout.close()
        p.stderr.close()
    assert sorted(code for code, _ in results) == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert loser.strip().splitlines()[-1].startswith('error: another training run is using %s' % model_dir)
    hparams, _ = ModelFolder(model_dir).load_config('CharRNN')
    assert hparams['epochs'] == 30


def test_damaged_checkpoint_is_one_clear_line(tmp_path):
    model_dir = tmp_path / 'model'
    assert train(tmp_path, model_dir).returncode == 0
    data = next(p for p in model_dir.iterdir() if '.data-' in p.name)
    data.write_bytes(data.read_bytes()[:100])  # truncated
    r = run_cli('char_rnn.py', '--model-dir', model_dir, '--sample', 10, '--prime', 'abc')
    assert r.returncode == 2 and 'Traceback' not in r.stderr
    assert 'cannot load the checkpoint' in r.stderr.strip().splitlines()[-1]
