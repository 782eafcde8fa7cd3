import fcntl
import os
import subprocess
import sys

import pytest

from beyond_slides import model_files
from conftest import PERIODIC, ROOT, TestConfig, run_cli

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
    hparams, _ = model_files.load_model_config(model_dir, 'CharRNN')
    assert hparams['epochs'] == 30


def test_damaged_checkpoint_is_one_clear_line(tmp_path):
    model_dir = tmp_path / 'model'
    assert train(tmp_path, model_dir).returncode == 0
    data = next(p for p in model_dir.iterdir() if '.data-' in p.name)
    data.write_bytes(data.read_bytes()[:100])  # truncated
    r = run_cli('char_rnn.py', '--model-dir', model_dir, '--sample', 10, '--prime', 'abc')
    assert r.returncode == 2 and 'Traceback' not in r.stderr
    assert 'cannot load the checkpoint' in r.stderr.strip().splitlines()[-1]


def test_nan_loss_stops_training_with_a_clear_error(tmp_path):
    import types
    from data_utils import DataError
    from beyond_slides.training import TrainingLog
    model = types.SimpleNamespace(g=None, saver=types.SimpleNamespace(save=lambda sess, path: path))
    with TrainingLog(model, str(tmp_path), 'm', n_batches=1, num_epochs=2) as log:
        log.restore_stopped_run(None, 0, None)
        log.after_batch(None, 0, 1, 0.5, None)
        model.saver.save(None, 'm-0.ckpt')  # the checkpoint of epoch 1
        log.restore_stopped_run(None, 1, None)
        with pytest.raises(DataError, match='loss became nan at epoch 2, iteration 2: lower --learning-rate'):
            log.after_batch(None, 1, 2, float('nan'), None)
    assert (tmp_path / 'loss_history.csv').read_text().splitlines() == ['epoch,iteration,loss', '1,1,0.5']


class FakeMsvcrt(object):
    """Windows' msvcrt, as far as the lock uses it: locking(fd, mode, nbytes) records its calls,
    each with the file's position (msvcrt locks and unlocks bytes from there)."""
    LK_NBLCK, LK_UNLCK = 'LK_NBLCK', 'LK_UNLCK'

    def __init__(self):
        self.calls = []

    def locking(self, fd, mode, nbytes):
        self.calls.append((fd, mode, nbytes, os.lseek(fd, 0, os.SEEK_CUR)))


def test_on_windows_the_lock_is_the_first_byte_of_the_file(tmp_path, monkeypatch):
    import sys
    from beyond_slides import model_folder
    msvcrt = FakeMsvcrt()
    monkeypatch.setitem(sys.modules, 'msvcrt', msvcrt)
    f = open(str(tmp_path / 'lock'), 'a+')
    f.write('1234\n')
    fd, posix = f.fileno(), os.name
    os.name = 'nt'  # for these two calls only: pytest's own paths need the real one
    try:
        model_folder._lock(f)
        f.seek(3)
        model_folder._release(f)
    finally:
        os.name = posix
    assert msvcrt.calls == [(fd, 'LK_NBLCK', 1, 0), (fd, 'LK_UNLCK', 1, 0)]
    assert f.closed


def test_the_lock_file_holds_the_pid_of_the_run_that_took_it(tmp_path):
    from beyond_slides import model_folder
    path = str(tmp_path / '.training.lock')
    with open(path, 'w') as f:
        f.write('left behind by another run, long ago\n')
    lock = model_folder._take_lock(path, str(tmp_path))
    try:
        with open(path) as f:
            assert f.read() == '%d\n' % os.getpid()
    finally:
        model_folder._release(lock)
