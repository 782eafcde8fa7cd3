"""beyond_slides/pitfalls.py: each pitfall's number against an expectation computed another way
(the lecture's own predict(), TensorFlow's own cells and optimizers, or worked by hand)."""
import math

import numpy as np
import pytest

from beyond_slides import pitfalls
from beyond_slides.tf_setup import tf
from conftest import shared
from model_helpers import TestConfig, prepared
from sentiment_rnn import SentimentRNN

SMALL = TestConfig.sentiment  # seq_len 12, lstm 16, batch 20, embed 8
EXTRA_IDS = 3  # embedding rows the tiny model has but no review uses


@pytest.fixture(scope=shared)
def tiny(tmp_path_factory):
    """A small SentimentRNN trained for 3 epochs on the synthetic reviews; its embedding has
    EXTRA_IDS rows that no review looks up. (model, word_to_int, X_test, y_test)."""
    word_to_int, (X_train, y_train, X_test, y_test) = prepared()
    model_dir = str(tmp_path_factory.mktemp('tiny-sentiment'))
    rnn = SentimentRNN(n_words=max(word_to_int.values()) + 1 + EXTRA_IDS, model_dir=model_dir, **SMALL)
    rnn.train(X_train, y_train, num_epochs=3)
    return rnn, word_to_int, X_test, y_test


# ---------------------------------------------------------------------------
# The state carried from batch to batch
# ---------------------------------------------------------------------------

