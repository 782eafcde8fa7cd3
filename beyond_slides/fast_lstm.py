"""A faster tf.nn.dynamic_rnn for the slides' cells, with the same math (not on the slides).

The models call dynamic_rnn() below instead of tf.nn.dynamic_rnn when fast=True.
It takes the same MultiRNNCell of DropoutWrapper(BasicLSTMCell), creates the same
variables under the same names (checkpoints load either way) and computes the same
outputs, final state and gradients. What differs is how the work is grouped:

- forward: the input half of each layer's kernel is applied to many time steps
  in one large matrix product before the loop; the loop multiplies only h.
- backward: written out by hand (tf.custom_gradient). The loop computes the gate
  gradients step by step; the kernel's gradient and the inputs' gradient are then
  large matrix products over many steps, instead of two small products per step
  summed up by TensorFlow's automatic while-loop gradient.
- the steps run in chunks (CHUNK_STEPS), so that one chunk's large products and
  the next chunk's loop run at the same time on the two cores of a laptop.
- embedding inputs: when the inputs are an embedding lookup (SentimentRNN's
  embed_x), the first layer's input projection is computed once per distinct
  word of the batch, not once per position (a batch of 100 IMDb reviews of 200
  words holds about 3,300 distinct ids, padding included, for 20,000 positions),
  and so are the embedding's and the kernel's gradients through it. Each
  position's projection and gradient are the same numbers; only the summation
  of repeated words happens before the product instead of after it. (The lookup's
  own output is then unused: feeding it in a feed_dict would change nothing.)
- dropout: DropoutWrapper draws a new mask for each step's output; here one mask
  covers all steps of a layer at once (the same distribution; with keep_prob=1
  the same numbers).

One difference remains: the variables are created between other operations than
in tf.nn.dynamic_rnn, and TensorFlow 1.x derives each initializer's seed from the
number of operations before it, so the same set_random_seed can give an upper
layer other initial weights (the first layer's matched in every test here).

bench/bench_train.py measures the speed; tests/test_fast_lstm.py checks outputs, final
state and every gradient against tf.nn.dynamic_rnn, and tests/test_sentiment.py and
tests/test_char.py that both graphs train to the same losses from the same weights.
"""
from beyond_slides.tf_setup import tf

# Steps per loop, for the slides' sentiment (200 steps) and CharRNN (100 steps) settings: per
# step 25 is as fast as 10 (the fastest of 5 to 50; all steps in one loop is 10 % slower), and
# with fewer loops the graph builds in half the time. Any value gives the same numbers.
CHUNK_STEPS = 25


def dynamic_rnn(cells, inputs, initial_state):
    """tf.nn.dynamic_rnn(cells, inputs, initial_state=initial_state) for a MultiRNNCell of
    DropoutWrapper(BasicLSTMCell) with batch-major inputs (B, T, D): (outputs (B, T, H), final state)."""
    lookup = embedding_lookup_parts(inputs)
    if lookup is None:
        x, ids = tf.transpose(inputs, [1, 0, 2]), None  # (T, B, D): time-major, as dynamic_rnn works
    else:
        x, ids = distinct_rows(*lookup)  # (U, D) the batch's distinct embedding rows, (T, B) their index
    final = []
    with tf.variable_scope('rnn/multi_rnn_cell'):
        for i, (wrapper, state) in enumerate(zip(cells._cells, initial_state)):
            lstm = wrapper.cell
            n_in, n_hidden = x.shape[-1], lstm._num_units
            with tf.variable_scope('cell_%d/basic_lstm_cell' % i):
                # The names, shapes and initializers of BasicLSTMCell's own variables.
                kernel = tf.get_variable('kernel', [n_in + n_hidden, 4 * n_hidden],
                                         initializer=tf.glorot_uniform_initializer())
                bias = tf.get_variable('bias', [4 * n_hidden], initializer=tf.zeros_initializer())
            hs, c_last, h_last = lstm_layer(x, kernel, bias, state.c, state.h, lstm._forget_bias, ids)
            final.append((c_last, h_last))
            x, ids = tf.nn.dropout(hs, rate=1 - wrapper._output_keep_prob), None  # output dropout
    # The names tf.nn.dynamic_rnn gives its results, which build() prints as the slides do.
    with tf.name_scope('rnn/'):
        outputs = tf.transpose(x, [1, 0, 2], name='transpose_1')  # (B, T, H)
        with tf.name_scope('rnn/while/'):
            final = tuple(tf.nn.rnn_cell.LSTMStateTuple(tf.identity(c, name='Exit_%d' % (3 + 2 * i)),
                                                        tf.identity(h, name='Exit_%d' % (4 + 2 * i)))
                          for i, (c, h) in enumerate(final))
    return outputs, final


