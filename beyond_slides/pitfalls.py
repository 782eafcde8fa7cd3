"""Pitfalls of the lecture's code, measured on the lecture's own models (not on the slides); the
notebook prints the numbers. Each section is one pitfall; its functions' docstrings say why it bites."""
import numpy as np

import data_utils
from beyond_slides import settings
from beyond_slides.predicting import build_quietly, predict_every_row
from beyond_slides.tf_setup import tf


# --- The state carried from batch to batch in predict() ----------------------------------------
def labels_changed_by_carried_state(rnn, X):
    """(n_changed, n_rows): how many labels of rnn.predict(X), which carries the LSTM state from one batch
    of independent reviews to the next as the slides do, differ from those of the same batches each from
    the zero state; over the whole batches of X (n_rows), the rows the slides' predict() answers."""
    n_rows = len(X) // rnn.batch_size * rnn.batch_size
    if n_rows == 0:
        raise ValueError('X has %d rows, fewer than one batch of %d' % (len(X), rnn.batch_size))
    carried = np.asarray(rnn.predict(X)).reshape(-1)                              # (n_rows,)
    fresh = predict_every_row(rnn, X[:n_rows], from_zero_state=True)              # (n_rows,)
    assert carried.shape == fresh.shape == (n_rows,)
    return int(np.sum(carried != fresh)), n_rows


# --- The vocabulary counted over all reviews, test half included -------------------------------
def words_only_in_test_half(word_to_int, mapped_reviews, n_train):
    """The word ids only in the reviews after the first n_train (the test half): the slides count the
    words of all reviews, so these have ids, and embedding rows that no training batch looks up."""
    train_ids = {int(i) for review in mapped_reviews[:n_train] for i in review}
    test_ids = {int(i) for review in mapped_reviews[n_train:] for i in review}
    unknown = test_ids - set(word_to_int.values())
    if unknown:  # the reviews were mapped with another vocabulary: the answer would mean nothing
        raise ValueError('%d word ids of the reviews are not in word_to_int, e.g. %d' % (len(unknown), min(unknown)))
    return test_ids - train_ids


def untrained_words_summary(word_to_int, mapped_reviews, n_train, n_examples=10):
    """How many words_only_in_test_half, how many test reviews hold one, n_examples of them (commonest first)."""
    only_test = words_only_in_test_half(word_to_int, mapped_reviews, n_train)
    test_reviews = mapped_reviews[n_train:]
    n_reviews = sum(1 for review in test_reviews if only_test.intersection(review))
    int_to_word = {i: w for w, i in word_to_int.items()}
    return {'n_ids': len(only_test), 'n_reviews': n_reviews, 'n_test': len(test_reviews),
            'examples': [int_to_word[i] for i in sorted(only_test)[:n_examples]]}


# --- Padding without a mask ---------------------------------------------------------------------
def padding_effect(rnn, review_ids):
    """(p_padded, p_unpadded) from the zero state: rnn's probability of a short review left-padded with id 0 to
    seq_len as the slides feed it (unmasked: the state is no longer zero at its first word; Keras's mask_zero,
    or TF 1.x's right padding with sequence_length, would skip it), and that of its words unpadded, from a twin
    built for seq_len = len(review_ids) (no variable's shape depends on it: the twin restores rnn's checkpoint)."""
    ids = [int(i) for i in review_ids]
    if not 0 < len(ids) <= rnn.seq_len:
        raise ValueError('a review of %d words: give 1 to seq_len=%d word ids' % (len(ids), rnn.seq_len))
    padded = data_utils.make_sequences([ids], rnn.seq_len)      # (1, seq_len), zeros on the left
    batch = np.repeat(padded, rnn.batch_size, axis=0)            # (batch_size, seq_len): one batch
    p_padded = np.atleast_1d(rnn.predict(batch, return_proba=True))[0]  # first batch: zero state
    hparams = dict(settings.SENTIMENT.hparams_of(rnn), seq_len=len(ids), batch_size=2)
    unpadded = build_quietly(type(rnn), n_words=rnn.n_words, model_dir=rnn.model_dir, fast=rnn.fast, **hparams)
    # the review twice: build()'s tf.squeeze cannot build a batch of 1
    p_unpadded = unpadded.predict(np.array([ids, ids]), return_proba=True)[0]
    return float(p_padded), float(p_unpadded)


