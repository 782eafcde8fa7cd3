"""A faster tf.nn.dynamic_rnn for the slides' cells, with the same math (not on the slides).

The models call dynamic_rnn() below instead of tf.nn.dynamic_rnn when fast=True.
It takes the same MultiRNNCell of DropoutWrapper(BasicLSTMCell), creates the same
variables under the same names (checkpoints load either way) and computes the same
outputs, final state and gradients. What differs is how the work is grouped:

- forward: the input half of each layer's kernel is applied to all time steps in
  one large matrix product before the loop; the loop multiplies only h.
- backward: written out by hand (tf.custom_gradient). The loop computes the gate
  gradients step by step; the kernel's gradient and the inputs' gradient are then
  each one large matrix product over all steps, instead of two small products
  per step summed up by TensorFlow's automatic while-loop gradient.
- dropout: DropoutWrapper draws a new mask for each step's output; here one mask
  covers all steps of a layer at once (the same distribution; with keep_prob=1
  the same numbers).

bench/bench_train.py measures the speed; tests/test_sentiment.py and tests/test_char.py
check that both graphs compute the same losses.
"""
from tf_setup import tf


def dynamic_rnn(cells, inputs, initial_state):
    """tf.nn.dynamic_rnn(cells, inputs, initial_state=initial_state) for a MultiRNNCell of
    DropoutWrapper(BasicLSTMCell) with batch-major inputs (B, T, D): (outputs (B, T, H), final state)."""
    x = tf.transpose(inputs, [1, 0, 2])  # (T, B, D): time-major, as dynamic_rnn works inside
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
            hs, c_last, h_last = lstm_layer(x, kernel, bias, state.c, state.h, lstm._forget_bias)
            final.append(tf.nn.rnn_cell.LSTMStateTuple(c_last, h_last))
            x = tf.nn.dropout(hs, rate=1 - wrapper._output_keep_prob)  # the wrapper's output dropout
    return tf.transpose(x, [1, 0, 2]), tuple(final)


def lstm_layer(x, kernel, bias, c0, h0, forget_bias):
    """BasicLSTMCell over time-major x (T, B, D): (outputs (T, B, H), last c, last h)."""
    n_in = x.shape[-1]
    n_hidden = h0.shape[-1]
    n_steps = tf.shape(x)[0]

    def steps_array():
        return tf.TensorArray(tf.float32, size=n_steps)

    @tf.custom_gradient
    def forward(x, kernel, bias, c0, h0):
        w_in, w_h = kernel[:n_in], kernel[n_in:]
        x_w = tf.tensordot(x, w_in, [[2], [0]]) + bias  # (T, B, 4H), all steps at once

        def step(t, c, h, cs, hs, gates):
            g = x_w[t] + tf.matmul(h, w_h)  # (B, 4H): BasicLSTMCell's i, j, f, o
            i, j, f, o = tf.split(g, 4, axis=1)
            i, j, f, o = tf.sigmoid(i), tf.tanh(j), tf.sigmoid(f + forget_bias), tf.sigmoid(o)
            c = c * f + i * j
            h = tf.tanh(c) * o
            return t + 1, c, h, cs.write(t, c), hs.write(t, h), gates.write(t, tf.concat([i, j, f, o], 1))

        _, c_last, h_last, cs, hs, gates = tf.while_loop(
            lambda t, *_: t < n_steps, step, (0, c0, h0, steps_array(), steps_array(), steps_array()))
        cs, hs, gates = cs.stack(), hs.stack(), gates.stack()  # (T, B, H), (T, B, H), (T, B, 4H)
        for tensor, width in ((cs, n_hidden), (hs, n_hidden), (gates, 4 * n_hidden)):
            tensor.set_shape(x.shape[:2].concatenate([width]))  # shapes as dynamic_rnn gives them
        c_last.set_shape(c0.shape)
        h_last.set_shape(h0.shape)

        def backward(d_hs, d_c_last, d_h_last):
            c_prev = tf.concat([c0[None], cs[:-1]], 0)
            h_prev = tf.concat([h0[None], hs[:-1]], 0)
            tanh_c = tf.tanh(cs)
            # The step-independent factors of the chain rule, for all steps at once (T, B, .):
            i, j, f, o = tf.split(gates, 4, axis=2)
            dc_from_h = o * (1 - tanh_c * tanh_c)  # dc/dh through h = tanh(c) * o
            gate_factors = tf.concat([j * i * (1 - i), i * (1 - j * j), c_prev * f * (1 - f),
                                      tanh_c * o * (1 - o)], 2)  # d gate pre-activations / (dc, dc, dc, dh)

            def back_step(t, dc, dh, d_gates):
                t = t - 1
                dh = dh + d_hs[t]
                dc = dc + dh * dc_from_h[t]
                dg = tf.concat([dc, dc, dc, dh], 1) * gate_factors[t]
                return t, dc * f[t], tf.matmul(dg, w_h, transpose_b=True), d_gates.write(t, dg)

            _, d_c0, d_h0, d_gates = tf.while_loop(
                lambda t, *_: t > 0, back_step, (n_steps, d_c_last, d_h_last, steps_array()))
            d_gates = tf.reshape(d_gates.stack(), [-1, 4 * n_hidden])  # (T*B, 4H)
            step_inputs = tf.concat([tf.reshape(x, [-1, n_in]), tf.reshape(h_prev, [-1, n_hidden])], 1)
            d_kernel = tf.matmul(step_inputs, d_gates, transpose_a=True)  # (D+H, 4H), all steps at once
            d_bias = tf.reduce_sum(d_gates, 0)
            d_x = tf.reshape(tf.matmul(d_gates, w_in, transpose_b=True), tf.shape(x))
            return d_x, d_kernel, d_bias, d_c0, d_h0

        return (hs, c_last, h_last), backward

    return forward(x, kernel, bias, c0, h0)
