"""Training does what the slides say, checked against values worked by hand: the temperature
of get_top_char, the keep probabilities fed, the fast path's output dropout, Adam's first step
with the model's learning rate, and a stopped SentimentRNN run resumed to the same losses."""
import signal

import numpy as np
import pytest

import data_utils
from beyond_slides.errors import TrainingStopped
from beyond_slides.model_folder import ModelFolder
from beyond_slides.tf_setup import tf
from char_rnn import CharRNN, get_top_char
from data_helpers import PERIODIC
from model_helpers import TestConfig, prepared, signal_at, train_char, train_sentiment
from sentiment_rnn import SentimentRNN

CHAR_SMALL, SENTIMENT_SMALL = TestConfig.char, TestConfig.sentiment


# ---------------------------------------------------------------------------
# get_top_char: p proportional to probas ** (1/T) over the top n
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('temperature, expected', [
    (1.0, [0, 2 / 9, 3 / 9, 4 / 9]),                       # 0.2, 0.3, 0.4 renormalized
    (0.5, [0, 4 / 29, 9 / 29, 16 / 29]),                   # squared: 0.04, 0.09, 0.16
    (2.0, [0, 0.44721 / 1.62739, 0.54772 / 1.62739, 0.63246 / 1.62739]),  # square roots
])
def test_temperature_direction_and_strength(temperature, expected):
    np.random.seed(0)
    probas = np.array([[0.1, 0.2, 0.3, 0.4]], dtype=np.float32)
    picks = [get_top_char(probas, 4, top_n=3, temperature=temperature) for _ in range(20000)]
    np.testing.assert_allclose(np.bincount(picks, minlength=4) / 20000.0, expected, atol=0.012)


def test_a_tiny_temperature_always_picks_the_most_likely():
    np.random.seed(1)
    probas = np.array([[0.26, 0.25, 0.25, 0.24]])
    assert {get_top_char(probas, 4, top_n=4, temperature=0.001) for _ in range(200)} == {0}


# ---------------------------------------------------------------------------
# What the graphs are fed: a spy on Session.run
# ---------------------------------------------------------------------------

@pytest.fixture
def keepprobs_fed(monkeypatch):
    """The tf_keepprob values of every Session.run call, in order."""
    fed = []
    real_run = tf.Session.run

    def run(self, fetches, feed_dict=None, **kwargs):
        if feed_dict and 'tf_keepprob:0' in feed_dict:
            fed.append(feed_dict['tf_keepprob:0'])
        return real_run(self, fetches, feed_dict=feed_dict, **kwargs)
    monkeypatch.setattr(tf.Session, 'run', run)
    return fed


@pytest.fixture
def dropout_off(monkeypatch):
    """Every Session.run feeds keep probability 1: the same numbers in every run."""
    real_run = tf.Session.run

    def run(self, fetches, feed_dict=None, **kwargs):
        if feed_dict and 'tf_keepprob:0' in feed_dict:
            feed_dict = dict(feed_dict, **{'tf_keepprob:0': 1.0})
        return real_run(self, fetches, feed_dict=feed_dict, **kwargs)
    monkeypatch.setattr(tf.Session, 'run', run)


def test_sentiment_trains_with_keep_probability_half_and_predicts_with_one(keepprobs_fed, tmp_path):
    word_to_int, (X_train, y_train, X_test, _) = prepared(100)
    rnn = SentimentRNN(n_words=max(word_to_int.values()) + 1, model_dir=str(tmp_path), **SENTIMENT_SMALL)
    rnn.train(X_train[:40], y_train[:40], num_epochs=1)  # the slides: 'tf_keepprob:0': 0.5
    assert keepprobs_fed == [0.5, 0.5]
    rnn.predict(X_test[:40])
    assert keepprobs_fed[2:] == [1.0, 1.0]


def test_char_trains_with_its_keep_prob_and_samples_with_one(keepprobs_fed, tmp_path):
    ckpt = str(tmp_path / 'model')
    rnn, chars, _ = train_char(PERIODIC, ckpt, epochs=1, keep_prob=0.7)
    n_batches = (len(PERIODIC) - 1) // (CHAR_SMALL['batch_size'] * CHAR_SMALL['num_steps'])
    assert keepprobs_fed == [0.7] * n_batches
    CharRNN(len(chars), sampling=True, lstm_size=CHAR_SMALL['lstm_size']).sample(5, ckpt, starter_seq='ab')
    assert keepprobs_fed[n_batches:] == [1.0] * (2 + 5)  # the prime's 2 characters, then 5 more


# ---------------------------------------------------------------------------
# The fast path's output dropout
# ---------------------------------------------------------------------------

def test_fast_path_drops_outputs_with_keep_prob():
    word_to_int, (X_train, _, _, _) = prepared(100)
    rnn = SentimentRNN(n_words=max(word_to_int.values()) + 1, **SENTIMENT_SMALL)  # fast, one layer
    outputs = rnn.g.get_tensor_by_name('rnn/transpose_1:0')  # (B, T, H)
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        feed = {'tf_x:0': X_train[:20]}
        kept = sess.run(outputs, dict(feed, **{'tf_keepprob:0': 1.0}))
        dropped = sess.run(outputs, dict(feed, **{'tf_keepprob:0': 0.25}))
    zero = dropped == 0
    np.testing.assert_allclose(dropped[~zero], kept[~zero] / 0.25, rtol=1e-6)
    assert abs(zero.mean() - 0.75) < 0.03  # 3,840 outputs
    masks = zero.transpose(1, 0, 2)  # (T, B, H): each step its own mask
    assert not any(np.array_equal(masks[t], masks[t + 1]) for t in range(len(masks) - 1))


