"""tf.nn.dynamic_rnn and Adam's minimize() for the slides' graphs (fast=True), faster, with the same
math, variables and names, so that checkpoints load either way (not on the slides). dynamic_rnn() takes the
slides' cells: a MultiRNNCell of BasicLSTMCells (tanh, (c, h) tuples), bare or in a DropoutWrapper of
output dropout only; other cells (a student's edit) go to tf.nn.dynamic_rnn, with a note on stderr.

The math, one layer, time-major; B batch rows, T steps, D inputs, H units; BasicLSTMCell's kernel
W (D+H, 4H) over [x, h] is split as W = [W_x; W_h], its bias is b (4H,):

  forward, step t                                    shapes
    g_t = x_t W_x + b + h_{t-1} W_h                  (B, 4H)  the gates' pre-activations
    (a_i, a_j, a_f, a_o) = split(g_t, 4)             (B, H) each, in BasicLSTMCell's order
    i, j, f, o = sigmoid(a_i), tanh(a_j), sigmoid(a_f + forget_bias), sigmoid(a_o)
    c_t = f * c_{t-1} + i * j                        (B, H)
    h_t = o * tanh(c_t)                              (B, H)  the output and the next state

  backward, t = T down to 1, given dh_out_t = dL/dh_t from the layer above and dc, dh carried
  back from step t+1 (at t = T: the final state's):
    (B1) dh = dh + dh_out_t                          (B, H)
    (B2) dc = dc + dh * o * (1 - tanh(c_t)^2)        (B, H)   via h_t = o * tanh(c_t)
    (B3) da_i = dc * j * i (1 - i)                   (B, H)   via c_t's i * j
         da_j = dc * i (1 - j^2)
         da_f = dc * c_{t-1} * f (1 - f)             via c_t's f * c_{t-1}
         da_o = dh * tanh(c_t) * o (1 - o)           via h_t's o
         dg_t = [da_i, da_j, da_f, da_o]             (B, 4H)
    (B4) carried to step t-1: dc = dc * f,  dh = dg_t W_h^T        (B, H)
  and after the loop, over all steps at once:
    (B5) dW_h = sum_t h_{t-1}^T dg_t,  dW_x = sum_t x_t^T dg_t,  db = sum_t dg_t
    (B6) dx_t = dg_t W_x^T                           (B, D)   the layer below's dh_out

The speed: BATCH_GROUPS loops side by side; x W_x + b for all steps before the loop; the backward
pass by hand, looping (B1)-(B4) only, (B5) and (B6) one product over all steps; x W_x once per
distinct word (an embedding lookup) or a row of W_x (one-hot inputs); one dropout mask for all steps.
One difference: TensorFlow 1.x seeds each initializer by the count of operations before it, so with the
same set_random_seed the variables made after the first layer (an upper layer, the logits layer) start
from other weights than with fast=False.
"""
import sys

from beyond_slides.tf_setup import tf

# The slides' cell classes, as this module found them.
MULTI_RNN_CELL, DROPOUT_WRAPPER, BASIC_LSTM_CELL = (
    tf.nn.rnn_cell.MultiRNNCell, tf.nn.rnn_cell.DropoutWrapper, tf.nn.rnn_cell.BasicLSTMCell)

# Loops side by side, one per group of batch rows (rows never mix in an LSTM): a loop of small operations keeps
# about one core busy; 2 measured fastest on 2 cores (bench/bench_train.py). Any value gives the same numbers.
BATCH_GROUPS = 2


def dynamic_rnn(cells, inputs, initial_state):
    """tf.nn.dynamic_rnn(cells, inputs, initial_state=...) of inputs (B, T, D): outputs (B, T, H), final state."""
    why_not = unsupported(cells)
    if why_not:
        print('note: %s; beyond_slides/fast_lstm.py takes the slides\' cells only, so this model runs '
              'tf.nn.dynamic_rnn (the same math, slower)' % why_not, file=sys.stderr)
        return tf.nn.dynamic_rnn(cells, inputs, initial_state=initial_state)
    layers = layer_variables(cells, int(inputs.shape[-1]))
    sizes = group_sizes(inputs.shape[0])
    states = [(tf.split(s.c, sizes, axis=0), tf.split(s.h, sizes, axis=0)) for s in initial_state]
    outputs = []  # per group: the last layer's outputs (T, b, H)
    finals = [[] for _ in layers]  # per layer: each group's last (c, h)
    for g, x in enumerate(first_layer_inputs(inputs, sizes)):
        with tf.name_scope('rnn/multi_rnn_cell/group_%d/' % g):
            for i, ((kernel, bias, wrapper), (c0, h0)) in enumerate(zip(layers, states)):
                hs, c_last, h_last = lstm_layer(x, kernel, bias, c0[g], h0[g], basic_cell(wrapper)._forget_bias)
                finals[i].append((c_last, h_last))
                # One mask for all steps (DropoutWrapper draws one per step: the same distribution, and with
                # keep_prob=1 the same numbers), drawn after the loop: drawn first, it takes a core from the loops.
                with tf.control_dependencies([hs]):
                    x = StepInputs(tf.nn.dropout(hs, rate=1 - output_keep_prob(wrapper)))
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