def test_labels_changed_by_carried_state_counts_the_differences_to_one_predict_per_batch(tiny):
    rnn, _, X_test, _ = tiny
    carried = rnn.predict(X_test)  # the slides' predict: the state carried over 15 batches
    # Each predict() call starts from the zero state: one call per batch is the reference.
    fresh = np.concatenate([rnn.predict(X_test[i:i + rnn.batch_size])
                            for i in range(0, len(X_test) // rnn.batch_size * rnn.batch_size, rnn.batch_size)])
    expected = int(np.sum(carried != fresh))
    assert expected > 0, 'this data must show the pitfall, or the test could not fail'
    assert pitfalls.labels_changed_by_carried_state(rnn, X_test) == (expected, len(carried))


def test_labels_changed_by_carried_state_counts_whole_batches_only(tiny):
    rnn, _, X_test, _ = tiny
    n_changed, n_rows = pitfalls.labels_changed_by_carried_state(rnn, X_test[:2 * rnn.batch_size + 7])
    assert n_rows == 2 * rnn.batch_size and 0 <= n_changed <= n_rows
    with pytest.raises(ValueError):
        pitfalls.labels_changed_by_carried_state(rnn, X_test[:rnn.batch_size - 1])


def test_labels_changed_by_carried_state_takes_exactly_one_batch_and_refuses_one_row_less(tiny):
    """One whole batch is the least it can compare (20 rows); 19 make no batch of 20."""
    rnn, _, X_test, _ = tiny
    n_changed, n_rows = pitfalls.labels_changed_by_carried_state(rnn, X_test[:20])
    assert n_rows == 20 and 0 <= n_changed <= 20
    with pytest.raises(ValueError, match='^X has 19 rows, fewer than one batch of 20$'):
        pitfalls.labels_changed_by_carried_state(rnn, X_test[:19])


# ---------------------------------------------------------------------------
# The vocabulary counted over all reviews
# ---------------------------------------------------------------------------

WORDS = {'the': 1, 'film': 2, 'great': 3, 'awful': 4, 'plot': 5}


@pytest.mark.parametrize('n_train, expected', [
    (2, {3, 4}),      # 'great' and 'awful' first appear after the two training reviews
    (3, {4}),         # 'great' is in the third review, now a training review
    (1, {3, 4, 5}),   # 'plot' is only in the second review: the first is the only training one
    (5, set()),       # no test half
])
def test_words_only_in_test_half_by_hand(n_train, expected):
    reviews = [[1, 2, 1], [5, 2], [3, 1], [4, 4, 2, 3], [1]]
    assert pitfalls.words_only_in_test_half(WORDS, reviews, n_train) == expected


def test_words_only_in_test_half_refuses_reviews_of_another_vocabulary():
    with pytest.raises(ValueError):
        pitfalls.words_only_in_test_half(WORDS, [[1], [9]], 1)


def test_words_only_in_test_half_refuses_an_id_one_past_the_vocabulary_and_takes_its_last():
    """WORDS has ids 1 to 5: a test review with id 6 was mapped with another vocabulary; id 5 is
    WORDS' own 'plot'."""
    assert pitfalls.words_only_in_test_half(WORDS, [[1], [5]], 1) == {5}
    with pytest.raises(ValueError, match='^1 word ids of the reviews are not in word_to_int, e.g. 6$'):
        pitfalls.words_only_in_test_half(WORDS, [[1], [5, 6]], 1)


def test_untrained_words_summary_by_hand():
    reviews = [[1, 2, 1], [5, 2], [3, 1], [4, 4, 2, 3], [1]]
    summary = pitfalls.untrained_words_summary(WORDS, reviews, 2, n_examples=1)
    assert summary == {'n_ids': 2, 'n_reviews': 2, 'n_test': 3, 'examples': ['great']}


def embedding_rows_never_trained(rnn, ids):
    """(n_unchanged, n): of the embedding rows of ids, how many still hold their random initial values after
    training. The initializer run again draws the same numbers: the graph has a seed (set_random_seed(123))."""
    ids = np.array(sorted(ids), dtype=np.int64)
    embedding = rnn.g.get_tensor_by_name('embedding:0')
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        initial = sess.run(embedding)[ids]            # (n, embed_size)
        rnn.saver.restore(sess, tf.train.latest_checkpoint(rnn.model_dir))
        trained = sess.run(embedding)[ids]            # (n, embed_size)
    return int(np.sum(np.all(initial == trained, axis=1))), len(ids)


def test_embedding_rows_of_unseen_ids_never_move_and_seen_ones_do(tiny):
    """The notebook's pitfall: a word only in the test half keeps the random embedding row it started with."""
    rnn, word_to_int, _, _ = tiny
    unseen = range(rnn.n_words - EXTRA_IDS, rnn.n_words)  # ids no review holds
    assert embedding_rows_never_trained(rnn, unseen) == (EXTRA_IDS, EXTRA_IDS)
    seen = [word_to_int['great'], word_to_int['awful'], word_to_int['the']]  # in every training batch
    assert embedding_rows_never_trained(rnn, seen) == (0, 3)


# ---------------------------------------------------------------------------
# Padding without a mask
# ---------------------------------------------------------------------------

def reference_probability(model_dir, ids):
    """The probability of one review of word ids (any length, no padding added), from TensorFlow's
    own tf.nn.dynamic_rnn and BasicLSTMCell with the checkpoint's weights, from the zero state."""
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(model_dir))
    prefix = 'rnn/multi_rnn_cell/cell_0/basic_lstm_cell/'
    kernel = reader.get_tensor(prefix + 'kernel')
    graph = tf.Graph()
    with graph.as_default():
        inputs = tf.constant(reader.get_tensor('embedding')[np.array([ids])])      # (1, T, E)
        cell = tf.nn.rnn_cell.BasicLSTMCell(kernel.shape[1] // 4)
        outputs, _ = tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)
        logit = tf.matmul(outputs[:, -1], reader.get_tensor('logits/kernel')) + reader.get_tensor('logits/bias')
        variables = {v.op.name: v for v in tf.global_variables()}
        with tf.Session() as sess:
            variables['rnn/basic_lstm_cell/kernel'].load(kernel, sess)
            variables['rnn/basic_lstm_cell/bias'].load(reader.get_tensor(prefix + 'bias'), sess)
            return float(sess.run(tf.sigmoid(logit))[0, 0])


def test_padding_effect_equals_tensorflows_cells_with_and_without_the_padding(tiny):
    rnn, word_to_int, _, _ = tiny
    ids = [word_to_int[w] for w in ('the', 'plot', 'was', 'great')]
    p_padded, p_unpadded = pitfalls.padding_effect(rnn, ids)
    expected_padded = reference_probability(rnn.model_dir, [0] * (rnn.seq_len - len(ids)) + ids)
    expected_unpadded = reference_probability(rnn.model_dir, ids)
    assert abs(expected_padded - expected_unpadded) > 1e-4, 'the padding must matter here'
    assert p_padded == pytest.approx(expected_padded, abs=1e-5)
    assert p_unpadded == pytest.approx(expected_unpadded, abs=1e-5)


def test_padding_changes_nothing_when_the_padding_steps_keep_the_zero_state(tiny, tmp_path):
    """Worked by hand: with the embedding row 0 all zeros and a zero LSTM bias, a padding step from
    the zero state has all pre-activations 0, so g = tanh(0) = 0, c = f*0 + i*0 = 0, h = o*tanh(0)
    = 0: the state stays zero, and the padded review gets exactly the unpadded one's probability."""
    rnn, word_to_int, _, _ = tiny
    with rnn.g.as_default():
        variables = {v.op.name: v for v in tf.global_variables()}
    with tf.Session(graph=rnn.g) as sess:
        rnn.saver.restore(sess, tf.train.latest_checkpoint(rnn.model_dir))
        embedding = sess.run(variables['embedding'])
        embedding[0] = 0
        variables['embedding'].load(embedding, sess)
        bias = variables['rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias']
        bias.load(np.zeros(bias.shape.as_list(), np.float32), sess)
        rnn.saver.save(sess, str(tmp_path / 'zeroed.ckpt'))
    zeroed = SentimentRNN(n_words=rnn.n_words, model_dir=str(tmp_path), **SMALL)
    p_padded, p_unpadded = pitfalls.padding_effect(zeroed, [word_to_int['awful'], word_to_int['film']])
    assert p_padded == pytest.approx(p_unpadded, abs=1e-6)


def test_padding_effect_refuses_empty_and_too_long_reviews(tiny):
    rnn = tiny[0]
    for ids in ([], [1] * (rnn.seq_len + 1)):
        with pytest.raises(ValueError):
            pitfalls.padding_effect(rnn, ids)


# ---------------------------------------------------------------------------
# Gradient clipping under Adam
# ---------------------------------------------------------------------------

def test_adam_first_step_is_scale_free_by_hand():
    """Adam's first step, by hand: m = (1 - b1) g, v = (1 - b2) g^2, lr_t = lr sqrt(1 - b2) / (1 - b1),
    so the step is -lr_t m / (sqrt(v) + eps) = -lr g / (|g| + eps / sqrt(1 - b2)): -lr sign(g) for
    |g| >> 3e-7, for g and for g / 100 alike. SGD's is -lr g."""
    result = pitfalls.adam_first_step_is_scale_free([3.0, -0.5], 0.01, learning_rate=0.1)
    assert result['adam'] == pytest.approx([-0.1, 0.1], abs=1e-6)
    assert result['adam_scaled'] == pytest.approx([-0.1, 0.1], abs=1e-5)
    assert result['sgd'] == pytest.approx([-0.3, 0.05])
    assert result['sgd_scaled'] == pytest.approx([-0.003, 0.0005])
    assert result['adam_ratio'] == pytest.approx(1.0, abs=1e-4)
    assert result['sgd_ratio'] == pytest.approx(0.01)


def test_adam_steps_of_a_tiny_gradient_feel_epsilon_by_hand():
    """Where |g| is near eps / sqrt(1 - b2), eps matters: g = 1e-6, lr 1, first step
    -1e-6 / (1e-6 + 1e-8 / sqrt(0.001)) = -1 / (1 + 0.316228) = -0.759747."""
    assert pitfalls.adam_steps([[1e-6]], 1.0)[0, 0] == pytest.approx(-1 / (1 + 1e-8 / math.sqrt(0.001) / 1e-6))


def test_clipped_by_hand():
    assert pitfalls.clipped([[3.0, 4.0], [30.0, 40.0], [0.0, 0.0]], 5.0).tolist() == \
        [[3.0, 4.0], [3.0, 4.0], [0.0, 0.0]]


def test_tensorflows_clipped_sgd_step_by_hand():
    steps = pitfalls.tf_optimizer_steps('sgd', [[30.0, 40.0], [0.3, 0.4]], 1.0, clip_norm=5.0)
    assert steps == pytest.approx(np.array([[-3.0, -4.0], [-0.3, -0.4]]), abs=1e-6)


def test_clipping_under_adam():
    result = pitfalls.clipping_under_adam(n_steps=160, spike_at=50, after=(40, 100))
    # SGD's step is lr g: clipping shrinks the spike's step by exactly the clipping factor and
    # changes no other step (with seed 0 the spike is the only gradient above clip_norm).
    assert result['n_clipped'] == 1
    assert result['spike']['sgd'] == pytest.approx(result['clip_factor'], rel=1e-4)
    assert result['after']['sgd'] == pytest.approx(1.0)
    # Adam's step is bounded whatever the gradient: clipping shrinks the spike's step far less
    # than the factor, and the steps after it stay small for long without clipping.
    assert result['clip_factor'] > 100
    assert result['spike']['adam'] < result['clip_factor'] / 20
    assert result['after']['adam'] < 0.3
    assert set(result['step_norms']) == {'sgd', 'sgd_clipped', 'adam', 'adam_clipped'}
    assert all(len(v) == 160 for v in result['step_norms'].values())
