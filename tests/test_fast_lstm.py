"""fast_lstm.dynamic_rnn against tf.nn.dynamic_rnn: the same variables, outputs, final
state and gradients (of the inputs, every variable and the initial state)."""
import numpy as np
import pytest

from beyond_slides import fast_lstm
from conftest import start_from
from beyond_slides.tf_setup import tf


def build(dynamic_rnn, n_steps, num_layers, lookup=False):
    """A loss on dynamic_rnn's outputs and final state, and its gradients. With lookup, the
    inputs are an embedding lookup (as in SentimentRNN), x the ids, and the first gradient
    the embedding's (made dense)."""
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(7)
        if lookup:
            x = tf.placeholder(tf.int32, (3, n_steps))
            embedding = tf.Variable(tf.random_uniform((6, 5), minval=-1, maxval=1), name='embedding')
            inputs = tf.nn.embedding_lookup(embedding, x, name='embeded_x')
        else:
            x = inputs = tf.placeholder(tf.float32, (3, n_steps, 5))
        cells = tf.nn.rnn_cell.MultiRNNCell(
            [tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(4), output_keep_prob=1.0)
             for _ in range(num_layers)])
        zero = cells.zero_state(3, tf.float32)
        initial = tuple(tf.nn.rnn_cell.LSTMStateTuple(s.c + 0.1, s.h - 0.2) for s in zero)
        outputs, final = dynamic_rnn(cells, inputs, initial_state=initial)
        # A loss that uses every step's output and the whole final state, with uneven weights.
        weights = tf.constant(np.random.RandomState(0).randn(n_steps, 4), tf.float32)
        loss = tf.reduce_sum(tf.sin(outputs) * weights) + sum(
            tf.reduce_sum(tf.square(s.c)) - tf.reduce_sum(s.h) for s in final)
        variables = [v for v in tf.trainable_variables() if v.op.name != 'embedding']
        grads = tf.gradients(loss, [embedding if lookup else x] + variables + list(tf.nest.flatten(initial)))
        grads = [tf.convert_to_tensor(grad) for grad in grads]  # the embedding's IndexedSlices, dense
        init = tf.global_variables_initializer()
    return g, x, [loss, outputs] + list(tf.nest.flatten(final)) + grads, [v.op.name for v in variables], init


@pytest.mark.parametrize('n_steps, num_layers, lookup', [
    (1, 1, False), (10, 1, False), (23, 2, False), (1, 1, True), (23, 2, True)])
@pytest.mark.parametrize('chunk_steps', [fast_lstm.CHUNK_STEPS, 4])  # one loop, and several
def test_same_outputs_state_and_gradients(n_steps, num_layers, lookup, chunk_steps, monkeypatch):
    monkeypatch.setattr(fast_lstm, 'CHUNK_STEPS', chunk_steps)
    rng = np.random.RandomState(1)
    if lookup:  # ids 0-5 over 3 * n_steps positions: repeated words, some words unused
        x_value = rng.choice([0, 0, 0, 1, 2, 2, 4], size=(3, n_steps))
    else:
        x_value = rng.randn(3, n_steps, 5).astype(np.float32)
    results, weights = [], None
    for dynamic_rnn in (tf.nn.dynamic_rnn, fast_lstm.dynamic_rnn):
        g, x, fetches, names, init = build(dynamic_rnn, n_steps, num_layers, lookup)
        # The fast graph takes the distinct-words path exactly when the inputs are a lookup.
        uses_distinct_words = any(op.type == 'Unique' for op in g.get_operations())
        assert uses_distinct_words == (lookup and dynamic_rnn is fast_lstm.dynamic_rnn)
        with tf.Session(graph=g) as sess:
            sess.run(init)
            weights = start_from(g, sess, weights)  # the slides' graph's initial weights, for both
            results.append((names, sess.run(fetches, {x: x_value})))
    (names_slides, slides), (names_fast, fast) = results
    assert names_fast == names_slides  # the same variables, so checkpoints load either way
    assert len(fast) == len(slides)
    for i, (a, b) in enumerate(zip(slides, fast)):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6, err_msg='fetch %d' % i)