def unsupported(cells):
    """Why dynamic_rnn() cannot take these cells, or None."""
    if type(cells) is not MULTI_RNN_CELL or not cells._state_is_tuple:
        return 'the cells are a %s, not a MultiRNNCell of (c, h) tuples' % type(cells).__name__
    for wrapper in cells._cells:
        cell = basic_cell(wrapper)
        if type(wrapper) is DROPOUT_WRAPPER:
            for name, off in (('input_keep_prob', 1), ('state_keep_prob', 1), ('variational_recurrent', False)):
                value = getattr(wrapper, '_' + name)  # a keep probability fed as a tensor is on
                if not (isinstance(value, (int, float)) and value == off):
                    return 'a DropoutWrapper has %s' % name
        if type(cell) is not BASIC_LSTM_CELL:
            return 'a cell is a %s, not a BasicLSTMCell' % type(cell).__name__
        if not cell._state_is_tuple or getattr(cell._activation, '__name__', None) != 'tanh':
            return 'a BasicLSTMCell has another activation than tanh or no (c, h) state tuple'
    return None


def layer_variables(cells, n_inputs):
    """(kernel, bias, layer: the cell or its DropoutWrapper) of each layer, its variables named, shaped and
    initialized as BasicLSTMCell's own."""
    layers = []
    with tf.variable_scope('rnn/multi_rnn_cell'):
        for i, wrapper in enumerate(cells._cells):
            n_hidden = basic_cell(wrapper)._num_units
            with tf.variable_scope('cell_%d/basic_lstm_cell' % i):
                kernel = tf.get_variable('kernel', [n_inputs + n_hidden, 4 * n_hidden],
                                         initializer=tf.glorot_uniform_initializer())
                bias = tf.get_variable('bias', [4 * n_hidden], initializer=tf.zeros_initializer())
            layers.append((kernel, bias, wrapper))
            n_inputs = n_hidden
    return layers


def basic_cell(layer):
    return layer.cell if type(layer) is DROPOUT_WRAPPER else layer


def output_keep_prob(layer):
    return layer._output_keep_prob if type(layer) is DROPOUT_WRAPPER else 1.0


