"""Pitfalls of the lecture's code, measured on the lecture's own models (not on the slides).

Each function computes one pitfall's effect; the notebook prints the numbers.

- labels_changed_by_carried_state: the slides' predict() carries the LSTM state from one batch
  of reviews to the next, although the reviews are independent: a review's label can depend on
  the reviews that happen to precede it.
- words_only_in_test_half (and embedding_rows_never_trained): the slides count the words of all
  50,000 reviews, test half included; the words that occur only in the test half get an
  embedding row that no training step ever touches, so the model reads them as the random
  vectors they were initialized with.
- padding_effect: the slides left-pad a short review with id 0 and do not mask the padding, so
  the LSTM runs through every padding step and its state is no longer the zero state when the
  review's first word arrives: the answer depends on how much padding came first. (Keras's
  mask_zero skips the padding steps; in TensorFlow 1.x, right padding with tf.nn.dynamic_rnn's
  sequence_length and the output read from the final state would.)
- adam_first_step_is_scale_free, clipping_under_adam: what clipping by the global norm does,
  and does not do, when the optimizer is Adam (the CharRNN clips, then applies Adam).
"""
import contextlib
import io

import numpy as np

import data_utils
from beyond_slides.tf_setup import tf


# ---------------------------------------------------------------------------
# The state carried from batch to batch in predict()
# ---------------------------------------------------------------------------

def labels_changed_by_carried_state(rnn, X):
    """(n_changed, n_rows): how many labels of rnn.predict(X), which carries the LSTM state from
    one batch of independent reviews to the next as the slides do, differ from the labels of
    the same batches each predicted from the zero state. Over the whole batches of X (n_rows),
    the rows the slides' predict() answers."""
    n_rows = len(X) // rnn.batch_size * rnn.batch_size
    if n_rows == 0:
        raise ValueError('X has %d rows, fewer than one batch of %d' % (len(X), rnn.batch_size))
    carried = np.asarray(rnn.predict(X)).reshape(-1)          # (n_rows,) the slides' way
    fresh = labels_from_zero_state(rnn, X[:n_rows])           # (n_rows,) each batch from zeros
    assert carried.shape == fresh.shape == (n_rows,)
    return int(np.sum(carried != fresh)), n_rows


