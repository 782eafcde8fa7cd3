"""The guards of beyond_slides/pitfalls.py at their limits: each refuses what is just past its
limit and accepts the edge of what is right. The expected numbers are worked by hand."""
import numpy as np
import pytest

from beyond_slides import pitfalls
from conftest import shared
from model_helpers import prepared, train_sentiment

# Worked by hand. SGD: step = -lr g. Adam from a fresh optimizer, fed the same gradient g twice:
# t=1: m = 0.1 g, v = 0.001 g^2, lr_t = lr sqrt(0.001) / 0.1, step = -lr_t m / (sqrt(v) + 1e-8)
#      = -lr sign(g) |g| sqrt(0.001) / (|g| sqrt(0.001) + 1e-8) = -lr sign(g) (to 3e-7 relative for |g| >= 1);
# t=2: m = 0.19 g, v = 0.001999 g^2, lr_t = lr sqrt(0.001999) / 0.19: again -lr sign(g).
GRADIENTS = {'sgd': [[1.0, -2.0], [3.0, -4.0]], 'adam': [[1.0, -2.0], [1.0, -2.0]]}
LEARNING_RATE = 0.1
STEPS = {'sgd': [[-0.1, 0.2], [-0.3, 0.4]], 'adam': [[-0.1, 0.1], [-0.1, 0.1]]}


@pytest.mark.parametrize('optimizer', ['sgd', 'adam'])
def test_the_optimizer_steps_guard_accepts_steps_within_a_twentieth_of_a_percent(optimizer):
    for off in (1.0, 1.0005, 0.9995):  # float32 ulps and rounding: the edge it must accept
        pitfalls.assert_steps_match_tensorflow(optimizer, GRADIENTS[optimizer], LEARNING_RATE, None,
                                               np.array(STEPS[optimizer]) * off)


@pytest.mark.parametrize('off', [1.01, 0.99, 1.002], ids=['1% more', '1% less', '0.2% more'])
@pytest.mark.parametrize('optimizer', ['sgd', 'adam'])
def test_the_optimizer_steps_guard_refuses_steps_off_by_a_fifth_of_a_percent_or_more(optimizer, off):
    steps = np.array(STEPS[optimizer]) * off
    with pytest.raises(AssertionError, match='%s steps differ from TensorFlow' % optimizer):
        pitfalls.assert_steps_match_tensorflow(optimizer, GRADIENTS[optimizer], LEARNING_RATE, None, steps)


def test_the_optimizer_steps_guard_refuses_one_step_off_among_right_ones():
    steps = np.array(STEPS['adam'])
    steps[1, 0] *= 1.01
    with pytest.raises(AssertionError):
        pitfalls.assert_steps_match_tensorflow('adam', GRADIENTS['adam'], LEARNING_RATE, None, steps)


@pytest.fixture(scope=shared)
def tiny(tmp_path_factory):
    """A tiny SentimentRNN trained for one epoch on the synthetic reviews."""
    rnn, _, _ = train_sentiment(str(tmp_path_factory.mktemp('padding')), epochs=1, n_reviews=200)
    return rnn, prepared(200)[0]  # the same reviews' word ids


def test_padding_effect_accepts_a_review_of_exactly_seq_len_words_which_has_no_padding(tiny):
    """seq_len words leave no room for padding: the padded and the unpadded review are the same
    sequence through the same weights, so the two probabilities are equal (float32 sums aside)."""
    rnn, word_to_int = tiny
    words = (['the', 'plot', 'was', 'great'] * rnn.seq_len)[:rnn.seq_len]
    p_padded, p_unpadded = pitfalls.padding_effect(rnn, [word_to_int[w] for w in words])
    assert 0 < p_padded < 1
    assert p_padded == pytest.approx(p_unpadded, abs=1e-6)


def test_padding_effect_accepts_a_review_of_one_word_and_refuses_none(tiny):
    rnn, word_to_int = tiny
    p_padded, p_unpadded = pitfalls.padding_effect(rnn, [word_to_int['great']])
    assert 0 < p_padded < 1 and 0 < p_unpadded < 1
    with pytest.raises(ValueError, match='a review of 0 words: give 1 to seq_len=12 word ids'):
        pitfalls.padding_effect(rnn, [])
    with pytest.raises(ValueError, match='a review of 13 words: give 1 to seq_len=12 word ids'):
        pitfalls.padding_effect(rnn, [1] * (rnn.seq_len + 1))
