"""The homework's checks (beyond_slides/exercises.py) that need no trained model: for every exercise
a right answer passes, each wrong one fails with its hint, a missing one says "not yet"; the one
line, the types and the shapes named.

Expected values are worked by hand here, or computed with TensorFlow's own cells; never by the
check under test. tests/test_exercise_checks_on_models.py checks the exercises on trained models,
tests/test_exercise_notebooks.py the two notebooks.
"""
import inspect
import math
import re
import types

import numpy as np
import pytest

import data_utils
from beyond_slides import exercises
from beyond_slides.tf_setup import tf
from exercise_lines import assert_fails_with, assert_lines, assert_passes, check_line

# The shared machinery

# {ID: check_ID} of every exercise the checking module has.
CHECKS = {name[len('check_'):]: f for name, f in vars(exercises).items() if re.fullmatch(r'check_\w+', name)}


def n_context(check):
    """How many context arguments check takes after answer (those without a default)."""
    # inspect.signature, not __code__: it also reads the mutation tool's wrappers right
    return sum(p.default is p.empty for p in inspect.signature(check).parameters.values()) - 1


@pytest.mark.parametrize('number', sorted(CHECKS))
@pytest.mark.parametrize('missing', [..., None, (1.0, ...), [None, 2.0]], ids=['ellipsis', 'None', 'tuple', 'list'])
def test_every_check_says_not_yet_to_a_missing_answer(number, missing):
    # No context at all: a missing answer must be recognised before anything else is looked at.
    check = CHECKS[number]
    line = check_line(check, missing, *[None] * n_context(check))
    assert line.startswith('✗ %s: not yet: ' % exercises.label(number)), line
    assert ('part' in line) == isinstance(missing, (tuple, list)), line


def test_seventeen_exercises_twelve_numbered_the_rest_named_and_a_questionnaire():
    numbered = sorted(int(n) for n in CHECKS if n.isdigit())
    assert numbered == list(range(1, 13))
    assert len(CHECKS) >= 18 and 'questionnaire' in CHECKS and len(exercises.QUESTIONS) >= 10


# No stale verdicts: the answer cell above raised, set no answer, or is another exercise's

def cell_result(error=None, before=None, raw_cell=''):
    """What IPython hands a post_run_cell hook: the cell's error (in it, or before it ran: a
    SyntaxError) and its text."""
    return types.SimpleNamespace(error_in_exec=error, error_before_exec=before,
                                 info=types.SimpleNamespace(raw_cell=raw_cell))


def run_answer_cell(exercise, error=None, answer=...):
    """What an answer cell does to the checks' record: `answer = exercises.start(ID)`, then its
    solution, which sets answer (or not: exercises.Unanswered stays) and raises error (or not);
    returns answer as the cell leaves it."""
    exercises.before_cell()
    left = exercises.start(exercise)
    if answer is not exercises.Unanswered:
        left = answer
    exercises.after_cell(cell_result(error))
    return left


@pytest.fixture
def notebook_record(monkeypatch):
    """The checks' record of the answer cells, as in a fresh kernel, restored after the test."""
    monkeypatch.setattr(exercises, 'LAST_ANSWER_CELL', None)
    monkeypatch.setattr(exercises, '_started_in_cell', [])


@pytest.mark.parametrize('exercise', sorted(CHECKS))
def test_a_check_after_an_answer_cell_that_raised_says_it_did_not_finish(exercise, notebook_record):
    # The answer set before the error, even a right-looking one, is not judged: the context is None,
    # so judging it would give another line.
    answer = run_answer_cell(exercise, NameError("name 'W_hh' is not defined"), answer=1.0)
    line = check_line(CHECKS[exercise], answer, *[None] * n_context(CHECKS[exercise]))
    assert line == ("✗ %s: your cell above did not finish: NameError: name 'W_hh' is not defined; fix it and "
                    'run it again' % exercises.label(exercise))


@pytest.mark.parametrize('exercise', sorted(CHECKS))
def test_a_check_after_an_answer_cell_that_set_no_answer_says_not_yet(exercise, notebook_record):
    answer = run_answer_cell(exercise, answer=exercises.Unanswered)
    line = check_line(CHECKS[exercise], answer, *[None] * n_context(CHECKS[exercise]))
    assert line == ('✗ %s: not yet: your cell above did not set answer; end it with answer = your answer'
                    % exercises.label(exercise))


@pytest.mark.parametrize('exercise', sorted(CHECKS))
def test_a_check_never_judges_the_answer_another_exercises_cell_left(exercise, notebook_record):
    other = 'questionnaire' if exercise != 'questionnaire' else '1'
    answer = run_answer_cell(other, answer=(1.0, 2.0))   # finished, and its answer is not exercise's
    line = check_line(CHECKS[exercise], answer, *[None] * n_context(CHECKS[exercise]))
    assert line == ("✗ %s: not yet: run your answer cell above (its first line, answer = exercises.start(%s), "
                    "marks it); answer now holds what exercise %s's cell left"
                    % (exercises.label(exercise), exercise if exercise.isdigit() else repr(exercise), other))


def test_an_answer_cell_that_does_not_compile_did_not_finish(notebook_record):
    # A SyntaxError: start() never ran, the check knows the cell by its text
    run_answer_cell('3', answer=(1, 4))
    exercises.before_cell()
    exercises.after_cell(cell_result(before=SyntaxError('invalid syntax'),
                                     raw_cell="# Exercise 4\nanswer = exercises.start(4)\nanswer = len(("))
    assert check_line(exercises.check_4, 2, None, None, None) == (
        '✗ Exercise 4: your cell above did not finish: SyntaxError: invalid syntax; fix it and run it again')


def test_a_check_judges_the_answer_of_its_own_cell_once_it_finished(notebook_record):
    run_answer_cell('3', ZeroDivisionError('division by zero'), answer=(1, 4))
    answer = run_answer_cell('3', answer=(1, 4))   # fixed and run again: judged
    assert check_line(exercises.check_3, answer, TOY_WORD_TO_INT) == (
        "✓ Exercise 3: 'the' is the most common word, id 1; the embedding has 4 rows (row 0: padding)")
    exercises.before_cell()   # a scratch cell that raises after it does not make the answer stale
    exercises.after_cell(cell_result(KeyError('x')))
    assert_passes(3, check_line(exercises.check_3, answer, TOY_WORD_TO_INT))
    # outside a notebook (no answer cell recorded) the answer given is judged
    exercises.LAST_ANSWER_CELL = None
    assert_passes(3, check_line(exercises.check_3, (1, 4), TOY_WORD_TO_INT))


