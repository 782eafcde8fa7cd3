"""Tiny models for the tests: the settings (TestConfig), the data they train on (prepared), and
train_char / train_sentiment, which train through the training layer as the commands do
(beyond_slides/training.py)."""
import json
import os
import signal

from beyond_slides import settings
from data_helpers import synthetic_reviews

SHIPPED = settings.SHIPPED_CHAR_RNN  # the tests' short name for it


def as_options(hparams, slides):
    """The command-line options that make a command's model hparams: those that differ from the
    slides' values, named as beyond_slides/cli.py names them (learning_rate: --learning-rate). A test's
    own options go after them: argparse keeps an option's last value."""
    return [item for key, value in hparams.items() if value != slides[key]
            for item in ('--' + key.replace('_', '-'), value)]


class TestConfig:
    """The slides' models, small enough to train in a second or two (the idea of the TensorFlow
    PTB tutorial's TestConfig). *_opts: the same settings as command-line options."""
    __test__ = False  # a configuration, not a test class
    char = dict(batch_size=4, num_steps=10, lstm_size=32, num_layers=1, learning_rate=0.01,
                keep_prob=1.0, grad_clip=5.0)
    sentiment = dict(seq_len=12, lstm_size=16, num_layers=1, batch_size=20, learning_rate=0.01, embed_size=8)
    char_opts = as_options(char, settings.CHAR_HPARAMS)
    sentiment_opts = as_options(sentiment, settings.SENTIMENT_HPARAMS)


def prepared(n=600):
    """(word_to_int, (X_train, y_train, X_test, y_test)) of n synthetic reviews, half for training."""
    import data_utils
    df = synthetic_reviews(n)
    word_to_int, mapped = data_utils.preprocess_reviews(df['review'])
    sequences = data_utils.make_sequences(mapped, TestConfig.sentiment['seq_len'])
    return word_to_int, data_utils.split_train_test(sequences, df['sentiment'], n // 2)


def train_char(text, model_dir, epochs, resume=False, supervisor_class=None, **overrides):
    """A tiny CharRNN trained on text into model_dir by the training layer, as a notebook trains one
    (configuration, loss history, epochs recorded); supervisor_class: a Supervisor subclass that
    supervises it. Returns (the model, its characters, the supervisor)."""
    import data_utils
    from beyond_slides.predicting import build_quietly   # here: importing this module loads no TensorFlow
    from beyond_slides.training import supervised_training
    from char_rnn import CharRNN
    hparams = dict(TestConfig.char, **overrides)
    chars, char2int, _ = data_utils.char_vocab(text)
    x, y = data_utils.reshape_data(data_utils.encode_text(text, char2int), hparams['batch_size'],
                                   hparams['num_steps'])
    rnn = build_quietly(CharRNN, len(chars), **hparams)
    rnn.chars = chars
    with supervised_training(rnn, model_dir, epochs, chars, x.shape[1] // rnn.num_steps, resume=resume,
                             progress=False, supervisor_class=supervisor_class) as s:
        rnn.train(x, y, num_epochs=epochs, ckpt_dir=model_dir, supervisor=s)
    return rnn, chars, s


def train_sentiment(model_dir, epochs, n_reviews=200, resume=False, supervisor_class=None, **overrides):
    """A tiny SentimentRNN trained on n_reviews synthetic reviews (half of them: with the test
    configuration, 5 mini-batches of 20 an epoch for 200) by the training layer. Returns (the model,
    (X_train, y_train, X_test, y_test), the supervisor)."""
    from beyond_slides.predicting import build_quietly
    from beyond_slides.training import supervised_training
    from sentiment_rnn import SentimentRNN
    word_to_int, data = prepared(n_reviews)
    n_words = max(word_to_int.values()) + 1
    rnn = build_quietly(SentimentRNN, n_words=n_words, model_dir=model_dir, **dict(TestConfig.sentiment, **overrides))
    with supervised_training(rnn, model_dir, epochs, word_to_int, len(data[0]) // rnn.batch_size, resume=resume,
                             progress=False, supervisor_class=supervisor_class, n_words=n_words) as s:
        rnn.train(data[0], data[1], num_epochs=epochs, supervisor=s)
    return rnn, data, s


def signal_at(iteration, signum=signal.SIGINT, times=1):
    """A Supervisor class to hand to train_char or train_sentiment: it sends this process signum
    (times times) as mini-batch `iteration` ends, as Ctrl-C or `kill` would."""
    from beyond_slides.supervisor import Supervisor

    class SignalAt(Supervisor):
        def after_batch(self, sess, epoch, i, loss, state):
            if i == iteration:
                for _ in range(times):
                    os.kill(os.getpid(), signum)
            super().after_batch(sess, epoch, i, loss, state)
    return SignalAt


class RecordingSaver(object):
    """A Saver that records the path of every save (and saves)."""

    def __init__(self, saver):
        self.saver, self.saved = saver, []

    def save(self, sess, path, *args, **kwargs):
        self.saved.append(path)
        return self.saver.save(sess, path, *args, **kwargs)


def start_from(graph, sess, weights):
    """Load weights ({variable name: value}) into graph's trainable variables in sess, if given;
    returns the weights it starts from, so that a second graph can start from the same."""
    from beyond_slides.tf_setup import tf
    with graph.as_default():
        for v in tf.trainable_variables():
            if weights is not None:
                v.load(weights[v.op.name], sess)
        return {v.op.name: sess.run(v) for v in tf.trainable_variables()}


def edit_config(folder, edit):
    """The folder's model_config.json changed in place by edit(config): a model folder a test spoils."""
    path = os.path.join(folder, 'model_config.json')
    with open(path, encoding='utf-8') as f:
        config = json.load(f)
    edit(config)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(config, f)