def labels_from_zero_state(rnn, X):
    """The labels of X (whole batches only) with every batch started from the zero state: as
    the slides' predict(), but the state is not carried over. One session, one restore."""
    labels = []
    with tf.Session(graph=rnn.g) as sess:
        rnn.saver.restore(sess, tf.train.latest_checkpoint(rnn.model_dir))
        zero_state = sess.run(rnn.initial_state)  # cells.zero_state: all zeros
        for batch_x in np.split(X, len(X) // rnn.batch_size):   # (batch_size, seq_len) each
            labels.append(np.atleast_1d(sess.run('labels:0', {'tf_x:0': batch_x, 'tf_keepprob:0': 1.0,
                                                               rnn.initial_state: zero_state})))
    return np.concatenate(labels)


# ---------------------------------------------------------------------------
# The vocabulary counted over all reviews, test half included
# ---------------------------------------------------------------------------

def words_only_in_test_half(word_to_int, mapped_reviews, n_train):
    """The set of word ids that occur only in the reviews after the first n_train (the test
    half): the slides build word_to_int over all reviews, so these words have ids, and embedding
    rows that no training batch ever looks up."""
    train_ids = ids_in(mapped_reviews[:n_train])
    test_ids = ids_in(mapped_reviews[n_train:])
    unknown = test_ids - set(word_to_int.values())
    if unknown:  # the reviews were mapped with another vocabulary: the answer would mean nothing
        raise ValueError('%d word ids of the reviews are not in word_to_int, e.g. %d'
                         % (len(unknown), min(unknown)))
    return test_ids - train_ids


def ids_in(mapped_reviews):
    """The set of word ids in a list of reviews (each a list of ids), as Python ints."""
    found = set()
    for review in mapped_reviews:
        found.update(int(i) for i in review)
    return found


def untrained_words_summary(word_to_int, mapped_reviews, n_train, n_examples=10):
    """What words_only_in_test_half means for the test half, for the notebook: {'n_ids': how
    many such ids, 'n_reviews': how many test reviews hold at least one, 'n_test': the test
    reviews, 'examples': up to n_examples of those words, the commonest first (lowest ids)}."""
    only_test = words_only_in_test_half(word_to_int, mapped_reviews, n_train)
    test_reviews = mapped_reviews[n_train:]
    n_reviews = sum(1 for review in test_reviews if only_test.intersection(review))
    int_to_word = {i: w for w, i in word_to_int.items()}
    return {'n_ids': len(only_test), 'n_reviews': n_reviews, 'n_test': len(test_reviews),
            'examples': [int_to_word[i] for i in sorted(only_test)[:n_examples]]}


def embedding_rows_never_trained(rnn, ids):
    """(n_unchanged, n): of the embedding rows of ids, how many hold after training exactly the
    random values the model was initialized with. A row moves only when a training batch looks it
    up (its gradient is zero otherwise, and so are its Adam moments), so for the ids of
    words_only_in_test_half(..., n_train) with n_train the reviews rnn was trained on, n_unchanged
    == n. The initial values come from running the model's own initializer again: the graph's
    seed (set_random_seed(123)) makes it draw the same numbers."""
    ids = np.array(sorted(ids), dtype=np.int64)
    if ids.size == 0:
        return 0, 0
    with rnn.g.as_default():
        embedding = [v for v in tf.global_variables() if v.op.name == 'embedding'][0]
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        initial = sess.run(embedding)[ids]            # (n, embed_size)
        rnn.saver.restore(sess, tf.train.latest_checkpoint(rnn.model_dir))
        trained = sess.run(embedding)[ids]            # (n, embed_size)
    return int(np.sum(np.all(initial == trained, axis=1))), len(ids)


# ---------------------------------------------------------------------------
# Padding without a mask
# ---------------------------------------------------------------------------

def padding_effect(rnn, review_ids):
    """(p_padded, p_unpadded): the probability rnn gives a short review as the slides feed it
    (left-padded with id 0 to seq_len, every padding step run through the LSTM), and the
    probability the same trained weights give the same words with no padding at all.

    The second comes from a SentimentRNN of the same hyperparameters built for seq_len =
    len(review_ids) and a batch of 2 rows (the review twice: build()'s tf.squeeze of the logits
    cannot build a batch of 1), with model_dir=rnn.model_dir: its predict() restores the same
    checkpoint (no variable's shape depends on seq_len or the batch size) and only reads that
    folder. Both start from the zero state."""
    ids = [int(i) for i in review_ids]
    if not 0 < len(ids) <= rnn.seq_len:
        raise ValueError('a review of %d words: give 1 to seq_len=%d word ids' % (len(ids), rnn.seq_len))
    padded = data_utils.make_sequences([ids], rnn.seq_len)      # (1, seq_len), zeros on the left
    batch = np.repeat(padded, rnn.batch_size, axis=0)            # (batch_size, seq_len): one batch
    p_padded = np.atleast_1d(rnn.predict(batch, return_proba=True))[0]  # first batch: zero state
    unpadded = twin_of(rnn, seq_len=len(ids), batch_size=2)
    p_unpadded = unpadded.predict(np.array([ids, ids]), return_proba=True)[0]  # (2,): the same twice
    return float(p_padded), float(p_unpadded)


def twin_of(rnn, seq_len, batch_size):
    """A SentimentRNN of rnn's own class (the lecture file's, or a notebook's), with its
    hyperparameters and model folder, built for another seq_len and batch size (its build() prints
    its tensors; they are not shown)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return type(rnn)(n_words=rnn.n_words, seq_len=seq_len, lstm_size=rnn.lstm_size,
                            num_layers=rnn.num_layers, batch_size=batch_size,
                            learning_rate=rnn.learning_rate, embed_size=rnn.embed_size,
                            model_dir=rnn.model_dir, fast=rnn.fast)


# ---------------------------------------------------------------------------
# Gradient clipping under Adam
# ---------------------------------------------------------------------------
# TensorFlow 1.x's AdamOptimizer (Kingma & Ba's algorithm with the epsilon of their section 2's
# efficient form): at step t = 1, 2, ...
#   m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2,   lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
#   step = -lr_t m / (sqrt(v) + eps)      (= -lr m_hat / (sqrt(v_hat) + eps'), eps' = eps / sqrt(1 - b2^t))
# SGD's step is -lr g. Clipping by the global norm replaces g by g * min(1, clip / ||g||).

def adam_steps(gradients, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """The parameter changes (n, d) of tf.train.AdamOptimizer given the gradients (n, d), in numpy."""
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


def sgd_steps(gradients, learning_rate):
    """The parameter changes (n, d) of plain gradient descent: -lr g."""
    return -learning_rate * np.asarray(gradients, np.float64)


def clipped(gradients, clip_norm):
    """Each gradient (a row of (n, d)) scaled by min(1, clip_norm / its norm): tf.clip_by_global_norm
    of a one-tensor list."""
    gradients = np.asarray(gradients, np.float64)
    norms = np.linalg.norm(gradients, axis=1, keepdims=True)   # (n, 1)
    return gradients * clip_norm / np.maximum(norms, clip_norm)


def tf_optimizer_steps(optimizer_name, gradients, learning_rate, clip_norm=None):
    """The parameter changes (n, d) that TensorFlow's own optimizer ('adam': tf.train.AdamOptimizer
    with its defaults, 'sgd': tf.train.GradientDescentOptimizer) makes when fed these gradients
    one step at a time, clipped first by tf.clip_by_global_norm when clip_norm is given."""
    gradients = np.asarray(gradients, np.float32)
    graph = tf.Graph()
    with graph.as_default():
        var = tf.Variable(np.zeros(gradients.shape[1], np.float32), name='var')   # (d,)
        grad = tf.placeholder(tf.float32, gradients.shape[1:], name='grad')       # (d,)
        if clip_norm is not None:
            (grad,), _ = tf.clip_by_global_norm([grad], clip_norm)
        if optimizer_name == 'adam':
            optimizer = tf.train.AdamOptimizer(learning_rate)
        else:
            optimizer = tf.train.GradientDescentOptimizer(learning_rate)
        train_op = optimizer.apply_gradients([(grad, var)])
        init_op = tf.global_variables_initializer()
    steps = []
    with tf.Session(graph=graph) as sess:
        sess.run(init_op)
        before = sess.run(var)
        for g in gradients:
            sess.run(train_op, {'grad:0': g})
            after = sess.run(var)
            steps.append(after.astype(np.float64) - before)
            before = after
    return np.array(steps)


def assert_steps_match_tensorflow(optimizer_name, gradients, learning_rate, clip_norm, steps):
    """steps (n, d), computed in numpy, are those of TensorFlow's own optimizer (float32 ulps aside)."""
    expected = tf_optimizer_steps(optimizer_name, gradients, learning_rate, clip_norm)
    scale = np.abs(expected).max() + 1e-30
    assert np.allclose(steps, expected, rtol=1e-3, atol=1e-4 * scale), \
        '%s steps differ from TensorFlow: %s' % (optimizer_name, np.abs(steps - expected).max())


