"""The checks of the homework notebook, notebooks/exercises.ipynb (not on the slides): each check
cell, `exercises.check_ID(answer, ...)`, prints one line, '✓ Exercise ID: what the right answer shows'
or '✗ Exercise ID: what is wrong, and a hint'; a missing, stale, mistyped or misshapen answer is named
before it is judged. docs/exercises.md says how each check decides."""
import functools
import math
import numbers
import re
import sys

import numpy as np
import pandas as pd

import data_utils
from beyond_slides import pitfalls, theory
from beyond_slides.predicting import predict_every_row
from beyond_slides.settings import START
from beyond_slides.tf_setup import tf


class WrongAnswer(Exception):
    """What is wrong with an answer and a hint: the text after '✗ Exercise ID: '."""


# No stale verdicts: which answer cell ran last, and whether it finished (docs/exercises.md: how and why)

class Unanswered(object):
    """What `answer = exercises.start(ID)` sets: the answer cell has not set its own answer yet."""

    def __init__(self, exercise):
        self.exercise = exercise

    def __repr__(self):
        return '<no answer yet for exercise %s>' % self.exercise


# The answer cell that ran last, as IPython's hooks saw it: {'exercise': its ID, 'error': the
# exception it raised (None: it finished, or it is still running)}; None before any answer cell ran,
# as when a check is called from plain Python (the tests), where the answer given is judged.
LAST_ANSWER_CELL = None
_hooked = []          # the IPython shells whose post_run_cell hook is registered
_started_in_cell = []  # the IDs start() was called with during the cell running now


def start(exercise):
    """The first line of every answer cell: records that exercise ID's answer cell runs, hooks IPython
    to see how the cell ends, and returns the placeholder a cell that never sets `answer` leaves."""
    global LAST_ANSWER_CELL
    exercise = str(exercise)
    LAST_ANSWER_CELL = {'exercise': exercise, 'error': None}
    _started_in_cell.append(exercise)
    shell = getattr(sys.modules.get('IPython'), 'get_ipython', lambda: None)()
    if shell is not None and not any(s is shell for s in _hooked):
        shell.events.register('pre_run_cell', before_cell)
        shell.events.register('post_run_cell', after_cell)
        _hooked.append(shell)
    return Unanswered(exercise)


def before_cell(info=None):
    del _started_in_cell[:]


def after_cell(result):
    """Record how an answer cell ended: the one that called start(), or one that did not compile
    although its text calls start() (a SyntaxError: start() never ran)."""
    global LAST_ANSWER_CELL
    error = result.error_before_exec or result.error_in_exec
    if _started_in_cell:
        LAST_ANSWER_CELL = {'exercise': _started_in_cell[-1], 'error': error}
    elif result.error_before_exec is not None:
        found = START.search(getattr(getattr(result, 'info', None), 'raw_cell', '') or '')
        if found:
            LAST_ANSWER_CELL = {'exercise': found.group(1), 'error': error}
    del _started_in_cell[:]


def stale(exercise, answer):
    """Why answer is not exercise's own, finished answer ('' when it is, or outside a notebook)."""
    last = LAST_ANSWER_CELL
    if last is None:
        return ''
    if last['exercise'] == exercise and last['error'] is not None:
        return 'your cell above did not finish: %s; fix it and run it again' % reason(last['error'])
    if last['exercise'] != exercise or (isinstance(answer, Unanswered) and answer.exercise != exercise):
        return ('not yet: run your answer cell above (its first line, answer = exercises.start(%s), marks it); '
                'answer now holds what exercise %s\'s cell left'
                % (exercise if exercise.isdigit() else repr(exercise), last['exercise']))
    if isinstance(answer, Unanswered):
        return 'not yet: your cell above did not set answer; end it with answer = your answer'
    return ''


def reason(error):
    """'KeyError: the first line of its message'."""
    return '%s: %s' % (type(error).__name__, (str(error).strip().splitlines() or [''])[0])


# The one line each check prints

def label(exercise):
    """'Exercise 3', 'Exercise bptt', 'Questionnaire': how a line names its exercise."""
    return 'Questionnaire' if exercise == 'questionnaire' else 'Exercise %s' % exercise


def report(exercise, answer, judge):
    """Print the line of exercise `exercise` (its ID) for answer: judge(answer) returns what a right
    answer shows, or raises WrongAnswer; a stale or missing answer is named before judge runs."""
    name, why, missing = label(str(exercise)), stale(str(exercise), answer), missing_part(answer)
    if why or missing:
        line = '✗ %s: %s' % (name, why or 'not yet: %s; replace it by your answer' % missing)
    else:
        try:
            line = '✓ %s: %s' % (name, judge(answer))
        except WrongAnswer as e:
            line = '✗ %s: %s' % (name, e)
        except Exception as e:  # an answer the check cannot use: one line, never a traceback
            line = '✗ %s: the check could not use your answer (%s)' % (name, reason(e))
    print(line)


def missing_part(answer, name='answer'):
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


