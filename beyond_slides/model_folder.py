"""The model folder of a training run (not on the slides): one run at a time, never over a
saved model, and checkpoints that are missing, damaged or of another configuration as one
line that says what to do."""
import contextlib
import glob
import os

from beyond_slides.errors import DataError, ModelFolderInUse

LOCK_NAME = '.training.lock'


def refuse_to_overwrite(model_dir):
    """A fresh training run never writes over a saved model."""
    if os.path.exists(os.path.join(model_dir, 'checkpoint')):
        raise DataError('%s already holds a trained model: add --resume to continue it, or give '
                        'another --model-dir' % model_dir)


# ---------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------

def latest_checkpoint_or_fail(model_dir):
    """tf.train.latest_checkpoint(model_dir), or a one-line error when there is none."""
    from beyond_slides.tf_setup import tf
    path = tf.train.latest_checkpoint(model_dir)
    if path is None:
        if glob.glob(os.path.join(model_dir, '*.index')):  # checkpoints, but no readable index file
            raise DataError('the checkpoint index file %s is missing or damaged; %s'
                            % (os.path.join(model_dir, 'checkpoint'), _what_to_load_instead(model_dir)))
        raise DataError('%s holds no checkpoint: train a model first or give --model-dir' % model_dir)
    return path


def _what_to_load_instead(model_dir, damaged=None):
    """How to go on from the newest complete checkpoint in model_dir other than `damaged`."""
    good = newest_complete_checkpoint(model_dir, but=damaged)
    if good is None:
        return 'no complete checkpoint is left there: train again or restore the folder from a copy'
    name = os.path.basename(good)
    return ('the newest complete checkpoint there is %s: to use it, write the line '
            'model_checkpoint_path: "%s" into %s' % (name, name, os.path.join(model_dir, 'checkpoint')))


def newest_complete_checkpoint(model_dir, but=None):
    """The newest checkpoint in model_dir (other than `but`) whose every tensor reads back, or None."""
    from beyond_slides.tf_setup import tf
    prefixes = sorted((p[:-len('.index')] for p in glob.glob(os.path.join(model_dir, '*.index'))),
                      key=lambda p: os.path.getmtime(p + '.index'), reverse=True)
    for prefix in prefixes:
        if but and os.path.abspath(prefix) == os.path.abspath(but):
            continue
        try:
            reader = tf.train.load_checkpoint(prefix)
            for name in reader.get_variable_to_shape_map():
                reader.get_tensor(name)
        except Exception:  # noqa: BLE001  (any failure means: not complete)
            continue
        return prefix
    return None


@contextlib.contextmanager
def checkpoint_errors(model_dir):
    """One-line errors for restoring `tf.train.latest_checkpoint(model_dir)` (the slides'
    `self.saver.restore(...)`) when the checkpoint is missing, damaged, or of another
    configuration. Wrap the restore only: an error after it is not the checkpoint's."""
    path = latest_checkpoint_or_fail(model_dir)
    from beyond_slides.tf_setup import tf
    try:
        yield
    except (tf.errors.DataLossError, tf.errors.OutOfRangeError) as e:
        raise DataError('cannot load the checkpoint %s: it is damaged (truncated or corrupt, as by a run '
                        'killed while saving); %s' % (path, _what_to_load_instead(model_dir, path))) from e
    except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as e:
        raise DataError('cannot load the checkpoint %s: it was saved with another configuration '
                        '(its variables or their shapes differ) or is damaged' % path) from e


# ---------------------------------------------------------------------------
# One training run at a time
# ---------------------------------------------------------------------------

def writable_model_dir(model_dir):
    """Create model_dir if needed; a one-line error if training cannot write there."""
    try:
        os.makedirs(model_dir, exist_ok=True)
    except OSError as e:
        raise DataError('cannot create the model folder %s (%s): give another --model-dir'
                        % (model_dir, e.strerror)) from e
    if not os.access(model_dir, os.W_OK):
        raise DataError('the model folder %s is not writable (read-only): give another --model-dir'
                        % model_dir)


@contextlib.contextmanager
def model_dir_lock(model_dir):
    """Only one training run at a time in a model folder, which must be writable.

    The lock is the operating system's (fcntl.flock, or msvcrt.locking on Windows) on
    model_dir/.training.lock: a crashed run's lock goes with its process, whatever the
    file holds, and of two runs starting together exactly one gets it. A folder this run
    created is removed again if the run fails before anything is saved in it.
    """
    created = not os.path.isdir(model_dir)
    writable_model_dir(model_dir)
    path = os.path.join(model_dir, LOCK_NAME)
    lock = _take_lock(path, model_dir)
    ok = False
    try:
        yield
        ok = True
    finally:
        if os.name == 'posix':
            try:  # while still held: a run that opened it before sees another file, and retries
                os.remove(path)
            except FileNotFoundError:  # someone removed it during the run: nothing left to remove
                pass
        _release(lock)
        if created and not ok and not os.listdir(model_dir):
            os.rmdir(model_dir)


def _take_lock(path, model_dir):
    while True:
        f = open(path, 'a+')
        try:
            _lock(f)
        except OSError:
            f.close()
            raise ModelFolderInUse('another training run is using %s: wait for it to finish, or give '
                                   'another --model-dir' % model_dir)
        try:
            if os.name != 'posix' or os.fstat(f.fileno()).st_ino == os.stat(path).st_ino:
                f.seek(0)
                f.truncate()
                f.write('%d\n' % os.getpid())  # for a person who looks; the lock is the kernel's
                f.flush()
                return f
        except FileNotFoundError:
            pass
        _release(f)  # the file was removed by the run that held it: take the new one


def _lock(f):
    if os.name == 'posix':
        import fcntl
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:
        import msvcrt
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)


def _release(f):
    try:
        if os.name == 'posix':
            import fcntl
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        else:
            import msvcrt
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
    finally:
        f.close()