def adam_first_step_is_scale_free(gradient, scale, learning_rate=0.001):
    """The first step of Adam and of SGD for a gradient g and for scale * g (what clipping by a
    factor does to it), from a fresh optimizer, each asserted against TensorFlow's own optimizer.

    Adam's first step is -lr g / (|g| + eps / sqrt(1 - b2)) per coordinate: -lr sign(g) wherever
    |g| >> 3e-7, whatever the gradient's size; so multiplying the gradient by `scale` leaves it
    (nearly) unchanged, while SGD's step -lr g shrinks by `scale`. Returns {'adam', 'adam_scaled',
    'sgd', 'sgd_scaled': the steps (d,), 'adam_ratio', 'sgd_ratio': norm of the scaled
    gradient's step over the unscaled one's}."""
    gradient = np.asarray(gradient, np.float64).reshape(1, -1)           # one step (1, d)
    out = {}
    for name, g in (('', gradient), ('_scaled', scale * gradient)):
        for optimizer, steps in (('adam', adam_steps(g, learning_rate)), ('sgd', sgd_steps(g, learning_rate))):
            assert_steps_match_tensorflow(optimizer, g, learning_rate, None, steps)
            out[optimizer + name] = steps[0]
    for optimizer in ('adam', 'sgd'):
        out[optimizer + '_ratio'] = float(np.linalg.norm(out[optimizer + '_scaled'])
                                          / np.linalg.norm(out[optimizer]))
    return out