# The shared readers: an answer's type and shape, or a line that names them

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


def as_numbers(answer, names, read=as_number):
    """answer as a tuple of len(names) numbers, each read by read (as_number or as_count) as its name."""
    return [read(value, name) for value, name in zip(as_parts(answer, names), names)]


def as_arrays(answer, names, shape, hint):
    """answer as a tuple of len(names) arrays, each of the given shape (as_array) and read as its name."""
    return [as_array(value, shape, name, hint) for value, name in zip(as_parts(answer, names), names)]


def as_array(value, shape, what, hint='', ragged=''):
    """value as a float array of the given shape; another type or shape is named, with the hint;
    rows of different lengths are named as such, with the hint ragged (else hint)."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):   # rows of different lengths, or not numbers
        rows = value if isinstance(value, (list, tuple, np.ndarray)) and len(value) else []
        lengths = tuple(len(row) for row in rows if isinstance(row, (list, tuple, np.ndarray)))
        if len(lengths) == len(rows) and len(set(lengths)) > 1:
            raise WrongAnswer('%s has rows of different lengths %s%s'
                              % (what, lengths, ': ' + (ragged or hint) if ragged or hint else '')) from None
        raise WrongAnswer('%s should be an array of numbers; got %s' % (what, describe(value))) from None
    if array.shape != tuple(shape):
        transposed = ' (transposed?)' if array.shape == tuple(shape)[::-1] else ''
        raise WrongAnswer('%s has shape %s%s; expected %s%s'
                          % (what, array.shape, transposed, tuple(shape), ': ' + hint if hint else ''))
    if not np.all(np.isfinite(array)):
        raise WrongAnswer('%s holds nan or inf' % what)
    return array


# Comparing with the right answer, naming a known mistake when one fits

def shown(value, tolerance):
    """value with enough decimals (up to 6) to tell it from a value more than tolerance away: 1.676 is
    shown as 1.67600 when the check allows 1e-4, so that a rounded answer does not look right."""
    if tolerance == 0:
        return '%.6g' % value
    return '%.*f' % (min(6, max(1, int(math.ceil(-math.log10(tolerance))) + 1)), value)


def compare(got, expected, what, tolerance, hint, mistakes=()):
    """Nothing if got is within tolerance of expected (element by element); else WrongAnswer naming the
    first mistake (hint, the value it gives) got is within tolerance of, or how far got is, and hint."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if np.allclose(got, expected, rtol=0, atol=tolerance):
        return
    for mistake, value in mistakes:
        value = np.asarray(value, dtype=float)
        if value.shape == got.shape and np.allclose(got, value, rtol=0, atol=tolerance):
            raise WrongAnswer('%s is not right: %s' % (what, mistake))
    if got.shape == ():
        allowed = ' (it must be within %g of the right value)' % tolerance if tolerance else ''
        raise WrongAnswer('%s is %s, not right%s: %s' % (what, shown(got, tolerance), allowed, hint))
    raise WrongAnswer('%s differs from the right one by up to %.3g (tolerance %g): %s'
                      % (what, np.max(np.abs(got - expected)), tolerance, hint))


def compare_ratio(got, expected, what, tolerance, hint, mistakes=()):
    """compare() of got / expected with 1, for values of any size: tolerance is relative."""
    expected = np.asarray(expected, dtype=float)
    compare(np.asarray(got, dtype=float) / expected, np.ones_like(expected), '%s (as a ratio to the right one%s)'
            % (what, 's' if expected.ndim else ''), tolerance, hint,
            [(mistake, np.asarray(value, dtype=float) / expected) for mistake, value in mistakes])


def compare_shape(value, expected, what, hint, mistakes=()):
    """Nothing if value is the shape expected (a tuple or list of whole numbers); else WrongAnswer
    naming the mistake (hint, shape) that fits, or the hint."""
    if isinstance(value, np.ndarray) or not isinstance(value, (tuple, list)):
        raise WrongAnswer('%s should be a shape, a tuple of whole numbers such as (2, 3); got %s'
                          % (what, describe(value)))
    got = tuple(as_count(n, what) for n in value)
    if got != tuple(expected):
        hint = next((mistake for mistake, shape in mistakes if got == tuple(shape)), hint)
        raise WrongAnswer('%s %s is not right: %s' % (what, got, hint))


# Exercise categories, "Different Categories of Sequence Modeling": the task decides the outputs

CATEGORIES = ('many-to-one', 'one-to-many', 'many-to-many synchronized', 'many-to-many delayed')
# The exercise's tasks (the notebook prints them), each with its category and why, from the slide.
CATEGORY_TASKS = (
    ('rate a movie review as positive or negative (the SentimentRNN)', 'many-to-one',
     'it reads every word, and gives one label after the last'),
    ('write a caption for an image', 'one-to-many', 'one input, the image; a sequence of words out'),
    ('translate a sentence into another language', 'many-to-many delayed',
     'the translation starts once the whole sentence has been read'),
    ('predict the next character after each character of a text (the CharRNN)', 'many-to-many synchronized',
     'an output at every step, as each input arrives'))


