"""The numbers behind the lecture's theory slides, computed on the lecture's own models (not on
the slides). numpy and TensorFlow only; theory_figures.py draws them.

Each function below serves one slide, and checks every equation it shows against TensorFlow
with an assert, so running the notebook proves them:

1. "Different Categories of Sequence Modeling", "Unrolled RNNs": sentiment_shapes(),
   char_shapes(): the tensor shapes of each model, read from its built graph.
2. "Computing Activations in RNNs": rnn_activations_match_tensorflow(): the slide's
   h(t) = tanh(W_xh x(t) + W_hh h(t-1) + b_h) in numpy, equal to tf.nn.rnn_cell.BasicRNNCell;
   output_matches_tensorflow(): its y(t) = phi(W_hy h(t) + b_y), equal to tf.layers.dense.
3. "Training RNNs Using BPTT": bptt_matches_tensorflow(): dh(t)/dh(k) as the product of the
   steps' Jacobians, and dL/dW_hh of L = sum_t L(t) by the slide's sum over k, both equal to
   tf.gradients.
4. "Gradient Problems": gradient_vs_distance(): the norm of the last step's loss gradient with
   respect to h(k), as a function of T - k, for a trained SentimentRNN and for a plain tanh RNN.
5. Gradient clipping and truncated BPTT: clipping_norms(): the global gradient norm of every
   CharRNN mini-batch, before and after the graph's own tf.clip_by_global_norm;
   clipping_in_action(): the same with a learning rate at which the gradients explode.
6. "LSTM Units": lstm_gates_on_line(): the gate equations in numpy on the shipped CharRNN's
   weights over a line of Hamlet, equal to the TensorFlow graph at every step; lstm_cell_sizes():
   the sizes of its kernel, read from a built graph, for the cell's diagram.
7. "Sigmoid": activation_curves(): sigma and tanh, the gates' and the candidate's squashing.

Conventions: TensorFlow multiplies row vectors from the left (x W, shapes (batch, features));
the slides write column vectors W x. Shapes are given in the comments, B batch rows, T steps,
D inputs, H hidden units.
"""
import inspect
import re

import numpy as np

import data_utils
from beyond_slides.model_folder import ModelFolder
from beyond_slides.predicting import build_quietly
from beyond_slides.tf_setup import tf
from char_rnn import CharRNN, create_batch_generator as char_batch_generator

# The sentence for the notebook, beside the clipping norms (5).
TRUNCATED_BPTT = (
    'The CharRNN carries its LSTM state (c, h) from one 100-step window of the play to the next, '
    'so its forward pass reads each row of text from its start, but each training step '
    'backpropagates only through the 100 steps of its own window (the state carried in is fed as '
    'a constant): that is truncated backpropagation through time (TBPTT). It bounds the cost of a '
    'step and how long a product of Jacobians can grow, so it helps against exploding gradients; '
    'it does nothing against vanishing ones. And it bounds what ANY model trained this way learns '
    'by gradient, an LSTM as much as a tanh RNN: no gradient reaches back further than the window, '
    'so a dependency longer than the window is never learned from the gradient directly. '
    'Information still flows forward through the carried state, so the model can use what it '
    'keeps in its state from earlier windows; how to keep it was learned only within windows. '
    'The LSTM helps within the window: its additive cell state lets the gradient reach back over '
    'the window\'s 100 steps without vanishing as fast as a tanh RNN\'s.')

# Where the lecture's CharRNN clips for real (5): the slides' settings with a learning rate 200
# times theirs (0.2 instead of 0.001), for one epoch. Adam's first steps at that rate throw the
# weights far enough that a few mini-batches' gradients explode (their global norm goes far
# above grad_clip = 5); the slides' settings never get there (their largest norm stays below 2).
CLIPPING_ACTS = {'learning_rate': 0.2}
CLIPPING_ACTS_EPOCHS = 1


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ---------------------------------------------------------------------------
# 1. The tensor shapes of each model, read from its built graph
# ---------------------------------------------------------------------------

def consumer(tensor, op_type):
    """The one operation of type op_type that takes tensor as an input."""
    found = [op for op in tensor.consumers() if op.type == op_type]
    assert len(found) == 1, 'expected one %s after %s, found %s' % (op_type, tensor.name, found)
    return found[0]


def shape_of(tensor):
    return tuple(tensor.shape.as_list())


def sentiment_shapes(rnn):
    """[(what, tensor name, shape), ...] of a SentimentRNN's graph, from the word ids to the
    logits, found by name and by the operations that consume them (the same for fast=True and
    fast=False). With the slides' settings: (100, 200) -> (100, 200, 256) -> (100, 200, 128)
    -> (100, 128) -> (100, 1)."""
    g = rnn.g
    ids = g.get_tensor_by_name('tf_x:0')                                   # (B, T)
    embedded = consumer(ids, 'GatherV2').outputs[0]                        # (B, T, E) embedding_lookup
    dense = g.get_operation_by_name('logits/MatMul')                       # tf.layers.dense's product
    last_step = dense.inputs[0]                                            # (B, H) lstm_outputs[:, -1]
    assert last_step.op.type == 'StridedSlice'
    outputs = last_step.op.inputs[0]                                       # (B, T, H) all steps' outputs
    logits = g.get_tensor_by_name('logits/BiasAdd:0')                      # (B, 1) before the squeeze
    found = [('word ids', ids), ('embeddings', embedded), ('LSTM outputs', outputs),
             ('last step', last_step), ('logits', logits)]
    expected = [(rnn.batch_size, rnn.seq_len), (rnn.batch_size, rnn.seq_len, rnn.embed_size),
                (rnn.batch_size, rnn.seq_len, rnn.lstm_size), (rnn.batch_size, rnn.lstm_size),
                (rnn.batch_size, 1)]
    shapes = [(what, t.name, shape_of(t)) for what, t in found]
    assert [s for _, _, s in shapes] == expected, shapes
    return shapes


