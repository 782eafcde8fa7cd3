"""Using a trained model (not on the slides), for the commands, the notebooks and the exercises: a SentimentRNN
loaded from its folder rates new texts (an answer for every row); a saved CharRNN steps one character at a time.
"""
import contextlib
import io

import numpy as np

import data_utils
from beyond_slides.errors import DataError
from beyond_slides.model_folder import ModelFolder
from beyond_slides.settings import CHAR, SENTIMENT
from beyond_slides.tf_setup import tf


def build_quietly(model_class, *args, **kwargs):
    """model_class(*args, **kwargs) without the tensors its build() prints (the slides print them once)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return model_class(*args, **kwargs)


def predict_every_row(rnn, X, return_proba=False, from_zero_state=False):
    """rnn.predict on every row of X: the slides' batches leave up to batch_size - 1 rows unanswered, so empty
    reviews pad the last batch and their answers are dropped. from_zero_state: every batch starts from the
    zero state, so no review's answer depends on the reviews before it (the slides' predict() carries it)."""
    n_pad = -len(X) % rnn.batch_size
    padded = np.concatenate([X, np.zeros((n_pad, X.shape[1]), dtype=X.dtype)])  # pragma: no mutate: float zero rows: the ids are whole numbers, fed to tf_x's int32 as they are
    folder = ModelFolder(rnn.model_dir)
    if not from_zero_state:
        with folder.checkpoint_errors():  # np.atleast_1d: a batch of 1 squeezes to 0-d
            return np.atleast_1d(rnn.predict(padded, return_proba=return_proba))[:len(X)]
    with tf.Session(graph=rnn.g) as sess:
        folder.restore(rnn.saver, sess)
        zero_state = sess.run(rnn.initial_state)
        preds = [sess.run('probabilities:0' if return_proba else 'labels:0',
                          {'tf_x:0': batch, 'tf_keepprob:0': 1.0, rnn.initial_state: zero_state})
                 for batch in np.split(padded, len(padded) // rnn.batch_size)]
    return np.concatenate([np.atleast_1d(p) for p in preds])[:len(X)]


def encode_reviews(texts, word_to_int, seq_len):
    """(sequences, the unknown words) of new reviews, mapped as the slides map training reviews: the slides'
    tokens, unknown words as id 0 (the padding id), the last seq_len ids kept, left-padded with 0."""
    unknown, mapped = set(), []
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


def load_sentiment_rnn(model_dir, sentiment_rnn_class, **overrides):
    """The SentimentRNN saved in model_dir, of the class given (the lecture's or a notebook's), built with its saved
    hyperparameters (overrides: seq_len, batch_size: not in its variables); predict() restores its checkpoint."""
    folder = ModelFolder(model_dir)
    hparams, _ = folder.load_config(SENTIMENT.name)
    built = dict(folder.require_hparams(hparams, ('n_words',) + tuple(SENTIMENT.hparams)), **overrides)
    return build_quietly(sentiment_rnn_class, model_dir=model_dir, **built)


class CharSampler(object):
    """A saved CharRNN in sampling mode (batch 1, 1 step), restored by `with CharSampler(model_dir, CharRNN) as s:`:
    one character in, the next one's probabilities out, the LSTM state carried on as CharRNN.sample() does."""

    def __init__(self, model_dir, char_rnn_class):
        self.folder = ModelFolder(model_dir)
        hparams, self.chars = self.folder.load_config(CHAR.name)
        _, self.char2int, _ = data_utils.char_vocab(self.chars, keep_order=True)
        self.rnn = build_quietly(char_rnn_class, len(self.chars), sampling=True,
                                 **self.folder.require_hparams(hparams, ('lstm_size', 'num_layers')))
        self.sess, self.state = None, None

    def __enter__(self):
        self.sess = tf.Session(graph=self.rnn.g)
        self.folder.restore(self.rnn.saver, self.sess)
        self.reset()
        return self

    def __exit__(self, *exc):
        self.sess.close()

    def step(self, ch):
        """Feed one character (dropout off); the probabilities of the next one, (num_classes,)."""
        proba, self.state = self.sess.run(
            ['probabilities:0', self.rnn.final_state],
            {'tf_x:0': [[self.char2int[ch]]], 'tf_keepprob:0': 1.0, self.rnn.initial_state: self.state})
        return proba[0]

    def after_each(self, text):
        """From the zero state, the probabilities after each character of text, (len(text), num_classes)."""
        self.reset()
        return np.stack([self.step(ch) for ch in text])

    def after(self, text):
        """From the zero state, the probabilities of the character after text, (num_classes,)."""
        return self.after_each(text)[-1]

    def reset(self):
        self.state = self.sess.run(self.rnn.initial_state)

    def sample(self, output_length, starter_seq, pick):
        """CharRNN.sample() with pick(proba, len(chars)) for get_top_char (the command's: top_n, temperature);
        with the slides' get_top_char, the same text as sample()."""
        observed_seq, proba = list(starter_seq), self.after(starter_seq)
        for i in range(output_length + 1):
            observed_seq.append(self.chars[pick(proba, len(self.chars))])
            if i < output_length:  # the slides' loop feeds each pick but the last  # pragma: no mutate: feeding the last pick too changes only the state after sampling, which is dropped
                proba = self.step(observed_seq[-1])
        return ''.join(observed_seq)
