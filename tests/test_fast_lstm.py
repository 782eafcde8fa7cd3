"""fast_lstm.dynamic_rnn against tf.nn.dynamic_rnn: the same variables, outputs, final
state and gradients (of the inputs, every variable and the initial state)."""
import numpy as np
import pytest

from beyond_slides import fast_lstm
from model_helpers import start_from
from beyond_slides.tf_setup import tf


def slides_cell():
    return tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(4), output_keep_prob=1.0)


def build(dynamic_rnn, n_steps, num_layers, inputs_kind='steps', make_cell=slides_cell):
    """A loss on dynamic_rnn's outputs and final state, and its gradients. With 'lookup', the
    inputs are an embedding lookup (as in SentimentRNN), x the ids, and the first gradient
    the embedding's (made dense); with 'one_hot', one-hot rows of x (as in CharRNN), no gradient
    for x."""
    lookup = inputs_kind == 'lookup'
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(7)
        if lookup:
            x = tf.placeholder(tf.int32, (3, n_steps))
            embedding = tf.Variable(tf.random_uniform((6, 5), minval=-1, maxval=1), name='embedding')
            inputs = tf.nn.embedding_lookup(embedding, x, name='embeded_x')
        elif inputs_kind == 'one_hot':
            x = tf.placeholder(tf.int32, (3, n_steps))
            inputs = tf.one_hot(x, depth=5)
        else:
            x = inputs = tf.placeholder(tf.float32, (3, n_steps, 5))
        cells = tf.nn.rnn_cell.MultiRNNCell([make_cell() for _ in range(num_layers)])
        zero = cells.zero_state(3, tf.float32)
        # A different initial state for each row of the batch (rows go to different loops).
        rows = tf.constant([[0.1], [-0.3], [0.2]])
        initial = tf.nest.map_structure(lambda s: s + rows * tf.cast(tf.range(1, 5), tf.float32), zero)
        outputs, final = dynamic_rnn(cells, inputs, initial_state=initial)
        # A loss that uses every step's output and the whole final state, with uneven weights.
        weights = tf.constant(np.random.RandomState(0).randn(n_steps, 4), tf.float32)
        loss = tf.reduce_sum(tf.sin(outputs) * weights) + sum(
            tf.reduce_sum(tf.square(s) * k) for k, s in enumerate(tf.nest.flatten(final), 1))
        variables = [v for v in tf.trainable_variables() if v.op.name != 'embedding']
        wrt = [] if inputs_kind == 'one_hot' else [embedding if lookup else x]
        grads = tf.gradients(loss, wrt + variables + list(tf.nest.flatten(initial)))
        grads = [tf.convert_to_tensor(grad) for grad in grads]  # the embedding's IndexedSlices, dense
        init = tf.global_variables_initializer()
    return g, x, [loss, outputs] + list(tf.nest.flatten(final)) + grads, [v.op.name for v in variables], init


def bare_cell():
    return tf.nn.rnn_cell.BasicLSTMCell(4)


@pytest.mark.parametrize('n_steps, num_layers, inputs_kind, make_cell', [
    (1, 1, 'steps', slides_cell), (10, 1, 'steps', slides_cell), (23, 2, 'steps', slides_cell),
    (7, 2, 'steps', bare_cell), (1, 1, 'lookup', slides_cell), (23, 2, 'lookup', slides_cell),
    (1, 1, 'one_hot', slides_cell), (23, 2, 'one_hot', slides_cell)])
@pytest.mark.parametrize('batch_groups', [1, 2, 3])  # a batch of 3: one loop, 2 + 1 rows, 1 row each
def test_same_outputs_state_and_gradients(n_steps, num_layers, inputs_kind, make_cell, batch_groups,
                                          monkeypatch, capsys):
    monkeypatch.setattr(fast_lstm, 'BATCH_GROUPS', batch_groups)
    rng = np.random.RandomState(1)
    if inputs_kind == 'lookup':  # ids 0-5 over 3 * n_steps positions: repeated words, some words unused
        x_value = rng.choice([0, 0, 0, 1, 2, 2, 4], size=(3, n_steps))
    elif inputs_kind == 'one_hot':  # characters 0-4, some repeated, some unused
        x_value = rng.choice([0, 0, 1, 3, 3, 3], size=(3, n_steps))
    else:
        x_value = rng.randn(3, n_steps, 5).astype(np.float32)
    results, weights = [], None
    for dynamic_rnn in (tf.nn.dynamic_rnn, fast_lstm.dynamic_rnn):
        g, x, fetches, names, init = build(dynamic_rnn, n_steps, num_layers, inputs_kind, make_cell)
        fast = dynamic_rnn is fast_lstm.dynamic_rnn
        ops = g.get_operations()
        # The fast graph takes the distinct-words path exactly when the inputs are a lookup,
        # and leaves one-hot rows unused (it looks up kernel rows instead).
        assert any(op.type == 'Unique' for op in ops) == (fast and inputs_kind == 'lookup')
        assert any(op.type == 'OneHot' and not op.outputs[0].consumers() for op in ops) == (
            fast and inputs_kind == 'one_hot')
        if fast:  # a loop forward and one backward per layer and group of batch rows
            loops = [op.name for op in ops if op.type == 'LoopCond' and '/group_' in op.name]
            assert len(loops) == 2 * num_layers * batch_groups, loops
        with tf.Session(graph=g) as sess:
            sess.run(init)
            if weights is None:  # the slides' graph's initial weights, for both, with biases not zero
                weights = with_nonzero_biases(start_from(g, sess, None))
            start_from(g, sess, weights)
            results.append((names, sess.run(fetches, {x: x_value})))
    (names_slides, slides), (names_fast, fast) = results
    assert names_fast == names_slides  # the same variables, so checkpoints load either way
    assert len(fast) == len(slides)
    for i, (a, b) in enumerate(zip(slides, fast)):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6, err_msg='fetch %d' % i)
    assert 'note:' not in capsys.readouterr().err  # the slides' cells, bare or wrapped, take the fast path