def char_shapes(rnn):
    """[(what, tensor name, shape), ...] of a CharRNN's graph, from the character ids to the
    probabilities, found by name and by the operations that consume them. With the slides'
    settings: (64, 100) -> (64, 100, 65) -> (64, 100, 128) -> (6400, 128) -> (6400, 65)."""
    g = rnn.g
    ids = g.get_tensor_by_name('tf_x:0')                                   # (B, T)
    one_hot = consumer(ids, 'OneHot').outputs[0]                           # (B, T, C)
    reshaped = g.get_tensor_by_name('seq_output_reshaped:0')               # (B*T, H)
    outputs = reshaped.op.inputs[0]                                        # (B, T, H)
    logits = g.get_tensor_by_name('logits/BiasAdd:0')                      # (B*T, C)
    proba = g.get_tensor_by_name('probabilities:0')                        # (B*T, C)
    found = [('character ids', ids), ('one-hot', one_hot), ('LSTM outputs', outputs),
             ('outputs reshaped', reshaped), ('logits', logits), ('probabilities', proba)]
    b, t = shape_of(ids)  # (1, 1) in sampling mode
    c, h = rnn.num_classes, rnn.lstm_size
    expected = [(b, t), (b, t, c), (b, t, h), (b * t, h), (b * t, c), (b * t, c)]
    shapes = [(what, x.name, shape_of(x)) for what, x in found]
    assert [s for _, _, s in shapes] == expected, shapes
    return shapes


# ---------------------------------------------------------------------------
# 2. Computing activations: h(t) = tanh(W_xh x(t) + W_hh h(t-1) + b_h)
# ---------------------------------------------------------------------------

def slide_weights(kernel, n_in):
    """BasicRNNCell's one kernel (D+H, H) over [x, h] as the slide's two matrices: TensorFlow
    computes [x, h] @ kernel = x @ kernel[:D] + h @ kernel[D:] with row vectors, so rows 0..D-1
    multiply x and rows D.. multiply h; the slide's W_xh (H, D) and W_hh (H, H) act on column
    vectors, hence the transposes."""
    return kernel[:n_in].T, kernel[n_in:].T


def rnn_activations(xs, W_xh, W_hh, b_h, h0=None):
    """The slide's h(t) = tanh(W_xh x(t) + W_hh h(t-1) + b_h), step by step, one column vector
    at a time. xs (B, T, D); returns every h(t) (B, T, H), from h(0) = h0 or zeros."""
    n_hidden = W_hh.shape[0]
    out = np.zeros(xs.shape[:2] + (n_hidden,))                 # (B, T, H)
    for b, sequence in enumerate(xs):
        h = np.zeros(n_hidden) if h0 is None else h0[b]        # (H,)
        for t, x in enumerate(sequence):                       # x (D,)
            h = np.tanh(W_xh @ x + W_hh @ h + b_h)             # (H,)
            out[b, t] = h
    return out


def tf_basic_rnn(xs, kernel, bias):
    """TensorFlow's own tf.nn.rnn_cell.BasicRNNCell run by tf.nn.dynamic_rnn from the zero state,
    with the given kernel (D+H, H) and bias (H,): (outputs (B, T, H), the cell's kernel shape)."""
    graph = tf.Graph()
    with graph.as_default():
        cell = tf.nn.rnn_cell.BasicRNNCell(kernel.shape[1])
        outputs, _ = tf.nn.dynamic_rnn(cell, tf.constant(xs, tf.float32), dtype=tf.float32)
        variables = {v.op.name: v for v in tf.global_variables()}
        with tf.Session() as sess:
            variables['rnn/basic_rnn_cell/kernel'].load(kernel, sess)
            variables['rnn/basic_rnn_cell/bias'].load(bias, sess)
            return sess.run(outputs), shape_of(variables['rnn/basic_rnn_cell/kernel'])


def random_rnn(n_in, n_hidden, batch, n_steps, seed):
    """Random inputs xs (B, T, D), kernel (D+H, H) and bias (H,), float32 values."""
    rng = np.random.RandomState(seed)
    xs = rng.normal(size=(batch, n_steps, n_in)).astype(np.float32)
    kernel = rng.normal(scale=0.6, size=(n_in + n_hidden, n_hidden)).astype(np.float32)
    bias = rng.normal(scale=0.1, size=n_hidden).astype(np.float32)
    return xs, kernel, bias


def rnn_activations_match_tensorflow(n_in=3, n_hidden=4, n_steps=5, batch=2, seed=0):
    """The slide's equation, in numpy, against BasicRNNCell with the same (random) weights.
    Returns {'kernel_shape': (D+H, H), the one kernel TensorFlow keeps, 'W_xh' (H, D), 'W_hh'
    (H, H), 'b_h' (H,), 'h_numpy', 'h_tf' (B, T, H), 'max_diff'}; asserts max_diff < 1e-6."""
    xs, kernel, bias = random_rnn(n_in, n_hidden, batch, n_steps, seed)
    W_xh, W_hh = slide_weights(kernel, n_in)
    h_numpy = rnn_activations(xs.astype(np.float64), W_xh, W_hh, bias)   # (B, T, H)
    h_tf, kernel_shape = tf_basic_rnn(xs, kernel, bias)                  # (B, T, H)
    assert kernel_shape == (n_in + n_hidden, n_hidden)  # ONE kernel over [x, h]
    max_diff = float(np.abs(h_numpy - h_tf).max())
    assert max_diff < 1e-6, 'the slide\'s h(t) differs from BasicRNNCell by %g' % max_diff
    return {'kernel_shape': kernel_shape, 'W_xh': W_xh, 'W_hh': W_hh, 'b_h': bias,
            'h_numpy': h_numpy, 'h_tf': h_tf, 'max_diff': max_diff}