def check_categories(answer, sentiment_hparams, char_hparams):
    """answer: (a category per task of CATEGORY_TASKS, the SentimentRNN's output shape, the CharRNN LSTM's)."""
    def judge(answer):
        categories, sentiment_shape, char_shape = as_parts(answer, ('categories', 'SentimentRNN output shape',
                                                                    'CharRNN LSTM outputs shape'))
        if not isinstance(categories, (list, tuple)) or len(categories) != len(CATEGORY_TASKS):
            raise WrongAnswer('categories should be a list of %d, one per task; got %s'
                              % (len(CATEGORY_TASKS), describe(categories)))
        for i, (given, (task, right, why)) in enumerate(zip(categories, CATEGORY_TASKS), 1):
            name = ' '.join(str(given).lower().replace('_', '-').split())
            if name not in CATEGORIES:
                raise WrongAnswer('category %d (%r) should be one of %s' % (i, given, ', '.join(CATEGORIES)))
            if name != right:
                raise WrongAnswer('task %d (%s) is not %s: %s' % (i, task, name, why))
        batch, steps, units = char_hparams['batch_size'], char_hparams['num_steps'], char_hparams['lstm_size']
        reviews = sentiment_hparams['batch_size']
        compare_shape(sentiment_shape, (reviews, 1), 'the SentimentRNN output shape', 'one output per review of '
                      'the batch, a single logit', [('that is its input, one id per word: many-to-one gives one '
                                                     'output per review', (reviews, sentiment_hparams['seq_len']))])
        compare_shape(char_shape, (batch, steps, units), 'the CharRNN LSTM outputs shape', 'dynamic_rnn gives an '
                      'output of lstm_size units at every step of every row',
                      [('that is after the reshape to rows of lstm_size: dynamic_rnn gives (batch, steps, units)',
                        (batch * steps, units)),
                       ('that is the last step only: many-to-many gives an output at every step', (batch, units))])
        return 'the SentimentRNN is many-to-one, one output (%d, 1) per batch; the CharRNN synchronized ' \
               'many-to-many, an output at each of its %d steps' % (reviews, steps)
    report('categories', answer, judge)


def check_1(answer, xs, kernel, bias):
    """Exercise 1, "Computing Activations in RNNs": answer = h(1), h(2), ... (T, H) of a BasicRNNCell over
    xs (1, T, D) from the zero state."""
    def judge(answer):
        expected = theory.tf_basic_rnn(xs, kernel, bias)[0][0]           # (T, H)
        got = as_array(answer, expected.shape, 'answer', 'one row h(t) per step t, as x @ W: rows are examples')
        n_in = np.shape(xs)[2]
        W_xh, W_hh = theory.slide_weights(kernel, n_in)
        mistakes = [('the bias b_h is missing', theory.rnn_activations(xs, W_xh, W_hh, 0 * bias)[0]),
                    ('h is carried: each step adds W_hh h(t-1), with h(0) = 0',
                     theory.rnn_activations(xs, W_xh, 0 * W_hh, bias)[0]),
                    ('tanh is missing (the slide\'s activation phi)',
                     theory.rnn_activations(xs, W_xh, W_hh, bias, phi=lambda z: z)[0]),
                    ('W_hh is transposed: with rows as examples h(t-1) @ W_hh takes W_hh = kernel[%d:] as it is '
                     '(row j multiplies unit j of h(t-1))' % n_in, theory.rnn_activations(xs, W_xh, W_hh.T, bias)[0])]
        compare(got, expected, 'answer', 1e-5, 'h(t) = tanh(x(t) @ W_xh + h(t-1) @ W_hh + b_h), where W_xh is '
                'the kernel\'s first %d rows (they multiply x) and W_hh the rest' % n_in, mistakes)
        return 'your numpy steps give BasicRNNCell\'s h(t) (within 1e-5): one kernel over [x, h]'
    report(1, answer, judge)


