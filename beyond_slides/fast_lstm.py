"""A faster tf.nn.dynamic_rnn for the slides' cells, with the same math (not on the slides).

The models call dynamic_rnn() below instead of tf.nn.dynamic_rnn when fast=True.
It takes the same MultiRNNCell of DropoutWrapper(BasicLSTMCell), creates the same
variables under the same names (checkpoints load either way) and computes the same
outputs, final state and gradients. What differs is how the work is grouped:

- batch groups: the rows of a batch never mix in an LSTM, so the batch is cut into
  BATCH_GROUPS groups, each with its own loop over the time steps. A loop is a
  chain of small operations that keeps about one core busy; two chains keep the
  two cores of a laptop busy.
- forward: the input half of each layer's kernel is applied to all time steps in
  one large matrix product before the loop; the loop multiplies only h.
- backward: written out by hand (tf.custom_gradient). The loop computes the gate
  gradients step by step; the kernel's gradient and the inputs' gradient are then
  large matrix products over all steps, instead of two small products per step
  summed up by TensorFlow's automatic while-loop gradient.
- embedding inputs: when the inputs are an embedding lookup (SentimentRNN's
  embed_x), the first layer's input projection is computed once per distinct
  word of the group, not once per position (a batch of 100 IMDb reviews of 200
  words holds about 3,300 distinct ids, padding included, for 20,000 positions),
  and so are the embedding's and the kernel's gradients through it. Each
  position's projection and gradient are the same numbers; only the summation
  of repeated words happens before the product instead of after it. (The lookup's
  own output is then unused: feeding it in a feed_dict would change nothing.)
- one-hot inputs (CharRNN's x_onehot): a one-hot row times the kernel is a row of
  the kernel, so the projection is a row lookup, the same numbers without the
  product, and the kernel's gradient a sum of gate gradients per character.
- dropout: DropoutWrapper draws a new mask for each step's output; here one mask
  covers all steps of a layer's group at once (the same distribution; with
  keep_prob=1 the same numbers).

One difference remains: the graph holds other operations than tf.nn.dynamic_rnn's,
and TensorFlow 1.x derives each initializer's seed from the number of operations
before it, so the same set_random_seed gives the variables made after the first
layer (an upper layer, the logits layer) other initial weights than fast=False.

bench/bench_train.py measures the speed; tests/test_fast_lstm.py checks outputs, final
state and every gradient against tf.nn.dynamic_rnn, and tests/test_sentiment.py and
tests/test_char.py that both graphs train to the same losses from the same weights.
"""
from beyond_slides.tf_setup import tf

# Loops side by side, one per group of batch rows: 2 measured fastest on 2 cores (one loop
# and 4 loops were slower; bench/bench_train.py). Any value gives the same numbers.
BATCH_GROUPS = 2


def dynamic_rnn(cells, inputs, initial_state):
    """tf.nn.dynamic_rnn(cells, inputs, initial_state=initial_state) for a MultiRNNCell of
    DropoutWrapper(BasicLSTMCell) with batch-major inputs (B, T, D): (outputs (B, T, H), final state)."""
    layers = layer_variables(cells, int(inputs.shape[-1]))
    sizes = group_sizes(inputs.shape[0])
    states = [(tf.split(s.c, sizes, axis=0), tf.split(s.h, sizes, axis=0)) for s in initial_state]
    outputs = []  # per group: the last layer's outputs (T, b, H)
    finals = [[] for _ in layers]  # per layer: each group's last (c, h)
    for g, x in enumerate(first_layer_inputs(inputs, sizes)):
        with tf.name_scope('rnn/multi_rnn_cell/group_%d/' % g):
            for i, ((kernel, bias, wrapper), (c0, h0)) in enumerate(zip(layers, states)):
                hs, c_last, h_last = lstm_layer(x, kernel, bias, c0[g], h0[g], wrapper.cell._forget_bias)
                finals[i].append((c_last, h_last))
                # The dropout mask is drawn after the loop: drawn first, it takes a core from the loops.
                with tf.control_dependencies([hs]):
                    x = StepInputs(tf.nn.dropout(hs, rate=1 - wrapper._output_keep_prob))
        outputs.append(x.x)
    # The names tf.nn.dynamic_rnn gives its results, which build() prints as the slides do.
    with tf.name_scope('rnn/'):
        outputs = tf.transpose(tf.concat(outputs, 1), [1, 0, 2], name='transpose_1')  # (B, T, H)
        with tf.name_scope('rnn/while/'):
            final = tuple(tf.nn.rnn_cell.LSTMStateTuple(
                tf.identity(tf.concat([c for c, _ in groups], 0), name='Exit_%d' % (3 + 2 * i)),
                tf.identity(tf.concat([h for _, h in groups], 0), name='Exit_%d' % (4 + 2 * i)))
                for i, groups in enumerate(finals))
    return outputs, final