# The slide's output: y(t) = phi(W_hy h(t) + b_y), with phi = softmax as in the CharRNN (its
# tf.layers.dense 'logits', then tf.nn.softmax) -------------------------------------------------

def softmax(z):
    """softmax over the last axis, shifted by the maximum so that exp cannot overflow."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def slide_output_weights(kernel):
    """tf.layers.dense's kernel (H, Y) as the slide's W_hy (Y, H): the layer computes h @ kernel
    with row vectors, the slide W_hy h with column vectors."""
    return kernel.T


def output_activations(hs, W_hy, b_y, phi=softmax):
    """The slide's y(t) = phi(W_hy h(t) + b_y), one column vector h(t) (H,) at a time.
    hs (B, T, H); returns every y(t) (B, T, Y)."""
    out = np.zeros(hs.shape[:2] + (W_hy.shape[0],))                  # (B, T, Y)
    for b, sequence in enumerate(hs):
        for t, h in enumerate(sequence):                            # h (H,)
            out[b, t] = phi(W_hy @ h + b_y)                         # (Y,)
    return out


def tf_dense_outputs(hs, kernel, bias):
    """TensorFlow's tf.compat.v1.layers.dense (as the lecture models call it, activation=None,
    named 'logits') then tf.nn.softmax, over the rows of hs (B, T, H) reshaped to (B*T, H) as the
    CharRNN does, with the given kernel (H, Y) and bias (Y,): (B, T, Y)."""
    graph = tf.Graph()
    with graph.as_default():
        rows = tf.constant(hs.reshape(-1, hs.shape[-1]), tf.float32)          # (B*T, H)
        logits = tf.layers.dense(rows, kernel.shape[1], activation=None, name='logits')
        proba = tf.nn.softmax(logits)                                         # (B*T, Y)
        variables = {v.op.name: v for v in tf.global_variables()}
        with tf.Session() as sess:
            variables['logits/kernel'].load(kernel, sess)
            variables['logits/bias'].load(bias, sess)
            return sess.run(proba).reshape(hs.shape[:2] + (kernel.shape[1],))


def output_matches_tensorflow(hs, n_out=3, seed=0):
    """The slide's y(t) = softmax(W_hy h(t) + b_y) in numpy, from the hidden states hs (B, T, H),
    against tf.layers.dense + tf.nn.softmax with the same (random) kernel (H, Y) and bias (Y,).
    Returns {'kernel_shape': (H, Y), 'W_hy' (Y, H), 'b_y' (Y,), 'y_numpy', 'y_tf' (B, T, Y),
    'max_diff'}; asserts max_diff < 1e-6."""
    rng = np.random.RandomState(seed)
    kernel = rng.normal(scale=0.8, size=(hs.shape[-1], n_out)).astype(np.float32)   # (H, Y)
    bias = rng.normal(scale=0.5, size=n_out).astype(np.float32)                     # (Y,)
    W_hy = slide_output_weights(kernel.astype(np.float64))                          # (Y, H)
    y_numpy = output_activations(np.asarray(hs, np.float64), W_hy, bias.astype(np.float64))
    y_tf = tf_dense_outputs(np.asarray(hs, np.float32), kernel, bias)
    max_diff = float(np.abs(y_numpy - y_tf).max())
    assert max_diff < 1e-6, 'the slide\'s y(t) differs from tf.layers.dense by %g' % max_diff
    return {'kernel_shape': kernel.shape, 'W_hy': W_hy, 'b_y': bias, 'y_numpy': y_numpy, 'y_tf': y_tf,
            'max_diff': max_diff}


# ---------------------------------------------------------------------------
# 3. BPTT: dh(t)/dh(k) = prod_{i=k+1..t} dh(i)/dh(i-1);  L = sum_t L(t)
# ---------------------------------------------------------------------------

def step_jacobian(h_i, W_hh):
    """dh(i)/dh(i-1) (H, H), entry [a, b] = dh(i)_a / dh(i-1)_b, of h(i) = tanh(W_xh x + W_hh
    h(i-1) + b_h): diag(1 - h(i)^2) W_hh. (In TensorFlow's row convention h(i) = tanh(x Wx + h(i-1)
    Wh + b), Wh = W_hh^T = kernel[D:], so the same matrix is diag(1 - h(i)^2) Wh^T.)"""
    return (1 - h_i ** 2)[:, None] * W_hh


def jacobian_product(hs, W_hh, k, t):
    """dh(t)/dh(k) (H, H) as the slide's product of adjacent steps' Jacobians, the latest
    leftmost: J(t) J(t-1) ... J(k+1). hs (T+1, H) holds h(0) (the initial state) to h(T)."""
    product = np.eye(W_hh.shape[0])
    for i in range(k + 1, t + 1):
        product = step_jacobian(hs[i], W_hh) @ product
    return product


def bptt_gradient_W_hh(xs, hs, ys, W_hh, W_hy, b_y):
    """dL/dW_hh (H, H) of L = sum_t L(t), L(t) = 0.5 ||W_hy h(t) + b_y - y(t)||^2, by the slide's
    formula: dL(t)/dW_hh = dL(t)/dh(t) sum_{k=1..t} dh(t)/dh(k) d+h(k)/dW_hh, where d+ holds
    h(k-1) fixed: d+h(k)_a / dW_hh[a, m] = (1 - h(k)_a^2) h(k-1)_m. hs (T+1, H), ys (T+1, Y)
    with row 0 unused (steps count from 1)."""
    n_steps = len(hs) - 1
    grad = np.zeros_like(W_hh)                                        # (H, H)
    for t in range(1, n_steps + 1):
        dL_dh_t = W_hy.T @ (W_hy @ hs[t] + b_y - ys[t])               # (H,) dL(t)/dh(t)
        for k in range(1, t + 1):
            delta = dL_dh_t @ jacobian_product(hs, W_hh, k, t)        # (H,) dL(t)/dh(k)
            grad += np.outer(delta * (1 - hs[k] ** 2), hs[k - 1])     # (H, H)
    return grad


def unrolled_tanh_rnn_graph(xs, kernel, bias, W_hy, b_y, ys):
    """BasicRNNCell unrolled step by step in Python over one sequence xs (T, D), so that every h(k)
    is a tensor: {'hs': [h(1), ..., h(T)] (1, H) each, 'kernel', 'loss': sum_t 0.5 ||y_hat(t) -
    y(t)||^2 with y_hat(t) = h(t) W_hy^T + b_y}. ys (T, Y)."""
    cell = tf.nn.rnn_cell.BasicRNNCell(kernel.shape[1])
    h = tf.zeros((1, kernel.shape[1]))
    hs, losses = [], []
    with tf.variable_scope('rnn') as scope:
        for t, x in enumerate(xs):
            if t:
                scope.reuse_variables()
            h, _ = cell(tf.constant(x[None], tf.float32), h)             # (1, H)
            hs.append(h)
            y_hat = tf.matmul(h, tf.constant(W_hy.T, tf.float32)) + b_y  # (1, Y)
            losses.append(0.5 * tf.reduce_sum((y_hat - ys[t]) ** 2))
    variables = {v.op.name: v for v in tf.global_variables()}
    return {'hs': hs, 'kernel': variables['rnn/basic_rnn_cell/kernel'],
            'bias': variables['rnn/basic_rnn_cell/bias'], 'loss': tf.add_n(losses)}


def bptt_matches_tensorflow(n_in=3, n_hidden=4, n_out=2, n_steps=6, k=1, t=None, seed=0):
    """The slide's BPTT on a small tanh RNN (BasicRNNCell), in numpy, against tf.gradients.

    Returns {'jacobian_product': dh(t)/dh(k) (H, H) as the product of the steps' Jacobians,
    'jacobian_tf': the same from tf.gradients, one output unit at a time, 'step_norms': the
    spectral norm of each step's Jacobian dh(i)/dh(i-1) (T,), 'dL_dW_hh', 'dL_dW_hh_tf': the
    gradient of L = sum_t L(t) by the slide's sum and by TensorFlow (H, H), 'k', 't'}."""
    t = n_steps if t is None else t
    if not 1 <= k <= t <= n_steps:
        raise ValueError('need 1 <= k <= t <= n_steps (h(0) is a constant of the graph)')
    xs, kernel, bias = random_rnn(n_in, n_hidden, 1, n_steps, seed)
    xs = xs[0]                                                                # (T, D)
    rng = np.random.RandomState(seed + 1)
    W_hy = rng.normal(size=(n_out, n_hidden)).astype(np.float32)              # (Y, H)
    b_y = rng.normal(size=n_out).astype(np.float32)                           # (Y,)
    ys = rng.normal(size=(n_steps, n_out)).astype(np.float32)                 # (T, Y)
    W_xh, W_hh = slide_weights(kernel.astype(np.float64), n_in)
    h_steps = rnn_activations(xs[None].astype(np.float64), W_xh, W_hh, bias)[0]   # (T, H)
    hs = np.vstack([np.zeros(n_hidden), h_steps])                             # (T+1, H), hs[0] = h(0)
    product = jacobian_product(hs, W_hh, k, t)
    grad = bptt_gradient_W_hh(xs, hs, np.vstack([np.zeros(n_out), ys]), W_hh, W_hy, b_y)
    graph = tf.Graph()
    with graph.as_default():
        g = unrolled_tanh_rnn_graph(xs, kernel, bias, W_hy, b_y, ys)
        h_t, h_k = g['hs'][t - 1], g['hs'][k - 1]                             # g['hs'][0] is h(1)
        rows = [tf.gradients(h_t[0, a], h_k)[0][0] for a in range(n_hidden)]  # row a: dh(t)_a/dh(k)
        jacobian = tf.stack(rows)                                             # (H, H)
        d_kernel = tf.gradients(g['loss'], g['kernel'])[0]                    # (D+H, H)
        with tf.Session() as sess:
            g['kernel'].load(kernel, sess)
            g['bias'].load(bias, sess)
            jacobian_tf, d_kernel_tf = sess.run([jacobian, d_kernel])
    grad_tf = d_kernel_tf[n_in:].T  # TensorFlow's kernel[D:] is W_hh^T
    assert np.allclose(product, jacobian_tf, atol=1e-5), 'the product of Jacobians differs from TF'
    assert np.allclose(grad, grad_tf, atol=1e-4 * max(1.0, np.abs(grad_tf).max())), \
        'the slide\'s dL/dW_hh differs from tf.gradients'
    step_norms = np.array([np.linalg.norm(step_jacobian(hs[i], W_hh), 2) for i in range(1, n_steps + 1)])
    return {'jacobian_product': product, 'jacobian_tf': jacobian_tf, 'step_norms': step_norms,
            'dL_dW_hh': grad, 'dL_dW_hh_tf': grad_tf, 'k': k, 't': t}


def jacobian_norms_by_distance(scales=(0.5, 1.0, 1.5), n_hidden=16, n_steps=40, seed=0):
    """The slide's "Gradient Problems" in numbers, on a tanh RNN of random weights: the spectral norm
    of dh(T)/dh(k), the product of T - k step Jacobians (jacobian_product, checked against
    tf.gradients by bptt_matches_tensorflow), for W_hh = scale x an orthogonal matrix, so that
    every singular value of W_hh is `scale`. The inputs are small, so that tanh works near its
    linear part (tanh' near 1): below 1 the product shrinks with the distance, above 1 it can grow.

    Returns {'distance' (n_steps,): T - k = 0..n_steps-1, 'norms': {scale: (n_steps,)},
    'tanh_slope': {scale: the mean over the units of tanh' = 1 - h(i)^2 at each step i = 1..T
    (n_steps,)}, 'step_norms': {scale: the spectral norm of each step's Jacobian (n_steps,)}}."""
    rng = np.random.RandomState(seed)
    orthogonal, _ = np.linalg.qr(rng.normal(size=(n_hidden, n_hidden)))   # (H, H)
    W_xh = rng.normal(scale=0.1, size=(n_hidden, 2))                     # (H, D): small inputs
    xs = rng.normal(scale=0.1, size=(1, n_steps, 2))                     # (1, T, D)
    norms, slopes, step_norms = {}, {}, {}
    for scale in scales:
        W_hh = scale * orthogonal
        h_steps = rnn_activations(xs, W_xh, W_hh, np.zeros(n_hidden))[0]     # (T, H)
        hs = np.vstack([np.zeros(n_hidden), h_steps])                     # (T+1, H), hs[0] = h(0)
        norms[scale] = np.array([np.linalg.norm(jacobian_product(hs, W_hh, k, n_steps), 2)
                                 for k in range(n_steps, 0, -1)])          # distance 0, 1, ...
        # Why growth is capped: h is bounded, and as units saturate (|h| -> 1) tanh' = 1 - h^2
        # shrinks, and with it the norm of each step's Jacobian diag(1 - h^2) W_hh.
        slopes[scale] = (1 - h_steps ** 2).mean(axis=1)                                   # (T,)
        step_norms[scale] = np.array([np.linalg.norm(step_jacobian(h, W_hh), 2) for h in h_steps])  # (T,)
    return {'distance': np.arange(n_steps), 'norms': norms, 'tanh_slope': slopes, 'step_norms': step_norms}


# ---------------------------------------------------------------------------
# 4. Gradient problems, measured: ||dL(T)/dh(k)|| against the distance T - k
# ---------------------------------------------------------------------------

def unrolled_classifier(cells, n_words, embed_size, seq_len, batch_size):
    """The SentimentRNN's network (embedding -> cells -> dense(1) on the last step's output ->
    sigmoid) with the steps unrolled in Python, so that every step's output h(k) is a tensor of
    its own; the variables have the SentimentRNN's names, so its checkpoint restores into it.
    batch_size None: any number of rows.

    Returns {'x' (B, T) ids, 'y' (B,) labels, 'hs': [h(1), ..., h(T)] (B, H) each, 'proba' (B,),
    'losses' (B,) each review's loss, 'grads': [dL_b/dh_b(k)] T x (B, H), 'logits_kernel'}."""
    x = tf.placeholder(tf.int32, (batch_size, seq_len), name='tf_x')
    y = tf.placeholder(tf.float32, (batch_size,), name='tf_y')
    embedding = tf.Variable(tf.random_uniform((n_words, embed_size), -1, 1), name='embedding')
    # unstack: one op, and one gradient op; slicing x[:, t] would add T dense (B, T, E) gradients.
    steps = tf.unstack(tf.nn.embedding_lookup(embedding, x), axis=1)  # T x (B, E)
    state = cells.zero_state(tf.shape(x)[0], tf.float32)
    hs = []
    with tf.variable_scope('rnn') as scope:   # the scope tf.nn.dynamic_rnn gives the cells
        for t, x_t in enumerate(steps):
            if t:
                scope.reuse_variables()
            h, state = cells(x_t, state)                                  # (B, H)
            hs.append(h)
    logits = tf.squeeze(tf.layers.dense(hs[-1], 1, name='logits'), 1)    # (B,)
    losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits)  # (B,)
    # Review b's loss depends on review b's h only: the gradient of the sum, row b, is dL_b/dh_b(k).
    grads = tf.gradients(tf.reduce_sum(losses), hs)                       # T x (B, H)
    with tf.variable_scope('logits', reuse=True):
        logits_kernel = tf.get_variable('kernel')                         # (H, 1)
    return {'x': x, 'y': y, 'hs': hs, 'proba': tf.sigmoid(logits), 'losses': losses, 'grads': grads,
            'logits_kernel': logits_kernel}


