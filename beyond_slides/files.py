"""Files (not on the slides): written so that a crash never leaves half of one, JSON read back, a
folder's lock, and file descriptor 2 silenced while TensorFlow starts."""
import contextlib
import json
import os
import sys
import tempfile

from beyond_slides.errors import DataError, ModelFolderInUse

if os.name == 'posix':
    import fcntl
else:
    import msvcrt


def atomic_write_text(path, text):
    """atomic_write_bytes of the text in UTF-8, newlines as given."""
    atomic_write_bytes(path, text.encode('utf-8'))  # pragma: no mutate: 'UTF-8' names the codec 'utf-8' names


def atomic_write_bytes(path, data):
    """Write a file under a temporary name, then rename it: a crash never leaves half a file, and
    the file that was there stays whole until the new one is."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.' + os.path.basename(path) + '.', suffix='.tmp')  # pragma: no mutate: the temporary file's name, renamed or removed before atomic_write_bytes returns
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        umask = os.umask(0)  # pragma: no mutate: os.umask(1) returns the same umask as os.umask(0), and the next line puts it back
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it a normal file's mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def read_json(path):
    """The JSON in path, or None if it is missing or not JSON."""
    try:
        with open(path, encoding='utf-8') as f:  # pragma: no mutate: 'UTF-8' names the codec 'utf-8' names
            return json.load(f)
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def folder_lock(folder, name):
    """Only one holder at a time of folder/name (one training run in a model folder); a folder made here goes again
    if the holder fails before saving anything in it. The lock is the operating system's (fcntl.flock, or
    msvcrt.locking): a crashed run's lock goes with its process; of two runs starting together exactly one gets it.
    DataError (naming {model_dir}) if the folder is a file, cannot be created or is read-only."""
    created = not os.path.isdir(folder)
    if os.path.isfile(folder):
        raise DataError('%s is a file, not a folder: give another {model_dir}' % folder)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise DataError('cannot create the model folder %s (%s): give another {model_dir}'
                        % (folder, e.strerror)) from e
    if not os.access(folder, os.W_OK):
        raise DataError('the model folder %s is not writable (read-only): give another {model_dir}' % folder)
    path = os.path.join(folder, name)
    held = _take_lock(folder, path)
    ok = False
    try:
        yield
        ok = True
    finally:
        if os.name == 'posix':  # removed while still held: a run that opened it before sees another file, and retries
            with contextlib.suppress(FileNotFoundError):  # someone removed it during the run: nothing left to remove
                os.remove(path)
        _unlock(held)
        if created and not ok and not os.listdir(folder):
            os.rmdir(folder)


def _take_lock(folder, path):
    while True:
        f = open(path, 'a+')
        try:
            _lock(f)
        except OSError:
            f.close()
            raise ModelFolderInUse('another training run is using %s: wait for it to finish, or '
                                   'give another {model_dir}' % folder)
        try:
            if os.name != 'posix' or os.fstat(f.fileno()).st_ino == os.stat(path).st_ino:
                f.seek(0)
                f.truncate()
                f.write('%d\n' % os.getpid())  # for a person who looks; the lock is the kernel's
                f.flush()
                return f
        except FileNotFoundError:
            pass
        _unlock(f)  # the file was removed by the run that held it: take the new one


def _lock(f):
    if os.name == 'posix':
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)


def _unlock(f):
    with f:  # closed even if unlocking fails
        if os.name == 'posix':
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        else:
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)


@contextlib.contextmanager
def quiet_stderr():
    """TensorFlow's C++ start-up notes (no GPU, oneDNN, "All log messages before absl::InitializeLog()") kept off
    the terminal: TensorFlow writes them to file descriptor 2 before Python's logging can hold them back, when it is
    imported and when it first runs. fd 2 goes to /dev/null meanwhile; Python's own sys.stderr is left alone."""
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')  # what TensorFlow's logging reads, once set up
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
