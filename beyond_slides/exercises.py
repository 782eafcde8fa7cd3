"""The checks of the homework notebook (not on the slides): notebooks/exercises.ipynb.

Each exercise ends with `exercises.check_N(answer, ...)`, which prints one line:

    ✓ Exercise N: what the right answer shows
    ✗ Exercise N: what is wrong, and a hint

An answer still `...` (or None, or a tuple with such a part) is "not yet", never a traceback;
an answer of the wrong type or shape is named as such. A check that needs context (the data,
a model, its folder) takes it as arguments, which the notebook passes. docs/exercises.md says
per exercise how its check decides, and how to add an exercise.
"""
import math
import numbers
import re

import numpy as np
import pandas as pd

from beyond_slides import pitfalls, theory
from beyond_slides.model_folder import ModelFolder
from beyond_slides.predicting import predict_every_row
from beyond_slides.tf_setup import tf


class WrongAnswer(Exception):
    """What is wrong with an answer and a hint: the text after '✗ Exercise N: '."""


# ---------------------------------------------------------------------------
# The one line each check prints
# ---------------------------------------------------------------------------

def report(number, answer, judge):
    """Print exercise `number`'s line for answer; judge(answer) returns what a right answer shows,
    or raises WrongAnswer."""
    print(verdict(number, answer, judge))


def verdict(number, answer, judge):
    """The line report() prints."""
    missing = missing_part(answer, 'answer')
    if missing:
        return '✗ Exercise %d: not yet: %s; replace it by your answer' % (number, missing)
    try:
        return '✓ Exercise %d: %s' % (number, judge(answer))
    except WrongAnswer as e:
        return '✗ Exercise %d: %s' % (number, e)
    except Exception as e:  # an answer the check cannot use: one line, never a traceback
        reason = (str(e).strip().splitlines() or [''])[0]
        return '✗ Exercise %d: the check could not use your answer (%s: %s)' % (number, type(e).__name__, reason)


def missing_part(answer, name):
    """'answer is still ...' (or None, or which part of a tuple is), or '' when nothing is missing."""
    if answer is Ellipsis:
        return '%s is still ...' % name
    if answer is None:
        return '%s is None' % name
    if isinstance(answer, (tuple, list)):
        for i, part in enumerate(answer):
            found = missing_part(part, 'part %d of %s' % (i + 1, name))
            if found:
                return found
    return ''


# ---------------------------------------------------------------------------
# Reading an answer: its type and shape, or a line that names them
# ---------------------------------------------------------------------------

def describe(value):
    """A value's type in a few words: 'a float (0.37)', 'an ndarray of shape (2, 9)', 'a list of 3'."""
    if isinstance(value, np.ndarray):
        text = 'ndarray of shape %s' % (value.shape,)
    elif isinstance(value, (list, tuple)):
        text = '%s of %d' % (type(value).__name__, len(value))
    elif isinstance(value, (numbers.Number, np.number, str)):
        text = '%s (%r)' % (type(value).__name__, value)
    else:
        text = type(value).__name__
    return ('an ' if text[0] in 'aeiou' or text.startswith('ndarray') else 'a ') + text  # an en-dee-array


def as_parts(answer, names):
    """answer as a tuple of len(names) parts, e.g. (c, h)."""
    if not isinstance(answer, (tuple, list)) or len(answer) != len(names):
        raise WrongAnswer('answer should be a tuple of %d, (%s); got %s'
                          % (len(names), ', '.join(names), describe(answer)))
    return answer


def as_number(value, what):
    """value as a float; a bool, a string or an array is named."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise WrongAnswer('%s should be a number; got %s' % (what, describe(value)))
    if not math.isfinite(float(value)):
        raise WrongAnswer('%s is %r, not a finite number' % (what, value))
    return float(value)


def as_count(value, what):
    """value as an int; a share or any fraction is named."""
    number = as_number(value, what)
    if not number.is_integer():
        raise WrongAnswer('%s should be a whole number (a count); got %s' % (what, describe(value)))
    return int(number)


def as_array(value, shape, what, hint=''):
    """value as a float array of the given shape; another type or shape is named, with the hint."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise WrongAnswer('%s should be an array of numbers; got %s' % (what, describe(value))) from None
    if array.shape != tuple(shape):
        transposed = ' (transposed?)' if array.shape == tuple(shape)[::-1] else ''
        raise WrongAnswer('%s has shape %s%s; expected %s%s'
                          % (what, array.shape, transposed, tuple(shape), ': ' + hint if hint else ''))
    if not np.all(np.isfinite(array)):
        raise WrongAnswer('%s holds nan or inf' % what)
    return array