def row_norms(grads):
    """||dL_b/dh_b(k)|| of the fetched gradients [T x (B, H)], as (B, T), summed in float64: in
    float32 the squares of entries below about 1e-19 would be 0, and so would the norm."""
    return np.stack([np.linalg.norm(np.asarray(g, np.float64), axis=1) for g in grads], 1)


def assert_last_step_gradient(norms, proba, y, logits_kernel):
    """At distance 0 only the dense layer lies between h(T) and the loss: dL/dh(T) = (p - y) w, so
    its norm is |p - y| ||w||. Checks that the measurement differentiates the right tensors."""
    expected = np.abs(proba - y) * np.linalg.norm(logits_kernel)          # (B,)
    assert np.allclose(norms[:, -1], expected, rtol=1e-3, atol=1e-7), 'dL/dh(T) is not (p - y) w'


def session_without_rewrites(graph):
    """A session on graph without TensorFlow's graph optimizer (grappler): it spends about 2 s
    rewriting an unrolled graph of 10,000 operations that runs only a few times; the numbers
    are the same."""
    config = tf.ConfigProto()
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    return tf.Session(graph=graph, config=config)


def by_distance(norms):
    """Columns of (B, T) steps k = 1..T reordered by the distance T - k = 0..T-1."""
    return norms[:, ::-1]


