"""Command-line plumbing shared by `python sentiment_rnn.py` and `python char_rnn.py`."""
import argparse
import contextlib
import errno
import glob
import os
import re
import shlex
import sys
import traceback

from beyond_slides.errors import DataError
from beyond_slides.training import TrainingStopped

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ArgumentParser(argparse.ArgumentParser):
    """An option error is one line, like every other error of the commands."""

    def error(self, message):
        self.exit(2, 'error: %s (%s --help lists the options)\n' % (message, self.prog))


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except where there is none (None, or an off switch)."""

    def _get_help_string(self, action):
        if action.default in (None, False):
            return action.help
        return super()._get_help_string(action)


def add_run_options(p):
    """--walkthrough, --logdir and --debug, the same for both commands."""
    p.add_argument('--walkthrough', action='store_true',
                   help="print what the slides print, slide by slide, on the real data; train only "
                        "if --epochs is given too")
    p.add_argument('--logdir', metavar='DIR',
                   help='write the graph and the training loss for TensorBoard (tensorboard --logdir DIR)')
    p.add_argument('--debug', action='store_true', help='show Python tracebacks of errors')


def default_model_dir(name):
    """models/<name> in the repository, wherever the command is run from."""
    return os.path.join(REPO, 'models', name)


def count(high):
    """An option type: a whole number from 1 to high (more is a typo, or would never finish)."""
    def parse(text):
        return _number(text, int, lambda v: 1 <= v <= high, 'a whole number from 1 to %d' % high)
    return parse


def positive_number(high):
    """An option type: a number above 0 and at most high."""
    def parse(text):
        return _number(text, float, lambda v: 0 < v <= high, 'a number above 0 and at most %g' % high)
    return parse


def probability(text):
    return _number(text, float, lambda v: 0 < v <= 1, 'a number in (0, 1]')


def seed(text):
    return _number(text, int, lambda v: 0 <= v < 2 ** 32, 'a whole number from 0 to %d' % (2 ** 32 - 1))


def _number(text, kind, ok, what):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not %s' % (text, what))
    if not ok(value):
        raise argparse.ArgumentTypeError('%r is not %s' % (text, what))
    return value


def parse_args(parser, argv, hparam_defaults):
    """Parse argv; the hyperparameter options the user did not give stay None in `given`.

    Returns (args, given): args with every default filled in, and given, the
    hyperparameters typed on the command line, so that a saved model can be
    checked against what the user asked for.
    """
    blank = argparse.Namespace(**{k: None for k in hparam_defaults})
    args = parser.parse_args(argv, namespace=blank)
    given = {k: getattr(args, k) for k in hparam_defaults if getattr(args, k) is not None}
    for k, v in hparam_defaults.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    return args, given


def check_same_hparams(model_dir, saved, given):
    """DataError if an option typed on the command line differs from the saved model's."""
    differ = ['--%s %s (saved: %s)' % (k.replace('_', '-'), v, saved[k])
              for k, v in given.items() if k in saved and saved[k] != v]
    if differ:
        raise DataError('the model in %s was trained with other settings: %s; drop those options '
                        'or give another --model-dir' % (model_dir, ', '.join(differ)))


def checkpoint_epoch(path, prefix):
    """The epoch index in a checkpoint name such as sentiment-9.ckpt (None if it has none)."""
    m = re.search(r'%s-(\d+)\.ckpt$' % re.escape(prefix), path or '')
    return int(m.group(1)) if m else None


def refuse_to_overwrite(model_dir):
    """A fresh training run never writes over a saved model."""
    if os.path.exists(os.path.join(model_dir, 'checkpoint')):
        raise DataError('%s already holds a trained model: add --resume to continue it, or give '
                        'another --model-dir' % model_dir)


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
    """One-line errors for the slides' `self.saver.restore(sess, tf.train.latest_checkpoint(...))`
    when the checkpoint is missing, damaged, or of another configuration."""
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
            os.remove(path)  # while still held: a run that opened it before sees another file, and retries
        _release(lock)
        if created and not ok and not os.listdir(model_dir):
            os.rmdir(model_dir)


LOCK_NAME = '.training.lock'


def _take_lock(path, model_dir):
    busy = DataError('another training run is using %s: wait for it to finish, or give another '
                     '--model-dir' % model_dir)
    while True:
        f = open(path, 'a+')
        try:
            _lock(f)
        except OSError:
            f.close()
            raise busy
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


def run_main(main, argv, prog):
    """Run a command's main(); an error prints one line (--debug adds the traceback).

    Exit status: 2 for a user error, 1 for an unexpected one, 128 + the signal
    for a run stopped by Ctrl-C or SIGTERM (which says how to continue it).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = '--debug' in argv
    try:
        return main([a for a in argv if a != '--debug'])
    except TrainingStopped as e:
        again = [a for a in argv if a != '--resume'] + ['--resume']
        print('\n%s; continue with: %s' % (e, ' '.join(shlex.quote(a) for a in prog.split() + again)),
              file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print('\ninterrupted', file=sys.stderr)
        return 130
    except DataError as e:
        return _one_line(debug, 2, 'error: %s' % e)
    except OSError as e:
        if e.errno == errno.ENOSPC:
            return _one_line(debug, 2, _disk_full(e.filename or ''))
        return _one_line(debug, 2, 'error: %s%s' % (e.strerror or e, ': %s' % e.filename
                                                     if e.filename else ''))
    except Exception as e:
        if 'No space left on device' in str(e):  # TensorFlow's own writes (checkpoints, summaries)
            return _one_line(debug, 2, _disk_full(str(e).split(';')[0].splitlines()[-1]))
        # MemoryError, or TensorFlow's out of memory (ResourceExhaustedError)
        if isinstance(e, MemoryError) or type(e).__name__ == 'ResourceExhaustedError':
            return _one_line(debug, 2, 'error: out of memory: lower --batch-size, --lstm-size or '
                                       '--embed-size')
        return _one_line(debug, 1, 'error: unexpected %s: %s (run again with --debug for the '
                                   'traceback)' % (type(e).__name__, str(e).splitlines()[0] if str(e)
                                                   else ''))


def _disk_full(path):
    return ('error: no space left on the disk, writing %s: free some space and run the command again '
            '(a training run: add --resume; its last complete checkpoint is kept)'
            % (re.sub(r'\.tempstate\d+$', '', path) or 'a file'))


def _one_line(debug, status, message):
    if debug:
        traceback.print_exc()
    print(message, file=sys.stderr)
    return status


def say_device():
    """One line on stderr: which TensorFlow runs the graphs, on what (CPU threads or the GPUs)."""
    from beyond_slides.tf_setup import device_line
    print(device_line(), file=sys.stderr)


def quietly(build):
    """Run build() with stdout silenced: build() prints the slides' tensors, unwanted in an answer."""
    saved = sys.stdout
    sys.stdout = open(os.devnull, 'w')
    try:
        return build()
    finally:
        sys.stdout.close()
        sys.stdout = saved