# ---------------------------------------------------------------------------
# Adam's first step, worked by hand: m = (1 - b1) g, v = (1 - b2) g^2, and
# w -= lr * sqrt(1 - b2) / (1 - b1) * m / (sqrt(v) + eps), about lr * sign(g)
# ---------------------------------------------------------------------------

def first_step(rnn, feed):
    """(gradients before the step, change of each trainable variable by the step)."""
    with rnn.g.as_default():
        tvars = tf.trainable_variables()
        grads = tf.gradients(rnn.g.get_tensor_by_name('cost:0'), tvars)
        grads = [tf.convert_to_tensor(g) for g in grads]
        with tf.Session() as sess:
            sess.run(rnn.init_op)
            before, g = sess.run([tvars, grads], feed)
            sess.run('train_op', feed)
            after = sess.run(tvars)
    return g, [a - b for a, b in zip(after, before)]


def assert_adam_first_step(grads, changes, learning_rate, clip_norm=None):
    if clip_norm:  # tf.clip_by_global_norm: all gradients scaled by clip / global norm, if above
        global_norm = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads))
        grads = [g * min(1.0, clip_norm / global_norm) for g in grads]
    root = np.sqrt(1 - 0.999)  # sqrt(1 - beta2); (1 - beta1) cancels out
    for g, change in zip(grads, changes):
        expected = -learning_rate * root * g / (root * np.abs(g) + 1e-8)
        np.testing.assert_allclose(change, expected, rtol=1e-3, atol=1e-6)
    assert sum(np.sum(np.abs(g) > 1e-3) for g in grads) > 100  # mostly full steps of lr


@pytest.mark.parametrize('fast', [False, True])
def test_sentiment_adam_step_uses_the_learning_rate(fast):
    word_to_int, (X_train, y_train, _, _) = prepared(100)
    rnn = SentimentRNN(n_words=max(word_to_int.values()) + 1, fast=fast,
                       **dict(SENTIMENT_SMALL, learning_rate=0.0123))
    feed = {'tf_x:0': X_train[:20], 'tf_y:0': y_train[:20], 'tf_keepprob:0': 1.0}
    assert_adam_first_step(*first_step(rnn, feed), learning_rate=0.0123)


@pytest.mark.parametrize('fast', [False, True])
def test_char_adam_step_uses_the_learning_rate(fast):
    chars, char2int, _ = data_utils.char_vocab(PERIODIC)
    x, y = data_utils.reshape_data(data_utils.encode_text(PERIODIC, char2int), 4, 10)
    rnn = CharRNN(len(chars), fast=fast, **dict(CHAR_SMALL, learning_rate=0.0123))
    feed = {'tf_x:0': x[:, :10], 'tf_y:0': y[:, :10], 'tf_keepprob:0': 1.0}
    assert_adam_first_step(*first_step(rnn, feed), learning_rate=0.0123, clip_norm=CHAR_SMALL['grad_clip'])


# ---------------------------------------------------------------------------
# A SentimentRNN run stopped by a signal and resumed: the same losses as a straight run
# ---------------------------------------------------------------------------

def history(model_dir):
    return np.loadtxt(model_dir + '/loss_history.csv', delimiter=',', skiprows=1)


@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM])
def test_sentiment_stopped_and_resumed_computes_the_same_losses(dropout_off, tmp_path, signum):
    straight, stopped = str(tmp_path / 'straight'), str(tmp_path / 'stopped')
    train_sentiment(straight, epochs=3)  # 5 mini-batches an epoch
    with pytest.raises(TrainingStopped):
        train_sentiment(stopped, epochs=3, supervisor_class=signal_at(8, signum))
    point = ModelFolder(stopped).stop_point()
    assert (point.epoch, point.batch) == (1, 3)  # iteration 8 is the 3rd mini-batch of epoch 2
    train_sentiment(stopped, epochs=3, resume=True)
    assert history(stopped)[:, 1].tolist() == list(range(1, 16))  # every iteration once
    np.testing.assert_allclose(history(stopped), history(straight), rtol=1e-5)


def test_get_top_char_defaults_to_the_slides_top_5_at_temperature_1():
    probas = np.array([[0.3, 0.25, 0.2, 0.1, 0.08, 0.07]])
    np.random.seed(3)
    picks = [get_top_char(probas.copy(), 6) for _ in range(20000)]
    # the top 5 renormalized: 0.3 / 0.93, ..., 0.08 / 0.93; the sixth never
    np.testing.assert_allclose(np.bincount(picks, minlength=6) / 20000.0,
                               [0.3 / 0.93, 0.25 / 0.93, 0.2 / 0.93, 0.1 / 0.93, 0.08 / 0.93, 0], atol=0.012)


def test_get_top_char_leaves_the_callers_probabilities_as_they_were():
    probas = np.array([[0.3, 0.25, 0.2, 0.1, 0.08, 0.07]], dtype=np.float32)
    kept = probas.copy()
    get_top_char(probas, 6, top_n=2)
    np.testing.assert_array_equal(probas, kept)
