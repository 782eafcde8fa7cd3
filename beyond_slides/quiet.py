"""TensorFlow's C++ start-up notes (no GPU found, oneDNN, "All log messages before
absl::InitializeLog()"), kept off the terminal (not on the slides). TensorFlow writes them to the
process's stderr before Python's logging can hold them back, when it is imported and when it first
runs: quiet_stderr() lends file descriptor 2 to /dev/null meanwhile; Python's own sys.stderr is
left alone before and after."""
import contextlib
import os
import sys


@contextlib.contextmanager
def quiet_stderr():
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