def check_bptt(answer, xs, kernel, bias, k, t):
    """Exercise bptt, "Training RNNs Using BPTT": answer = dh(t)/dh(k) (H, H), a product of the steps' Jacobians."""
    def judge(answer):
        expected = theory.tf_bptt(xs, kernel, bias, k, t)[0].astype(float)
        got = as_array(answer, expected.shape, 'answer', 'entry [a, b] is dh(t)_a / dh(k)_b, H x H')
        n_in = np.shape(xs)[1]
        W_xh, W_hh = theory.slide_weights(np.asarray(kernel, float), n_in)
        hs = theory.states_from_zero(xs, W_xh, W_hh, bias)
        steps = [theory.step_jacobian(hs[i], W_hh) for i in range(k + 1, t + 1)]   # J(k+1) .. J(t); hs[0] is h(0)
        mistakes = [('the product runs the other way: the latest step\'s Jacobian leftmost, J(t) ... J(k+1)',
                     functools.reduce(np.matmul, steps, np.eye(len(W_hh)))),
                    ('tanh\' is missing: each step\'s Jacobian is diag(1 - h(i)^2) W_hh, not W_hh alone',
                     np.linalg.matrix_power(W_hh, t - k)),
                    ('each step\'s tanh\' is taken at h(i), the step\'s own output: diag(1 - h(i)^2), not h(i-1)',
                     theory.jacobian_product(hs, W_hh, k - 1, t - 1)),   # J(i) taken at h(i-1)
                    ('it is transposed: entry [a, b] is dh(t)_a / dh(k)_b; with the kernel\'s rows, W_hh = '
                     'kernel[%d:].T' % n_in, expected.T)]
        compare(got, expected, 'answer', 1e-5, 'dh(t)/dh(k) = J(t) J(t-1) ... J(k+1), J(i) = diag(1 - h(i)^2) '
                'W_hh, W_hh = kernel[%d:].T' % n_in, mistakes)
        return 'the product of the %d step Jacobians is tf.gradients\' dh(%d)/dh(%d) (within 1e-5): its ' \
               'spectral norm %.3g' % (t - k, t, k, np.linalg.norm(expected, 2))
    report('bptt', answer, judge)


def check_vanishing(answer, scales, distance, small_scale, below):
    """Exercise vanishing, "Gradient Problems": answer = (the spectral norm of W_hh ** distance, W_hh = scale x
    an orthogonal matrix, for each of scales; the smallest d with small_scale ** d < below), predicted. The slide's
    linear picture: tanh' <= 1 only shrinks the product more."""
    def judge(answer):
        norms, steps = as_parts(answer, ('norms', 'distance'))
        scale = np.array(scales, dtype=float)
        expected = scale ** distance
        compare_ratio(as_array(norms, expected.shape, 'norms', 'one norm per scale'), expected, 'norms', 1e-6,
                      'W_hh ** %d multiplies each singular value by itself %d times' % (distance, distance),
                      [('that is scale x distance: a product of %d matrices multiplies their norms, scale ** %d'
                        % (distance, distance), scale * distance)] +
                      [('that is one factor too %s: the distance %d is %d step Jacobians, scale ** %d'
                        % (which, distance, distance, distance), scale ** power)
                       for which, power in (('many', distance + 1), ('few', distance - 1))])
        right = int(math.ceil(math.log(below) / math.log(small_scale)))
        right += small_scale ** right >= below   # a power that lands exactly on `below` is not below it
        compare(as_count(steps, 'distance'), right, 'distance', 0, 'the smallest d with %g ** d < %g: d > '
                'ln(%g) / ln(%g)' % (small_scale, below, below, small_scale),
                [('%g ** %d is not yet below %g: one step more' % (small_scale, right - 1, below), right - 1)])
        return 'below 1 the product vanishes (%g ** %d = %.3g), above 1 it explodes (%.4g); even %g falls ' \
               'below %g in %d steps' % (scales[0], distance, expected[0], expected[-1], small_scale, below, right)
    report('vanishing', answer, judge)


def check_clipping(answer, grads, clip_norm):
    """Exercise clipping, "Gradient Problems": answer = (global_norm, factor, factor for grads / 10), clipping grads."""
    def judge(answer):
        norm, factor, factor_tenth = as_numbers(answer, ('global_norm', 'factor', 'factor for grads / 10'))
        right = theory.global_norm(grads)
        norms = [theory.global_norm([g]) for g in grads]
        together = 'the global norm is the norm of all entries together'
        compare_ratio(norm, right, 'global_norm', 1e-6, 'square every entry of every gradient, sum, take the '
                      'square root', [('that is the sum of squares: take its square root', right ** 2),
                                      ('that is the sum of the tensors\' norms: ' + together, sum(norms)),
                                      ('that is the largest tensor\'s norm: ' + together, max(norms))])
        for what, got, n in (('factor', factor, right), ('factor for grads / 10', factor_tenth, right / 10)):
            compare_ratio(got, clip_norm / max(n, clip_norm), what, 1e-6,
                          'every gradient is multiplied by clip_norm / max(global_norm, clip_norm)',
                          [('that is global_norm / clip_norm: the factor is clip_norm / global_norm', n / clip_norm),
                           ('clipping never scales up: below clip_norm the factor is 1', clip_norm / n)])
        return 'the global norm %.4g is above %g, so every gradient is scaled by %.4g, its direction kept; ' \
               'below %g nothing changes' % (right, clip_norm, clip_norm / max(right, clip_norm), clip_norm)
    report('clipping', answer, judge)


