"""The model folder (beyond_slides/model_folder.py): its configuration, its lock (one training run
at a time), a new run's configuration before it trains, and how the supervisor sees and gives
back the model's saver."""
import contextlib
import io
import json
import os
import signal
import traceback
import types

import pytest

import data_utils
from beyond_slides import files
from beyond_slides.errors import DataError
from beyond_slides.model_folder import LOCK_NAME, ModelFolder
from beyond_slides.settings import CHAR_HPARAMS
from beyond_slides.supervisor import SaverThatTells, Supervisor
from beyond_slides.training import TrainingRun
from conftest import run_python_in_ascii_locale


def test_the_configuration_round_trips_and_says_what_is_wrong(tmp_path):
    folder = ModelFolder(str(tmp_path))
    folder.save_config('CharRNN', {'lstm_size': 8}, ['b', 'a'])
    assert folder.load_config('CharRNN') == ({'lstm_size': 8}, ['b', 'a'])
    assert [p.name for p in tmp_path.iterdir()] == ['model_config.json']
    with pytest.raises(DataError, match='holds a CharRNN model, not a SentimentRNN'):
        folder.load_config('SentimentRNN')
    (tmp_path / 'model_config.json').write_text('{"model": "Char')
    with pytest.raises(DataError, match='corrupt'):
        folder.load_config('CharRNN')
    with pytest.raises(DataError, match='no saved model'):
        ModelFolder(str(tmp_path / 'none')).load_config('CharRNN')
    (tmp_path / 'notes.txt').write_text('hello')
    with pytest.raises(DataError) as e:
        ModelFolder(str(tmp_path / 'notes.txt')).load_config('CharRNN')
    assert str(e.value) == ('%s is a file, not a model folder: give the folder a model was trained into as '
                            'model folder' % (tmp_path / 'notes.txt'))


@pytest.mark.parametrize('name', sorted(CHAR_HPARAMS))
def test_each_saved_hyperparameter_given_otherwise_is_refused(tmp_path, name):
    folder = ModelFolder(str(tmp_path))
    folder.check_same_hparams(CHAR_HPARAMS, dict(CHAR_HPARAMS))  # the same: no error
    other = dict(CHAR_HPARAMS, **{name: CHAR_HPARAMS[name] * 2})
    with pytest.raises(DataError) as e:
        folder.check_same_hparams(CHAR_HPARAMS, other)
    assert e.value.command_line() == (
        'the model in %s was trained with other settings: --%s %s (saved: %s); leave those out or give '
        'another --model-dir' % (tmp_path, name.replace('_', '-'), other[name], CHAR_HPARAMS[name]))


def test_a_new_run_records_0_epochs_before_it_trains(tmp_path, capsys):
    """A run that stops before its first checkpoint resumes from the start."""
    folder = ModelFolder(str(tmp_path / 'm'))
    with TrainingRun(folder, 'CharRNN', CHAR_HPARAMS, epochs=3) as run:
        run.begin(['a', 'b'], n_batches=5)
    assert folder.load_config('CharRNN') == (dict(CHAR_HPARAMS, epochs=0), ['a', 'b'])
    assert capsys.readouterr().err.startswith('TensorFlow ')  # what runs the graphs


class FakeSaver(object):
    last_checkpoints = ['a.ckpt']

    def save(self, sess, path, global_step=None):
        return '%s-%s' % (path, global_step)


def test_the_wrapped_saver_tells_each_save_and_is_the_saver_otherwise():
    told = []
    saver = SaverThatTells(FakeSaver(), lambda: told.append('saved'))
    assert saver.save(None, 'm/x.ckpt', global_step=3) == 'm/x.ckpt-3' and told == ['saved']
    assert saver.last_checkpoints == ['a.ckpt']
    with pytest.raises(AttributeError):
        saver.restore