def test_an_answer_the_check_cannot_use_is_one_line_not_a_traceback():
    def judge(answer):
        return answer['key']  # a list has no key 'key'
    line = check_line(exercises.report, 3, [1, 2], judge)
    assert line.startswith('✗ Exercise 3: the check could not use your answer (TypeError: '), line


def test_types_and_shapes_are_named():
    assert_fails_with(5, check_line(exercises.check_5, 'abc', [[1]], 1), 'should be an array of numbers', 'a str')
    assert_fails_with(3, check_line(exercises.check_3, 4, {'the': 1}), 'tuple of 2', 'an int (4)')
    assert_fails_with(3, check_line(exercises.check_3, (True, 2), {'the': 1}), 'should be a number', 'bool')
    assert_fails_with(4, check_line(exercises.check_4, 0.5, {'a': 1}, [[1], [1]], 1),
                      'answer should be a whole number (a count); got a float (0.5)')
    assert_fails_with(5, check_line(exercises.check_5, [[1, 2]], [[1, 2], [3]], 2), 'shape (1, 2)', 'expected (2, 2)')
    assert_fails_with(5, check_line(exercises.check_5, np.zeros((2, 3)), [[1], [2], [3]], 2), '(transposed?)')


def message_of(function, *args):
    """The text of the WrongAnswer that function(*args) raises."""
    with pytest.raises(exercises.WrongAnswer) as raised:
        function(*args)
    return str(raised.value)


def test_the_helpers_messages_are_whole_sentences():
    assert message_of(exercises.as_array, [1.0, 2.0, 3.0], (2,), 'x') == 'x has shape (3,); expected (2,)'
    assert message_of(exercises.as_array, [1.0, 2.0, 3.0], (2,), 'x', 'two numbers') == (
        'x has shape (3,); expected (2,): two numbers')
    assert message_of(exercises.as_array, [[1.0, 2.0]], (2, 1), 'x') == 'x has shape (1, 2) (transposed?); expected (2, 1)'
    assert message_of(exercises.as_array, ['a', 'b'], (2,), 'x') == 'x should be an array of numbers; got a list of 2'
    assert message_of(exercises.as_array, [1.0, math.nan], (2,), 'x') == 'x holds nan or inf'
    assert message_of(exercises.as_number, math.inf, 'x') == 'x is inf, not a finite number'
    assert message_of(exercises.as_count, 2.5, 'n') == 'n should be a whole number (a count); got a float (2.5)'
    assert message_of(exercises.as_parts, 0.5, ('c', 'h')) == 'answer should be a tuple of 2, (c, h); got a float (0.5)'
    assert exercises.as_number(np.array(0.25), 'x') == 0.25   # a 0-d array, as np.mean(..., keepdims) or .sum() of one


def test_a_known_mistake_matches_within_the_absolute_tolerance_only():
    # 1000.005 is 0.005 away from 1000: more than the tolerance 1e-6, so no match, however large the values
    assert message_of(exercises.compare, 1000.0, 0.0, 'x', 1e-6, 'the hint', [('a hint', 1000.005)]) == (
        'x is 1000.000000, not right (it must be within 1e-06 of the right value): the hint')
    assert message_of(exercises.compare, 1000.0, 0.0, 'x', 1e-6, 'the hint', [('a hint', 1000.0000005)]) == (
        'x is not right: a hint')


# Exercise 10 on norms worked by hand (the graph's norms replaced): threshold 1.0, grad_clip 5.
# Above 1.0 strictly: 1.5, 5.0, 7.0 and 6.0, a share of 4/5 = 0.8 (1.0 itself is not above);
# above grad_clip=5 strictly: 7.0 and 6.0, 2 of 5 (5.0 itself is not clipped): a share of 0.4.
HAND_NORMS = np.array([1.0, 1.5, 5.0, 7.0, 6.0])
HAND_RUN = {'norms': HAND_NORMS, 'grad_clip': 5.0, 'share_above': 0.4}


def test_check_10_on_hand_worked_norms_says_each_line_whole(monkeypatch):
    monkeypatch.setattr(exercises.theory, 'clipping_norms', lambda *args, **kwargs: HAND_RUN)
    context = (None, 6, {})
    assert check_line(exercises.check_10, (HAND_NORMS, 0.8), *context) == (
        '✓ Exercise 10: the norms peak at 7.00; 80% of the mini-batches are above 1.0 and 2 above '
        'grad_clip=5: clipping scales 2 of 5 steps down')
    assert_passes(10, check_line(exercises.check_10, (HAND_NORMS.tolist(), np.array(0.8)), *context))
    dropout_hint = ("from sess.run(rnn.init_op), run the mini-batches in turn as train() does (the state carried, "
                    "train_op run on each) but with 'tf_keepprob:0': 1.0, dropout off, and fetch "
                    "'global_norm/global_norm:0' at each mini-batch, with its train_op or before it")
    assert_lines(10, exercises.check_10, context, [
        ((HAND_NORMS, 4), 'share is not right: that is a count: give the share, the count / 5 mini-batches'),
        ((HAND_NORMS, 80.0), 'share is not right: that is a percentage: give the share, between 0 and 1'),
        ((HAND_NORMS, 0.2), 'share is not right: that is the share at or below 1.0: give the share above it'),
        ((HAND_NORMS, 0.4), 'share is not right: that is the share above grad_clip=5 (what clipping scales '
                            'down): give the share above 1.0'),
        ((HAND_NORMS, 0.6), 'share is 0.600000, not right (it must be within 1e-09 of the right value): the share of '
                            'the norms above 1.0, np.mean(norms > 1.0)'),
        ((HAND_NORMS * 1.01, 0.8), 'norms (as a ratio to the right ones) differs from the right one by up to '
                                   '0.01 (tolerance 0.001): ' + dropout_hint),
        ((HAND_NORMS[:-1], 0.8), 'norms has shape (4,); expected (5,): one norm per mini-batch of the first epoch'),
        ((HAND_NORMS, 'most'), "share should be a number; got a str ('most')"),
        (HAND_NORMS, 'answer should be a tuple of 2, (norms, share); got an ndarray of shape (5,)')])

# Exercise 1: two steps of the slide's RNN equation in numpy, against BasicRNNCell

# One input, one unit: W_xh = 0.3, W_hh = 0.4, b_h = 0.1; x(1) = 2, x(2) = 1, h(0) = 0.
RNN_XS, RNN_KERNEL, RNN_BIAS = np.array([[[2.0], [1.0]]]), np.array([[0.3], [0.4]]), np.array([0.1])
RNN_H1 = math.tanh(0.3 * 2 + 0.1)                       # tanh(0.7)
RNN_H2 = math.tanh(0.3 * 1 + 0.4 * RNN_H1 + 0.1)