def lstm_gradient_norms(rnn, X, y):
    """||dL(T)/dh(k)|| for a trained SentimentRNN (its latest checkpoint in rnn.model_dir) on the
    reviews X (n, seq_len), n <= rnn.batch_size, with labels y (n,), each from the zero state.

    Returns {'norms' (n, T): by distance T - k = 0..T-1, 'proba' (n,)}. Asserts that the unrolled
    graph gives the probabilities of rnn's own graph (rnn.predict, the rows padded to one batch)."""
    n = len(X)
    if not 0 < n <= rnn.batch_size:
        raise ValueError('give 1 to batch_size=%d reviews, not %d' % (rnn.batch_size, n))
    graph = tf.Graph()
    with graph.as_default():
        cells = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(rnn.lstm_size)
                                             for _ in range(rnn.num_layers)])
        g = unrolled_classifier(cells, rnn.n_words, rnn.embed_size, rnn.seq_len, n)
        saver = tf.train.Saver(tf.global_variables())  # the model's variables, by their names
    with session_without_rewrites(graph) as sess:
        saver.restore(sess, tf.train.latest_checkpoint(rnn.model_dir))
        grads, proba, w = sess.run([g['grads'], g['proba'], g['logits_kernel']], {g['x']: X, g['y']: y})
    norms = row_norms(grads)
    batch = np.concatenate([X, np.zeros((rnn.batch_size - n, X.shape[1]), X.dtype)])
    own = np.asarray(rnn.predict(batch, return_proba=True)).reshape(-1)[:n]  # one batch: zero state
    assert np.allclose(proba, own, atol=1e-5), 'the unrolled LSTM differs from the SentimentRNN'
    assert_last_step_gradient(norms, proba, y, w)
    return {'norms': by_distance(norms), 'proba': proba}