def layer_variables(cells, n_inputs):
    """(kernel, bias, DropoutWrapper) of each layer, with the names, shapes and initializers
    of BasicLSTMCell's own variables."""
    layers = []
    with tf.variable_scope('rnn/multi_rnn_cell'):
        for i, wrapper in enumerate(cells._cells):
            n_hidden = wrapper.cell._num_units
            with tf.variable_scope('cell_%d/basic_lstm_cell' % i):
                kernel = tf.get_variable('kernel', [n_inputs + n_hidden, 4 * n_hidden],
                                         initializer=tf.glorot_uniform_initializer())
                bias = tf.get_variable('bias', [4 * n_hidden], initializer=tf.zeros_initializer())
            layers.append((kernel, bias, wrapper))
            n_inputs = n_hidden
    return layers


def group_sizes(batch_size):
    """The batch rows of each group: as even as can be, at most BATCH_GROUPS groups."""
    batch_size = tf.compat.dimension_value(batch_size)
    n = 1 if batch_size is None else max(1, min(BATCH_GROUPS, batch_size))
    if n == 1:
        return [-1] if batch_size is None else [batch_size]
    return [batch_size // n + (1 if g < batch_size % n else 0) for g in range(n)]


def first_layer_inputs(inputs, sizes):
    """The inputs of each group of batch rows, time-major, in the cheapest form that holds them."""
    one_hot = one_hot_parts(inputs)
    if one_hot is not None:
        indices, depth = one_hot
        return [OneHotInputs(tf.transpose(ids), depth) for ids in tf.split(indices, sizes, axis=0)]
    lookup = embedding_lookup_parts(inputs)
    if lookup is not None:
        params, ids = lookup
        return [LookedUpInputs(*distinct_rows(params, group_ids))
                for group_ids in tf.split(ids, sizes, axis=0)]
    return [StepInputs(tf.transpose(x, [1, 0, 2])) for x in tf.split(inputs, sizes, axis=0)]  # (T, b, D)


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


def one_hot_parts(inputs):
    """(indices (B, T), depth) when inputs is tf.one_hot(indices, depth) of ones and zeros, else None."""
    op = inputs.op
    if op.type != 'OneHot' or op.get_attr('axis') != -1:
        return None
    indices, depth, on_value, off_value = op.inputs
    if (tf.get_static_value(on_value) != 1 or tf.get_static_value(off_value) != 0
            or tf.get_static_value(depth) is None or indices.shape.ndims != 2):
        return None
    return indices, int(tf.get_static_value(depth))


def distinct_rows(params, ids):
    """The rows of params that ids (b, T) looks up, once each (U, D), and time-major
    indices into them (T, b): params[ids] == rows[index] transposed to time-major."""
    ids = tf.transpose(ids)  # (T, b)
    distinct, index = tf.unique(tf.reshape(ids, [-1]))
    index = tf.reshape(index, ids.shape)
    return tf.gather(params, distinct), index


class StepInputs:
    """Time-major inputs x (T, b, D)."""

    def __init__(self, x):
        self.x = x

    def projection(self, x, w_in, bias):
        return tf.tensordot(x, w_in, [[2], [0]]) + bias  # (T, b, 4H) in one product

    def gradients(self, x, w_in, d_gates):
        """The gradients of x (T, b, D) and of the kernel's input half, given the gate
        gradients of all steps (T*b, 4H): two products, not two per step."""
        d_x = tf.reshape(tf.matmul(d_gates, w_in, transpose_b=True), tf.shape(x))
        return d_x, tf.matmul(tf.reshape(x, [-1, x.shape[-1]]), d_gates, transpose_a=True)


class LookedUpInputs:
    """Step inputs that are rows of x (U, D): step t's input is x[ids[t]], ids (T, b).
    Each distinct row is projected once, and its gradients are summed before the products."""

    def __init__(self, x, ids):
        self.x, self.ids = x, ids

    def projection(self, x, w_in, bias):
        return tf.gather(tf.matmul(x, w_in) + bias, self.ids)  # each distinct row's projection, once

    def gradients(self, x, w_in, d_gates):
        """The gradients of x (U, D) and of the kernel's input half: the gate gradients of all
        positions of a row summed first (U, 4H), then one product each."""
        d_x_w = tf.math.unsorted_segment_sum(d_gates, tf.reshape(self.ids, [-1]), tf.shape(x)[0])
        return tf.matmul(d_x_w, w_in, transpose_b=True), tf.matmul(x, d_x_w, transpose_a=True)


class OneHotInputs:
    """One-hot step inputs, given as their indices x (T, b): step t's input row is
    one_hot(x[t], depth), and one_hot(k) @ w_in is row k of w_in, exactly."""

    def __init__(self, x, depth):
        self.x, self.depth = x, depth

    def projection(self, x, w_in, bias):
        return tf.gather(w_in, x) + bias  # (T, b, 4H) without a product

    def gradients(self, x, w_in, d_gates):
        """No gradient for the indices; the kernel's input half gets each character's gate gradients."""
        return None, tf.math.unsorted_segment_sum(d_gates, tf.reshape(x, [-1]), self.depth)


def lstm_layer(inputs, kernel, bias, c0, h0, forget_bias):
    """BasicLSTMCell over every step of a group's time-major inputs: (outputs (T, b, H), last c, last h)."""
    n_hidden = int(h0.shape[-1])
    n_in = int(kernel.shape[0]) - n_hidden

    @tf.custom_gradient
    def forward(x, kernel, bias, c0, h0):
        w_in, w_h = kernel[:n_in], kernel[n_in:]
        cs, hs, gates, c_last, h_last = forward_loop(inputs.projection(x, w_in, bias), w_h, c0, h0, forget_bias)

        def backward(d_hs, d_c_last, d_h_last):
            c_prev = tf.concat([c0[None], cs[:-1]], 0)
            h_prev = tf.concat([h0[None], hs[:-1]], 0)
            d_gates, d_c0, d_h0 = backward_loop(d_hs, d_c_last, d_h_last, cs, c_prev, gates, w_h)
            d_gates = tf.reshape(d_gates, [-1, 4 * n_hidden])  # (T*b, 4H)
            # The kernel's gradient over all steps in one product, not one per step.
            d_w_h = tf.matmul(tf.reshape(h_prev, [-1, n_hidden]), d_gates, transpose_a=True)
            d_x, d_w_in = inputs.gradients(x, w_in, d_gates)
            return d_x, tf.concat([d_w_in, d_w_h], 0), tf.reduce_sum(d_gates, 0), d_c0, d_h0

        return (hs, c_last, h_last), backward

    return forward(inputs.x, kernel, bias, c0, h0)


def forward_loop(x_w, w_h, c0, h0, forget_bias):
    """BasicLSTMCell's steps, given x_w = inputs @ kernel[:D] + bias (T, b, 4H).
    Returns every step's c, h and gate activations (T, b, .) and the last c and h."""
    n_steps = int(x_w.shape[0])

    def step(t, c, h, cs, hs, gates):
        g = x_w[t] + tf.matmul(h, w_h)  # (b, 4H): BasicLSTMCell's i, j, f, o
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
    """The gate pre-activations' gradients of every step (T, b, 4H), walking back in time,
    and the gradients of the first step's c and h."""
    n_steps = int(cs.shape[0])
    w_h_t = tf.transpose(w_h)  # once, not at every step
    tanh_c = tf.tanh(cs)
    # The step-independent factors of the chain rule, for all steps at once (T, b, .):
    i, j, f, o = tf.split(gates, 4, axis=2)
    dc_from_h = o * (1 - tanh_c * tanh_c)  # dc/dh through h = tanh(c) * o
    gate_factors = tf.concat([j * i * (1 - i), i * (1 - j * j), c_prev * f * (1 - f),
                              tanh_c * o * (1 - o)], 2)  # d pre-activations / (dc, dc, dc, dh)

    def back_step(t, dc, dh, d_gates):
        t = t - 1
        dh = dh + d_hs[t]
        dc = dc + dh * dc_from_h[t]
        dg = tf.concat([dc, dc, dc, dh], 1) * gate_factors[t]
        return t, dc * f[t], tf.matmul(dg, w_h_t), d_gates.write(t, dg)

    _, d_c_first, d_h_first, d_gates = tf.while_loop(
        lambda t, *_: t > 0, back_step, (n_steps, d_c_last, d_h_last, _steps_array(n_steps)))
    return d_gates.stack(), d_c_first, d_h_first


def _steps_array(n_steps):
    return tf.TensorArray(tf.float32, size=n_steps)