def check_2(answer, model_dir, prime):
    """Exercise 2, "Long Short-Term Memory (LSTM)": answer = (c, h) of BasicLSTMCell after prime, in numpy."""
    def judge(answer):
        gates = theory.lstm_gates_on_line(model_dir, prime)   # numpy, asserted equal to the graph
        expected = np.stack([gates['c'][-1:], gates['h'][-1:]])   # (2, 1, H)
        c_h = as_arrays(answer, ('c', 'h'), expected.shape[1:], 'one row: the state of one sequence')

        def run(order='ijfo', forget_bias=1.0, rows=gates['x']):   # (c, h) as expected, z's blocks put in order
            columns = np.concatenate([np.arange(*gates['kernel_blocks'][gate]) for gate in order])
            out = theory.lstm_over_rows(rows, gates['kernel'][:, columns], gates['bias'][columns], forget_bias)
            return np.stack([out['c'][-1:], out['h'][-1:]])
        tf_order = 'BasicLSTMCell orders the four parts of z as (i, j, f, o)'
        mistakes = [('BasicLSTMCell adds forget_bias=1.0 to f before the sigmoid', run(forget_bias=0.0)),
                    (tf_order + ': input, new values, forget, output (Keras orders them i, f, c, o)', run('ifjo')),
                    (tf_order + ', not the textbook\'s (f, i, g, o): i, j, f, o = np.split(z, 4, axis=1)',
                     run('jfio')),   # read as (f, i, g, o), the first block (i) is taken for f
                    ('the state is carried: each character starts from the (c, h) the one before left',
                     run(rows=gates['x'][-1:])), ('c and h are swapped: answer = (c, h)', expected[::-1])]
        compare(c_h, expected, '(c, h)', 1e-4, 'z = [x, h] @ lstm_kernel + lstm_bias splits into (i, j, f, o); '
                'c = c * sigmoid(f + 1) + sigmoid(i) * tanh(j), h = tanh(c) * sigmoid(o), the state carried from '
                'one character to the next', mistakes)
        return 'your numpy LSTM gives the graph\'s (c, h) after %r (within 1e-4)' % prime
    report(2, answer, judge)


def check_3(answer, word_to_int):
    """Exercise 3, "Create the Word to Integer Mapping": answer = (the id of 'the', n_words), ids from 1."""
    def judge(answer):
        the_id, n_words = as_numbers(answer, ('the id of \'the\'', 'n_words'), as_count)
        expected_id, largest = word_to_int['the'], max(word_to_int.values())
        compare(the_id, expected_id, 'the id of \'the\'', 0, 'words are numbered by count, the most common first',
                [('it is off by one: ids start at 1 (enumerate(word_counts, 1)); 0 is kept for the padding',
                  expected_id - 1)])
        compare(n_words, largest + 1, 'n_words', 0, 'it is the number of rows the embedding needs',
                [('it is the largest id + 1: the embedding needs a row for each id, and for the padding\'s 0',
                  largest)])
        return '\'the\' is the most common word, id %d; the embedding has %d rows (row 0: padding)' % (the_id, n_words)
    report(3, answer, judge)


def check_4(answer, word_to_int, mapped_reviews, n_train):
    """Exercise 4, "Create the Word to Integer Mapping": answer = how many distinct words of the test reviews
    no training review has."""
    def judge(answer):
        got = as_count(answer, 'answer')
        unknown = pitfalls.words_only_in_test_half(word_to_int, mapped_reviews, n_train)
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


def check_5(answer, mapped_reviews, seq_len):
    """Exercise 5, "Prepare Fixed-Length Sequences": answer = data_utils.make_sequences(mapped_reviews, seq_len)."""
    def judge(answer):
        expected = data_utils.make_sequences(mapped_reviews, seq_len)
        got = as_array(answer, expected.shape, 'answer', 'one row per review, seq_len columns',
                       ragged='every row must be padded to seq_len = %d ids, zeros on the left (a longer review '
                       'cut to its last %d)' % (seq_len, seq_len))

        def padded(right=False, first=False):  # the slips: zeros on the right (right), the first words kept (first)
            rows = np.zeros((len(mapped_reviews), seq_len), dtype=int)
            for i, review in enumerate(mapped_reviews):
                kept = review[:seq_len] if first else review[-seq_len:]
                begin = 0 if right else seq_len - len(kept)
                rows[i, begin:begin + len(kept)] = kept
            return rows
        left = 'so that the words are the last steps the LSTM reads'
        mistakes = [('the last words are kept, but the zeros go on the right: they go on the left, '
                     'sequences[i, -len(row):], ' + left, padded(right=True)),
                    ('the zeros go on the left, %s; and a long review keeps its last seq_len words, not its first'
                     % left, padded(right=True, first=True)),
                    ('a long review keeps its last seq_len words (its end), not its first', padded(first=True))]
        compare(got, expected, 'answer', 0, 'row i ends with the last words of review i; zeros fill the left', mistakes)
        return 'zeros on the left, the last %d words kept, as sequences[i, -len(row):] does' % seq_len
    report(5, answer, judge)


