"""The homework's checks (beyond_slides/exercises.py) of the exercises on trained models: the LSTM
step on a CharRNN's weights, the 2-layer SentimentRNN, the state carried by predict(), the first
loss of an untrained CharRNN and the gradient norms. A right answer passes, each wrong one fails
with its hint; expected values come from TensorFlow's own graphs and cells, never from the check.
"""
import math
from unittest import mock

import numpy as np
import pytest

import data_utils
from beyond_slides import exercises
from beyond_slides.predicting import CharSampler, build_quietly
from beyond_slides.settings import LSTM_SCOPE
from beyond_slides.tf_setup import tf
from char_rnn import CharRNN, create_batch_generator
from conftest import shared
from data_helpers import PERIODIC
from model_helpers import TestConfig, prepared, train_char
from exercise_lines import assert_fails_with, assert_lines, assert_passes, check_line
from sentiment_rnn import SentimentRNN

# Exercise 2: an LSTM step in numpy on a CharRNN's weights, against the graph

@pytest.fixture(scope=shared)
def char_model(tmp_path_factory):
    """A tiny CharRNN trained on PERIODIC, saved with its configuration: its folder and characters."""
    model_dir = str(tmp_path_factory.mktemp('exercise-2') / 'model')
    _, chars, _ = train_char(PERIODIC, model_dir, epochs=2)
    return model_dir, chars


def graph_state_after(model_dir, chars, text):
    """(c, h) of the sampling CharRNN's graph restored from model_dir after the characters of text."""
    with CharSampler(model_dir, CharRNN) as sampler:
        sampler.after(text)
        return sampler.state[0].c, sampler.state[0].h