def embedding_lookup_parts(inputs):
    """(params, ids) when inputs is tf.nn.embedding_lookup(params, ids), else None."""
    op = inputs.op
    while op.type == 'Identity':  # embedding_lookup ends with an Identity
        op = op.inputs[0].op
    # A ref variable's lookup is a GatherV2 of axis 0 (a resource variable's takes the general path).
    if op.type != 'GatherV2' or op.get_attr('batch_dims') != 0 or tf.get_static_value(op.inputs[2]) != 0:
        return None
    params, ids = op.inputs[0], op.inputs[1]
    if ids.shape.ndims != 2 or not ids.shape.is_fully_defined():
        return None
    return params, ids


def distinct_rows(params, ids):
    """The rows of params that ids (B, T) looks up, once each (U, D), and time-major
    indices into them (T, B): params[ids] == rows[index] transposed to time-major."""
    ids = tf.transpose(ids)  # (T, B)
    distinct, index = tf.unique(tf.reshape(ids, [-1]))
    index = tf.reshape(index, ids.shape)
    return tf.gather(params, distinct), index


def lstm_layer(x, kernel, bias, c0, h0, forget_bias, ids=None):
    """BasicLSTMCell over time-major x (T, B, D): (outputs (T, B, H), last c, last h).
    With ids (T, B), the step inputs are rows of x (U, D): step t's input is x[ids[t]].

    The steps run in chunks of CHUNK_STEPS, each its own loop: the large products
    of one chunk (its input projection going forward, its kernel and input
    gradients going backward) then run on one core while the next chunk's loop,
    a chain of small operations, runs on the other.
    """
    n_in, n_hidden = int(x.shape[-1]), int(h0.shape[-1])
    n_steps = int((x if ids is None else ids).shape[0])
    chunks = [min(CHUNK_STEPS, n_steps - start) for start in range(0, n_steps, CHUNK_STEPS)]
    inputs = StepInputs(chunks) if ids is None else LookedUpInputs(ids, chunks)

    @tf.custom_gradient
    def forward(x, kernel, bias, c0, h0):
        w_in, w_h = kernel[:n_in], kernel[n_in:]
        saved = []  # per chunk: its first (c, h) and its steps' c, h and gate activations
        c, h = c0, h0
        for x_w in inputs.projections(x, w_in, bias):  # per chunk (steps, B, 4H)
            cs, hs, gates, c_next, h_next = forward_loop(x_w, w_h, c, h, forget_bias)
            saved.append((c, h, cs, hs, gates))
            c, h = c_next, h_next

        def backward(d_hs, d_c_last, d_h_last):
            dc, dh = d_c_last, d_h_last
            d_w_h, d_bias, d_gates_chunks = [], [], []
            for (c_first, h_first, cs, hs, gates), d_hs_chunk in reversed(list(zip(
                    saved, tf.split(d_hs, chunks, axis=0)))):
                c_prev = tf.concat([c_first[None], cs[:-1]], 0)
                h_prev = tf.concat([h_first[None], hs[:-1]], 0)
                d_gates, dc, dh = backward_loop(d_hs_chunk, dc, dh, cs, c_prev, gates, w_h)
                d_gates = tf.reshape(d_gates, [-1, 4 * n_hidden])  # (steps*B, 4H)
                # The kernel's gradient over all steps of the chunk in one product, not one per step.
                d_w_h.append(tf.matmul(tf.reshape(h_prev, [-1, n_hidden]), d_gates, transpose_a=True))
                d_bias.append(tf.reduce_sum(d_gates, 0))
                d_gates_chunks.append(d_gates)
            d_x, d_w_in = inputs.gradients(x, w_in, d_gates_chunks[::-1])
            d_kernel = tf.concat([d_w_in, tf.add_n(d_w_h)], 0)
            return d_x, d_kernel, tf.add_n(d_bias), dc, dh

        hs = tf.concat([chunk[3] for chunk in saved], 0)
        return (hs, c, h), backward

    return forward(x, kernel, bias, c0, h0)


class StepInputs:
    """Time-major inputs x (T, B, D), projected and differentiated a chunk at a time."""

    def __init__(self, chunks):
        self.chunks = chunks

    def projections(self, x, w_in, bias):
        self.x_chunks = tf.split(x, self.chunks, axis=0)
        return [tf.tensordot(x_chunk, w_in, [[2], [0]]) + bias  # (steps, B, 4H) in one product
                for x_chunk in self.x_chunks]

    def gradients(self, x, w_in, d_gates_chunks):
        """The gradients of x (T, B, D) and of the kernel's input half, given each chunk's
        gate gradients (steps*B, 4H): two products per chunk, not two per step."""
        d_x, d_w_in = [], []
        for x_chunk, d_gates in zip(self.x_chunks, d_gates_chunks):
            d_x.append(tf.reshape(tf.matmul(d_gates, w_in, transpose_b=True), tf.shape(x_chunk)))
            d_w_in.append(tf.matmul(tf.reshape(x_chunk, [-1, x.shape[-1]]), d_gates, transpose_a=True))
        return tf.concat(d_x, 0), tf.add_n(d_w_in)