def test_check_1_passes_the_hand_worked_steps():
    assert check_line(exercises.check_1, [[RNN_H1], [RNN_H2]], RNN_XS, RNN_KERNEL, RNN_BIAS) == (
        "✓ Exercise 1: your numpy steps give BasicRNNCell's h(t) (within 1e-5): one kernel over [x, h]")


def test_check_1_passes_tensorflows_own_cell_on_random_weights():
    rng = np.random.RandomState(0)
    xs, kernel, bias = rng.normal(size=(1, 3, 2)), rng.normal(size=(5, 3)), rng.normal(size=3)
    with tf.Graph().as_default():
        cell = tf.nn.rnn_cell.BasicRNNCell(3)
        outputs, _ = tf.nn.dynamic_rnn(cell, tf.constant(xs, tf.float32), dtype=tf.float32)
        with tf.Session() as sess:
            for v in cell.variables:
                v.load(kernel if v.op.name.endswith('kernel') else bias, sess)
            h = sess.run(outputs)[0]
    assert_passes(1, check_line(exercises.check_1, h, xs, kernel, bias))


def test_check_1_names_each_wrong_answer():
    no_tanh = [[0.7], [0.3 + 0.4 * 0.7 + 0.1]]
    no_bias = [[math.tanh(0.6)], [math.tanh(0.3 + 0.4 * math.tanh(0.6))]]
    not_carried = [[RNN_H1], [math.tanh(0.4)]]
    assert_lines(1, exercises.check_1, (RNN_XS, RNN_KERNEL, RNN_BIAS), [
        (no_tanh, "answer is not right: tanh is missing (the slide's activation phi)"),
        (no_bias, 'answer is not right: the bias b_h is missing'),
        (not_carried, 'answer is not right: h is carried: each step adds W_hh h(t-1), with h(0) = 0'),
        ([[RNN_H1], [RNN_H2 + 0.01]], 'answer differs from the right one by up to 0.01 (tolerance 1e-05): '
         "h(t) = tanh(x(t) @ W_xh + h(t-1) @ W_hh + b_h), where W_xh is the kernel's first 1 rows (they "
         'multiply x) and W_hh the rest'),
        ([[[RNN_H1], [RNN_H2]]], 'answer has shape (1, 2, 1); expected (2, 1): one row h(t) per step t, as x @ W: '
         'rows are examples')])


# Exercises 3 and 4: word ids; the words of the test reviews only

TOY_WORD_TO_INT = {'the': 1, 'a': 2, 'movie': 3}


def test_check_3_passes_the_hand_worked_ids():
    assert check_line(exercises.check_3, (1, 4), TOY_WORD_TO_INT) == (
        "✓ Exercise 3: 'the' is the most common word, id 1; the embedding has 4 rows (row 0: padding)")
    assert_passes(3, check_line(exercises.check_3, (np.int64(1), 4.0), TOY_WORD_TO_INT))


def test_check_3_names_each_wrong_answer():
    assert_lines(3, exercises.check_3, (TOY_WORD_TO_INT,), [
        ((0, 4), "the id of 'the' is not right: it is off by one: ids start at 1 (enumerate(word_counts, 1)); "
                 '0 is kept for the padding'),
        ((2, 4), "the id of 'the' is 2, not right: words are numbered by count, the most common first"),
        ((1, 3), "n_words is not right: it is the largest id + 1: the embedding needs a row for each id, and "
                 "for the padding's 0"),
        ((1, 5), 'n_words is 5, not right: it is the number of rows the embedding needs'),
        (('1', 4), "the id of 'the' should be a number; got a str ('1')"),
        ((1, '4'), "n_words should be a number; got a str ('4')"),
        (4, "answer should be a tuple of 2, (the id of 'the', n_words); got an int (4)")])


# Training reviews hold ids {1, 2, 3, 4, 7, 8}; test reviews {1, 5, 6}: 2 distinct unknown (5, 6),
# 4 unknown occurrences (5, 5, 5, 6), 3 test words, 5 words only in the training reviews.
WORDS = {w: i for i, w in enumerate('abcdefgh', 1)}
MAPPED = [[1, 2, 3], [2, 4, 7, 8], [5, 5, 5, 1], [6]]


def test_check_4_passes_the_hand_worked_count():
    assert check_line(exercises.check_4, 2, WORDS, MAPPED, 2) == (
        '✓ Exercise 4: 2 distinct test words are unknown to a vocabulary of the training reviews: counting '
        'all reviews, as the slides do, lets the test set into the vocabulary')


def test_check_4_names_each_wrong_answer():
    assert_lines(4, exercises.check_4, (WORDS, MAPPED, 2), [
        (4, 'answer is not right: that counts every occurrence: count each distinct word once'),
        (3, 'answer is not right: that is every word of the test reviews: count those that appear in no '
            'training review'),
        (5, 'answer is not right: that is the other way round: the words of the training reviews no test '
            'review has'),
        (1, 'answer is 1, not right: take the set of word ids of the test reviews, less those of the training '
            'reviews'),
        ({5, 6}, 'answer should be a number; got a set')])


# Exercise 5: fixed-length sequences by hand

TOY_MAPPED = [[1, 3, 4, 5, 2], [6, 7, 2], [9, 8, 9, 10, 11, 8, 1, 3, 4, 6, 5, 2]]  # the notebook's
TOY_PADDED = [[0, 1, 3, 4, 5, 2], [0, 0, 0, 6, 7, 2], [1, 3, 4, 6, 5, 2]]


def test_check_5_passes_the_hand_worked_rows_which_are_make_sequences():
    assert data_utils.make_sequences(TOY_MAPPED, 6).tolist() == TOY_PADDED
    assert check_line(exercises.check_5, TOY_PADDED, TOY_MAPPED, 6) == (
        '✓ Exercise 5: zeros on the left, the last 6 words kept, as sequences[i, -len(row):] does')
    assert_passes(5, check_line(exercises.check_5, np.array(TOY_PADDED), TOY_MAPPED, 6))


def the_slip_of_right_padding(mapped, seq_len):
    """What the slides' loop makes with `sequences[i, :len(row)]` for `sequences[i, -len(row):]`."""
    sequences = np.zeros((len(mapped), seq_len), dtype=int)
    for i, row in enumerate(mapped):
        review_arr = np.array(row)
        sequences[i, :len(row)] = review_arr[-seq_len:]
    return sequences


