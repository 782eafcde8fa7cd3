"""Rating reviews with a trained SentimentRNN (not on the slides): new texts as the slides' word
ids, and an answer for every row. `python sentiment_rnn.py` (its Test Acc. and --predict) and
the notebook use these."""
import contextlib
import io

import numpy as np

import data_utils
from beyond_slides.errors import DataError
from beyond_slides.model_folder import ModelFolder


def build_quietly(model_class, *args, **kwargs):
    """model_class(*args, **kwargs) without the tensors its build() prints (the slides print them
    once; a model built again to predict, sample or draw shows nothing)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return model_class(*args, **kwargs)


def predict_every_row(rnn, X, return_proba=False, from_zero_state=False):
    """rnn.predict on every row of X.

    The slides' generator answers whole batches only: with their batch of 100 all 25,000 test
    reviews (250 batches), but with another batch size or number of reviews up to batch_size - 1
    rows get no answer. Here the rows are padded with empty reviews to whole batches and the
    padding's answers dropped. from_zero_state: one predict() per batch, so that every batch
    starts from the zero state and no review's answer depends on the reviews before it (the
    slides carry the state from batch to batch).
    """
    n_pad = -len(X) % rnn.batch_size
    padded = np.concatenate([X, np.zeros((n_pad, X.shape[1]), dtype=X.dtype)])  # pragma: no mutate: float zero rows: the ids are whole numbers, fed to tf_x's int32 as they are
    n_parts = len(padded) // rnn.batch_size  # pragma: no mutate: len(padded) is a multiple of batch_size, and np.split takes the whole float as the count
    parts = np.split(padded, n_parts) if from_zero_state else [padded]
    with ModelFolder(rnn.model_dir).checkpoint_errors():
        preds = [rnn.predict(part, return_proba=return_proba) for part in parts]
    return np.concatenate([np.atleast_1d(p) for p in preds])[:len(X)]  # a batch of 1 squeezes to 0-d


def encode_reviews(texts, word_to_int, seq_len):
    """Word ids of new reviews, as the slides map training reviews: the slides' tokens, unknown
    words as id 0 (the padding id), the last seq_len ids kept, left-padded with 0.
    Returns (sequences, the unknown words)."""
    unknown = set()
    mapped = []
    for i, text in enumerate(texts, 1):
        words = data_utils.tokenize(text)
        if not words:
            raise DataError('review %d of {predict} is empty (it has no words): give the text of a review' % i)
        unknown.update(w for w in words if w not in word_to_int)
        mapped.append([word_to_int.get(w, 0) for w in words])
    return data_utils.make_sequences(mapped, seq_len), unknown


def printable(word):
    """A word as the terminal can show it: bytes of the command line that are not UTF-8 (Python
    keeps them as lone surrogates, such as \\udc80) written as escapes (\\x80)."""
    return word.encode('utf-8', 'surrogateescape').decode('utf-8', 'backslashreplace')