def test_the_supervisor_gives_the_model_its_saver_and_the_signals_back(tmp_path):
    """stop() closes the supervisor and the `with` closes it again; one never opened changes nothing."""
    own = FakeSaver()
    model = types.SimpleNamespace(saver=own)
    folder = ModelFolder(str(tmp_path))
    Supervisor(model, folder, 'm', n_batches=2, num_epochs=1).close()
    assert model.saver is own
    handler = signal.getsignal(signal.SIGINT)
    supervisor = Supervisor(model, folder, 'm', n_batches=2, num_epochs=1)
    with supervisor:
        assert isinstance(model.saver, SaverThatTells) and signal.getsignal(signal.SIGINT) != handler
        supervisor.close()
        assert model.saver is own and signal.getsignal(signal.SIGINT) == handler
    assert model.saver is own and signal.getsignal(signal.SIGINT) == handler


# ---------------------------------------------------------------------------
# The lock
# ---------------------------------------------------------------------------

def test_a_lock_file_removed_during_the_run_does_not_break_the_cleanup(tmp_path):
    folder = ModelFolder(str(tmp_path / 'm'))
    with folder.lock():
        os.remove(folder.file(LOCK_NAME))
        (tmp_path / 'm' / 'kept.txt').write_text('saved')
    assert os.listdir(folder.path) == ['kept.txt']


@pytest.mark.parametrize('recreated', [False, True], ids=['removed', 'removed-and-recreated'])
def test_the_lock_is_taken_on_the_file_that_is_there(tmp_path, monkeypatch, recreated):
    """A run that opened the lock file just before the run holding it removed it must not lock the
    removed file (both would then train): after flock it checks that its file is the one at the path
    (the same inode), and takes the file there. A new file at the same path (created by a third
    run) is another file."""
    folder = ModelFolder(str(tmp_path / 'm'))
    os.makedirs(folder.path)
    path = folder.file(LOCK_NAME)
    real_lock, calls = files._lock, []

    def lock(f):
        if not calls:  # the holder removes its file between our open() and our flock()
            os.remove(path)
            if recreated:
                open(path, 'w').close()
        calls.append(f)
        real_lock(f)
    monkeypatch.setattr(files, '_lock', lock)
    with folder.lock():
        assert len(calls) == 2
        assert os.fstat(calls[-1].fileno()).st_ino == os.stat(path).st_ino


class FakeMsvcrt(object):
    """Windows' msvcrt, as far as the lock uses it: locking(fd, mode, nbytes) records its calls,
    each with the file's position (msvcrt locks and unlocks bytes from there)."""
    LK_NBLCK, LK_UNLCK = 'LK_NBLCK', 'LK_UNLCK'

    def __init__(self):
        self.calls = []

    def locking(self, fd, mode, nbytes):
        self.calls.append((fd, mode, nbytes, os.lseek(fd, 0, os.SEEK_CUR)))


def test_on_windows_the_lock_is_the_first_byte_of_the_file(tmp_path, monkeypatch):
    msvcrt = FakeMsvcrt()
    monkeypatch.setattr(files, 'msvcrt', msvcrt, raising=False)
    f = open(str(tmp_path / 'lock'), 'a+')
    f.write('1234\n')
    fd, posix = f.fileno(), os.name
    os.name = 'nt'  # for these two calls only: pytest's own paths need the real one
    try:
        files._lock(f)
        f.seek(3)
        files._unlock(f)
    finally:
        os.name = posix
    assert msvcrt.calls == [(fd, 'LK_NBLCK', 1, 0), (fd, 'LK_UNLCK', 1, 0)]
    assert f.closed


def test_the_lock_file_holds_the_pid_of_the_run_that_took_it(tmp_path):
    folder = ModelFolder(str(tmp_path))
    with open(folder.file(LOCK_NAME), 'w') as f:
        f.write('left behind by another run, long ago\n')
    with folder.lock():
        with open(folder.file(LOCK_NAME)) as f:
            assert f.read() == '%d\n' % os.getpid()


