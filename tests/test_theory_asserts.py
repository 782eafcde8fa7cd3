"""The guards of beyond_slides/theory.py that compare a measurement with its formula, each given a
result off by twice its tolerance (refused) and by half of it (accepted): a guard that accepted
anything would pass every test that hands it right results. Values worked by hand."""
import numpy as np
import pytest

from beyond_slides import theory
from beyond_slides.predicting import build_quietly

# p = 0.75 for y = 1 and w = (3, 4): dL/dh(T) = |p - y| ||w|| = 0.25 * 5 = 1.25; the guard's
# tolerance there is atol + rtol * 1.25 = 1e-7 + 1e-3 * 1.25 = 1.2501e-3.
LAST_TOL = 1e-7 + 1e-3 * 1.25


@pytest.mark.parametrize('off, refused', [(2 * LAST_TOL, True), (-2 * LAST_TOL, True),
                                          (0.5 * LAST_TOL, False), (-0.5 * LAST_TOL, False)])
def test_last_step_gradient_refused_just_past_its_tolerance(off, refused):
    norms = np.array([[9.0, 1.25 + off]])  # (B, T): only the last step is checked
    args = (norms, np.array([0.75]), np.array([1.0]), np.array([[3.0], [4.0]]))
    if refused:
        with pytest.raises(AssertionError):
            theory.assert_last_step_gradient(*args)
    else:
        theory.assert_last_step_gradient(*args)


# Gradients (3) and (4): global norm 5; clipped to 2.5 each is halved: (1.5) and (2.0).
GRADS = [np.array([3.0]), np.array([4.0])]


@pytest.mark.parametrize('factor, refused', [(1 + 2e-4, True), (1 - 2e-4, True), (1 + 5e-5, False)])
def test_clipping_refuses_a_global_norm_just_past_its_tolerance(factor, refused):
    # the norm's tolerance is rtol 1e-4 (and isclose's atol 1e-8): 5 * 2e-4 = 1e-3 is past it
    clipped = [g * 2.5 / (5.0 * factor) for g in GRADS]  # clipped as TF would with that norm
    if refused:
        with pytest.raises(AssertionError):
            theory.assert_clipping(5.0 * factor, GRADS, clipped, 2.5)
    else:
        theory.assert_clipping(5.0 * factor, GRADS, clipped, 2.5)


# The clipped (2.0)'s tolerance: atol + rtol * 2.0 = 1e-7 + 1e-4 * 2.0 = 2.001e-4.
CLIP_TOL = 1e-7 + 1e-4 * 2.0


@pytest.mark.parametrize('off, refused', [(2 * CLIP_TOL, True), (-2 * CLIP_TOL, True),
                                          (0.5 * CLIP_TOL, False)])
def test_clipping_refuses_a_clipped_gradient_just_past_its_tolerance(off, refused):
    clipped = [np.array([1.5]), np.array([2.0 + off])]
    if refused:
        with pytest.raises(AssertionError):
            theory.assert_clipping(5.0, GRADS, clipped, 2.5)
    else:
        assert theory.assert_clipping(5.0, GRADS, clipped, 2.5) == pytest.approx(abs(off) / (2.0 + off))


# output_matches_tensorflow's guard, max_diff < 1e-6, with its numpy side moved by `off`: float32
# TensorFlow against float64 numpy differ by 2.8e-8 besides, within the 5e-8 margins.
@pytest.mark.parametrize('off, refused', [(1.05e-6, True), (-1.05e-6, True), (0.95e-6, False)])
def test_output_guard_refuses_just_past_1e_6(monkeypatch, off, refused):
    real = theory.output_activations
    monkeypatch.setattr(theory, 'output_activations', lambda *args: real(*args) + off)
    hs = np.full((2, 5, 4), 0.5)
    if refused:
        with pytest.raises(AssertionError, match="y\\(t\\) differs from tf.layers.dense"):
            theory.output_matches_tensorflow(hs)
    else:
        assert theory.output_matches_tensorflow(hs)['max_diff'] == pytest.approx(abs(off), abs=1e-7)


# bptt_matches_tensorflow runs its TensorFlow graph inline: here the numpy side is moved instead.
# An entry's tolerance is allclose's atol + rtol 1e-5 * |TF's entry|, atol 1e-5 for the Jacobian
# product and 1e-4 * max(1, max |TF's|) for the gradient. Moved by 1.1 x the tolerance of the
# entry nearest 0, that entry is past it; by 0.9 x atol, every entry is within (float32 TF
# against float64 numpy: ~1e-7 besides).
@pytest.mark.parametrize('part', ['jacobian_product', 'bptt_gradient_W_hh'])
@pytest.mark.parametrize('refused', [True, False])
def test_bptt_guards_refuse_just_past_their_tolerance_and_accept_just_within(monkeypatch, part, refused):
    real = getattr(theory, part)
    result = theory.bptt_matches_tensorflow()  # first unmoved: the TF values the tolerance is of
    tf_values = result['jacobian_tf'] if part == 'jacobian_product' else result['dL_dW_hh_tf']
    atol = 1e-5 if part == 'jacobian_product' else 1e-4 * max(1.0, np.abs(tf_values).max())
    off = 1.1 * (atol + 1e-5 * np.abs(tf_values).min()) if refused else 0.9 * atol
    monkeypatch.setattr(theory, part, lambda *args: real(*args) + off)
    if refused:
        with pytest.raises(AssertionError, match='differs from'):
            theory.bptt_matches_tensorflow()
    else:
        theory.bptt_matches_tensorflow()


