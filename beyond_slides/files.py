"""Files written so that a crash never leaves half of one, and JSON read back (not on the slides)."""
import json
import os
import tempfile


def atomic_write_text(path, text):
    """Write a text file (UTF-8, newlines as given) under a temporary name, then rename it: a crash
    never leaves half a file."""
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