def check_6(answer, X_test, y_test, margin=0.05):
    """Exercise 6, "Instantiate the SentimentRNN Class": answer = a trained SentimentRNN of two LSTM layers; right
    when its test accuracy, every row answered, beats chance (the commoner label) by margin."""
    def judge(rnn):
        if not all(hasattr(rnn, name) for name in ('g', 'predict', 'model_dir', 'batch_size')):
            raise WrongAnswer('answer should be your trained SentimentRNN; got %s' % describe(rnn))
        names = [v.op.name for v in rnn.g.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)]
        layers = len({m.group(1) for m in map(re.compile(r'/cell_(\d+)/').search, names) if m})
        kind = 'GRU' if any('gru_cell' in name for name in names) else \
            'LSTM' if any('lstm_cell' in name for name in names) else 'no LSTM'
        if kind != 'LSTM':
            raise WrongAnswer('your model has %s cells: the task asks for the lecture\'s LSTM layers '
                              '(SentimentRNN as it is, num_layers=2)' % kind)
        if layers != 2:
            raise WrongAnswer('your model has %d LSTM layer%s: build it with num_layers=2'
                              % (layers, '' if layers == 1 else 's'))
        if tf.train.latest_checkpoint(rnn.model_dir) is None:
            raise WrongAnswer('no checkpoint in %s: train your model first, rnn.train(X, y, num_epochs)'
                              % rnn.model_dir)
        accuracy = float(np.mean(predict_every_row(rnn, X_test) == np.asarray(y_test)))
        chance = max(np.mean(y_test), 1 - np.mean(y_test))
        if accuracy < chance + margin:
            raise WrongAnswer('test accuracy %.3f does not beat chance (%.3f) by %.2f: train with the '
                              'task\'s settings (learning_rate, epochs)' % (accuracy, chance, margin))
        return '2 LSTM layers: test accuracy %.3f on %d reviews, chance %.3f' % (accuracy, len(y_test), chance)
    report(6, answer, judge)


def check_7(answer, rnn, X):
    """Exercise 7, "Test and Optimizing the Model": answer = how many labels of rnn.predict(X) the state carried
    from batch to batch changes."""
    def judge(answer):
        got = as_count(answer, 'answer')
        changed, n_rows = pitfalls.labels_changed_by_carried_state(rnn, X)
        mistakes = [('that is the number of labels that stay: count those that change', n_rows - changed),
                    ('nothing changes? predict() carries the state from batch to batch; to start every batch '
                     'from the zero state, call predict() on one batch at a time', 0)]
        compare(got, changed, 'answer', 0, 'compare rnn.predict(X) with the labels of one predict() per batch '
                'of batch_size rows', mistakes)
        return '%d of %d labels depend on the reviews before them in X: the carried state leaks from ' \
               'one batch into the next' % (changed, n_rows)
    report(7, answer, judge)


def check_8(answer, sequence, batch_size, num_steps):
    """Exercise 8, "Reshape the Data into Batches of Sequences (2/3)": answer = (x, y) of data_utils.reshape_data."""
    def judge(answer):
        expected_x, expected_y = data_utils.reshape_data(np.asarray(sequence), batch_size, num_steps)
        x, y = as_arrays(answer, ('x', 'y'), expected_x.shape, 'y is x one id ahead, so x may use only ids that have '
                         'a next one: with %d ids, whole batches of %d x %d' % (len(sequence), batch_size, num_steps))
        if np.array_equal(x, expected_y) and np.array_equal(y, expected_x):
            raise WrongAnswer('x and y are swapped: answer = (x, y), x the ids the model reads, y the next ids '
                              'it must predict')
        compare(x, expected_x, 'x', 0, 'x is the first %d ids, cut into %d rows' % (expected_x.size, batch_size),
                [('its rows and columns are swapped', expected_x.T)])
        compare(y, expected_y, 'y', 0, 'y is x shifted by one id',
                [('y is x itself: y is x shifted by one id', expected_x)])
        return 'x and y are %d rows of %d ids, y one ahead of x; the last ids that do not fill a batch ' \
               'are dropped' % expected_x.shape
    report(8, answer, judge)


def check_logits(answer, batch_size, num_steps, num_classes, row, step):
    """Exercise logits, "CharRNN: build() (2/4)": answer = (the shapes of logits and y_reshaped, row's step's row)."""
    def judge(answer):
        logits_shape, y_shape, index = as_parts(answer, ('logits shape', 'y_reshaped shape', 'the row'))
        expected = (batch_size * num_steps, num_classes)
        mistakes = [('that is one row per sequence: the reshape makes a row of every step of every sequence',
                     (batch_size, num_steps * num_classes)),
                    ('that is before the reshape: tf.reshape(lstm_outputs, [-1, lstm_size]) makes a row per step '
                     'of every sequence', (batch_size, num_steps, num_classes))]
        compare_shape(logits_shape, expected, 'the logits shape',
                      'a row per step of every sequence, a column per character', mistakes)
        compare_shape(y_shape, expected, 'the y_reshaped shape',
                      'the one-hot targets reshaped like the logits, a row per step of every sequence', mistakes)
        compare(as_count(index, 'the row'), row * num_steps + step, 'the row', 0, 'tf.reshape keeps the order '
                'of the entries: the steps of sequence 0 first, then those of sequence 1, ...',
                [('that is a time-major order: the reshape keeps the batch axis outer, row = sequence x num_steps '
                  '+ step', step * batch_size + row)])
        return 'logits and targets are %d rows of %d: row %d is step %d of sequence %d, so the cross-entropy ' \
               'averages over all %d predictions' % (expected + (row * num_steps + step, step, row, expected[0]))
    report('logits', answer, judge)


