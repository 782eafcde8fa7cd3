"""Using a trained model (not on the slides): a SentimentRNN loaded from its folder to rate reviews
(new texts as the slides' word ids, an answer for every row), and a saved CharRNN stepped one
character at a time. The commands, the notebooks and the exercises use these.

    rnn = load_sentiment_rnn('models/sentiment', SentimentRNN)
    with CharSampler('models/char_rnn', CharRNN) as sampler:   # the checkpoint restored
        proba = sampler.after('The ')                           # (num_classes,)
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
    """model_class(*args, **kwargs) without the tensors its build() prints (the slides print them
    once; a model built again to predict, sample or draw shows nothing)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return model_class(*args, **kwargs)


def predict_every_row(rnn, X, return_proba=False, from_zero_state=False):
    """rnn.predict on every row of X. The slides' generator answers whole batches only (up to
    batch_size - 1 rows get no answer): here the rows are padded with empty reviews to whole batches
    and the padding's answers dropped. from_zero_state: every batch starts from the zero state, so
    no review's answer depends on the reviews before it (the slides' predict() carries the state)."""
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


def load_sentiment_rnn(model_dir, sentiment_rnn_class, **overrides):
    """The SentimentRNN saved in model_dir, built with its saved hyperparameters (overrides: others,
    such as seq_len or batch_size, which its variables do not depend on); its predict() restores the
    folder's latest checkpoint. The class is handed in: the lecture's, or a notebook's own."""
    folder = ModelFolder(model_dir)
    hparams, _ = folder.load_config(SENTIMENT.name)
    built = dict(folder.require_hparams(hparams, ('n_words',) + tuple(SENTIMENT.hparams)), **overrides)
    return build_quietly(sentiment_rnn_class, model_dir=model_dir, **built)


class CharSampler(object):
    """A saved CharRNN in sampling mode (batch 1, 1 step): one character in, the probabilities of
    the next one out, the LSTM state carried from step to step, as CharRNN.sample()'s steps do."""

    def __init__(self, model_dir, char_rnn_class):
        self.folder = ModelFolder(model_dir)
        hparams, self.chars = self.folder.load_config(CHAR.name)
        hparams = self.folder.require_hparams(hparams, ('lstm_size', 'num_layers'))
        _, self.char2int, _ = data_utils.char_vocab(self.chars, keep_order=True)
        self.rnn = build_quietly(char_rnn_class, len(self.chars), sampling=True, lstm_size=hparams['lstm_size'],
                                 num_layers=hparams['num_layers'])
        self.sess, self.state = None, None

    def __enter__(self):
        self.sess = tf.Session(graph=self.rnn.g)
        self.folder.restore(self.rnn.saver, self.sess)
        self.reset()
        return self

    def __exit__(self, *exc):
        self.sess.close()
        return False

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
        """Back to the zero state, as at the start of CharRNN.sample()."""
        self.state = self.sess.run(self.rnn.initial_state)

    def sample(self, output_length, starter_seq, pick):
        """CharRNN.sample() of this model with another pick(proba, len(chars)) (get_top_char with the
        command's top_n and temperature); with the slides' get_top_char, the same text as sample()."""
        self.reset()
        observed_seq = list(starter_seq)
        for ch in starter_seq:
            proba = self.step(ch)
        for i in range(output_length + 1):
            observed_seq.append(self.chars[pick(proba, len(self.chars))])
            if i < output_length:  # the slides' loop feeds each pick but the last  # pragma: no mutate: feeding the last pick too changes only the state after sampling, which is dropped
                proba = self.step(observed_seq[-1])
        return ''.join(observed_seq)