def test_check_5_names_each_wrong_answer():
    right_padded_last_kept = [[1, 3, 4, 5, 2, 0], [6, 7, 2, 0, 0, 0], [1, 3, 4, 6, 5, 2]]
    assert the_slip_of_right_padding(TOY_MAPPED, 6).tolist() == right_padded_last_kept
    right_padded = [[1, 3, 4, 5, 2, 0], [6, 7, 2, 0, 0, 0], [9, 8, 9, 10, 11, 8]]
    first_kept = [[0, 1, 3, 4, 5, 2], [0, 0, 0, 6, 7, 2], [9, 8, 9, 10, 11, 8]]
    assert_lines(5, exercises.check_5, (TOY_MAPPED, 6), [
        (right_padded_last_kept, 'answer is not right: the last words are kept, but the zeros go on the right: '
         'they go on the left, sequences[i, -len(row):], so that the words are the last steps the LSTM reads'),
        (right_padded, 'answer is not right: the zeros go on the left, so that the words are the last steps '
         'the LSTM reads; and a long review keeps its last seq_len words, not its first'),
        (first_kept, 'answer is not right: a long review keeps its last seq_len words (its end), not its first'),
        ([[0, 1, 3, 4, 5, 2], [0, 0, 0, 6, 7, 2], [1, 3, 4, 6, 5, 3]], 'answer differs from the right one by up '
         'to 1 (tolerance 0): row i ends with the last words of review i; zeros fill the left'),
        ([r[1:] for r in TOY_PADDED], 'answer has shape (3, 5); expected (3, 6): one row per review, seq_len '
         'columns')])


# Exercise 8: reshape_data by hand

TOY_X = [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]   # 18 ids: 3 batches of 2 x 3 would leave 18 without a next
TOY_Y = [[2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13]]


def test_check_8_passes_the_hand_worked_batches_which_are_reshape_data():
    x, y = data_utils.reshape_data(np.arange(1, 19), 2, 3)
    assert (x.tolist(), y.tolist()) == (TOY_X, TOY_Y)
    assert check_line(exercises.check_8, (TOY_X, TOY_Y), np.arange(1, 19), 2, 3) == (
        '✓ Exercise 8: x and y are 2 rows of 6 ids, y one ahead of x; the last ids that do not fill a batch '
        'are dropped')


def test_check_8_keeps_the_last_whole_batch_when_the_last_id_is_the_only_one_left():
    # 13 ids, batches of 2 x 3: 12 ids in x, and y still has the 13th as the last one's next
    assert_passes(8, check_line(exercises.check_8, (TOY_X, TOY_Y), np.arange(1, 14), 2, 3))


def test_check_8_names_a_square_x_with_rows_and_columns_swapped():
    # 5 ids, batches of 2 x 1: x = [[1, 2], [3, 4]], square, so its shape cannot tell it from x.T
    assert_lines(8, exercises.check_8, (np.arange(1, 6), 2, 1), [
        (([[1, 3], [2, 4]], [[2, 3], [4, 5]]), 'x is not right: its rows and columns are swapped')])


def test_check_8_names_each_wrong_answer():
    three_batches = np.arange(1, 19).reshape(2, 9)
    why = 'y is x one id ahead, so x may use only ids that have a next one: with 18 ids, whole batches of 2 x 3'
    assert_lines(8, exercises.check_8, (np.arange(1, 19), 2, 3), [
        ((TOY_X, TOY_X), 'y is not right: y is x itself: y is x shifted by one id'),
        ((np.array(TOY_X).T, TOY_Y), 'x has shape (6, 2) (transposed?); expected (2, 6): ' + why),
        ((three_batches, three_batches + 1), 'x has shape (2, 9); expected (2, 6): ' + why),
        ((TOY_X, three_batches), 'y has shape (2, 9); expected (2, 6): ' + why),
        ((TOY_Y, TOY_Y), 'x differs from the right one by up to 1 (tolerance 0): x is the first 12 ids, cut '
                         'into 2 rows'),
        ((TOY_X, np.array(TOY_Y) + 1), 'y differs from the right one by up to 1 (tolerance 0): y is x shifted '
                                       'by one id'),
        (np.array([TOY_X, TOY_Y]), 'answer should be a tuple of 2, (x, y); got an ndarray of shape (2, 2, 6)')])


# Exercise 11: what get_top_char draws from

PROBAS = [0.1, 0.4, 0.2, 0.05, 0.25]
# T = 0.5 squares: 0.01, 0.16, 0.04, 0.0025, 0.0625; the top 3 (0.16, 0.0625, 0.04) sum to 0.2625.
DRAWN = [0, 0.16 / 0.2625, 0.04 / 0.2625, 0, 0.0625 / 0.2625]


def test_check_11_passes_the_hand_worked_distribution_which_get_top_char_draws_from():
    from char_rnn import get_top_char
    np.random.seed(0)
    draws = [get_top_char(np.array(PROBAS), 5, top_n=3, temperature=0.5) for _ in range(20000)]
    assert np.allclose(np.bincount(draws, minlength=5) / 20000, DRAWN, atol=0.015)
    assert check_line(exercises.check_11, DRAWN, PROBAS, 3, 0.5) == (
        '✓ Exercise 11: T=0.5 sharpens, the top-3 cut keeps 3 characters, the rest never drawn')


def test_check_11_names_each_wrong_answer():
    assert_lines(11, exercises.check_11, (PROBAS, 3, 0.5), [
        ([0, 0.4 / 0.85, 0.2 / 0.85, 0, 0.25 / 0.85],
         'answer is not right: the temperature is missing: p ** (1 / T), renormalized'),
        ([0.01 / 0.275, 0.16 / 0.275, 0.04 / 0.275, 0.0025 / 0.275, 0.0625 / 0.275],
         'answer is not right: all but the top 3 must be 0'),
        ([0, 0.4 ** 0.5, 0.2 ** 0.5, 0, 0.5] / np.sum([0.4 ** 0.5, 0.2 ** 0.5, 0.5]),
         'answer is not right: a temperature T sharpens p as p ** (1 / T), not p ** T'),
        ([0, 0.16, 0.04, 0, 0.0625], 'answer is not right: the probabilities must sum to 1: divide by their sum'),
        ([0, 0.6, 0.15, 0, 0.25], 'answer differs from the right one by up to 0.0119 (tolerance 1e-06): '
                                  'p ** (1 / T), all but the top 3 set to 0, divided by the sum'),
        (DRAWN[:3], 'answer has shape (3,); expected (5,): one probability per character')])


# Exercise 12: perplexity from the loss history

@pytest.fixture
def history_csv(tmp_path):
    """Epoch 1: losses 3.0, 2.6; epoch 2: 1.0, 1.7, 1.8 (mean 1.5, last iteration 1.8; all five: 2.02)."""
    path = tmp_path / 'loss_history.csv'
    path.write_text('epoch,iteration,loss\n1,1,3.0\n1,2,2.6\n2,3,1.0\n2,4,1.7\n2,5,1.8\n')
    return str(path)