def group_sizes(batch_size):
    """The batch rows of each group: as even as can be, at most BATCH_GROUPS groups."""
    batch_size = tf.compat.dimension_value(batch_size)
    if batch_size is None:
        return [-1]
    n = max(1, min(BATCH_GROUPS, batch_size))
    return [batch_size // n + (1 if g < batch_size % n else 0) for g in range(n)]


def first_layer_inputs(inputs, sizes):
    """The inputs of each group of batch rows, time-major, in the cheapest form that holds them:
    tf.one_hot(indices (B, T), depth) of ones and zeros, tf.nn.embedding_lookup(params, ids (B, T)), or any other."""
    op, value = inputs.op, tf.get_static_value
    if op.type == 'OneHot' and op.get_attr('axis') == -1:
        indices, depth, on_value, off_value = op.inputs
        if (value(on_value) == 1 and value(off_value) == 0
                and value(depth) is not None and indices.shape.ndims == 2):
            return [OneHotInputs(tf.transpose(ids), int(value(depth))) for ids in tf.split(indices, sizes, axis=0)]
    while op.type == 'Identity':  # embedding_lookup ends with an Identity
        op = op.inputs[0].op
    # A ref variable's lookup is a GatherV2 of axis 0 (a resource variable's takes the general path).
    if op.type == 'GatherV2' and op.get_attr('batch_dims') == 0 and value(op.inputs[2]) == 0:
        params, ids = op.inputs[:2]
        if ids.shape.ndims == 2 and ids.shape.is_fully_defined():
            return [LookedUpInputs(params, tf.transpose(group_ids)) for group_ids in tf.split(ids, sizes, axis=0)]
    return [StepInputs(tf.transpose(x, [1, 0, 2])) for x in tf.split(inputs, sizes, axis=0)]  # (T, b, D)


class StepInputs:
    """Time-major inputs x (T, b, D)."""

    def __init__(self, x):
        self.x = x

    def projection(self, x, w_in, bias):
        return tf.tensordot(x, w_in, [[2], [0]]) + bias  # (T, b, 4H) in one product

    def gradients(self, x, w_in, d_gates):  # of x and of W_x, from dg of all steps (T*b, 4H): two products
        d_x = tf.reshape(tf.matmul(d_gates, w_in, transpose_b=True), tf.shape(x))
        return d_x, tf.matmul(tf.reshape(x, [-1, x.shape[-1]]), d_gates, transpose_a=True)


class LookedUpInputs:
    """Step t's input is params[ids[t]], ids (T, b); x holds each row looked up once (U, D), and self.ids
    indexes x: each distinct row is projected once, its gradients summed before the products (a batch of
    100 IMDb reviews of 200 words holds about 3,300 distinct ids for 20,000 positions)."""

    def __init__(self, params, ids):
        distinct, index = tf.unique(tf.reshape(ids, [-1]))
        self.ids, self.x = tf.reshape(index, ids.shape), tf.gather(params, distinct)

    def projection(self, x, w_in, bias):
        return tf.gather(tf.matmul(x, w_in) + bias, self.ids)  # each distinct row's projection, once

    def gradients(self, x, w_in, d_gates):  # dg of all positions of a row summed first (U, 4H)
        d_x_w = tf.math.unsorted_segment_sum(d_gates, tf.reshape(self.ids, [-1]), tf.shape(x)[0])
        return tf.matmul(d_x_w, w_in, transpose_b=True), tf.matmul(x, d_x_w, transpose_a=True)


class OneHotInputs:
    """Step t's input is one_hot(x[t], depth), x (T, b): one_hot(k) W_x is row k of W_x, exactly."""

    def __init__(self, x, depth):
        self.x, self.depth = x, depth

    def projection(self, x, w_in, bias):
        return tf.gather(w_in, x) + bias  # (T, b, 4H) without a product

    def gradients(self, x, w_in, d_gates):  # none for the indices; W_x's row k: the dg of character k
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
            # (B5): the kernel's gradient over all steps in one product, not one per step.
            d_w_h = tf.matmul(tf.reshape(h_prev, [-1, n_hidden]), d_gates, transpose_a=True)  # (H, 4H)
            d_x, d_w_in = inputs.gradients(x, w_in, d_gates)  # (B6) and (B5)'s dW_x
            return d_x, tf.concat([d_w_in, d_w_h], 0), tf.reduce_sum(d_gates, 0), d_c0, d_h0

        return (hs, c_last, h_last), backward

    return forward(inputs.x, kernel, bias, c0, h0)


def forward_loop(x_w, w_h, c0, h0, forget_bias):
    """BasicLSTMCell's steps, given x_w = x W_x + b (T, b, 4H): every step's c, h and gate activations
    (T, b, .) and the last c and h."""
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
    dh_dc = o * (1 - tanh_c * tanh_c)  # (B2)'s factor: dh_t/dc_t through h_t = o * tanh(c_t)
    gate_factors = tf.concat([j * i * (1 - i), i * (1 - j * j), c_prev * f * (1 - f),
                              tanh_c * o * (1 - o)], 2)  # (B3)'s factors of (dc, dc, dc, dh), (T, b, 4H)

    def back_step(t, dc, dh, d_gates):
        t = t - 1
        dh = dh + d_hs[t]                                        # (B1)  (b, H)
        dc = dc + dh * dh_dc[t]                                  # (B2)  (b, H)
        dg = tf.concat([dc, dc, dc, dh], 1) * gate_factors[t]    # (B3)  (b, 4H)
        return t, dc * f[t], tf.matmul(dg, w_h_t), d_gates.write(t, dg)  # (B4)

    _, d_c_first, d_h_first, d_gates = tf.while_loop(
        lambda t, *_: t > 0, back_step, (n_steps, d_c_last, d_h_last, _steps_array(n_steps)))
    return d_gates.stack(), d_c_first, d_h_first


def _steps_array(n_steps):
    return tf.TensorArray(tf.float32, size=n_steps)


def fast_minimize(optimizer, loss, name):
    """optimizer.minimize(loss, name=name), with sparse gradients made dense first: the same update.
    Adam's sparse path makes several passes over the whole embedding and both its slots (it decays every
    row, not just the looked-up ones); the dense gradient (zeros elsewhere) takes one fused kernel."""
    dense = [(tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g, v)
             for g, v in optimizer.compute_gradients(loss)]
    return optimizer.apply_gradients(dense, name=name)