def with_nonzero_biases(weights):
    """The weights, with the biases (zeros at first) made uneven, so that a lost bias shows."""
    rng = np.random.RandomState(2)
    return {name: value + rng.uniform(-0.5, 0.5, value.shape).astype(value.dtype) if name.endswith('bias')
            else value for name, value in weights.items()}


OTHER_CELLS = {  # what a student may put in the slides' place; fast_lstm must not take them
    'LSTMCell': lambda: tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.LSTMCell(4), output_keep_prob=1.0),
    'GRUCell': lambda: tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.GRUCell(4), output_keep_prob=1.0),
    'input_keep_prob': lambda: tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(4),
                                                              input_keep_prob=0.5),
    'state_keep_prob': lambda: tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(4),
                                                              state_keep_prob=0.5),
    # one mask for all steps: the fast path draws a new one at each step, so it must not take it
    'variational_recurrent': lambda: tf.nn.rnn_cell.DropoutWrapper(
        tf.nn.rnn_cell.BasicLSTMCell(4), output_keep_prob=0.5, variational_recurrent=True, dtype=tf.float32),
    'relu': lambda: tf.nn.rnn_cell.BasicLSTMCell(4, activation=tf.nn.relu),
}


@pytest.mark.parametrize('kind', sorted(OTHER_CELLS))
def test_other_cells_run_tf_nn_dynamic_rnn_and_say_so(kind, capsys):
    # The very same graph, op for op (so the same numbers). Not compared by running it: a
    # dropout mask drawn inside the loop is drawn in whatever order the loop's parallel
    # iterations reach it, so two runs of one graph can differ.
    slides, fast = (build(dynamic_rnn, 7, 2, make_cell=OTHER_CELLS[kind])[0].as_graph_def()
                    for dynamic_rnn in (tf.nn.dynamic_rnn, fast_lstm.dynamic_rnn))
    assert [node.name for node in fast.node] == [node.name for node in slides.node]
    assert fast == slides
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith('note:')]
    assert len(notes) == 1 and 'tf.nn.dynamic_rnn' in notes[0], notes


def test_each_cell_the_fast_path_does_not_take_is_named_with_its_reason():
    rnn_cell = tf.nn.rnn_cell
    with tf.Graph().as_default():
        multi = lambda *cells: rnn_cell.MultiRNNCell(list(cells))  # noqa: E731
        assert fast_lstm.unsupported(multi(rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(4)),
                                           rnn_cell.BasicLSTMCell(4))) is None   # the slides' cells
        cases = [
            (rnn_cell.BasicLSTMCell(4), 'the cells are a BasicLSTMCell, not a MultiRNNCell of (c, h) tuples'),
            (multi(rnn_cell.LSTMCell(4)), 'a cell is a LSTMCell, not a BasicLSTMCell'),
            (multi(rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(4), input_keep_prob=0.5)),
             'a DropoutWrapper has input_keep_prob'),
            (multi(rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(4), state_keep_prob=0.5)),
             'a DropoutWrapper has state_keep_prob'),
            (multi(rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(4), output_keep_prob=0.5,
                                           variational_recurrent=True, dtype=tf.float32)),
             'a DropoutWrapper has variational_recurrent'),
            (multi(rnn_cell.BasicLSTMCell(4, activation=tf.nn.relu)),
             'a BasicLSTMCell has another activation than tanh or no (c, h) state tuple')]
        assert [fast_lstm.unsupported(cells) for cells, _ in cases] == [reason for _, reason in cases]


def test_the_batch_rows_are_split_into_even_groups():
    # BATCH_GROUPS = 2: one group for a batch of 1 or an unknown size (-1: all rows), else two
    assert fast_lstm.BATCH_GROUPS == 2
    assert [fast_lstm.group_sizes(n) for n in (None, 1, 2, 5, 64)] == [[-1], [1], [1, 1], [3, 2], [32, 32]]