def test_check_12_passes_the_hand_worked_perplexity(history_csv):
    assert check_line(exercises.check_12, (1.5, 4.4816890703), history_csv) == (
        '✓ Exercise 12: loss 1.500 is a perplexity of 4.48: as unsure as a fair pick among 4.5 characters')


def test_check_12_names_each_wrong_answer(history_csv):
    ratio = 'perplexity (as a ratio to the right one)'
    assert_lines(12, exercises.check_12, (history_csv,), [
        ((1.5, 2 ** 1.5), ratio + ' is not right: the loss is in nats (natural log): e ** loss, not 2 ** loss'),
        ((1.5, 10 ** 1.5), ratio + ' is not right: the loss is in nats (natural log): e ** loss, not 10 ** loss'),
        ((1.8, math.exp(1.8)), "mean_loss is not right: that is the last iteration's loss: take the mean of the "
                               'last epoch'),
        ((2.02, math.exp(2.02)), 'mean_loss is not right: that is the mean of all epochs: take the last epoch only'),
        ((1.7, math.exp(1.7)), 'mean_loss is 1.70000, not right (it must be within 0.0001 of the right value): the '
                               'mean of the loss column over the rows of the '
                               'last epoch'),
        ((1.5, 4.5), ratio + ' is 1.00409, not right (it must be within 0.0001 of the right value): the perplexity '
                             'is e ** loss (the loss is in nats)'),
        (('x', 4.5), "mean_loss should be a number; got a str ('x')"),
        ((1.5, 'x'), "perplexity should be a number; got a str ('x')"),
        ((1.5,), 'answer should be a tuple of 2, (mean_loss, perplexity); got a tuple of 1')])


def test_check_9_takes_two_equal_right_values_for_right_not_for_swapped(monkeypatch):
    # A model whose first loss is 5e-4 above ln 6: (ln 6, ln 6) is right in both places (1e-3 and
    # 1e-4), so it is not the swapped tuple, although each value is also near the other's answer.
    ln6 = math.log(6)
    monkeypatch.setattr(exercises, 'first_cost', lambda rnn, train_x, train_y: ln6 + 5e-4)
    rnn = types.SimpleNamespace(num_classes=6)
    assert_passes(9, check_line(exercises.check_9, (ln6, ln6), rnn, None, None))


@pytest.mark.parametrize('missing, line', [
    (..., 'answer is still ...'), (None, 'answer is None'),
    ((1.0, ...), 'part 2 of answer is still ...'), ([None, 2.0], 'part 1 of answer is None')])
def test_a_missing_answer_or_part_is_named_whole(missing, line):
    assert check_line(exercises.report, 3, missing, pytest.fail) == (
        '✗ Exercise 3: not yet: %s; replace it by your answer' % line)


@pytest.mark.parametrize('error, reason', [
    (TypeError('list indices must be integers or slices, not str'), 'TypeError: list indices must be integers or '
                                                                    'slices, not str'),
    (ValueError('first line\nsecond line'), 'ValueError: first line'), (KeyError(), 'KeyError: ')])
def test_an_answer_the_check_cannot_use_gives_the_first_line_of_the_reason(error, reason):
    def judge(answer):
        raise error
    assert check_line(exercises.report, 3, [1, 2], judge) == (
        '✗ Exercise 3: the check could not use your answer (%s)' % reason)


def test_a_wrong_count_is_wrong_however_large_the_right_one():
    # no relative tolerance: 102,969 words are not 102,968 (within 1e-5 of it)
    assert message_of(exercises.compare, 102969, 102968, 'n_words', 0, 'a hint') == 'n_words is 102969, not right: a hint'


def test_a_type_is_named_with_a_or_an_by_its_first_letter():
    class Xylophone(object):
        pass
    assert [exercises.describe(v) for v in (Xylophone(), 4, 0.5, 'a', np.zeros((2, 9)), [1, 2, 3])] == [
        'a Xylophone', 'an int (4)', 'a float (0.5)', "a str ('a')", 'an ndarray of shape (2, 9)', 'a list of 3']


# The usual mistakes named (issue: hints that stayed generic), and numbers shown to the digits the
# check needs

# Exercise 1 with two units, so that W_hh transposed is another matrix: one input; the kernel's row 0
# multiplies x, rows 1 and 2 h (BasicRNNCell's layout); x(1) = 1, x(2) = 2.
TWO_XS = np.array([[[1.0], [2.0]]])
TWO_KERNEL = np.array([[0.5, -0.3], [0.2, 0.7], [-0.4, 0.1]])
TWO_BIAS = np.array([0.1, 0.0])


def two_unit_steps(W_hh_rows):
    """h(1), h(2) with rows as examples, h(t) = tanh(x(t) @ kernel[:1] + h(t-1) @ W_hh_rows + b)."""
    h1 = np.tanh(1.0 * TWO_KERNEL[0] + TWO_BIAS)
    h2 = np.tanh(2.0 * TWO_KERNEL[0] + h1 @ W_hh_rows + TWO_BIAS)
    return np.array([h1, h2])


def test_check_1_names_W_hh_transposed():
    context = (TWO_XS, TWO_KERNEL, TWO_BIAS)
    assert_passes(1, check_line(exercises.check_1, two_unit_steps(TWO_KERNEL[1:]), *context))
    assert_lines(1, exercises.check_1, context, [
        (two_unit_steps(TWO_KERNEL[1:].T), 'answer is not right: W_hh is transposed: with rows as examples '
         'h(t-1) @ W_hh takes W_hh = kernel[1:] as it is (row j multiplies unit j of h(t-1))')])


def test_check_5_says_rows_of_different_lengths_must_be_padded():
    pad = 'every row must be padded to seq_len = 6 ids, zeros on the left (a longer review cut to its last 6)'
    assert_lines(5, exercises.check_5, (TOY_MAPPED, 6), [
        (TOY_MAPPED, 'answer has rows of different lengths (5, 3, 12): ' + pad),
        ([[1, 3, 4, 5, 2], [6, 7, 2], [1, 3, 4, 6, 5, 2]], 'answer has rows of different lengths (5, 3, 6): ' + pad),
        (np.array([np.array(r) for r in TOY_MAPPED], dtype=object), 'answer has rows of different lengths '
         '(5, 3, 12): ' + pad),
        # rows of one length, not padded to 6: a shape, not "different lengths"
        ([[1, 3, 4], [6, 7, 2], [1, 3, 4]], 'answer has shape (3, 3); expected (3, 6): one row per review, '
         'seq_len columns')])


