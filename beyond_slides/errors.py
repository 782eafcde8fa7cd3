"""The errors a user can fix, and the exit status and one-line message each gives.

A command (`python sentiment_rnn.py`, `python char_rnn.py`) prints a UserError as one
line `error: ...` that names the problem and what to do, and exits with status 2; in
Python (a notebook, the book's script) the same errors are raised with the same message.
"""
import errno
import re
import shlex
import sys
import traceback


class UserError(Exception):
    """A problem the user can fix; the message says which, and what to do."""


class DataError(UserError):
    """A file, folder, option or piece of data is missing, corrupt or of the wrong kind."""


class SetupError(UserError):
    """The Python environment cannot run the slides' TensorFlow 1.x code (a package or a setting)."""


class ModelFolderInUse(UserError):
    """Another training run holds the model folder."""


class TrainingStopped(Exception):
    """Training stopped on a signal after saving its state; exit_code is 128 + the signal."""

    def __init__(self, message, signum):
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + signum


def run_command(main, argv, prog, debug=False):
    """Run a command's main(); an error prints one line (debug adds the traceback).

    Exit status: 2 for a user error, 1 for an unexpected one, 128 + the signal
    for a run stopped by Ctrl-C or SIGTERM (which says how to continue it).
    """
    try:
        return main()
    except TrainingStopped as e:
        again = [a for a in argv if a != '--resume'] + ['--resume']
        print('\n%s; continue with: %s' % (e, ' '.join(shlex.quote(a) for a in prog.split() + again)),
              file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print('\ninterrupted', file=sys.stderr)
        return 130
    except UserError as e:
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