def spiky_gradients(n_steps, dim, spike_at, spike_scale, seed):
    """A stream of gradients (n_steps, dim): standard normal noise (norm about sqrt(dim)), and at
    step spike_at one gradient spike_scale times larger: a stand-in for one exploding batch."""
    gradients = np.random.RandomState(seed).normal(size=(n_steps, dim))
    gradients[spike_at] *= spike_scale
    return gradients


def clipping_under_adam(n_steps=300, dim=10, spike_at=100, spike_scale=1000.0, clip_norm=5.0,
                        learning_rate=0.001, seed=0, after=(40, 140)):
    """What clipping one huge gradient by the global norm changes, under SGD and under Adam, on
    spiky_gradients(): every step asserted against TensorFlow's own optimizers and
    tf.clip_by_global_norm.

    Returns {'step_norms': {'sgd'|'adam' + ''|'_clipped': the norm of each step (n_steps,)},
    'spike': {'sgd', 'adam': the norm of the step at the spike unclipped over clipped},
    'spike_at', 'spike_scale': as given, 'dim', 'n_steps': the synthetic gradients' size
    (parameters) and length (steps), read from them,
    'after': {'sgd', 'adam': the mean step norm over the steps spike_at + after[0] to
    spike_at + after[1] unclipped over clipped}, 'clip_factor': the spike's norm over clip_norm,
    'n_clipped': how many gradients the clipping changed}.

    What the numbers show (seed 0, the defaults: a spike 449 times the clipping threshold): under
    SGD clipping divides the spike's step by that factor, 449, and changes no other step. Under
    Adam it divides the spike's step by only about 5 (Adam divides by sqrt(v), which the spike
    itself inflates), and it changes the steps that follow: unclipped, the spike's share of m
    decays by b1 per step (a memory of about 1/(1 - b1) = 10 steps: the next few dozen updates
    keep moving along the spike), its share of v by b2 (about 1/(1 - b2) = 1000 steps), so steps
    40 to 140 after the spike are about 11 times smaller than with clipping. Under Adam, clipping
    protects the moment estimates more than it limits the step."""
    gradients = spiky_gradients(n_steps, dim, spike_at, spike_scale, seed)     # (n_steps, dim)
    steps = {}
    for optimizer, run in (('sgd', sgd_steps), ('adam', adam_steps)):
        for suffix, clip in (('', None), ('_clipped', clip_norm)):
            fed = gradients if clip is None else clipped(gradients, clip)
            steps[optimizer + suffix] = run(fed, learning_rate)                  # (n_steps, dim)
            assert_steps_match_tensorflow(optimizer, gradients, learning_rate, clip, steps[optimizer + suffix])
    norms = {name: np.linalg.norm(s, axis=1) for name, s in steps.items()}      # (n_steps,) each
    window = slice(spike_at + after[0], spike_at + after[1])
    return {'step_norms': norms,
            'spike': {o: float(norms[o][spike_at] / norms[o + '_clipped'][spike_at]) for o in ('sgd', 'adam')},
            'after': {o: float(norms[o][window].mean() / norms[o + '_clipped'][window].mean())
                      for o in ('sgd', 'adam')},
            'clip_factor': float(np.linalg.norm(gradients[spike_at]) / clip_norm),
            'spike_at': spike_at, 'spike_scale': spike_scale,
            'dim': gradients.shape[1], 'n_steps': gradients.shape[0],
            'n_clipped': int(np.sum(np.linalg.norm(gradients, axis=1) > clip_norm))}
