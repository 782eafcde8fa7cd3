"""Faults while saving lose nothing: a full disk, a process killed while it saves, a damaged
checkpoint index file or checkpoint."""
import contextlib
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from beyond_slides.model_folder import ModelFolder
from conftest import ROOT, run_cli
from data_helpers import PERIODIC, synthetic_reviews
from file_helpers import snapshot
from model_helpers import TestConfig

SMALL_OPTS = TestConfig.char_opts


def train(text, model_dir, epochs, *extra):
    return run_cli('char_rnn.py', '--train', '--data', text, '--epochs', epochs, '--model-dir', model_dir,
                   *(SMALL_OPTS if '--resume' not in extra else []), *extra)


@pytest.fixture
def text(tmp_path):
    path = tmp_path / 'text.txt'
    path.write_text(PERIODIC, encoding='utf-8')
    return str(path)


@contextlib.contextmanager
def small_disk(folder, size='4m'):
    """A size-limited tmpfs at folder (root only; the test is skipped where it cannot mount)."""
    os.makedirs(folder)
    if os.geteuid() != 0 or subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=' + size, 'tmpfs', folder],
                                           capture_output=True).returncode:
        pytest.skip('cannot mount a small tmpfs here (needs root and mount): the full-disk test needs one')
    try:
        yield folder
    finally:
        subprocess.run(['umount', folder], check=True)


def fill(folder, leave=4096):
    """Fill the file system of folder, but `leave` bytes; returns the filler file."""
    st = os.statvfs(folder)
    filler = os.path.join(folder, 'filler')
    with open(filler, 'wb') as f:
        f.write(b'\0' * max(st.f_bavail * st.f_frsize - leave, 0))
    return filler


def test_full_disk_while_saving_loses_nothing_and_resume_goes_on(tmp_path, text):
    with small_disk(str(tmp_path / 'disk')) as disk:
        model_dir = os.path.join(disk, 'model')
        assert train(text, model_dir, 1).returncode == 0
        before = snapshot(model_dir)
        filler = fill(disk)
        r = train(text, model_dir, 2, '--resume')
        assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
        last = r.stderr.strip().splitlines()[-1]
        assert last.startswith('error: no space left on the disk, writing %s' % model_dir), last
        assert 'add --resume' in last
        assert snapshot(model_dir) == before  # checkpoint, model_config.json, loss history intact
        os.remove(filler)
        r = train(text, model_dir, 2, '--resume')
        assert r.returncode == 0, r.stderr
        assert 'Epoch 2/2' in r.stdout and 'Epoch 1/2' not in r.stdout
        hparams, _ = ModelFolder(model_dir).load_config('CharRNN')
        assert hparams['epochs'] == 2
        with open(os.path.join(model_dir, 'loss_history.csv')) as f:
            iterations = [int(line.split(',')[1]) for line in f.read().splitlines()[1:]]
        assert iterations == list(range(1, len(iterations) + 1)) and len(iterations) % 2 == 0


KILL_WHILE_SAVING = textwrap.dedent('''
    import os, signal, sys
    sys.path.insert(0, %r)
    from tensorflow.python.checkpoint import checkpoint_management
    saves = []
    real = checkpoint_management.update_checkpoint_state_internal
    def update(*args, **kwargs):  # the checkpoint's files are written; its index file is next
        saves.append(1)
        if len(saves) == %d:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    checkpoint_management.update_checkpoint_state_internal = update
    from beyond_slides import cli
    sys.exit(cli.CHAR_COMMAND.main(sys.argv[1:]))
''')


def test_killed_while_saving_leaves_a_checkpoint_that_loads(tmp_path, text):
    model_dir = str(tmp_path / 'model')
    assert train(text, model_dir, 2).returncode == 0
    script = KILL_WHILE_SAVING % (ROOT, 2)  # killed while saving its 2nd checkpoint (epoch 4)
    r = subprocess.run([sys.executable, '-c', script, '--train', '--resume', '--data', text, '--epochs', '5',
                        '--model-dir', model_dir], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == -9, r.stderr
    sampled = run_cli('char_rnn.py', '--sample', 20, '--prime', 'ab', '--model-dir', model_dir)
    assert sampled.returncode == 0, sampled.stderr
    r = train(text, model_dir, 5, '--resume')
    assert r.returncode == 0, r.stderr
    hparams, _ = ModelFolder(model_dir).load_config('CharRNN')
    assert hparams['epochs'] == 5


def test_damaged_checkpoint_index_file_names_the_newest_complete_checkpoint(tmp_path, text):
    model_dir = str(tmp_path / 'model')
    assert train(text, model_dir, 1).returncode == 0
    with open(os.path.join(model_dir, 'checkpoint'), 'r+') as f:
        f.truncate(20)
    r = run_cli('char_rnn.py', '--sample', 20, '--prime', 'ab', '--model-dir', model_dir)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1] == (
        'error: the checkpoint index file %s is missing or damaged; the newest complete checkpoint there '
        'is language_modeling.ckpt: to use it, write the line model_checkpoint_path: '
        '"language_modeling.ckpt" into %s' % ((os.path.join(model_dir, 'checkpoint'),) * 2))