def test_check_8_names_x_and_y_swapped():
    assert_lines(8, exercises.check_8, (np.arange(1, 19), 2, 3), [
        ((TOY_Y, TOY_X), 'x and y are swapped: answer = (x, y), x the ids the model reads, y the next ids it '
                         'must predict')])


def test_check_11_names_the_probabilities_not_renormalised_after_the_cut():
    # p ** 2 divided by its sum 0.275, then the top 3 kept, not divided again: they sum to 0.9545
    assert_lines(11, exercises.check_11, (PROBAS, 3, 0.5), [
        ([0, 0.16 / 0.275, 0.04 / 0.275, 0, 0.0625 / 0.275], 'answer is not right: after the top-3 cut the kept '
         'probabilities no longer sum to 1: divide them by their sum again')])


def test_check_12_shows_a_rounded_loss_with_the_digits_the_check_needs(tmp_path):
    # The last epoch's mean is 1.67625 (as the shipped model's 1.67628 is): 1.676, the value printed to
    # three decimals, is 2.5e-4 away, more than the check's 1e-4; 1.67616 is 9e-5 away, accepted.
    history = tmp_path / 'loss_history.csv'
    history.write_text('epoch,iteration,loss\n1,1,3.0\n2,2,1.6763\n2,3,1.6762\n')
    assert check_line(exercises.check_12, (1.676, math.exp(1.676)), str(history)) == (
        '✗ Exercise 12: mean_loss is 1.67600, not right (it must be within 0.0001 of the right value): the mean '
        'of the loss column over the rows of the last epoch')
    assert_passes(12, check_line(exercises.check_12, (1.67616, math.exp(1.67625)), str(history)))


def test_a_number_is_shown_with_the_decimals_its_tolerance_needs_and_no_more_than_6():
    assert [exercises.shown(1.676, t) for t in (1e-4, 1e-3, 0.1, 1e-9, 0)] == [
        '1.67600', '1.6760', '1.68', '1.676000', '1.676']


# Exercise categories: which kind of sequence model, and the shapes that follow

SLIDES_SENTIMENT = {'batch_size': 100, 'seq_len': 200}
SLIDES_CHAR = {'batch_size': 64, 'num_steps': 100, 'lstm_size': 128}
RIGHT_CATEGORIES = ['many-to-one', 'one-to-many', 'many-to-many delayed', 'many-to-many synchronized']


def test_check_categories_passes_the_slides_categories_and_shapes():
    assert check_line(exercises.check_categories, (RIGHT_CATEGORIES, (100, 1), (64, 100, 128)),
                      SLIDES_SENTIMENT, SLIDES_CHAR) == (
        '✓ Exercise categories: the SentimentRNN is many-to-one, one output (100, 1) per batch; the CharRNN '
        'synchronized many-to-many, an output at each of its 100 steps')
    spelled = ['Many-to-One', 'one_to_many', 'many-to-many  delayed', 'MANY-TO-MANY synchronized']
    assert_passes('categories', check_line(exercises.check_categories, (spelled, [100, 1], (64, 100, 128)),
                                           SLIDES_SENTIMENT, SLIDES_CHAR))


def test_check_categories_names_each_wrong_answer():
    def swap(i, category):
        return RIGHT_CATEGORIES[:i] + [category] + RIGHT_CATEGORIES[i + 1:]
    shapes = ((100, 1), (64, 100, 128))
    assert_lines('categories', exercises.check_categories, (SLIDES_SENTIMENT, SLIDES_CHAR), [
        ((swap(0, 'many-to-many synchronized'),) + shapes, 'task 1 (rate a movie review as positive or negative '
         '(the SentimentRNN)) is not many-to-many synchronized: it reads every word, and gives one label after the last'),
        ((swap(1, 'many-to-one'),) + shapes, 'task 2 (write a caption for an image) is not many-to-one: one input, '
         'the image; a sequence of words out'),
        ((swap(2, 'many-to-many synchronized'),) + shapes, 'task 3 (translate a sentence into another language) is '
         'not many-to-many synchronized: the translation starts once the whole sentence has been read'),
        ((swap(3, 'many-to-many delayed'),) + shapes, 'task 4 (predict the next character after each character of '
         'a text (the CharRNN)) is not many-to-many delayed: an output at every step, as each input arrives'),
        ((swap(0, 'one-to-one'),) + shapes, "category 1 ('one-to-one') should be one of many-to-one, one-to-many, "
         'many-to-many synchronized, many-to-many delayed'),
        ((RIGHT_CATEGORIES[:3],) + shapes, 'categories should be a list of 4, one per task; got a list of 3'),
        ((RIGHT_CATEGORIES, (100, 200), (64, 100, 128)), 'the SentimentRNN output shape (100, 200) is not right: '
         'that is its input, one id per word: many-to-one gives one output per review'),
        ((RIGHT_CATEGORIES, (100,), (64, 100, 128)), 'the SentimentRNN output shape (100,) is not right: one output '
         'per review of the batch, a single logit'),
        ((RIGHT_CATEGORIES, (100, 1), (6400, 128)), 'the CharRNN LSTM outputs shape (6400, 128) is not right: that '
         'is after the reshape to rows of lstm_size: dynamic_rnn gives (batch, steps, units)'),
        ((RIGHT_CATEGORIES, (100, 1), (64, 128)), 'the CharRNN LSTM outputs shape (64, 128) is not right: that is '
         'the last step only: many-to-many gives an output at every step'),
        ((RIGHT_CATEGORIES, np.zeros((100, 1)), (64, 100, 128)), 'the SentimentRNN output shape should be a shape, '
         'a tuple of whole numbers such as (2, 3); got an ndarray of shape (100, 1)')])


# Exercise bptt: dh(t)/dh(k) against tf.gradients

# One input, two units, three steps; k = 1, t = 3: two step Jacobians.
BPTT_XS = np.array([[0.5], [-1.0], [0.8]])
BPTT_KERNEL = np.array([[0.9, -0.6], [0.3, -0.8], [0.7, 0.4]])   # row 0 for x, rows 1-2 for h
BPTT_BIAS = np.array([0.1, -0.2])


def tensorflow_jacobian(xs, kernel, bias, k, t):
    """dh(t)/dh(k) from tf.gradients of BasicRNNCell unrolled in the test, entry [a, b] = dh(t)_a/dh(k)_b."""
    with tf.Graph().as_default():
        cell = tf.nn.rnn_cell.BasicRNNCell(kernel.shape[1])
        h, hs = tf.zeros((1, kernel.shape[1])), []
        for x in xs:
            h, _ = cell(tf.constant(x[None], tf.float32), h)
            hs.append(h)
        rows = tf.stack([tf.gradients(hs[t - 1][0, a], hs[k - 1])[0][0] for a in range(kernel.shape[1])])
        with tf.Session() as sess:
            for v in cell.variables:
                v.load(kernel if v.op.name.endswith('kernel') else bias, sess)
            return sess.run(rows)