def check_9(answer, rnn, train_x, train_y):
    """Exercise 9, "CharRNN: build() (3/4)": answer = (an untrained CharRNN's first loss, ln(num_classes))."""
    def judge(answer):
        first_loss, uniform_loss = as_numbers(answer, ('first_loss', 'uniform_loss'))
        k = rnn.num_classes
        expected = first_cost(rnn, train_x, train_y)
        if abs(first_loss - math.log(k)) <= 1e-4 and abs(uniform_loss - expected) <= 1e-3 \
                and abs(uniform_loss - math.log(k)) > 1e-4:
            raise WrongAnswer('the two are swapped: answer = (first_loss, uniform_loss), the model\'s loss '
                              'first, then ln %d' % k)
        compare(uniform_loss, math.log(k), 'uniform_loss', 1e-4, 'a uniform guess gives every one of the %d '
                'characters p = 1/%d; the loss is -ln p' % (k, k),
                [('the cross-entropy uses the natural log: np.log, not %s' % log.__name__, log(k))
                 for log in (math.log2, math.log10)] + [('the loss is -ln(p) of the right character, not p', 1 / k)])
        compare(first_loss, expected, 'first_loss', 1e-3, 'run \'cost:0\' right after rnn.init_op, on '
                'the first mini-batch (the first num_steps columns) with tf_keepprob 1.0 and the zero state')
        return 'the untrained model\'s loss %.4f is that of a uniform guess, ln %d = %.4f: its logits ' \
               'start near 0' % (first_loss, k, uniform_loss)
    report(9, answer, judge)


def first_cost(rnn, train_x, train_y):
    """The cost of the CharRNN rnn on its first mini-batch: its initial weights, the zero state, no dropout."""
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        return sess.run('cost:0', {'tf_x:0': train_x[:, :rnn.num_steps], 'tf_y:0': train_y[:, :rnn.num_steps],
                                   'tf_keepprob:0': 1.0, rnn.initial_state: sess.run(rnn.initial_state)})


def check_10(answer, text_ints, num_classes, hparams, threshold=1.0):
    """Exercise 10, "CharRNN: build() (4/4)": answer = (the gradients' global norm at each mini-batch of a first
    epoch of CharRNN(num_classes, **hparams) on text_ints trained as train() does, dropout off; the share above
    threshold). Dropout off: nothing random is drawn after the initialization, whatever the order of sess.run."""
    def judge(answer):
        norms, share = as_parts(answer, ('norms', 'share'))
        share = as_number(share, 'share')
        run = theory.clipping_norms(text_ints, num_classes, dict(hparams, keep_prob=1.0), num_epochs=1)
        expected, grad_clip = run['norms'], run['grad_clip']
        compare_ratio(as_array(norms, expected.shape, 'norms', 'one norm per mini-batch of the first epoch'),
                      expected, 'norms', 1e-3, 'from sess.run(rnn.init_op), run the mini-batches in turn as train() '
                      'does (the state carried, train_op run on each) but with \'tf_keepprob:0\': 1.0, dropout off, '
                      'and fetch \'global_norm/global_norm:0\' at each mini-batch, with its train_op or before it')
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


def check_11(answer, probas, top_n, temperature):
    """Exercise 11, "get_top_char()": answer = the probabilities get_top_char(probas, ...) draws each index with."""
    def judge(answer):
        p = np.asarray(probas, dtype=float)
        got = as_array(answer, p.shape, 'answer', 'one probability per character')
        sharpened = p ** (1 / temperature)

        def top_n_of(p, top_n, normalize=True):   # p with all but its top_n largest set to 0, divided by its sum
            kept = np.zeros_like(p)
            top = np.argsort(p)[-top_n:]
            kept[top] = p[top]
            return kept / kept.sum() if normalize else kept
        mistakes = [('the temperature is missing: p ** (1 / T), renormalized', top_n_of(p, top_n)),
                    ('all but the top %d must be 0' % top_n, top_n_of(sharpened, len(p))),
                    ('a temperature T sharpens p as p ** (1 / T), not p ** T', top_n_of(p ** temperature, top_n)),
                    ('the probabilities must sum to 1: divide by their sum', top_n_of(sharpened, top_n, False)),
                    ('after the top-%d cut the kept probabilities no longer sum to 1: divide them by their sum '
                     'again' % top_n, top_n_of(sharpened / np.sum(sharpened), top_n, False))]
        compare(got, top_n_of(sharpened, top_n), 'answer', 1e-6,
                'p ** (1 / T), all but the top %d set to 0, divided by the sum' % top_n, mistakes)
        return 'T=%g sharpens, the top-%d cut keeps %d characters, the rest never drawn' \
            % (temperature, top_n, np.count_nonzero(got))
    report(11, answer, judge)