def test_damaged_newest_checkpoint_names_an_older_complete_one(tmp_path):
    SENTIMENT_OPTS = TestConfig.sentiment_opts
    data = str(tmp_path / 'reviews.csv')
    synthetic_reviews(100).to_csv(data, index=False)
    model_dir = str(tmp_path / 'model')
    r = run_cli('sentiment_rnn.py', '--data', data, '--epochs', 12, '--model-dir', model_dir, *SENTIMENT_OPTS)
    assert r.returncode == 0, r.stderr  # sentiment-9.ckpt and sentiment-11.ckpt
    newest = os.path.join(model_dir, 'sentiment-11.ckpt.data-00000-of-00001')
    with open(newest, 'r+b') as f:
        f.seek(100)
        f.write(b'\xff' * 100)  # damaged, as by a run killed while writing it
    r = run_cli('sentiment_rnn.py', '--predict', 'a great film', '--model-dir', model_dir)
    assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith('error: cannot load the checkpoint %s: it is damaged' % newest[:-len('.data-00000-of-00001')])
    assert 'the newest complete checkpoint there is sentiment-9.ckpt' in last
    shutil.copy(os.path.join(model_dir, 'checkpoint'), str(tmp_path / 'index-before'))
    with open(os.path.join(model_dir, 'checkpoint'), 'w') as f:
        f.write('model_checkpoint_path: "sentiment-9.ckpt"\n')  # what the message says to do
    r = run_cli('sentiment_rnn.py', '--predict', 'a great film', '--model-dir', model_dir)
    assert r.returncode == 0, r.stderr


def test_the_newest_complete_checkpoint_is_chosen_by_age_and_read_back(tmp_path):
    from beyond_slides.tf_setup import tf
    model_dir = str(tmp_path)
    folder = ModelFolder(model_dir)
    g = tf.Graph()
    with g.as_default():
        tf.Variable([1.0, 2.0, 3.0], name='v')
        saver = tf.train.Saver(max_to_keep=None)
        with tf.Session(graph=g) as sess:
            sess.run(tf.global_variables_initializer())
            for name in ('a-newest', 'm-middle', 'z-oldest'):  # the names sort against the ages
                saver.save(sess, os.path.join(model_dir, name + '.ckpt'))
    for age, name in enumerate(('z-oldest', 'm-middle', 'a-newest')):
        for suffix in ('.index', '.data-00000-of-00001', '.meta'):
            os.utime(os.path.join(model_dir, name + '.ckpt' + suffix), (1000 + age, 1000 + age))
    path = lambda name: os.path.join(model_dir, name + '.ckpt')  # noqa: E731
    named = lambda name: ('the newest complete checkpoint there is %s.ckpt: to use it, write the line '  # noqa: E731
                          'model_checkpoint_path: "%s.ckpt" into %s' % (name, name, folder.file('checkpoint')))
    assert folder._what_to_load_instead() == named('a-newest')
    with open(path('a-newest') + '.data-00000-of-00001', 'r+b') as f:
        f.truncate(4)  # damaged: its tensor no longer reads back
    assert folder._what_to_load_instead() == named('m-middle')
    assert folder._what_to_load_instead(path('m-middle')) == named('z-oldest')
    assert folder._what_to_load_instead(path('z-oldest')) == named('m-middle')
    for name in ('m-middle', 'z-oldest'):
        os.remove(path(name) + '.data-00000-of-00001')
    assert folder._what_to_load_instead() == ('no complete checkpoint is left there: train again or restore '
                                                'the folder from a copy')


# ---------------------------------------------------------------------------
# beyond_slides/files.py atomic_write_bytes: a write that fails leaves the old file whole and
# no temporary file beside it; the edge of a right one, a new file, leaves that file alone
# ---------------------------------------------------------------------------

def test_an_atomic_write_that_fails_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    from beyond_slides import files
    path = tmp_path / 'config.json'
    path.write_bytes(b'the old content')

    def full_disk(src, dst):  # the new content written whole, then its rename fails
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(files.os, 'replace', full_disk)
    with pytest.raises(OSError):
        files.atomic_write_bytes(str(path), b'the new content')
    assert os.listdir(str(tmp_path)) == ['config.json'] and path.read_bytes() == b'the old content'
    monkeypatch.undo()
    with pytest.raises(TypeError):  # fails while writing: str is not bytes
        files.atomic_write_bytes(str(path), 'not bytes')
    assert os.listdir(str(tmp_path)) == ['config.json'] and path.read_bytes() == b'the old content'


def test_an_atomic_write_that_succeeds_leaves_only_its_file(tmp_path):
    from beyond_slides import files
    files.atomic_write_bytes(str(tmp_path / 'new' / 'a.bin'), b'')  # the edge: no bytes, a new folder
    files.atomic_write_bytes(str(tmp_path / 'new' / 'b.bin'), b'xy')
    assert sorted(os.listdir(str(tmp_path / 'new'))) == ['a.bin', 'b.bin']
    assert (tmp_path / 'new' / 'a.bin').read_bytes() == b'' and (tmp_path / 'new' / 'b.bin').read_bytes() == b'xy'