class LookedUpInputs:
    """Step inputs that are rows of x (U, D): step t's input is x[ids[t]], ids (T, B).
    Each distinct row is projected once, and its gradients are summed before the products."""

    def __init__(self, ids, chunks):
        self.ids = ids
        self.ids_chunks = tf.split(ids, chunks, axis=0)

    def projections(self, x, w_in, bias):
        x_w = tf.matmul(x, w_in) + bias  # (U, 4H): each distinct row's projection, once
        return [tf.gather(x_w, ids) for ids in self.ids_chunks]  # (steps, B, 4H)

    def gradients(self, x, w_in, d_gates_chunks):
        """The gradients of x (U, D) and of the kernel's input half: the gate gradients of all
        positions of a row summed first (U, 4H), then one product each."""
        # One sum over all steps (T*B, 4H) -> (U, 4H): the products wait for every step anyway.
        d_x_w = tf.math.unsorted_segment_sum(tf.concat(d_gates_chunks, 0), tf.reshape(self.ids, [-1]),
                                             tf.shape(x)[0])
        return tf.matmul(d_x_w, w_in, transpose_b=True), tf.matmul(x, d_x_w, transpose_a=True)


def forward_loop(x_w, w_h, c0, h0, forget_bias):
    """BasicLSTMCell's steps, given x_w = inputs @ kernel[:D] + bias (T, B, 4H).
    Returns every step's c, h and gate activations (T, B, .) and the last c and h."""
    n_steps = int(x_w.shape[0])

    def step(t, c, h, cs, hs, gates):
        g = x_w[t] + tf.matmul(h, w_h)  # (B, 4H): BasicLSTMCell's i, j, f, o
        i, j, f, o = tf.split(g, 4, axis=1)
        i, j, f, o = tf.sigmoid(i), tf.tanh(j), tf.sigmoid(f + forget_bias), tf.sigmoid(o)
        c = c * f + i * j
        h = tf.tanh(c) * o
        return t + 1, c, h, cs.write(t, c), hs.write(t, h), gates.write(t, tf.concat([i, j, f, o], 1))

    _, c_last, h_last, cs, hs, gates = tf.while_loop(
        lambda t, *_: t < n_steps, step,
        (0, c0, h0, _steps_array(n_steps), _steps_array(n_steps), _steps_array(n_steps)))
    cs, hs, gates = cs.stack(), hs.stack(), gates.stack()
    for tensor, like in ((cs, c0), (hs, h0), (gates, x_w[0])):
        tensor.set_shape([n_steps] + like.shape.as_list())  # the static shapes dynamic_rnn gives
    c_last.set_shape(c0.shape)
    h_last.set_shape(h0.shape)
    return cs, hs, gates, c_last, h_last


def backward_loop(d_hs, d_c_last, d_h_last, cs, c_prev, gates, w_h):
    """The gate pre-activations' gradients of every step (T, B, 4H), walking back in time,
    and the gradients of the first step's c and h."""
    n_steps = int(cs.shape[0])
    tanh_c = tf.tanh(cs)
    # The step-independent factors of the chain rule, for all steps at once (T, B, .):
    i, j, f, o = tf.split(gates, 4, axis=2)
    dc_from_h = o * (1 - tanh_c * tanh_c)  # dc/dh through h = tanh(c) * o
    gate_factors = tf.concat([j * i * (1 - i), i * (1 - j * j), c_prev * f * (1 - f),
                              tanh_c * o * (1 - o)], 2)  # d pre-activations / (dc, dc, dc, dh)

    def back_step(t, dc, dh, d_gates):
        t = t - 1
        dh = dh + d_hs[t]
        dc = dc + dh * dc_from_h[t]
        dg = tf.concat([dc, dc, dc, dh], 1) * gate_factors[t]
        return t, dc * f[t], tf.matmul(dg, w_h, transpose_b=True), d_gates.write(t, dg)

    _, d_c_first, d_h_first, d_gates = tf.while_loop(
        lambda t, *_: t > 0, back_step, (n_steps, d_c_last, d_h_last, _steps_array(n_steps)))
    return d_gates.stack(), d_c_first, d_h_first


def _steps_array(n_steps):
    return tf.TensorArray(tf.float32, size=n_steps)