# ---------------------------------------------------------------------------
# Comparing with the right answer, naming a known mistake when one fits
# ---------------------------------------------------------------------------

def known_mistake(got, mistakes, tolerance):
    """The hint of the first (hint, value it gives) in mistakes that got matches, or None."""
    for hint, value in mistakes:
        value = np.asarray(value, dtype=float)
        if value.shape == got.shape and np.allclose(got, value, rtol=0, atol=tolerance):
            return hint
    return None


def compare(got, expected, what, tolerance, hint, mistakes=()):
    """Nothing if got is within tolerance of expected (element by element); else WrongAnswer naming
    the known mistake that gives got, or the largest difference and the hint."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if np.allclose(got, expected, rtol=0, atol=tolerance):
        return
    mistake = known_mistake(got, mistakes, tolerance)
    if mistake:
        raise WrongAnswer('%s is not right: %s' % (what, mistake))
    if got.shape == ():
        raise WrongAnswer('%s is %.6g, not right: %s' % (what, got, hint))
    raise WrongAnswer('%s differs from the right one by up to %.3g (tolerance %g): %s'
                      % (what, np.max(np.abs(got - expected)), tolerance, hint))


# ---------------------------------------------------------------------------
# Exercise 1, "Computing Activations in RNNs": h(t) = tanh(W_xh x(t) + W_hh h(t-1) + b_h)
# ---------------------------------------------------------------------------

def check_1(answer, xs, kernel, bias):
    """answer: h(1), h(2), ... of a BasicRNNCell over the one sequence xs (1, T, D) from the zero
    state, computed in numpy, one row per step; against TensorFlow's BasicRNNCell with the same
    kernel and bias (beyond_slides/theory.py), within 1e-5."""
    def judge(answer):
        expected = theory.tf_basic_rnn(xs, kernel, bias)[0][0]           # (T, H)
        got = as_array(answer, expected.shape, 'answer', 'one row h(t) per step t, as x @ W: rows are examples')
        W_xh, W_hh = theory.slide_weights(kernel, np.shape(xs)[2])
        mistakes = [('the bias b_h is missing', theory.rnn_activations(xs, W_xh, W_hh, 0 * bias)[0]),
                    ('h is carried: each step adds W_hh h(t-1), with h(0) = 0',
                     theory.rnn_activations(xs, W_xh, 0 * W_hh, bias)[0]),
                    ('tanh is missing (the slide\'s activation phi)', linear_rnn(xs[0], W_xh, W_hh, bias))]
        compare(got, expected, 'answer', 1e-5, 'h(t) = tanh(x(t) @ W_xh + h(t-1) @ W_hh + b_h), where W_xh is '
                'the kernel\'s first %d rows (they multiply x) and W_hh the rest' % np.shape(xs)[2], mistakes)
        return 'your numpy steps give BasicRNNCell\'s h(t) (within 1e-5): one kernel over [x, h]'
    report(1, answer, judge)


def linear_rnn(xs, W_xh, W_hh, b_h):
    """The slip of exercise 1 that forgets tanh: h(t) = W_xh x(t) + W_hh h(t-1) + b_h, (T, H)."""
    h, out = np.zeros(W_hh.shape[0]), []
    for x in xs:
        h = W_xh @ x + W_hh @ h + b_h
        out.append(h)
    return np.array(out)


# ---------------------------------------------------------------------------
# Exercise 2, "Long Short-Term Memory (LSTM)": BasicLSTMCell's gates in numpy, shipped weights
# ---------------------------------------------------------------------------

def check_2(answer, model_dir, prime):
    """answer: (c, h) of the CharRNN saved in model_dir after the characters of prime from the zero
    state, in numpy; against its TensorFlow graph (beyond_slides/theory.py), within 1e-4."""
    def judge(answer):
        c, h = as_parts(answer, ('c', 'h'))
        steps = theory.lstm_gates_on_line(model_dir, prime)   # numpy, asserted equal to the graph
        expected = np.stack([steps['c'][-1:], steps['h'][-1:]])   # (2, 1, H)
        c = as_array(c, expected[0].shape, 'c', 'one row: the state of one sequence')
        h = as_array(h, expected[1].shape, 'h', 'one row: the state of one sequence')
        compare(np.stack([c, h]), expected, '(c, h)', 1e-4,
                'z = [x, h] @ lstm_kernel + lstm_bias splits into (i, j, f, o); c = c * sigmoid(f + 1) + sigmoid(i) * '
                'tanh(j), h = tanh(c) * sigmoid(o), the state carried from one character to the next',
                lstm_mistakes(model_dir, prime))
        return 'your numpy LSTM gives the graph\'s (c, h) after %r (within 1e-4)' % prime
    report(2, answer, judge)


def lstm_mistakes(model_dir, prime):
    """[(hint, (c, h) stacked)] of the usual slips in exercise 2."""
    checkpoint = tf.train.latest_checkpoint(model_dir)
    layer = 'rnn/multi_rnn_cell/cell_0/basic_lstm_cell/'   # the CharRNN's first LSTM layer
    kernel, bias = (tf.train.load_variable(checkpoint, layer + name) for name in ('kernel', 'bias'))
    chars = ModelFolder(model_dir).load_config('CharRNN')[1]
    x_rows = np.eye(len(chars))[[chars.index(ch) for ch in prime]]
    swap_j_f = np.concatenate([np.split(np.arange(kernel.shape[1]), 4)[i] for i in (0, 2, 1, 3)])
    right = lstm_run(x_rows, kernel, bias)
    return [('BasicLSTMCell adds forget_bias=1.0 to f before the sigmoid', lstm_run(x_rows, kernel, bias, 0.0)),
            ('BasicLSTMCell orders the four parts of z as (i, j, f, o): input, new values, forget, output '
             '(Keras orders them i, f, c, o)', lstm_run(x_rows, kernel[:, swap_j_f], bias[swap_j_f])),
            ('the state is carried: each character starts from the (c, h) the one before left',
             lstm_run(x_rows[-1:], kernel, bias)),
            ('c and h are swapped: answer = (c, h)', right[::-1])]


def lstm_run(x_rows, kernel, bias, forget_bias=1.0):
    """(c, h) stacked, (2, 1, H), of BasicLSTMCell (theory.lstm_step) after the rows of x_rows from
    the zero state."""
    c = h = np.zeros((1, np.shape(kernel)[1] // 4))
    for x in x_rows:
        step = theory.lstm_step(x[None, :], c, h, kernel, bias, forget_bias)
        c, h = step['c'], step['h']
    return np.stack([c, h])


# ---------------------------------------------------------------------------
# Exercise 3, "Create the Word to Integer Mapping": word ids from 1, n_words
# ---------------------------------------------------------------------------

def check_3(answer, word_to_int):
    """answer: (the id of 'the', n_words); exact."""
    def judge(answer):
        the_id, n_words = as_parts(answer, ('the id of \'the\'', 'n_words'))
        the_id, n_words = as_count(the_id, 'the id of \'the\''), as_count(n_words, 'n_words')
        expected_id, largest = word_to_int['the'], max(word_to_int.values())
        compare(the_id, expected_id, 'the id of \'the\'', 0, 'words are numbered by count, the most common first',
                [('it is off by one: ids start at 1 (enumerate(word_counts, 1)); 0 is kept for the padding',
                  expected_id - 1)])
        compare(n_words, largest + 1, 'n_words', 0, 'it is the number of rows the embedding needs',
                [('it is the largest id + 1: the embedding needs a row for each id, and for the padding\'s 0',
                  largest)])
        return '\'the\' is the most common word, id %d; the embedding has %d rows (row 0: padding)' \
            % (the_id, n_words)
    report(3, answer, judge)


# ---------------------------------------------------------------------------
# Exercise 4, "Create the Word to Integer Mapping": a vocabulary from the training reviews only
# ---------------------------------------------------------------------------

def check_4(answer, word_to_int, mapped_reviews, n_train):
    """answer: how many distinct words of the test reviews (mapped_reviews[n_train:]) appear in no
    training review; exact."""
    def judge(answer):
        got = as_count(answer, 'answer')
        unknown = unknown_test_words(word_to_int, mapped_reviews, n_train)
        test_words = {i for review in mapped_reviews[n_train:] for i in review}
        mistakes = [('that counts every occurrence: count each distinct word once',
                     sum(i in unknown for review in mapped_reviews[n_train:] for i in review)),
                    ('that is every word of the test reviews: count those that appear in no training review',
                     len(test_words)),
                    ('that is the other way round: the words of the training reviews no test review has',
                     len(set(word_to_int.values()) - test_words))]
        compare(got, len(unknown), 'answer', 0, 'take the set of word ids of the test reviews, less those of '
                'the training reviews', mistakes)
        return '%d distinct test words are unknown to a vocabulary of the training reviews: counting all ' \
               'reviews, as the slides do, lets the test set into the vocabulary' % got
    report(4, answer, judge)


def unknown_test_words(word_to_int, mapped_reviews, n_train):
    """The word ids of the test reviews that no training review has (beyond_slides/pitfalls.py)."""
    return pitfalls.words_only_in_test_half(word_to_int, mapped_reviews, n_train)


# ---------------------------------------------------------------------------
# Exercise 5, "Prepare Fixed-Length Sequences": left padding, the last words kept
# ---------------------------------------------------------------------------

def check_5(answer, mapped_reviews, seq_len):
    """answer: the fixed-length sequences of mapped_reviews, by hand; exact."""
    def judge(answer):
        expected = left_padded(mapped_reviews, seq_len, keep='last')
        got = as_array(answer, expected.shape, 'answer', 'one row per review, seq_len columns')
        mistakes = [('the last words are kept, but the zeros go on the right: they go on the left, '
                     'sequences[i, -len(row):], so that the words are the last steps the LSTM reads',
                     right_padded(mapped_reviews, seq_len, keep='last')),
                    ('the zeros go on the left, so that the words are the last steps the LSTM reads; and a '
                     'long review keeps its last seq_len words, not its first',
                     right_padded(mapped_reviews, seq_len, keep='first')),
                    ('a long review keeps its last seq_len words (its end), not its first',
                     left_padded(mapped_reviews, seq_len, keep='first'))]
        compare(got, expected, 'answer', 0, 'row i ends with the last words of review i; zeros fill '
                'the left', mistakes)
        return 'zeros on the left, the last %d words kept, as sequences[i, -len(row):] does' % seq_len
    report(5, answer, judge)


def left_padded(mapped_reviews, seq_len, keep):
    """The reviews as rows of seq_len ids, zeros on the left; keep: 'last' or 'first' words."""
    rows = np.zeros((len(mapped_reviews), seq_len), dtype=int)
    for i, review in enumerate(mapped_reviews):
        kept = review[-seq_len:] if keep == 'last' else review[:seq_len]
        rows[i, seq_len - len(kept):] = kept
    return rows


def right_padded(mapped_reviews, seq_len, keep):
    """The slips of exercise 5 that put the zeros on the right: keep 'last' is
    sequences[i, :len(row)] = review_arr[-seq_len:], keep 'first' row[:seq_len] and zeros after it."""
    rows = np.zeros((len(mapped_reviews), seq_len), dtype=int)
    for i, review in enumerate(mapped_reviews):
        kept = review[-seq_len:] if keep == 'last' else review[:seq_len]
        rows[i, :len(kept)] = kept
    return rows


# ---------------------------------------------------------------------------
# Exercise 6, "Instantiate the SentimentRNN Class": two LSTM layers that beat chance
# ---------------------------------------------------------------------------

def check_6(answer, X_test, y_test, margin=0.05):
    """answer: a trained SentimentRNN of two LSTM layers, as the task asks (num_layers=2, the
    lecture's BasicLSTMCell); right when its test accuracy beats chance (always the commoner label)
    by margin."""
    def judge(rnn):
        if not all(hasattr(rnn, name) for name in ('g', 'predict', 'model_dir', 'batch_size')):
            raise WrongAnswer('answer should be your trained SentimentRNN; got %s' % describe(rnn))
        layers, kind = recurrent_layers(rnn.g)
        if kind != 'LSTM':
            raise WrongAnswer('your model has %s cells: the task asks for the lecture\'s LSTM layers '
                              '(SentimentRNN as it is, num_layers=2)' % kind)
        if layers != 2:
            raise WrongAnswer('your model has %d LSTM layer%s: build it with num_layers=2'
                              % (layers, '' if layers == 1 else 's'))
        accuracy = accuracy_on(rnn, X_test, y_test)
        chance = max(np.mean(y_test), 1 - np.mean(y_test))
        if accuracy < chance + margin:
            raise WrongAnswer('test accuracy %.3f does not beat chance (%.3f) by %.2f: train with the '
                              'task\'s settings (learning_rate, epochs)' % (accuracy, chance, margin))
        return '2 LSTM layers: test accuracy %.3f on %d reviews, chance %.3f' % (accuracy, len(y_test), chance)
    report(6, answer, judge)


def recurrent_layers(graph):
    """(number of layers, 'LSTM', 'GRU' or 'no LSTM') of a model's graph, from its variables' names."""
    with graph.as_default():
        names = [v.op.name for v in tf.trainable_variables()]
    layers = {m.group(1) for m in map(re.compile(r'/cell_(\d+)/').search, names) if m}
    kind = 'GRU' if any('gru_cell' in name for name in names) else \
        'LSTM' if any('lstm_cell' in name for name in names) else 'no LSTM'
    return len(layers), kind


def accuracy_on(rnn, X, y):
    """The share of rows of X whose predicted label is y, every row answered; the latest checkpoint
    in rnn.model_dir must exist."""
    if tf.train.latest_checkpoint(rnn.model_dir) is None:
        raise WrongAnswer('no checkpoint in %s: train your model first, rnn.train(X, y, num_epochs)'
                          % rnn.model_dir)
    return float(np.mean(predict_every_row(rnn, X) == np.asarray(y)))


# ---------------------------------------------------------------------------
# Exercise 7, "Test and Optimizing the Model": predict() carries the state from batch to batch
# ---------------------------------------------------------------------------

def check_7(answer, rnn, X):
    """answer: how many of the rows of X get another label from rnn.predict (the state carried
    from batch to batch, as the slides do) than from a zero state in every batch; exact."""
    def judge(answer):
        got = as_count(answer, 'answer')
        changed, n_rows = labels_changed(rnn, X)
        mistakes = [('that is the number of labels that stay: count those that change', n_rows - changed),
                    ('nothing changes? predict() carries the state from batch to batch; to start every batch '
                     'from the zero state, call predict() on one batch at a time', 0)]
        compare(got, changed, 'answer', 0, 'compare rnn.predict(X) with the labels of one predict() per batch '
                'of batch_size rows', mistakes)
        return '%d of %d labels depend on the reviews before them in X: the carried state leaks from ' \
               'one batch into the next' % (changed, n_rows)
    report(7, answer, judge)


def labels_changed(rnn, X):
    """(labels that differ between the state carried and a zero state in every batch, the rows
    compared) (beyond_slides/pitfalls.py)."""
    return pitfalls.labels_changed_by_carried_state(rnn, X)


# ---------------------------------------------------------------------------
# Exercise 8, "Reshape the Data into Batches of Sequences (2/3)": reshape_data by hand
# ---------------------------------------------------------------------------

def check_8(answer, sequence, batch_size, num_steps):
    """answer: (x, y) of reshape_data(sequence, batch_size, num_steps), by hand; exact."""
    def judge(answer):
        expected_x, expected_y = reshaped(sequence, batch_size, num_steps)
        x, y = as_parts(answer, ('x', 'y'))
        hint = ('y is x one id ahead, so x may use only ids that have a next one: with %d ids, whole '
                'batches of %d x %d' % (len(sequence), batch_size, num_steps))
        x = as_array(x, expected_x.shape, 'x', hint)
        y = as_array(y, expected_y.shape, 'y', hint)
        compare(x, expected_x, 'x', 0, 'x is the first %d ids, cut into %d rows'
                % (expected_x.size, batch_size), [('its rows and columns are swapped', expected_x.T)])
        compare(y, expected_y, 'y', 0, 'y is x shifted by one id', [('y is x itself: y is x shifted by one id',
                                                                       expected_x)])
        return 'x and y are %d rows of %d ids, y one ahead of x; the last ids that do not fill a batch ' \
               'are dropped' % expected_x.shape
    report(8, answer, judge)


def reshaped(sequence, batch_size, num_steps):
    """reshape_data's (x, y): the most whole batches of batch_size x num_steps ids that still
    leave y a next id, cut into batch_size rows."""
    sequence = np.asarray(sequence)
    tot_batch_length = batch_size * num_steps
    n = (len(sequence) - 1) // tot_batch_length * tot_batch_length
    return sequence[:n].reshape(batch_size, -1), sequence[1:n + 1].reshape(batch_size, -1)


# ---------------------------------------------------------------------------
# Exercise 9, "CharRNN: build() (3/4)": an untrained CharRNN's first loss, about ln(num_classes)
# ---------------------------------------------------------------------------

def check_9(answer, rnn, train_x, train_y):
    """answer: (the cost of the untrained rnn on the first mini-batch, dropout off, within 1e-3;
    the loss of a uniform guess, ln(num_classes), within 1e-4)."""
    def judge(answer):
        first_loss, uniform_loss = as_parts(answer, ('first_loss', 'uniform_loss'))
        first_loss, uniform_loss = as_number(first_loss, 'first_loss'), as_number(uniform_loss, 'uniform_loss')
        k = rnn.num_classes
        expected = first_cost(rnn, train_x, train_y)
        if abs(first_loss - math.log(k)) <= 1e-4 and abs(uniform_loss - expected) <= 1e-3 \
                and abs(uniform_loss - math.log(k)) > 1e-4:
            raise WrongAnswer('the two are swapped: answer = (first_loss, uniform_loss), the model\'s loss '
                              'first, then ln %d' % k)
        mistakes = [('the cross-entropy uses the natural log: np.log, not log2', math.log2(k)),
                    ('the cross-entropy uses the natural log: np.log, not log10', math.log10(k)),
                    ('the loss is -ln(p) of the right character, not p', 1.0 / k)]
        compare(uniform_loss, math.log(k), 'uniform_loss', 1e-4, 'a uniform guess gives every one of '
                'the %d characters p = 1/%d; the loss is -ln p' % (k, k), mistakes)
        compare(first_loss, expected, 'first_loss', 1e-3, 'run \'cost:0\' right after rnn.init_op, on '
                'the first mini-batch (the first num_steps columns) with tf_keepprob 1.0 and the zero state')
        return 'the untrained model\'s loss %.4f is that of a uniform guess, ln %d = %.4f: its logits ' \
               'start near 0' % (first_loss, k, uniform_loss)
    report(9, answer, judge)


def first_cost(rnn, train_x, train_y):
    """The cost of the CharRNN rnn on its first mini-batch, from its initial weights and the zero
    state, dropout off."""
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        return sess.run('cost:0', {'tf_x:0': train_x[:, :rnn.num_steps], 'tf_y:0': train_y[:, :rnn.num_steps],
                                   'tf_keepprob:0': 1.0, rnn.initial_state: sess.run(rnn.initial_state)})


# ---------------------------------------------------------------------------
# Exercise 10, "CharRNN: build() (4/4)": the gradients' global norm, and how far below grad_clip
# ---------------------------------------------------------------------------

def check_10(answer, text_ints, num_classes, hparams, threshold=1.0):
    """answer: (the gradients' global norm at each mini-batch of the first epoch of a
    CharRNN(num_classes, **hparams) on text_ints, trained as train() does but with dropout off
    ('tf_keepprob:0': 1.0), each within 0.1 %; the share of them above threshold, within 1e-9).
    The right norms: beyond_slides/theory.py, which fetches them from the graph's
    tf.clip_by_global_norm, here with keep_prob=1.0 whatever hparams says: without dropout nothing
    random is drawn after the initialization, so the norms do not depend on how a student orders
    the sess.run calls."""
    def judge(answer):
        norms, share = as_parts(answer, ('norms', 'share'))
        share = as_number(share, 'share')
        run = theory.clipping_norms(text_ints, num_classes, dict(hparams, keep_prob=1.0), num_epochs=1)
        expected, grad_clip = run['norms'], run['grad_clip']
        norms = as_array(norms, expected.shape, 'norms', 'one norm per mini-batch of the first epoch')
        compare(norms / expected, np.ones(len(expected)), 'norms (as a ratio to the right ones)', 1e-3,
                'from sess.run(rnn.init_op), run the mini-batches in turn as train() does (the state carried, '
                'train_op run on each) but with \'tf_keepprob:0\': 1.0, dropout off, and fetch '
                '\'global_norm/global_norm:0\' at each mini-batch, with its train_op or before it')
        above = expected > threshold
        right = float(np.mean(above))
        mistakes = [('that is a count: give the share, the count / %d mini-batches' % len(expected), above.sum()),
                    ('that is a percentage: give the share, between 0 and 1', 100 * right),
                    ('that is the share at or below %s: give the share above it' % threshold, 1 - right),
                    ('that is the share above grad_clip=%g (what clipping scales down): give the share above %s'
                     % (grad_clip, threshold), run['share_above'])]
        compare(share, right, 'share', 1e-9, 'the share of the norms above %s, np.mean(norms > %s)'
                % (threshold, threshold), mistakes)
        clipped = int(np.sum(expected > grad_clip))
        return 'the norms peak at %.2f; %.0f%% of the mini-batches are above %s and %s above grad_clip=%g: ' \
               'clipping %s' % (expected.max(), 100 * share, threshold, clipped or 'none', grad_clip,
                                'scales %d of %d steps down' % (clipped, len(expected)) if clipped
                                else 'never acts here, a guard against rare exploding gradients')
    report(10, answer, judge)


# ---------------------------------------------------------------------------
# Exercise 11, "get_top_char()": the distribution it draws from
# ---------------------------------------------------------------------------

def check_11(answer, probas, top_n, temperature):
    """answer: the probabilities get_top_char(probas, len(probas), top_n, temperature) draws each
    index with; within 1e-6."""
    def judge(answer):
        p = np.asarray(probas, dtype=float)
        got = as_array(answer, p.shape, 'answer', 'one probability per character')
        mistakes = [('the temperature is missing: p ** (1 / T), renormalized', top_n_of(p, top_n)),
                    ('all but the top %d must be 0' % top_n, top_n_of(p ** (1 / temperature), len(p))),
                    ('a temperature T sharpens p as p ** (1 / T), not p ** T', top_n_of(p ** temperature, top_n)),
                    ('the probabilities must sum to 1: divide by their sum',
                     top_n_of(p ** (1 / temperature), top_n, normalize=False))]
        compare(got, top_n_of(p ** (1 / temperature), top_n), 'answer', 1e-6,
                'p ** (1 / T), all but the top %d set to 0, divided by the sum' % top_n, mistakes)
        return 'T=%g sharpens, the top-%d cut keeps %d characters, the rest never drawn' \
            % (temperature, top_n, np.count_nonzero(got))
    report(11, answer, judge)


def top_n_of(p, top_n, normalize=True):
    """p with all but its top_n largest set to 0, divided by its sum (with normalize)."""
    kept = np.zeros_like(p)
    top = np.argsort(p)[-top_n:]
    kept[top] = p[top]
    return kept / kept.sum() if normalize else kept


# ---------------------------------------------------------------------------
# Exercise 12, "Creating and Training the CharRNN Model": perplexity from a loss
# ---------------------------------------------------------------------------

def check_12(answer, history_csv):
    """answer: (the mean loss of the last epoch in history_csv, within 1e-4; its perplexity
    exp(loss), within 1e-4 relative)."""
    def judge(answer):
        history = pd.read_csv(history_csv)
        last = history[history['epoch'] == history['epoch'].max()]['loss']
        mean_loss, perplexity = as_parts(answer, ('mean_loss', 'perplexity'))
        mean_loss, perplexity = as_number(mean_loss, 'mean_loss'), as_number(perplexity, 'perplexity')
        compare(mean_loss, last.mean(), 'mean_loss', 1e-4, 'the mean of the loss column over the rows of '
                'the last epoch', [('that is the last iteration\'s loss: take the mean of the last epoch',
                                    last.iloc[-1]),
                                   ('that is the mean of all epochs: take the last epoch only',
                                    history['loss'].mean())])
        expected = math.exp(last.mean())
        compare(perplexity / expected, 1.0, 'perplexity (as a ratio to the right one)', 1e-4,
                'the perplexity is e ** loss (the loss is in nats)',
                [('the loss is in nats (natural log): e ** loss, not 2 ** loss', 2 ** last.mean() / expected),
                 ('the loss is in nats (natural log): e ** loss, not 10 ** loss', 10 ** last.mean() / expected)])
        return 'loss %.3f is a perplexity of %.2f: as unsure as a fair pick among %.1f characters' \
            % (mean_loss, perplexity, perplexity)
    report(12, answer, judge)