def bptt_by_hand():
    """h(1..3) and the two step Jacobians J(i) = diag(1 - h(i)^2) W_hh, W_hh = kernel[1:].T (column vectors)."""
    W_hh = BPTT_KERNEL[1:].T
    hs, h = [np.zeros(2)], np.zeros(2)
    for x in BPTT_XS:
        h = np.tanh(x @ BPTT_KERNEL[:1] + h @ BPTT_KERNEL[1:] + BPTT_BIAS)
        hs.append(h)
    J = {i: np.diag(1 - hs[i] ** 2) @ W_hh for i in (2, 3)}
    return hs, W_hh, J


def test_check_bptt_passes_the_product_of_the_hand_worked_jacobians_which_is_tensorflows():
    hs, W_hh, J = bptt_by_hand()
    right = J[3] @ J[2]
    assert np.allclose(right, tensorflow_jacobian(BPTT_XS, BPTT_KERNEL, BPTT_BIAS, 1, 3), atol=1e-6)
    assert check_line(exercises.check_bptt, right, BPTT_XS, BPTT_KERNEL, BPTT_BIAS, 1, 3) == (
        "✓ Exercise bptt: the product of the 2 step Jacobians is tf.gradients' dh(3)/dh(1) (within 1e-5): its "
        'spectral norm %.3g' % np.linalg.norm(right, 2))


def test_check_bptt_names_each_wrong_answer():
    hs, W_hh, J = bptt_by_hand()
    at_previous = np.diag(1 - hs[2] ** 2) @ W_hh @ np.diag(1 - hs[1] ** 2) @ W_hh
    assert_lines('bptt', exercises.check_bptt, (BPTT_XS, BPTT_KERNEL, BPTT_BIAS, 1, 3), [
        (J[2] @ J[3], "answer is not right: the product runs the other way: the latest step's Jacobian leftmost, "
                      'J(t) ... J(k+1)'),
        (W_hh @ W_hh, "answer is not right: tanh' is missing: each step's Jacobian is diag(1 - h(i)^2) W_hh, not "
                      'W_hh alone'),
        (at_previous, "answer is not right: each step's tanh' is taken at h(i), the step's own output: "
                      'diag(1 - h(i)^2), not h(i-1)'),
        ((J[3] @ J[2]).T, "answer is not right: it is transposed: entry [a, b] is dh(t)_a / dh(k)_b; with the "
                          "kernel's rows, W_hh = kernel[1:].T"),
        (J[3] @ J[2] + 1e-3, 'answer differs from the right one by up to 0.001 (tolerance 1e-05): dh(t)/dh(k) = '
                             'J(t) J(t-1) ... J(k+1), J(i) = diag(1 - h(i)^2) W_hh, W_hh = kernel[1:].T'),
        (J[3][:1], "answer has shape (1, 2); expected (2, 2): entry [a, b] is dh(t)_a / dh(k)_b, H x H")])
    assert_passes('bptt', check_line(exercises.check_bptt, J[3] @ J[2] + 9e-6, BPTT_XS, BPTT_KERNEL, BPTT_BIAS, 1, 3))


# Exercise vanishing: s ** d, predicted

# 0.5 ** 20 = 9.5367431640625e-07, 1.5 ** 20 = 3325.256730079651; 0.9 ** 131 = 1.0097e-06 is not
# below 1e-6, 0.9 ** 132 = 9.087e-07 is.
HAND_NORMS_20 = [9.5367431640625e-07, 1.0, 3325.256730079651]
VANISHING = ((0.5, 1.0, 1.5), 20, 0.9, 1e-6)


def test_check_vanishing_passes_the_hand_worked_powers():
    assert 0.9 ** 131 >= 1e-6 > 0.9 ** 132
    assert check_line(exercises.check_vanishing, (HAND_NORMS_20, 132), *VANISHING) == (
        '✓ Exercise vanishing: below 1 the product vanishes (0.5 ** 20 = 9.54e-07), above 1 it explodes (3325); '
        'even 0.9 falls below 1e-06 in 132 steps')
    assert_passes('vanishing', check_line(exercises.check_vanishing, (np.array(HAND_NORMS_20) * (1 + 9e-7), 132),
                                          *VANISHING))


def test_check_vanishing_counts_a_power_landing_exactly_on_the_bound_as_not_below_it():
    # 0.5 ** 2 = 0.25 is not below 0.25: 3 steps
    assert_passes('vanishing', check_line(exercises.check_vanishing, ([0.25], 3), (0.5,), 2, 0.5, 0.25))


def test_check_vanishing_names_each_wrong_answer():
    ratio = 'norms (as a ratio to the right ones) is not right: '
    assert_lines('vanishing', exercises.check_vanishing, VANISHING, [
        (([10.0, 20.0, 30.0], 132), ratio + 'that is scale x distance: a product of 20 matrices multiplies their '
                                    'norms, scale ** 20'),
        (([0.5 ** 21, 1.0, 1.5 ** 21], 132), ratio + 'that is one factor too many: the distance 20 is 20 step '
                                             'Jacobians, scale ** 20'),
        (([0.5 ** 19, 1.0, 1.5 ** 19], 132), ratio + 'that is one factor too few: the distance 20 is 20 step '
                                             'Jacobians, scale ** 20'),
        ((np.array(HAND_NORMS_20) * (1 + 2e-6), 132), 'norms (as a ratio to the right ones) differs from the right '
         'one by up to 2e-06 (tolerance 1e-06): W_hh ** 20 multiplies each singular value by itself 20 times'),
        ((HAND_NORMS_20, 131), 'distance is not right: 0.9 ** 131 is not yet below 1e-06: one step more'),
        ((HAND_NORMS_20, 133), 'distance is 133, not right: the smallest d with 0.9 ** d < 1e-06: d > ln(1e-06) / '
                               'ln(0.9)'),
        ((HAND_NORMS_20[:2], 132), 'norms has shape (2,); expected (3,): one norm per scale')])


# Exercise clipping: the global norm and the factor, against tf.clip_by_global_norm

# 3² + 4² + 12² = 169: the global norm 13, the factor 5 / 13; divided by 10 the norm is 1.3 < 5: 1.
GRADS = [np.array([[3.0, 0.0], [0.0, 4.0]]), np.array([12.0, 0.0, 0.0])]