# lstm_gradient_norms checks its unrolled graph's probabilities against the SentimentRNN's own
# (rnn.predict), with allclose(atol=1e-5) and its rtol 1e-5: an entry's tolerance is 1e-5 + 1e-5 *
# |predict's p|. Here predict's side is moved by `off`, at most 1e-5 * (1 + 1e-5 + 3e-5) past
# the largest p; just past it (1.1 x) every entry is refused, at 0.9e-5 every entry is within
# atol alone (float32 graph against graph: ~1e-7 besides).
@pytest.fixture(scope='module')
def tiny_sentiment(tmp_path_factory):
    from model_helpers import TestConfig, prepared
    from sentiment_rnn import SentimentRNN
    word_to_int, (X_train, y_train, X_test, y_test) = prepared(40)  # 20 reviews: one batch of 20
    rnn = build_quietly(SentimentRNN, max(word_to_int.values()) + 1,
                               model_dir=str(tmp_path_factory.mktemp('tiny_sentiment')),
                               **TestConfig.sentiment)
    rnn.train(X_train, y_train, num_epochs=1)
    return rnn, X_test[:3], y_test[:3]


@pytest.mark.parametrize('sign, refused', [(1, True), (-1, True), (1, False), (-1, False)])
def test_lstm_gradient_norms_refuses_probabilities_just_past_1e_5(monkeypatch, tiny_sentiment, sign, refused):
    rnn, X, y = tiny_sentiment
    proba = theory.lstm_gradient_norms(rnn, X, y)['proba']  # first unmoved: the graph's probabilities
    off = 1.1 * (1e-5 + 1e-5 * (proba.max() + 3e-5)) if refused else 0.9e-5
    real = rnn.predict
    monkeypatch.setattr(rnn, 'predict', lambda *args, **kwargs: np.asarray(real(*args, **kwargs)) + sign * off)
    if refused:
        with pytest.raises(AssertionError, match='the unrolled LSTM differs from the SentimentRNN'):
            theory.lstm_gradient_norms(rnn, X, y)
    else:
        assert theory.lstm_gradient_norms(rnn, X, y)['proba'] == pytest.approx(proba, abs=1e-7)


# lstm_gates_on_line on a line of one character: one step, so a moved c(t) is carried nowhere.
# Its guard on (c, h): max |numpy - TF| < 1e-5; numpy's c moved by 1.1e-5 is refused, by 0.9e-5
# accepted (float32 TF against float64 numpy: ~1e-7 besides, a tenth of the 1e-6 margins).
@pytest.mark.parametrize('off, refused', [(1.1e-5, True), (-1.1e-5, True), (0.9e-5, False), (-0.9e-5, False)])
def test_lstm_gates_guard_refuses_a_cell_state_just_past_1e_5(monkeypatch, off, refused):
    from model_helpers import SHIPPED
    real = theory.lstm_step

    def moved(*args, **kwargs):
        step = real(*args, **kwargs)
        return dict(step, c=step['c'] + off)  # c only: the probabilities come from h
    monkeypatch.setattr(theory, 'lstm_step', moved)
    if refused:
        with pytest.raises(AssertionError, match='the gate equations differ from the TF graph'):
            theory.lstm_gates_on_line(SHIPPED, 'T')
    else:
        assert theory.lstm_gates_on_line(SHIPPED, 'T')['max_diff'] == pytest.approx(abs(off), abs=1e-6)


# Its guard on the probabilities: allclose(numpy's, TF's, atol=1e-5), rtol 1e-5: an entry's
# tolerance 1e-5 + 1e-5 * |TF's p|. TF's side (the sampler's step) with its largest p moved by
# 1.1 x that p's tolerance is refused (so is a larger atol or rtol); every p moved by 0.9e-5,
# within atol alone, is accepted.
@pytest.mark.parametrize('refused', [True, False])
def test_lstm_gates_guard_refuses_probabilities_just_past_their_tolerance(monkeypatch, refused):
    from beyond_slides.predicting import CharSampler
    from model_helpers import SHIPPED
    proba = theory.lstm_gates_on_line(SHIPPED, 'T')['proba'][0]  # first unmoved: the step's probabilities
    off = np.full_like(proba, 0.9e-5)
    if refused:
        off[:] = 0
        off[proba.argmax()] = 1.1 * (1e-5 + 1e-5 * (proba.max() + 1.1 * 2e-5))
    real = CharSampler.step
    monkeypatch.setattr(CharSampler, 'step', lambda self, ch: real(self, ch) + off)
    if refused:
        with pytest.raises(AssertionError, match='the probabilities differ from the TF graph'):
            theory.lstm_gates_on_line(SHIPPED, 'T')
    else:
        assert theory.lstm_gates_on_line(SHIPPED, 'T')['proba'][0] == pytest.approx(proba, abs=1e-7)