def compact_ids(*arrays):
    """The word ids of the arrays renumbered 0..U-1 (0 stays 0 when present), so that a small
    model needs an embedding of U rows only, not n_words: (renumbered arrays, U)."""
    ids = np.unique(np.concatenate([np.ravel(a) for a in arrays] + [[0]]))
    new = np.zeros(ids.max() + 1, np.int64)
    new[ids] = np.arange(len(ids))
    return [new[a] for a in arrays], len(ids)


def tanh_rnn_gradient_norms(X_train, y_train, X, y, embed_size, n_units, num_epochs, batch_size,
                            learning_rate, seed=123):
    """The same measurement for a plain tanh RNN (embedding -> BasicRNNCell(n_units) -> dense):
    trained briefly (num_epochs over X_train, Adam, from the zero state per batch), then measured
    on X (n, T) with labels y. Returns {'norms' (n, T) by distance, 'proba' (n,), 'train_loss'
    (num_epochs,) the mean loss of each epoch}."""
    (X_train, X), n_ids = compact_ids(X_train, X)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        cells = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicRNNCell(n_units)])
        g = unrolled_classifier(cells, n_ids, embed_size, X.shape[1], None)
        train_op = tf.train.AdamOptimizer(learning_rate).minimize(tf.reduce_mean(g['losses']))
        init_op = tf.global_variables_initializer()
    train_loss = []
    with session_without_rewrites(graph) as sess:
        sess.run(init_op)
        for _ in range(num_epochs):
            losses = [sess.run([g['losses'], train_op], {g['x']: X_train[i:i + batch_size],
                                                         g['y']: y_train[i:i + batch_size]})[0]
                      for i in range(0, len(X_train) // batch_size * batch_size, batch_size)]
            train_loss.append(float(np.mean(losses)))
        grads, proba, w = sess.run([g['grads'], g['proba'], g['logits_kernel']], {g['x']: X, g['y']: y})
    norms = row_norms(grads)
    assert_last_step_gradient(norms, proba, y, w)
    return {'norms': by_distance(norms), 'proba': proba, 'train_loss': np.array(train_loss)}


def gradient_vs_distance(rnn, X_train, y_train, X, y, tanh_epochs=1, report=(0, 1, 5, 10, 20, 50, 100, 199)):
    """The slides' "Gradient Problems", measured: the norm of the gradient of the last step's loss
    with respect to h(k), against the distance T - k, averaged over the reviews X (n <=
    rnn.batch_size rows, labels y), for the trained SentimentRNN rnn and for a plain tanh RNN of
    the same size (rnn's embed_size and lstm_size) trained for tanh_epochs on X_train, y_train.

    Returns {'distance' (T,), 'lstm', 'tanh': the mean norm over the reviews at each distance (T,),
    'lstm_norms', 'tanh_norms': per review (n, T), 'tanh_train_loss', 'table': [(distance, lstm,
    tanh)] at the distances in report}. A mean of 0: every entry of every review's gradient is 0
    in float32 (below about 1e-45), i.e. it has vanished entirely."""
    lstm = lstm_gradient_norms(rnn, X, y)
    tanh = tanh_rnn_gradient_norms(X_train, y_train, X, y, rnn.embed_size, rnn.lstm_size, tanh_epochs,
                                   rnn.batch_size, rnn.learning_rate)
    lstm_mean, tanh_mean = lstm['norms'].mean(0), tanh['norms'].mean(0)   # (T,)
    return {'distance': np.arange(X.shape[1]), 'lstm': lstm_mean, 'tanh': tanh_mean,
            'lstm_norms': lstm['norms'], 'tanh_norms': tanh['norms'], 'tanh_train_loss': tanh['train_loss'],
            'table': [(d, float(lstm_mean[d]), float(tanh_mean[d])) for d in report if d < X.shape[1]]}


# ---------------------------------------------------------------------------
# 5. Gradient clipping: the global norm of each CharRNN mini-batch
# ---------------------------------------------------------------------------

def clip_tensors(graph):
    """(global norm, [gradients], [clipped gradients]) of the tf.clip_by_global_norm in graph:
    its second output, which the slides discard (`grads, _ = ...`), its inputs and its outputs."""
    clipped = sorted((op for op in graph.get_operations()
                      if re.fullmatch(r'clip_by_global_norm/clip_by_global_norm/_\d+', op.name)),
                     key=lambda op: int(op.name.rsplit('_', 1)[1]))
    assert clipped, 'the graph has no tf.clip_by_global_norm'
    grads = [op.inputs[0].op.inputs[0] for op in clipped]  # each output is identity(grad * scale)
    norms = [t for op in graph.get_operations() if op.name.endswith('global_norm/global_norm')
             for t in op.outputs if any(c.name.startswith('clip_by_global_norm/') for c in t.consumers())]
    assert len(norms) == 1, norms
    return norms[0], grads, [op.outputs[0] for op in clipped]


def global_norm(tensors):
    """sqrt(sum of every entry's square) over a list of arrays, in float64."""
    return float(np.sqrt(sum(np.sum(np.square(t, dtype=np.float64)) for t in tensors)))


def assert_clipping(norm, grads, clipped, clip_norm):
    """The global norm is sqrt(sum of every gradient's squared entries), and clipping multiplies
    every gradient by the same factor clip_norm / max(norm, clip_norm): the direction stays.
    Returns the largest difference of tf.clip_by_global_norm's result from g * clip_norm /
    max(norm, clip_norm), relative to the largest clipped entry."""
    assert np.isclose(norm, global_norm(grads), rtol=1e-4)
    scale = clip_norm / max(norm, clip_norm)
    for g, c in zip(grads, clipped):
        assert np.allclose(c, g * scale, rtol=1e-4, atol=1e-7)
    largest = max(float(np.abs(c).max()) for c in clipped) or 1.0
    return max(float(np.abs(c - g.astype(np.float64) * scale).max()) for g, c in zip(grads, clipped)) / largest


def clipping_norms(text_ints, num_classes, hparams, num_epochs):
    """Train a CharRNN(num_classes, **hparams) (the slides' settings: settings.CHAR_HPARAMS) on the
    encoded text for num_epochs as its train() does, and fetch at every mini-batch the global norm
    of its gradients from the graph's own tf.clip_by_global_norm (asserted against the gradients).

    Returns {'norms' (n_batches,), 'norms_after' (n_batches,): the global norm of the clipped
    gradients the optimizer applied (min(norm, grad_clip)), 'losses' (n_batches,), 'grad_clip',
    'share_above': the share of the mini-batches whose norm exceeded grad_clip (those clipping
    scaled down), 'batches_per_epoch', 'max_clip_error': the largest difference of
    tf.clip_by_global_norm's result from g * grad_clip / max(norm, grad_clip), relative}."""
    rnn = build_quietly(CharRNN, num_classes, **hparams)
    train_x, train_y = data_utils.reshape_data(text_ints, rnn.batch_size, rnn.num_steps)  # (B, L) each
    norm_t, grads_t, clipped_t = clip_tensors(rnn.g)
    norms, norms_after, losses, errors = [], [], [], []
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        for _ in range(num_epochs):
            state = sess.run(rnn.initial_state)   # as train(): the zero state at each epoch's start
            for batch_x, batch_y in char_batch_generator(train_x, train_y, rnn.num_steps):  # (B, T)
                feed = {'tf_x:0': batch_x, 'tf_y:0': batch_y, 'tf_keepprob:0': rnn.keep_prob,
                        rnn.initial_state: state}
                norm, grads, clipped, loss, _, state = sess.run(
                    [norm_t, grads_t, clipped_t, 'cost:0', 'train_op', rnn.final_state], feed)
                errors.append(assert_clipping(norm, grads, clipped, rnn.grad_clip))
                norms.append(float(norm))
                norms_after.append(global_norm(clipped))
                losses.append(float(loss))
    norms = np.array(norms)
    return {'norms': norms, 'norms_after': np.array(norms_after), 'losses': np.array(losses),
            'grad_clip': rnn.grad_clip, 'share_above': float(np.mean(norms > rnn.grad_clip)),
            'batches_per_epoch': train_x.shape[1] // rnn.num_steps, 'max_clip_error': max(errors)}


def clipping_in_action(text_ints, num_classes, hparams):
    """clipping_norms() of the CharRNN with hparams (the slides' settings) changed by CLIPPING_ACTS
    (a learning rate 200 times theirs), for CLIPPING_ACTS_EPOCHS: a training whose gradients
    explode, so that tf.clip_by_global_norm acts. Returns clipping_norms's result, and
    'hparams': the settings it ran."""
    changed = dict(hparams, **CLIPPING_ACTS)
    result = clipping_norms(text_ints, num_classes, changed, CLIPPING_ACTS_EPOCHS)
    result['hparams'] = changed
    return result


# ---------------------------------------------------------------------------
# 6. LSTM units: the gate equations on the shipped CharRNN's weights
# ---------------------------------------------------------------------------

def kernel_blocks(n_hidden):
    """The columns of BasicLSTMCell's kernel (and bias) that each gate reads, in its order
    (i, j, f, o): {name: (first, last + 1)}."""
    return {name: (k * n_hidden, (k + 1) * n_hidden) for k, name in enumerate(('i', 'j', 'f', 'o'))}


def lstm_step(x, c_prev, h_prev, kernel, bias, forget_bias=1.0):
    """One step of the slides' LSTM unit in numpy, rows (B, .), with BasicLSTMCell's weights: kernel
    (D+H, 4H) over [x, h] (rows 0..D-1 multiply x, rows D.. multiply h), its columns four blocks
    of H in BasicLSTMCell's order (i, j, f, o); bias (4H,). Returns {'i', 'g', 'f', 'o', 'c', 'h'},
    (B, H) each."""
    z = np.concatenate([x, h_prev], axis=1) @ kernel + bias   # (B, 4H): W_x x + W_h h + b, all gates
    z_i, z_j, z_f, z_o = np.split(z, 4, axis=1)               # (B, H) each, BasicLSTMCell's order
    i = sigmoid(z_i)                   # input gate      i = sigma(W_xi x + W_hi h + b_i)
    g = np.tanh(z_j)                   # candidate value g = tanh(W_xg x + W_hg h + b_g)   (TF: j)
    # forget gate f = sigma(W_xf x + W_hf h + b_f): BasicLSTMCell adds forget_bias (1.0) here, at run
    # time; it is not in the stored bias, so a trained model's b_f is learned on top of it.
    f = sigmoid(z_f + forget_bias)
    o = sigmoid(z_o)                   # output gate     o = sigma(W_xo x + W_ho h + b_o)
    c = f * c_prev + i * g             # cell state:  keep part of the old memory, add part of the new
    h = o * np.tanh(c)                 # hidden state: what the output gate lets out of the memory
    return {'i': i, 'g': g, 'f': f, 'o': o, 'c': c, 'h': h}


def line_position(text, line):
    """Where line starts in text; ValueError if it is not there."""
    position = text.find(line)
    if position < 0:
        raise ValueError('%r is not in the text' % line)
    return position


def lstm_gates_on_line(model_dir, line, forget_bias=1.0):
    """The gates and cell state of the first LSTM layer of the CharRNN saved in model_dir at every
    character of line, in numpy (lstm_step), fed one character at a time from the zero state with
    the state carried, as sample() runs it; equal at every step, within 1e-5, to the (c, h) of
    CharRNN(sampling=True)'s graph, and (one layer) to its probabilities. forget_bias: the
    BasicLSTMCell's (the CharRNN builds it with the default, 1.0).

    Returns {'chars': list(line), 'i', 'g', 'f', 'o', 'c', 'h': (T, H) each, 'proba' (T, C): the
    next character's probabilities, 'kernel_blocks': the column ranges of i, j (= g), f, o,
    'forget_bias', 'max_diff'}."""
    folder = ModelFolder(model_dir)
    hparams, vocab = folder.load_config('CharRNN')
    char2int = {ch: k for k, ch in enumerate(vocab)}
    missing = sorted(set(line) - set(char2int))
    if missing:
        raise ValueError('characters the model does not know: %r' % ''.join(missing))
    prefix = 'rnn/multi_rnn_cell/cell_0/basic_lstm_cell/'
    with folder.char_sampler(CharRNN) as sampler:   # the graph, one character at a time, state carried
        kernel, bias, w_out, b_out = sampler.sess.run([prefix + 'kernel:0', prefix + 'bias:0',
                                                       'logits/kernel:0', 'logits/bias:0'])
        tf_c, tf_h, tf_proba = [], [], []
        for ch in line:
            tf_proba.append(sampler.step(ch))
            tf_c.append(sampler.state[0].c[0])
            tf_h.append(sampler.state[0].h[0])
    n_hidden = hparams['lstm_size']
    c, h = np.zeros((1, n_hidden)), np.zeros((1, n_hidden))        # the zero state
    steps = []
    for ch in line:
        x = np.eye(len(vocab))[[char2int[ch]]]                      # (1, C) one-hot
        step = lstm_step(x, c, h, kernel.astype(np.float64), bias.astype(np.float64), forget_bias)
        c, h = step['c'], step['h']
        steps.append(step)
    out = {name: np.vstack([s[name] for s in steps]) for name in ('i', 'g', 'f', 'o', 'c', 'h')}  # (T, H)
    max_diff = float(max(np.abs(out['c'] - np.array(tf_c)).max(), np.abs(out['h'] - np.array(tf_h)).max()))
    assert max_diff < 1e-5, 'the gate equations differ from the TF graph by %g' % max_diff
    proba = softmax(out['h'] @ w_out + b_out)                       # (T, C)
    if hparams['num_layers'] == 1:
        assert np.allclose(proba, np.array(tf_proba), atol=1e-5), 'the probabilities differ from the TF graph'
    out.update(chars=list(line), proba=proba, kernel_blocks=kernel_blocks(n_hidden), forget_bias=forget_bias,
               max_diff=max_diff)
    return out


def lstm_cell_sizes(rnn):
    """The sizes of the first LSTM layer of a built CharRNN, read from its graph: its kernel
    variable (D+H, 4H) over [x, h] and its bias (4H,). Returns {'n_inputs': D (the one-hot
    input, num_classes), 'n_hidden': H, 'kernel_shape', 'bias_shape', 'blocks': the kernel's
    column ranges of i, j, f, o (BasicLSTMCell's order), 'forget_bias': BasicLSTMCell's default,
    which the CharRNN builds it with}."""
    with rnn.g.as_default():
        found = {v.op.name: v for v in tf.global_variables()}
    prefix = 'rnn/multi_rnn_cell/cell_0/basic_lstm_cell/'
    kernel_shape, bias_shape = shape_of(found[prefix + 'kernel']), shape_of(found[prefix + 'bias'])
    n_hidden = kernel_shape[1] // 4
    n_inputs = kernel_shape[0] - n_hidden
    assert bias_shape == (4 * n_hidden,) and (n_inputs, n_hidden) == (rnn.num_classes, rnn.lstm_size)
    blocks = kernel_blocks(n_hidden)
    forget_bias = inspect.signature(tf.nn.rnn_cell.BasicLSTMCell.__init__).parameters['forget_bias'].default
    return {'n_inputs': n_inputs, 'n_hidden': n_hidden, 'kernel_shape': kernel_shape, 'bias_shape': bias_shape,
            'blocks': blocks, 'forget_bias': forget_bias}


# ---------------------------------------------------------------------------
# "Sigmoid": the gates' sigmoid and the candidate's tanh
# ---------------------------------------------------------------------------

def activation_curves(z=np.linspace(-6, 6, 241)):
    """sigma(z) = 1 / (1 + e^-z), in (0, 1), and tanh(z) = 2 sigma(2z) - 1, in (-1, 1), at z:
    {'z', 'sigmoid', 'tanh'}, each (n,)."""
    z = np.asarray(z, np.float64)
    return {'z': z, 'sigmoid': sigmoid(z), 'tanh': np.tanh(z)}
