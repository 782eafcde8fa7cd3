import os
import subprocess
import sys

from conftest import run_cli
from test_char import PERIODIC, SMALL_OPTS


def write_lock(model_dir, pid):
    os.makedirs(str(model_dir), exist_ok=True)
    (model_dir / '.training.lock').write_text(str(pid))


def train(tmp_path, model_dir):
    text = tmp_path / 'text.txt'
    text.write_text(PERIODIC, encoding='utf-8')
    return run_cli('char_rnn.py', '--train', '--data', text, '--epochs', 1, '--model-dir', model_dir,
                   *SMALL_OPTS)


def test_second_training_run_in_the_same_folder_refuses(tmp_path):
    model_dir = tmp_path / 'model'
    write_lock(model_dir, os.getpid())  # a live process holds the folder
    r = train(tmp_path, model_dir)
    assert r.returncode == 2
    assert 'another training run (process %d) is using %s' % (os.getpid(), model_dir) in r.stderr
    assert sorted(os.listdir(str(model_dir))) == ['.training.lock']


def test_lock_of_a_dead_run_is_taken_over_and_released(tmp_path):
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    model_dir = tmp_path / 'model'
    write_lock(model_dir, dead.pid)
    r = train(tmp_path, model_dir)
    assert r.returncode == 0, r.stderr
    assert '.training.lock' not in os.listdir(str(model_dir))
    assert 'checkpoint' in os.listdir(str(model_dir))


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
    import pytest
    from data_utils import DataError
    from beyond_slides.training import TrainingLog
    model = types.SimpleNamespace(g=None, saver=None)
    log = TrainingLog(model, str(tmp_path), 'm', n_batches=1, num_epochs=2)
    log.start_epoch(None, 0, None)
    log.step(None, 0, 1, 0.5, None)
    (tmp_path / 'checkpoint').write_text('saved after epoch 1')  # what the Saver writes
    log.start_epoch(None, 1, None)
    with pytest.raises(DataError, match='loss became nan at epoch 2, iteration 2: lower --learning-rate'):
        log.step(None, 1, 2, float('nan'), None)
    assert (tmp_path / 'loss_history.csv').read_text().splitlines() == ['epoch,iteration,loss', '1,1,0.5']