def test_check_clipping_passes_the_hand_worked_factor_which_is_tensorflows():
    with tf.Graph().as_default(), tf.Session() as sess:
        clipped, norm = sess.run(tf.clip_by_global_norm([tf.constant(g) for g in GRADS], 5.0))
    assert np.isclose(norm, 13.0) and np.allclose(clipped[1], GRADS[1] * 5 / 13)
    assert check_line(exercises.check_clipping, (13.0, 5 / 13, 1.0), GRADS, 5.0) == (
        '✓ Exercise clipping: the global norm 13 is above 5, so every gradient is scaled by 0.3846, its direction '
        'kept; below 5 nothing changes')


def test_check_clipping_names_each_wrong_answer():
    norm_hint = ' (as a ratio to the right one) is not right: '
    assert_lines('clipping', exercises.check_clipping, (GRADS, 5.0), [
        ((169.0, 5 / 13, 1.0), 'global_norm' + norm_hint + 'that is the sum of squares: take its square root'),
        ((17.0, 5 / 13, 1.0), 'global_norm' + norm_hint + "that is the sum of the tensors' norms: the global norm "
                              'is the norm of all entries together'),
        ((12.0, 5 / 13, 1.0), 'global_norm' + norm_hint + "that is the largest tensor's norm: the global norm is the "
                              'norm of all entries together'),
        ((13.0, 13 / 5, 1.0), 'factor' + norm_hint + 'that is global_norm / clip_norm: the factor is clip_norm / '
                              'global_norm'),
        ((13.0, 5 / 13, 5 / 1.3), 'factor for grads / 10' + norm_hint + 'clipping never scales up: below clip_norm '
                                  'the factor is 1'),
        ((13.0, 0.5, 1.0), 'factor (as a ratio to the right one) is 1.300000, not right (it must be within 1e-06 of '
                           'the right value): every gradient is multiplied by clip_norm / max(global_norm, clip_norm)'),
        ((13.0, 5 / 13), 'answer should be a tuple of 3, (global_norm, factor, factor for grads / 10); got a tuple '
                         'of 2')])


# Exercise logits: the many-to-many reshape

def test_check_logits_passes_the_shapes_and_row_which_reshape_gives():
    numbered = np.arange(64 * 100).reshape(64, 100)   # each (sequence, step) numbered as tf.reshape orders them
    assert numbered.reshape(-1, 1)[102, 0] == numbered[1, 2]
    assert check_line(exercises.check_logits, ((6400, 65), [6400, 65], 102), 64, 100, 65, 1, 2) == (
        '✓ Exercise logits: logits and targets are 6400 rows of 65: row 102 is step 2 of sequence 1, so the '
        'cross-entropy averages over all 6400 predictions')


def test_check_logits_names_each_wrong_answer():
    assert_lines('logits', exercises.check_logits, (64, 100, 65, 1, 2), [
        (((6400, 65), (6400, 65), 129), 'the row is not right: that is a time-major order: the reshape keeps the '
                                        'batch axis outer, row = sequence x num_steps + step'),
        (((6400, 65), (6400, 65), 103), 'the row is 103, not right: tf.reshape keeps the order of the entries: the '
                                        'steps of sequence 0 first, then those of sequence 1, ...'),
        (((64, 6500), (6400, 65), 102), 'the logits shape (64, 6500) is not right: that is one row per sequence: '
                                        'the reshape makes a row of every step of every sequence'),
        (((6400, 65), (64, 100, 65), 102), 'the y_reshaped shape (64, 100, 65) is not right: that is before the '
                                           'reshape: tf.reshape(lstm_outputs, [-1, lstm_size]) makes a row per step '
                                           'of every sequence'),
        (((6400, 128), (6400, 65), 102), 'the logits shape (6400, 128) is not right: a row per step of every '
                                         'sequence, a column per character'),
        (((6400, 65.5), (6400, 65), 102), 'the logits shape should be a whole number (a count); got a float (65.5)'),
        ((6400, 65, 102), 'the logits shape should be a shape, a tuple of whole numbers such as (2, 3); got an int '
                          '(6400)')])


# The questionnaire

# Worked by hand (docs/exercises.md): 1 (3 + 4) x 4 + 4; 2 (65 + 128) x 512 + 512; 3 t - k = 10 - 4;
# 7 200 - 150; 8 4 batches of 10 x 20 (5 would leave the last id no next): 800 ids in 10 rows;
# 9 e ** ln 2; 11 10 whole batches of 100.
RIGHT_ANSWERS = {1: 32, 2: 99328, 3: 6, 4: 'b', 5: 'c', 6: 'b', 7: 50, 8: (10, 80), 9: 2.0, 10: 'b', 11: 1000}


def test_check_questionnaire_passes_the_hand_worked_answers():
    assert data_utils.reshape_data(np.arange(1000), 10, 20)[0].shape == RIGHT_ANSWERS[8]
    assert check_line(exercises.check_questionnaire, RIGHT_ANSWERS) == '✓ Questionnaire: all 11 right'
    spelled = {**RIGHT_ANSWERS, 4: 'B)', 5: ' c', 8: [10, 80], 9: math.exp(0.6931)}  # within 1e-3
    assert_passes('questionnaire', check_line(exercises.check_questionnaire, spelled))


def test_check_questionnaire_names_each_wrong_answer_and_counts_the_right_ones():
    line = check_line(exercises.check_questionnaire, {**RIGHT_ANSWERS, 1: 28, 4: 'a', 8: (10, 100), 9: 2.01})
    assert line == (
        '✗ Questionnaire: 7 of 11 right; question 1: 28 is not right: a kernel of (3 + 4) x 4 over [x, h], and a bias '
        'of 4; question 4: not a: clipping caps the norm of a step that is too large; question 8: the shape '
        '(10, 100) is not right: reshape_data keeps whole batches of batch_size x num_steps ids that leave y a next '
        'id; question 9: 2.01 is not right: the perplexity is e ** loss')
    assert check_line(exercises.check_questionnaire, {**RIGHT_ANSWERS, 3: ..., 7: None}) == (
        '✗ Questionnaire: 9 of 11 right; not yet: questions 3, 7')
    assert check_line(exercises.check_questionnaire, {**RIGHT_ANSWERS, 6: 'e'}) == (
        "✗ Questionnaire: 10 of 11 right; question 6: give one letter, a to d; got 'e'")
    assert check_line(exercises.check_questionnaire, {q: ... for q in RIGHT_ANSWERS}) == (
        '✗ Questionnaire: not yet: every question is still ...; replace each ... by your answer')
    assert check_line(exercises.check_questionnaire, [32, 99328]) == (
        '✗ Questionnaire: answer should be a dict of 11, {1: ..., ..., 11: ...}; got a list of 2')
