"""Where things are (not on the slides): the repository, the data cache, the model folders.

Light on purpose: the TensorFlow set-up reads the data cache's path from here without loading
any data machinery.
"""
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The book's pg2265.txt (public domain), shipped with the project.
SHIPPED_HAMLET = os.path.join(REPO, 'pg2265.txt')
# The CharRNN trained for 200 epochs that ships with the project (models/README.md).
SHIPPED_CHAR_RNN = os.path.join(REPO, 'models', 'char_rnn')
# Where `python char_rnn.py --train` trains without --model-dir: never into the shipped model.
TRAINED_CHAR_RNN = os.path.join(REPO, 'models', 'my_char_rnn')


def data_dir():
    """The data cache: $RNN_DATA_DIR, else ~/.cache/rnn-lecture (downloads and movie_data.csv).
    Only the path: whatever writes there creates it."""
    return os.environ.get('RNN_DATA_DIR') or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache'),
        'rnn-lecture')


def default_model_dir(name):
    """models/<name> in the repository, wherever the command is run from."""
    return os.path.join(REPO, 'models', name)