def test_sampling_reads_the_characters_handed_over_where_none_are_saved(tmp_path):
    # a folder without a configuration (none saved yet): CharRNN.chars, in their own order
    rnn = types.SimpleNamespace(chars='ba!', num_classes=3)
    assert ModelFolder(str(tmp_path)).chars_for_sampling(rnn) == ['b', 'a', '!']
    assert data_utils.char_vocab(['b', 'a', '!'], keep_order=True) == (['b', 'a', '!'], {'b': 0, 'a': 1, '!': 2}, {0: 'b', 1: 'a', 2: '!'})


def test_the_configuration_is_utf_8_text_read_and_written_the_same_whatever_the_locale(tmp_path):
    """model_config.json is for students to read too: a word like caf\u00e9 stands in it as such
    (not as \\u00e9), and is read and written the same also where the locale is not UTF-8 (Windows'
    cp1252; here a process in the C locale, ASCII)."""
    folder = ModelFolder(str(tmp_path))
    vocab = {'caf\u00e9': 1, 'na\u00efve': 2, 'good': 3}
    folder.save_config('SentimentRNN', {'lstm_size': 4}, vocab)
    assert 'caf\u00e9'.encode('utf-8') in (tmp_path / 'model_config.json').read_bytes()
    assert folder.saved_vocab('SentimentRNN') == vocab
    child = run_python_in_ascii_locale(
        'import sys; from beyond_slides.model_folder import ModelFolder; folder = ModelFolder(sys.argv[1]); '
        'print(ascii(folder.saved_vocab("SentimentRNN"))); '
        'folder.save_config("SentimentRNN", {"lstm_size": 4}, {"\\u00e9t\\u00e9": 1})', tmp_path)
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == ascii(vocab)
    assert folder.saved_vocab('SentimentRNN') == {'\u00e9t\u00e9': 1}  # and it writes UTF-8 there too


def test_a_run_refused_as_it_starts_leaves_no_folder_of_its_own(tmp_path):
    """--resume where nothing was saved: refused, and the folder the lock made for it goes again."""
    path = tmp_path / 'new'
    with pytest.raises(DataError, match='has no saved model') as refused:
        with TrainingRun(ModelFolder(str(path)), 'CharRNN', CHAR_HPARAMS, 1, resume=True):
            pass
    assert not path.exists()
    # its traceback (--debug prints it) still reaches the line that refused
    assert any('load_config' in frame.name for frame in traceback.extract_tb(refused.value.__traceback__))


def test_a_training_runs_supervisor_shows_a_progress_bar_per_epoch_unless_told_not_to(tmp_path):
    # the commands' runs take the default; the bar itself: test_stop_and_resume.py
    assert TrainingRun(ModelFolder(str(tmp_path)), 'CharRNN', CHAR_HPARAMS, 1).progress is True
    for progress in (True, False):  # and the run's supervisor draws the bars, or not
        run = TrainingRun(ModelFolder(str(tmp_path / str(progress))), 'CharRNN', CHAR_HPARAMS, 1, progress=progress)
        with run, contextlib.redirect_stdout(io.StringIO()):
            run.begin(['a', 'b'], n_batches=3)
            assert run.supervisor(types.SimpleNamespace(saver=None)).progress is progress


@pytest.mark.parametrize('hparams, corrupt', [([], True), ('lstm_size=4', True), (None, True), ({}, False),
                                              ({'lstm_size': 4}, False)])
def test_a_configuration_whose_hparams_are_not_a_mapping_is_corrupt(tmp_path, hparams, corrupt):
    (tmp_path / 'model_config.json').write_text(
        json.dumps({'model': 'CharRNN', 'hparams': hparams, 'vocab': ['a', 'b']}), encoding='utf-8')
    folder = ModelFolder(str(tmp_path))
    if corrupt:
        with pytest.raises(DataError, match='model_config.json is corrupt: delete the folder and train again'):
            folder.load_config('CharRNN')
    else:
        assert folder.load_config('CharRNN') == (hparams, ['a', 'b'])
