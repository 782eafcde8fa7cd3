"""Where things are, and each model's kind with the slides' values (not on the slides): the defaults
of the commands, the walkthrough and the notebooks. Read before TensorFlow is imported."""
import collections
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPPED_HAMLET = os.path.join(REPO, 'pg2265.txt')  # the book's text (public domain)


def data_dir():
    """The data cache: $RNN_DATA_DIR, else ~/.cache/rnn-lecture (only the path: its writers create it)."""
    return os.environ.get('RNN_DATA_DIR') or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache'), 'rnn-lecture')


def default_model_dir(name):  # models/<name> in the repository, wherever the command is run from
    return os.path.join(REPO, 'models', name)


SHIPPED_CHAR_RNN = default_model_dir('char_rnn')  # trained 200 epochs (models/README.md)
SHIPPED_EMBEDDING = os.path.join(REPO, 'models', 'sentiment_embedding.npz')  # tools/ship_embedding.py writes it
TRAINED_CHAR_RNN = default_model_dir('my_char_rnn')  # `char_rnn.py --train`'s default


# "Instantiate the SentimentRNN Class" (trained 40 epochs); seq_len: reviews cut to their last 200 words.
SENTIMENT_HPARAMS = {'seq_len': 200, 'lstm_size': 128, 'num_layers': 1, 'batch_size': 100,
                     'learning_rate': 0.001, 'embed_size': 256}
# "Creating and Training the CharRNN Model" (trained 100 epochs): batch 64, the constructor's defaults.
CHAR_HPARAMS = {'batch_size': 64, 'num_steps': 100, 'lstm_size': 128, 'num_layers': 1,
                'learning_rate': 0.001, 'keep_prob': 0.5, 'grad_clip': 5.0}

# A model's kind: its class's name (as model_config.json names it), its hyperparameters (the names
# training saves and a resume checks; the slides' values), its epochs, the slides' checkpoint
# prefix, and what a resume on other data says.
class ModelKind(collections.namedtuple('ModelKind', 'name hparams epochs checkpoint_prefix other_data')):
    def hparams_of(self, model):
        """A built model's hyperparameters, read off it by this kind's names."""
        return {k: getattr(model, k) for k in self.hparams}


SENTIMENT = ModelKind('SentimentRNN', SENTIMENT_HPARAMS, epochs=40, checkpoint_prefix='sentiment',
                      other_data='other reviews (their vocabulary differs): give the same reviews')
CHAR = ModelKind('CharRNN', CHAR_HPARAMS, epochs=100, checkpoint_prefix='language_modeling',
                 other_data='another text (its characters differ): give the same text')
KINDS = {kind.name: kind for kind in (SENTIMENT, CHAR)}

# Where the slides' graphs keep layer k's LSTM variables (its kernel and bias), as their checkpoints
# name them: the same for both models.
LSTM_SCOPE = 'rnn/multi_rnn_cell/cell_%d/basic_lstm_cell/'

# The notebooks: the lecture, the exercises' worked solutions (the one to edit) and the blank
# exercises made from them (python notebooks/make_exercises.py), which the grader grades.
LECTURE_NOTEBOOK = os.path.join(REPO, 'notebooks', 'rnn_lecture.ipynb')
SOLUTIONS_NOTEBOOK = os.path.join(REPO, 'notebooks', 'exercises_solutions.ipynb')
BLANK_NOTEBOOK = os.path.join(REPO, 'notebooks', 'exercises.ipynb')

# An answer cell's first line, `answer = exercises.start(ID)`: its ID (exercises.py and the grader).
START = re.compile(r'exercises\.start\(\s*[\'"]?(\w+)')