# --- Gradient clipping under Adam ---------------------------------------------------------------
def adam_steps(gradients, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """The parameter changes (n, d) of tf.train.AdamOptimizer given the gradients (n, d), in numpy:
    Kingma & Ba's algorithm with the epsilon of their section 2's efficient form, -lr_t m / (sqrt(v)
    + eps) = -lr m_hat / (sqrt(v_hat) + eps / sqrt(1 - b2^t))."""
    gradients = np.asarray(gradients, np.float64)      # (n, d)
    m = np.zeros(gradients.shape[1])                    # (d,)
    v = np.zeros(gradients.shape[1])                    # (d,)
    steps = []
    for t, g in enumerate(gradients, 1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        lr_t = learning_rate * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        steps.append(-lr_t * m / (np.sqrt(v) + epsilon))
    return np.array(steps)


def clipped(gradients, clip_norm):
    """Each row of gradients (n, d) scaled by min(1, clip_norm / its norm): tf.clip_by_global_norm of one tensor."""
    gradients = np.asarray(gradients, np.float64)
    norms = np.linalg.norm(gradients, axis=1, keepdims=True)   # (n, 1)
    return gradients * clip_norm / np.maximum(norms, clip_norm)


def tf_optimizer_steps(optimizer_name, gradients, learning_rate, clip_norm=None):
    """The parameter changes (n, d) of TensorFlow's own optimizer ('adam' with its defaults, or 'sgd')
    fed these gradients one step at a time, clipped first by tf.clip_by_global_norm if clip_norm."""
    gradients = np.asarray(gradients, np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        var = tf.Variable(np.zeros(gradients.shape[1], np.float32), name='var')   # (d,)
        grad = tf.placeholder(tf.float32, gradients.shape[1:], name='grad')       # (d,)
        if clip_norm is not None:
            (grad,), _ = tf.clip_by_global_norm([grad], clip_norm)
        optimizer = (tf.train.AdamOptimizer if optimizer_name == 'adam' else tf.train.GradientDescentOptimizer)
        train_op = optimizer(learning_rate).apply_gradients([(grad, var)])
        sess.run(tf.global_variables_initializer())
        values = [sess.run(var)]
        for g in gradients:
            sess.run(train_op, {'grad:0': g})
            values.append(sess.run(var))   # a read in the same run as train_op may come before the update
    return np.diff(np.array(values, np.float64), axis=0)


def assert_steps_match_tensorflow(optimizer_name, gradients, learning_rate, clip_norm, steps):
    """steps (n, d), computed in numpy, are those of TensorFlow's own optimizer (float32 ulps aside)."""
    expected = tf_optimizer_steps(optimizer_name, gradients, learning_rate, clip_norm)
    scale = np.abs(expected).max() + 1e-30
    assert np.allclose(steps, expected, rtol=1e-3, atol=1e-4 * scale), \
        '%s steps differ from TensorFlow: %s' % (optimizer_name, np.abs(steps - expected).max())


def checked_steps(optimizer_name, gradients, learning_rate, clip_norm=None):
    """The numpy steps (n, d) of 'adam' or 'sgd' fed the gradients, clipped if clip_norm, asserted against TF's."""
    fed = np.asarray(gradients if clip_norm is None else clipped(gradients, clip_norm), np.float64)
    steps = adam_steps(fed, learning_rate) if optimizer_name == 'adam' else -learning_rate * fed  # SGD: -lr g
    assert_steps_match_tensorflow(optimizer_name, gradients, learning_rate, clip_norm, steps)
    return steps


def adam_first_step_is_scale_free(gradient, scale, learning_rate=0.001):
    """The first step (d,) of a fresh Adam and SGD for a gradient g and for scale * g (what clipping does), and
    the ratio of their norms. Adam's is -lr g / (|g| + eps / sqrt(1 - b2)): -lr sign(g) wherever |g| >> 3e-7,
    whatever the gradient's size, while SGD's -lr g shrinks by `scale`."""
    gradient = np.asarray(gradient, np.float64).reshape(1, -1)           # one step (1, d)
    out = {optimizer + name: checked_steps(optimizer, g, learning_rate)[0]
           for name, g in (('', gradient), ('_scaled', scale * gradient)) for optimizer in ('adam', 'sgd')}
    for optimizer in ('adam', 'sgd'):
        out[optimizer + '_ratio'] = float(np.linalg.norm(out[optimizer + '_scaled']) / np.linalg.norm(out[optimizer]))
    return out


def clipping_under_adam(n_steps=300, dim=10, spike_at=100, spike_scale=1000.0, clip_norm=5.0,
                        learning_rate=0.001, seed=0, after=(40, 140)):
    """What clipping one huge gradient by the global norm changes under SGD and under Adam (the CharRNN
    clips, then applies Adam), on synthetic gradients (n_steps, dim) of Gaussian noise with step
    spike_at's spike_scale times larger (one exploding batch). 'spike', 'after': the step norm unclipped
    over clipped at the spike, and over the steps spike_at + after[0] to + after[1]. Why they differ under
    Adam: unclipped, the spike's share of m decays by b1 per step (about 10 steps), of v by b2 (about 1000)."""
    gradients = np.random.RandomState(seed).normal(size=(n_steps, dim))   # norm about sqrt(dim)
    gradients[spike_at] *= spike_scale
    norms = {optimizer + suffix: np.linalg.norm(checked_steps(optimizer, gradients, learning_rate, clip), axis=1)
             for optimizer in ('sgd', 'adam') for suffix, clip in (('', None), ('_clipped', clip_norm))}  # (n_steps,)
    window = slice(spike_at + after[0], spike_at + after[1])
    return {'step_norms': norms,
            'spike': {o: float(norms[o][spike_at] / norms[o + '_clipped'][spike_at]) for o in ('sgd', 'adam')},
            'after': {o: float(norms[o][window].mean() / norms[o + '_clipped'][window].mean())
                      for o in ('sgd', 'adam')},
            'clip_factor': float(np.linalg.norm(gradients[spike_at]) / clip_norm),
            'spike_at': spike_at, 'spike_scale': spike_scale, 'dim': dim, 'n_steps': n_steps,
            'n_clipped': int(np.sum(np.linalg.norm(gradients, axis=1) > clip_norm))}