def basic_lstm_cell_state(model_dir, chars, text, forget_bias, parts=(0, 1, 2, 3)):
    """(c, h) of TensorFlow's own BasicLSTMCell(forget_bias=...) with the saved kernel and bias;
    parts: which of the four column blocks (i, j, f, o) of both the cell reads as its i, j, f, o."""
    checkpoint = tf.train.latest_checkpoint(model_dir)
    kernel, bias = (tf.train.load_variable(checkpoint, LSTM_SCOPE % 0 + name) for name in ('kernel', 'bias'))
    columns = np.concatenate([np.split(np.arange(kernel.shape[1]), 4)[i] for i in parts])
    kernel, bias = kernel[:, columns], bias[columns]
    xs = np.eye(len(chars))[[chars.index(ch) for ch in text]][None].astype(np.float32)   # (1, T, C)
    with tf.Graph().as_default():
        cell = tf.nn.rnn_cell.BasicLSTMCell(kernel.shape[1] // 4, forget_bias=forget_bias)
        _, state = tf.nn.dynamic_rnn(cell, tf.constant(xs), dtype=tf.float32)
        with tf.Session() as sess:
            for v in cell.variables:
                v.load(kernel if v.op.name.endswith('kernel') else bias, sess)
            return sess.run(state)


def test_check_2_passes_the_graphs_state(char_model):
    model_dir, chars = char_model
    c, h = graph_state_after(model_dir, chars, 'abc')
    assert check_line(exercises.check_2, (c, h), model_dir, 'abc') == (
        "✓ Exercise 2: your numpy LSTM gives the graph's (c, h) after 'abc' (within 1e-4)")
    assert_passes(2, check_line(exercises.check_2, (c.tolist(), h + 5e-5), model_dir, 'abc'))  # lists; 1e-4


def test_check_2_names_each_wrong_answer(char_model):
    model_dir, chars = char_model
    c, h = graph_state_after(model_dir, chars, 'abc')
    without_forget_bias = basic_lstm_cell_state(model_dir, chars, 'abc', forget_bias=0.0)
    j_and_f_swapped = basic_lstm_cell_state(model_dir, chars, 'abc', forget_bias=1.0, parts=(0, 2, 1, 3))
    from_zero = graph_state_after(model_dir, chars, 'c')
    # z split as the textbook's (f, i, g, o): its f is block 0 (TensorFlow's i), i block 1 (j), g block 2 (f)
    textbook_order = basic_lstm_cell_state(model_dir, chars, 'abc', forget_bias=1.0, parts=(1, 2, 0, 3))
    nan_h = np.where(np.arange(h.size) == 0, np.nan, h)
    equations = ('z = [x, h] @ lstm_kernel + lstm_bias splits into (i, j, f, o); c = c * sigmoid(f + 1) + '
                 'sigmoid(i) * tanh(j), h = tanh(c) * sigmoid(o), the state carried from one character to the next')
    assert_lines(2, exercises.check_2, (model_dir, 'abc'), [
        (without_forget_bias, '(c, h) is not right: BasicLSTMCell adds forget_bias=1.0 to f before the sigmoid'),
        (j_and_f_swapped, '(c, h) is not right: BasicLSTMCell orders the four parts of z as (i, j, f, o): input, '
                          'new values, forget, output (Keras orders them i, f, c, o)'),
        (from_zero, '(c, h) is not right: the state is carried: each character starts from the (c, h) the one '
                    'before left'),
        ((h, c), '(c, h) is not right: c and h are swapped: answer = (c, h)'),
        (textbook_order, "(c, h) is not right: BasicLSTMCell orders the four parts of z as (i, j, f, o), not the "
                         "textbook's (f, i, g, o): i, j, f, o = np.split(z, 4, axis=1)"),
        ((c, h + 0.01), '(c, h) differs from the right one by up to 0.01 (tolerance 0.0001): ' + equations),
        ((c[0], h[0]), 'c has shape (32,); expected (1, 32): one row: the state of one sequence'),
        ((c, h[0]), 'h has shape (32,); expected (1, 32): one row: the state of one sequence'),
        ((c, nan_h), 'h holds nan or inf'),
        (np.stack([c, h]), 'answer should be a tuple of 2, (c, h); got an ndarray of shape (2, 1, 32)')])


# Exercises 6 and 7: a 2-layer SentimentRNN; the state carried by predict()

@pytest.fixture(scope=shared)
def reviews():
    """(n_words, X_train, y_train, X_test, y_test) of 600 synthetic reviews ('great' or 'awful')."""
    word_to_int, (X_train, y_train, X_test, y_test) = prepared(600)
    return len(word_to_int) + 1, X_train, y_train, X_test, y_test


def trained_sentiment_rnn(reviews, model_dir, num_layers, epochs):
    n_words, X_train, y_train = reviews[:3]
    rnn = build_quietly(SentimentRNN, n_words, model_dir=model_dir, **dict(TestConfig.sentiment, num_layers=num_layers))
    rnn.train(X_train, y_train, num_epochs=epochs)
    return rnn


@pytest.fixture(scope=shared)
def one_layer(reviews, tmp_path_factory):
    # 2 epochs: confident enough to be right, not yet so sure that the carried state never matters
    return trained_sentiment_rnn(reviews, str(tmp_path_factory.mktemp('exercise-7') / 'm'), 1, 2)


@pytest.fixture(scope=shared)
def two_layers(reviews, tmp_path_factory):
    return trained_sentiment_rnn(reviews, str(tmp_path_factory.mktemp('exercise-6') / 'm'), 2, 10)


def test_check_6_passes_a_trained_two_layer_model(reviews, two_layers):
    X_test, y_test = reviews[3:]
    accuracy = np.mean(two_layers.predict(X_test) == y_test)   # 300 rows: 15 whole batches of 20
    assert accuracy > 0.9  # 'great' or 'awful' decides
    chance = max(np.mean(y_test), 1 - np.mean(y_test))
    assert check_line(exercises.check_6, two_layers, X_test, y_test) == (
        '✓ Exercise 6: 2 LSTM layers: test accuracy %.3f on 300 reviews, chance %.3f' % (accuracy, chance))


def test_check_6_passes_an_accuracy_exactly_margin_above_chance(reviews, two_layers):
    # Its own labels: accuracy 1.0; a margin of 1 - chance is then met exactly (1.0 - chance and
    # chance + that are exact in floating point for a chance between 0.5 and 1), which is enough.
    X_test = reviews[3]
    own = two_layers.predict(X_test)
    chance = max(np.mean(own), 1 - np.mean(own))
    assert chance + (1.0 - chance) == 1.0
    assert_passes(6, check_line(exercises.check_6, two_layers, X_test, own, margin=1.0 - chance))


def test_check_6_fails_an_accuracy_between_chance_and_chance_plus_margin(reviews, two_layers):
    # Labels made from the model's own: k of each predicted class flipped, so that the share of each
    # label, and with it chance, stays that of the predictions, and the accuracy is 1 - 2k / n, set
    # to about chance + 0.025: above chance, below chance + 0.05.
    X_test = reviews[3]
    own = two_layers.predict(X_test)
    n, chance = len(own), max(np.mean(own), 1 - np.mean(own))
    k = int(round((1 - chance - 0.025) * n / 2))
    labels = own.copy()
    for label in (0, 1):
        labels[np.flatnonzero(own == label)[:k]] = 1 - label
    accuracy = np.mean(two_layers.predict(X_test) == labels)
    assert max(np.mean(labels), 1 - np.mean(labels)) == chance and chance < accuracy < chance + 0.05, (accuracy, chance)
    assert check_line(exercises.check_6, two_layers, X_test, labels) == (
        "✗ Exercise 6: test accuracy %.3f does not beat chance (%.3f) by 0.05: train with the task's settings "
        "(learning_rate, epochs)" % (accuracy, chance))


def untrained_sentiment_rnn(n_words, model_dir, num_layers, cell=None):
    """An untrained SentimentRNN; cell: another cell class for the graph's BasicLSTMCell (the plain
    graph, fast=False, builds it with any cell)."""
    options = dict(TestConfig.sentiment, num_layers=num_layers)
    if cell is None:
        return build_quietly(SentimentRNN, n_words, model_dir=model_dir, **options)
    with mock.patch.object(tf.nn.rnn_cell, 'BasicLSTMCell', cell):
        return build_quietly(SentimentRNN, n_words, model_dir=model_dir, fast=False, **options)


def test_check_6_names_each_wrong_answer(reviews, one_layer, two_layers, tmp_path):
    n_words, X_test, y_test = reviews[0], reviews[3], reviews[4]
    untrained = untrained_sentiment_rnn(n_words, str(tmp_path), 2)
    gru = untrained_sentiment_rnn(n_words, str(tmp_path), 1, tf.nn.rnn_cell.GRUCell)
    plain_rnn = untrained_sentiment_rnn(n_words, str(tmp_path), 2, tf.nn.rnn_cell.BasicRNNCell)
    three_layers = untrained_sentiment_rnn(n_words, str(tmp_path), 3)
    lecture_layers = "the task asks for the lecture's LSTM layers (SentimentRNN as it is, num_layers=2)"
    assert_lines(6, exercises.check_6, (X_test, y_test), [
        (one_layer, 'your model has 1 LSTM layer: build it with num_layers=2'),
        (untrained, 'no checkpoint in %s: train your model first, rnn.train(X, y, num_epochs)' % tmp_path),
        (gru, 'your model has GRU cells: ' + lecture_layers),
        (plain_rnn, 'your model has no LSTM cells: ' + lecture_layers),
        (three_layers, 'your model has 3 LSTM layers: build it with num_layers=2'),
        (0.9, 'answer should be your trained SentimentRNN; got a float (0.9)')])
    # Labels the model cannot know (the opposite of the right ones): no better than chance.
    opposite = 1 - y_test
    accuracy, chance = np.mean(two_layers.predict(X_test) == opposite), max(np.mean(opposite), 1 - np.mean(opposite))
    assert accuracy < 0.1
    assert check_line(exercises.check_6, two_layers, X_test, opposite) == (
        "✗ Exercise 6: test accuracy %.3f does not beat chance (%.3f) by 0.05: train with the task's "
        "settings (learning_rate, epochs)" % (accuracy, chance))
    # Every other label of each class the opposite one: chance is 0.5 and so, about, is the accuracy,
    # within the margin above and below chance.
    flipped = np.zeros(len(y_test), bool)
    for label in (0, 1):
        flipped[np.flatnonzero(y_test == label)[::2]] = True
    half_wrong = np.where(flipped, 1 - y_test, y_test)
    chance = max(np.mean(half_wrong), 1 - np.mean(half_wrong))
    assert abs(np.mean(two_layers.predict(X_test) == half_wrong) - chance) < 0.05
    assert_fails_with(6, check_line(exercises.check_6, two_layers, X_test, half_wrong), 'does not beat chance (0.5')


def labels_changed_the_students_way(rnn, X):
    """rnn.predict(X) (the state carried) against one predict() per batch (each from the zero state)."""
    carried = rnn.predict(X)
    zero = np.concatenate([rnn.predict(X[i:i + rnn.batch_size]) for i in range(0, len(X), rnn.batch_size)])
    return int(np.sum(carried != zero))


def test_check_7_passes_the_count_of_tensorflows_own_predictions(reviews, one_layer):
    X = reviews[3][:200]  # 10 batches of 20
    changed = labels_changed_the_students_way(one_layer, X)
    assert check_line(exercises.check_7, changed, one_layer, X) == (
        '✓ Exercise 7: %d of 200 labels depend on the reviews before them in X: the carried state leaks '
        'from one batch into the next' % changed)


def test_check_7_names_each_wrong_answer(reviews, one_layer):
    X = reviews[3][:200]
    changed = labels_changed_the_students_way(one_layer, X)
    assert 0 < changed < 100, changed  # some labels change, so each mistake below is another number
    assert_lines(7, exercises.check_7, (one_layer, X), [
        (200 - changed, 'answer is not right: that is the number of labels that stay: count those that change'),
        (0, 'answer is not right: nothing changes? predict() carries the state from batch to batch; to start '
            'every batch from the zero state, call predict() on one batch at a time'),
        (changed + 1, 'answer is %d, not right: compare rnn.predict(X) with the labels of one predict() per batch '
                      'of batch_size rows' % (changed + 1)),
        (changed / 200, 'answer should be a whole number (a count); got a float (%r)' % (changed / 200))])


# Exercises 9 and 10: the first loss of an untrained CharRNN; gradient norms and clipping

def periodic_batches(batch_size, num_steps):
    """(chars, text_ints, train_x, train_y) of PERIODIC ('abcde\\n' x 200: 6 characters)."""
    chars, char2int, _ = data_utils.char_vocab(PERIODIC)
    text_ints = data_utils.encode_text(PERIODIC, char2int)
    return (chars, text_ints) + data_utils.reshape_data(text_ints, batch_size, num_steps)


@pytest.fixture(scope=shared)
def untrained_char():
    chars, _, train_x, train_y = periodic_batches(TestConfig.char['batch_size'], TestConfig.char['num_steps'])
    return build_quietly(CharRNN, len(chars), **TestConfig.char), train_x, train_y


def test_check_9_passes_tensorflows_first_cost_and_ln_6(untrained_char):
    rnn, train_x, train_y = untrained_char
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        first = sess.run('cost:0', {'tf_x:0': train_x[:, :10], 'tf_y:0': train_y[:, :10], 'tf_keepprob:0': 1.0})
    assert abs(first - math.log(6)) < 0.05  # near a uniform guess, which is the point of the exercise
    assert check_line(exercises.check_9, (first, 1.791759469), *untrained_char) == (
        "✓ Exercise 9: the untrained model's loss %.4f is that of a uniform guess, ln 6 = 1.7918: its logits "
        "start near 0" % first)


def test_check_9_names_each_wrong_answer(untrained_char):
    ln6 = 1.791759469
    rnn, train_x, train_y = untrained_char
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        first = sess.run('cost:0', {'tf_x:0': train_x[:, :10], 'tf_y:0': train_y[:, :10], 'tf_keepprob:0': 1.0})
    assert abs(first - ln6) > 1e-3  # so that the swapped tuple is wrong in both places
    uniform_hint = 'a uniform guess gives every one of the 6 characters p = 1/6; the loss is -ln p'
    natural_log = 'uniform_loss is not right: the cross-entropy uses the natural log: np.log, not '
    within = ' (it must be within %g of the right value)'
    assert_lines(9, exercises.check_9, untrained_char, [
        ((ln6, first), "the two are swapped: answer = (first_loss, uniform_loss), the model's loss first, then ln 6"),
        ((ln6, 2.584962501), natural_log + 'log2'),
        ((ln6, 0.778151250), natural_log + 'log10'),
        ((ln6, 1 / 6), "uniform_loss is not right: the loss is -ln(p) of the right character, not p"),
        ((ln6, 1.7), 'uniform_loss is 1.70000, not right%s: %s' % (within % 0.0001, uniform_hint)),
        ((ln6 + 0.5, first), 'uniform_loss is %.5f, not right%s: %s' % (first, within % 0.0001, uniform_hint)),
        ((ln6 + 0.5, ln6), 'first_loss is %.4f, not right%s: ' % (ln6 + 0.5, within % 0.001) +
         "run 'cost:0' right after rnn.init_op, on the first mini-batch (the first num_steps columns) with "
         'tf_keepprob 1.0 and the zero state'),
        (('ln 6', ln6), "first_loss should be a number; got a str ('ln 6')"),
        ((ln6, 'ln 6'), "uniform_loss should be a number; got a str ('ln 6')"),
        (ln6, 'answer should be a tuple of 2, (first_loss, uniform_loss); got a float (%r)' % ln6)])


# The notebook's hparams keep the slides' dropout (keep_prob 0.5), grad_clip 5; the exercise turns
# dropout off ('tf_keepprob:0': 1.0) and asks for the share of the norms above THRESHOLD.
CLIP_HPARAMS = dict(TestConfig.char, keep_prob=0.5, grad_clip=5.0)
THRESHOLD = 0.35  # the tiny model's norms run from about 0.08 to 0.5


def norms_the_students_way(hparams, keepprob=1.0, separate=False):
    """The global norm of each mini-batch of a first epoch, fetched from the graph as train() runs it
    but with 'tf_keepprob:0': keepprob; separate: the norm in a sess.run of its own, before the one
    of train_op."""
    chars, _, train_x, train_y = periodic_batches(hparams['batch_size'], hparams['num_steps'])
    rnn = build_quietly(CharRNN, len(chars), **hparams)
    norms = []
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        state = sess.run(rnn.initial_state)
        for batch_x, batch_y in create_batch_generator(train_x, train_y, rnn.num_steps):
            feed = {'tf_x:0': batch_x, 'tf_y:0': batch_y, 'tf_keepprob:0': keepprob, rnn.initial_state: state}
            if separate:
                norm = sess.run('global_norm/global_norm:0', feed)
                state, _ = sess.run([rnn.final_state, 'train_op'], feed)
            else:
                norm, state, _ = sess.run(['global_norm/global_norm:0', rnn.final_state, 'train_op'], feed)
            norms.append(norm)
    return np.array(norms)


@pytest.fixture(scope=shared)
def clip_run():
    norms = norms_the_students_way(CLIP_HPARAMS)
    text_ints = periodic_batches(4, 10)[1]
    share = np.mean(norms > THRESHOLD)
    assert len(norms) == 29 and 2 <= share * 29 <= 27, (norms, share)  # 1,199 characters: 29 batches of 4 x 10
    assert np.min(np.abs(norms / THRESHOLD - 1)) > 0.02, norms  # no norm so near the threshold that it could flip
    assert norms.max() < CLIP_HPARAMS['grad_clip'], norms       # none clipped: the share above grad_clip is 0
    return norms, share, (text_ints, 6, CLIP_HPARAMS)


def test_check_10_passes_tensorflows_norms_and_their_share(clip_run):
    norms, share, context = clip_run
    assert check_line(exercises.check_10, (norms, share), *context, threshold=THRESHOLD) == (
        '✓ Exercise 10: the norms peak at %.2f; %.0f%% of the mini-batches are above 0.35 and none above '
        'grad_clip=5: clipping never acts here, a guard against rare exploding gradients' % (norms.max(), 100 * share))
    # without a threshold: the share above 1.0, none for these norms
    assert check_line(exercises.check_10, (norms, 0.0), *context) == (
        '✓ Exercise 10: the norms peak at %.2f; 0%% of the mini-batches are above 1.0 and none above '
        'grad_clip=5: clipping never acts here, a guard against rare exploding gradients' % norms.max())


def test_check_10_says_how_many_steps_clipping_scales_down():
    hparams = dict(CLIP_HPARAMS, grad_clip=0.2)
    norms = norms_the_students_way(hparams)
    clipped = int(np.sum(norms > 0.2))
    assert 0 < clipped < len(norms), norms
    context = (periodic_batches(4, 10)[1], 6, hparams)
    assert check_line(exercises.check_10, (norms, np.mean(norms > THRESHOLD)), *context, threshold=THRESHOLD) == (
        '✓ Exercise 10: the norms peak at %.2f; %.0f%% of the mini-batches are above 0.35 and %d above '
        'grad_clip=0.2: clipping scales %d of 29 steps down' % (norms.max(), 100 * np.mean(norms > THRESHOLD),
                                                               clipped, clipped))


def test_check_10_passes_norms_fetched_in_a_sess_run_of_their_own(clip_run):
    # Dropout off: no random mask is drawn, so the order of the sess.run calls does not matter.
    norms, share, context = clip_run
    separate = norms_the_students_way(CLIP_HPARAMS, separate=True)
    assert_passes(10, check_line(exercises.check_10, (separate, share), *context, threshold=THRESHOLD))


def test_check_10_names_each_wrong_answer(clip_run):
    norms, share, context = clip_run
    count = int(round(share * 29))
    with_dropout = norms_the_students_way(CLIP_HPARAMS, keepprob=0.5)
    assert np.max(np.abs(with_dropout / norms - 1)) > 1e-3  # dropout gives other norms
    wrong = [((norms, count), ['that is a count', 'the count / 29 mini-batches']),
             ((norms, 100 * share), ['that is a percentage']),
             ((norms, 1 - share), ['share at or below 0.35']),
             ((norms, 0.0), ['share above grad_clip=5', 'give the share above 0.35']),
             ((norms, share + 1 / 29), ['share is', 'np.mean(norms > 0.35)']),
             ((with_dropout, share), ['norms (as a ratio', "'tf_keepprob:0': 1.0, dropout off"]),
             ((norms * 1.01, share), ['norms (as a ratio to the right ones) differs from the right one by up to '
                                      '0.01 (tolerance 0.001)']),
             ((norms[:-1], share), ['norms has shape (28,); expected (29,): one norm per mini-batch of the first epoch']),
             ((norms, 'half'), ['share should be a number'])]
    for answer, hints in wrong:
        assert_fails_with(10, check_line(exercises.check_10, answer, *context, threshold=THRESHOLD), *hints)