def check_12(answer, history_csv):
    """Exercise 12, "Creating and Training the CharRNN Model": answer = (the last epoch's mean loss, its perplexity)."""
    def judge(answer):
        history = pd.read_csv(history_csv)
        last = history[history['epoch'] == history['epoch'].max()]['loss']
        mean_loss, perplexity = as_numbers(answer, ('mean_loss', 'perplexity'))
        compare(mean_loss, last.mean(), 'mean_loss', 1e-4, 'the mean of the loss column over the rows of the last '
                'epoch', [('that is the last iteration\'s loss: take the mean of the last epoch', last.iloc[-1]),
                          ('that is the mean of all epochs: take the last epoch only', history['loss'].mean())])
        compare_ratio(perplexity, math.exp(last.mean()), 'perplexity', 1e-4, 'the perplexity is e ** loss (the loss '
                      'is in nats)', [('the loss is in nats (natural log): e ** loss, not %d ** loss' % base,
                                       base ** last.mean()) for base in (2, 10)])
        return 'loss %.3f is a perplexity of %.2f: as unsure as a fair pick among %.1f characters' \
            % (mean_loss, perplexity, perplexity)
    report(12, answer, judge)


# The questionnaire: the whole chapter, in questions with checkable answers (the questions stand in the
# notebook, the worked answers in docs/exercises.md). {question: (kind, right answer, hint)}; kind
# 'number' (within 1e-3 relative), 'shape' (a tuple of whole numbers), 'choice' (a letter).
QUESTIONS = {
    1: ('number', 32, 'a kernel of (3 + 4) x 4 over [x, h], and a bias of 4'),
    2: ('number', 99328, 'a kernel of (65 + 128) x (4 x 128), the four blocks i, j, f, o, and a bias of 4 x 128'),
    3: ('number', 6, 'one Jacobian per step from k + 1 to t'),
    4: ('choice', 'b', 'clipping caps the norm of a step that is too large'),
    5: ('choice', 'c', 'the cell state is carried by elementwise products and sums, not by W_hh'),
    6: ('choice', 'b', 'the forget gate is a sigmoid'),
    7: ('number', 50, 'the review fills the last 150 of the 200 places'),
    8: ('shape', (10, 80), 'reshape_data keeps whole batches of batch_size x num_steps ids that leave y a next id'),
    9: ('number', 2.0, 'the perplexity is e ** loss'),
    10: ('choice', 'b', 'p ** (1 / T) with T near 0 leaves all the weight on the largest p'),
    11: ('number', 1000, 'predict() answers whole batches only'),
}


def check_questionnaire(answer):
    """answer: {question number: its answer} for every question of QUESTIONS; right when every one is."""
    def judge(answer):
        if not isinstance(answer, dict) or set(answer) != set(QUESTIONS):
            raise WrongAnswer('answer should be a dict of %d, {1: ..., ..., %d: ...}; got %s'
                              % (len(QUESTIONS), len(QUESTIONS), describe(answer) if not isinstance(answer, dict)
                                 else 'the questions %s' % sorted(answer, key=str)))
        unanswered = [q for q in sorted(QUESTIONS) if missing_part(answer[q])]
        if len(unanswered) == len(QUESTIONS):
            raise WrongAnswer('not yet: every question is still ...; replace each ... by your answer')
        wrong = []
        for q in sorted(set(QUESTIONS) - set(unanswered)):
            try:
                judge_question(q, answer[q])
            except WrongAnswer as e:
                wrong.append('; question %d: %s' % (q, e))
        if wrong or unanswered:
            not_yet = '; not yet: question%s %s' % ('s' if len(unanswered) > 1 else '', ', '.join(map(str, unanswered)))
            raise WrongAnswer('%d of %d right%s%s' % (len(QUESTIONS) - len(wrong) - len(unanswered), len(QUESTIONS),
                                                      not_yet if unanswered else '', ''.join(wrong)))
        return 'all %d right' % len(QUESTIONS)
    report('questionnaire', answer, judge)


def judge_question(q, given):
    """Nothing if given is question q's right answer; else WrongAnswer with the question's hint."""
    kind, right, hint = QUESTIONS[q]
    if kind == 'choice':
        letter = str(given).strip().lower().rstrip(')')
        if letter not in 'abcd' or len(letter) != 1:
            raise WrongAnswer('give one letter, a to d; got %r' % (given,))
        if letter != right:
            raise WrongAnswer('not %s: %s' % (letter, hint))
    elif kind == 'shape':
        compare_shape(given, right, 'the shape', hint)
    elif abs(as_number(given, 'the answer') / right - 1) > 1e-3:
        raise WrongAnswer('%s is not right: %s' % (given, hint))
