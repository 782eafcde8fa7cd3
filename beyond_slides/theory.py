"""The numbers behind the lecture's theory slides, on the lecture's own models (theory_figures.py draws them),
each equation asserted against TensorFlow. TensorFlow multiplies row vectors (x W), the slides column vectors
(W x). Shapes: B batch rows, T steps, D inputs, H hidden units."""
import inspect
import re

import numpy as np

import data_utils
from beyond_slides.predicting import CharSampler, build_quietly, predict_every_row
from beyond_slides.settings import LSTM_SCOPE
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
# times theirs, for one epoch. Adam's first steps at that rate throw the weights far enough that a
# few mini-batches' gradients explode (far above grad_clip = 5); the slides' stay below 2.
CLIPPING_ACTS = {'learning_rate': 0.2}
CLIPPING_ACTS_EPOCHS = 1
RNN_CELL = 'rnn/basic_rnn_cell/'   # a BasicRNNCell's variables, in tf.nn.dynamic_rnn's scope


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    """softmax over the last axis, shifted by the maximum so that exp cannot overflow."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def run_loaded(fetches, values):
    """sess.run(fetches) on the default graph, its variables {name: value} loaded first."""
    variables = {v.op.name: v for v in tf.global_variables()}
    with tf.Session() as sess:
        for name, value in values.items():
            variables[name].load(value, sess)
        return sess.run(fetches)


def shape_of(tensor):
    return tuple(tensor.shape.as_list())


# --- 1. The tensor shapes of each model, read from its built graph ---------------------------
def consumer(tensor, op_type):
    """The one operation of type op_type that takes tensor as an input."""
    found = [op for op in tensor.consumers() if op.type == op_type]
    assert len(found) == 1, 'expected one %s after %s, found %s' % (op_type, tensor.name, found)
    return found[0]


def checked_shapes(found, expected):
    """[(what, tensor name, shape)] of found [(what, tensor)], the shapes asserted to be expected."""
    shapes = [(what, t.name, shape_of(t)) for what, t in found]
    assert [s for _, _, s in shapes] == expected, shapes
    return shapes


def sentiment_shapes(rnn):
    """[(what, tensor name, shape)] of a SentimentRNN's graph (fast or not) from the word ids to the logits."""
    g = rnn.g
    ids = g.get_tensor_by_name('tf_x:0')                                   # (B, T)
    last_step = g.get_operation_by_name('logits/MatMul').inputs[0]          # (B, H) lstm_outputs[:, -1]
    assert last_step.op.type == 'StridedSlice'
    found = [('word ids', ids), ('embeddings', consumer(ids, 'GatherV2').outputs[0]),   # (B, T, E)
             ('LSTM outputs', last_step.op.inputs[0]), ('last step', last_step),        # (B, T, H)
             ('logits', g.get_tensor_by_name('logits/BiasAdd:0'))]                      # (B, 1)
    b, t, h = rnn.batch_size, rnn.seq_len, rnn.lstm_size
    return checked_shapes(found, [(b, t), (b, t, rnn.embed_size), (b, t, h), (b, h), (b, 1)])


def char_shapes(rnn):
    """[(what, tensor name, shape)] of a CharRNN's graph from the character ids to the probabilities."""
    g = rnn.g
    ids = g.get_tensor_by_name('tf_x:0')                                   # (B, T)
    reshaped = g.get_tensor_by_name('seq_output_reshaped:0')               # (B*T, H)
    found = [('character ids', ids), ('one-hot', consumer(ids, 'OneHot').outputs[0]),
             ('LSTM outputs', reshaped.op.inputs[0]), ('outputs reshaped', reshaped),
             ('logits', g.get_tensor_by_name('logits/BiasAdd:0')),
             ('probabilities', g.get_tensor_by_name('probabilities:0'))]
    b, t = shape_of(ids)  # (1, 1) in sampling mode
    c, h = rnn.num_classes, rnn.lstm_size
    return checked_shapes(found, [(b, t), (b, t, c), (b, t, h), (b * t, h), (b * t, c), (b * t, c)])


# --- 2. Computing activations: h(t) = tanh(W_xh x(t) + W_hh h(t-1) + b_h) --------------------
def slide_weights(kernel, n_in):
    """BasicRNNCell's one kernel (D+H, H) over [x, h] as the slide's W_xh (H, D) and W_hh (H, H):
    rows 0..D-1 multiply x, rows D.. multiply h, transposed for column vectors."""
    return kernel[:n_in].T, kernel[n_in:].T


def rnn_activations(xs, W_xh, W_hh, b_h, phi=np.tanh):
    """The slide's h(t) from h(0) = 0, one column vector at a time: xs (B, T, D) -> (B, T, H)."""
    out = np.zeros(xs.shape[:2] + (len(W_hh),))
    for b, sequence in enumerate(xs):
        h = np.zeros(len(W_hh))                                # h(0)
        for t, x in enumerate(sequence):                       # x (D,)
            h = out[b, t] = phi(W_xh @ x + W_hh @ h + b_h)     # (H,)
    return out


def states_from_zero(xs, W_xh, W_hh, b_h):
    """hs (T+1, H) over one sequence xs (T, D): h(0) = 0, then the slide's h(1) .. h(T)."""
    return np.vstack([np.zeros(len(W_hh)), rnn_activations(np.asarray(xs, np.float64)[None], W_xh, W_hh, b_h)[0]])


def tf_basic_rnn(xs, kernel, bias):
    """(outputs (B, T, H), kernel shape) of BasicRNNCell(kernel, bias) run by tf.nn.dynamic_rnn from zero."""
    with tf.Graph().as_default() as graph:
        outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(kernel.shape[1]), tf.constant(xs, tf.float32),
                                       dtype=tf.float32)
        return (run_loaded(outputs, {RNN_CELL + 'kernel': kernel, RNN_CELL + 'bias': bias}),
                shape_of(graph.get_tensor_by_name(RNN_CELL + 'kernel:0')))


def random_rnn(n_in, n_hidden, batch, n_steps, seed):
    """Random float32 inputs xs (B, T, D), kernel (D+H, H) and bias (H,)."""
    rng = np.random.RandomState(seed)
    xs = rng.normal(size=(batch, n_steps, n_in)).astype(np.float32)
    kernel = rng.normal(scale=0.6, size=(n_in + n_hidden, n_hidden)).astype(np.float32)
    bias = rng.normal(scale=0.1, size=n_hidden).astype(np.float32)
    return xs, kernel, bias


# The slide's output: y(t) = phi(W_hy h(t) + b_y), phi = softmax as in the CharRNN
def slide_output_weights(kernel):
    """tf.layers.dense's kernel (H, Y) as the slide's W_hy (Y, H): h @ kernel is W_hy h."""
    return kernel.T


def output_activations(hs, W_hy, b_y, phi=softmax):
    """The slide's y(t), one column vector h(t) (H,) at a time: hs (B, T, H) -> (B, T, Y)."""
    out = np.zeros(hs.shape[:2] + (len(W_hy),))
    for b, t in np.ndindex(hs.shape[:2]):
        out[b, t] = phi(W_hy @ hs[b, t] + b_y)
    return out


def output_matches_tensorflow(hs, n_out=3, seed=0):
    """The slide's y(t) from hs (B, T, H) against tf.layers.dense + tf.nn.softmax on (B*T, H), same random weights."""
    rng = np.random.RandomState(seed)
    kernel = rng.normal(scale=0.8, size=(hs.shape[-1], n_out)).astype(np.float32)   # (H, Y)
    bias = rng.normal(scale=0.5, size=n_out).astype(np.float32)                     # (Y,)
    W_hy = slide_output_weights(kernel.astype(np.float64))                          # (Y, H)
    y_numpy = output_activations(np.asarray(hs, np.float64), W_hy, bias.astype(np.float64))
    with tf.Graph().as_default():
        rows = tf.constant(np.reshape(hs, (-1, hs.shape[-1])), tf.float32)          # (B*T, H)
        proba = tf.nn.softmax(tf.layers.dense(rows, n_out, activation=None, name='logits'))
        y_tf = run_loaded(proba, {'logits/kernel': kernel, 'logits/bias': bias}).reshape(y_numpy.shape)
    max_diff = float(np.abs(y_numpy - y_tf).max())
    assert max_diff < 1e-6, 'the slide\'s y(t) differs from tf.layers.dense by %g' % max_diff
    return {'kernel_shape': kernel.shape, 'W_hy': W_hy, 'y_numpy': y_numpy, 'max_diff': max_diff}


# --- 3. BPTT: dh(t)/dh(k) = prod_{i=k+1..t} dh(i)/dh(i-1);  L = sum_t L(t) ----------------------
def step_jacobian(h_i, W_hh):
    """dh(i)/dh(i-1) (H, H) = diag(1 - h(i)^2) W_hh, entry [a, b] = dh(i)_a / dh(i-1)_b."""
    return (1 - h_i ** 2)[:, None] * W_hh


def jacobian_product(hs, W_hh, k, t):
    """dh(t)/dh(k) (H, H) as the slide's product J(t) J(t-1) ... J(k+1); hs (T+1, H) from h(0) to h(T)."""
    product = np.eye(len(W_hh))
    for i in range(k + 1, t + 1):
        product = step_jacobian(hs[i], W_hh) @ product
    return product


def bptt_gradient_W_hh(hs, ys, W_hh, W_hy, b_y):
    """dL/dW_hh (H, H) of L = sum_t L(t), L(t) = 0.5 ||W_hy h(t) + b_y - y(t)||^2, by the slide's
    formula: dL(t)/dW_hh = dL(t)/dh(t) sum_{k=1..t} dh(t)/dh(k) d+h(k)/dW_hh, where d+ holds
    h(k-1) fixed: d+h(k)_a / dW_hh[a, m] = (1 - h(k)_a^2) h(k-1)_m. hs (T+1, H) from h(0), ys (T, Y)."""
    grad = np.zeros_like(W_hh)                                        # (H, H)
    for t in range(1, len(hs)):
        dL_dh_t = W_hy.T @ (W_hy @ hs[t] + b_y - ys[t - 1])           # (H,) dL(t)/dh(t)
        for k in range(1, t + 1):
            delta = dL_dh_t @ jacobian_product(hs, W_hh, k, t)        # (H,) dL(t)/dh(k)
            grad += np.outer(delta * (1 - hs[k] ** 2), hs[k - 1])     # (H, H)
    return grad


def unrolled(cell, inputs, state):
    """The cell's outputs over the inputs, unrolled so that each is a tensor of its own (dynamic_rnn loops)."""
    outputs = []
    with tf.variable_scope('rnn') as scope:   # the scope tf.nn.dynamic_rnn gives the cells
        for x in inputs:
            output, state = cell(x, state)
            outputs.append(output)
            scope.reuse_variables()
    return outputs


def tf_bptt(xs, kernel, bias, k, t, W_hy=None, b_y=None, ys=None):
    """tf.gradients through BasicRNNCell(kernel, bias) unrolled over one sequence xs (T, D) from h(0) = 0:
    [dh(t)/dh(k) (H, H)], and if W_hy is given dL/dkernel (D+H, H) of bptt_gradient_W_hh's L (ys (T, Y))."""
    xs, kernel, bias = (np.asarray(a, np.float32) for a in (xs, kernel, bias))
    n_hidden = kernel.shape[1]
    with tf.Graph().as_default() as graph:
        hs = unrolled(tf.nn.rnn_cell.BasicRNNCell(n_hidden), tf.unstack(xs[:, None]), tf.zeros((1, n_hidden)))
        fetches = [tf.stack([tf.gradients(hs[t - 1][0, a], hs[k - 1])[0][0] for a in range(n_hidden)])]  # hs[0]: h(1)
        if W_hy is not None:
            loss = tf.add_n([0.5 * tf.reduce_sum((tf.matmul(h, tf.constant(W_hy.T, tf.float32)) + b_y - y) ** 2)
                             for h, y in zip(hs, ys)])
            fetches.append(tf.gradients(loss, graph.get_tensor_by_name(RNN_CELL + 'kernel:0'))[0])
        return run_loaded(fetches, {RNN_CELL + 'kernel': kernel, RNN_CELL + 'bias': bias})


def bptt_matches_tensorflow(n_in=3, n_hidden=4, n_out=2, n_steps=6, k=1, t=None, seed=0):
    """The slide's BPTT (jacobian_product, bptt_gradient_W_hh) on a small random tanh RNN, against tf_bptt."""
    t = n_steps if t is None else t
    if not 1 <= k <= t <= n_steps:
        raise ValueError('need 1 <= k <= t <= n_steps (h(0) is a constant of the graph)')
    (xs,), kernel, bias = random_rnn(n_in, n_hidden, 1, n_steps, seed)          # xs (T, D)
    rng = np.random.RandomState(seed + 1)   # W_hy (Y, H), b_y (Y,), ys (T, Y):
    W_hy, b_y, ys = (rng.normal(size=size).astype(np.float32) for size in ((n_out, n_hidden), n_out, (n_steps, n_out)))
    W_xh, W_hh = slide_weights(kernel.astype(np.float64), n_in)
    hs = states_from_zero(xs, W_xh, W_hh, bias)                               # (T+1, H)
    product = jacobian_product(hs, W_hh, k, t)
    grad = bptt_gradient_W_hh(hs, ys, W_hh, W_hy, b_y)
    jacobian_tf, d_kernel_tf = tf_bptt(xs, kernel, bias, k, t, W_hy, b_y, ys)
    grad_tf = d_kernel_tf[n_in:].T  # TensorFlow's kernel[D:] is W_hh^T
    assert np.allclose(product, jacobian_tf, atol=1e-5), 'the product of Jacobians differs from TF'
    assert np.allclose(grad, grad_tf, atol=1e-4 * max(1.0, np.abs(grad_tf).max())), \
        'the slide\'s dL/dW_hh differs from tf.gradients'
    step_norms = np.array([np.linalg.norm(step_jacobian(h, W_hh), 2) for h in hs[1:]])
    return {'jacobian_product': product, 'jacobian_tf': jacobian_tf, 'step_norms': step_norms,
            'dL_dW_hh': grad, 'dL_dW_hh_tf': grad_tf, 'k': k, 't': t}


def jacobian_norms_by_distance(scales=(0.5, 1.0, 1.5), n_hidden=16, n_steps=40, seed=0):
    """||dh(T)/dh(k)|| of a tanh RNN by the distance T - k for W_hh = scale x an orthogonal matrix (its singular
    values `scale`), small inputs (tanh near its linear part). 'norms', 'tanh_slope', 'step_norms': {scale: (T,)}."""
    rng = np.random.RandomState(seed)
    orthogonal, _ = np.linalg.qr(rng.normal(size=(n_hidden, n_hidden)))   # (H, H)
    W_xh = rng.normal(scale=0.1, size=(n_hidden, 2))                     # (H, D): small inputs
    xs = rng.normal(scale=0.1, size=(1, n_steps, 2))                     # (1, T, D)
    norms, slopes, step_norms = {}, {}, {}
    for scale in scales:
        W_hh = scale * orthogonal
        hs = states_from_zero(xs[0], W_xh, W_hh, np.zeros(n_hidden))      # (T+1, H), hs[0] = h(0)
        norms[scale] = np.array([np.linalg.norm(jacobian_product(hs, W_hh, k, n_steps), 2)
                                 for k in range(n_steps, 0, -1)])          # distance 0, 1, ...
        # What caps the growth: tanh' = 1 - h^2, and with it each step's Jacobian, shrinks as |h| -> 1
        slopes[scale] = (1 - hs[1:] ** 2).mean(axis=1)                                    # (T,)
        step_norms[scale] = np.array([np.linalg.norm(step_jacobian(h, W_hh), 2) for h in hs[1:]])  # (T,)
    return {'distance': np.arange(n_steps), 'norms': norms, 'tanh_slope': slopes, 'step_norms': step_norms}


# --- 4. Gradient problems, measured: ||dL(T)/dh(k)|| against the distance T - k ---------------
def unrolled_classifier(cells, n_words, embed_size, seq_len, batch_size):
    """The SentimentRNN's network (embedding -> cells -> dense(1) on the last step -> sigmoid), unrolled,
    its variables named as the SentimentRNN's so that its checkpoint restores into it. batch_size None: any.
    x (B, T) ids, y (B,) labels, losses (B,)."""
    x = tf.placeholder(tf.int32, (batch_size, seq_len), name='tf_x')
    y = tf.placeholder(tf.float32, (batch_size,), name='tf_y')
    embedding = tf.Variable(tf.random_uniform((n_words, embed_size), -1, 1), name='embedding')
    # unstack: one op, and one gradient op; slicing x[:, t] would add T dense (B, T, E) gradients.
    steps = tf.unstack(tf.nn.embedding_lookup(embedding, x), axis=1)  # T x (B, E)
    hs = unrolled(cells, steps, cells.zero_state(tf.shape(x)[0], tf.float32))   # T x (B, H)
    dense = tf.layers.Dense(1, name='logits')
    logits = tf.squeeze(dense(hs[-1]), 1)                                 # (B,)
    losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits)  # (B,)
    # Review b's loss depends on review b's h only: the gradient of the sum, row b, is dL_b/dh_b(k).
    grads = tf.gradients(tf.reduce_sum(losses), hs)                       # T x (B, H)
    return {'x': x, 'y': y, 'proba': tf.sigmoid(logits), 'losses': losses, 'grads': grads,
            'logits_kernel': dense.kernel}


def measured_norms(sess, g, X, y):
    """(||dL_b/dh_b(k)|| (B, T) by the distance T - k = 0..T-1, proba (B,)) of the reviews X, labels y.
    Summed in float64: in float32 the squares of entries below about 1e-19 would be 0."""
    grads, proba, w = sess.run([g['grads'], g['proba'], g['logits_kernel']], {g['x']: X, g['y']: y})
    norms = np.stack([np.linalg.norm(np.asarray(d, np.float64), axis=1) for d in grads], 1)   # (B, T) by k
    assert_last_step_gradient(norms, proba, y, w)
    return norms[:, ::-1], proba


def assert_last_step_gradient(norms, proba, y, logits_kernel):
    """At distance 0 only the dense layer lies between h(T) and the loss: dL/dh(T) = (p - y) w, so
    its norm is |p - y| ||w||. Checks that the measurement differentiates the right tensors."""
    expected = np.abs(proba - y) * np.linalg.norm(logits_kernel)          # (B,)
    assert np.allclose(norms[:, -1], expected, rtol=1e-3, atol=1e-7), 'dL/dh(T) is not (p - y) w'


def session_without_rewrites(graph):
    """A session without TensorFlow's graph optimizer (grappler): it spends about 2 s rewriting an
    unrolled graph of 10,000 operations that runs only a few times; the numbers are the same."""
    config = tf.ConfigProto()
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    return tf.Session(graph=graph, config=config)


def lstm_gradient_norms(rnn, X, y):
    """measured_norms of a trained SentimentRNN (its latest checkpoint) on n <= batch_size reviews X, labels y."""
    if not 0 < len(X) <= rnn.batch_size:
        raise ValueError('give 1 to batch_size=%d reviews, not %d' % (rnn.batch_size, len(X)))
    with tf.Graph().as_default() as graph:
        cells = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(rnn.lstm_size)
                                             for _ in range(rnn.num_layers)])
        g = unrolled_classifier(cells, rnn.n_words, rnn.embed_size, rnn.seq_len, len(X))
        saver = tf.train.Saver(tf.global_variables())  # the model's variables, by their names
    with session_without_rewrites(graph) as sess:
        saver.restore(sess, tf.train.latest_checkpoint(rnn.model_dir))
        norms, proba = measured_norms(sess, g, X, y)
    own = predict_every_row(rnn, X, return_proba=True)   # one batch: from the zero state
    assert np.allclose(proba, own, atol=1e-5), 'the unrolled LSTM differs from the SentimentRNN'
    return {'norms': norms, 'proba': proba}


def compact_ids(*arrays):
    """(the arrays' word ids renumbered 0..U-1, 0 kept, U): an embedding of U rows instead of n_words."""
    ids = np.unique(np.concatenate([np.ravel(a) for a in arrays] + [[0]]))   # sorted: id ids[u] becomes u
    return [np.searchsorted(ids, a) for a in arrays], len(ids)


def tanh_rnn_gradient_norms(X_train, y_train, X, y, embed_size, n_units, num_epochs, batch_size,
                            learning_rate, seed=123):
    """The same for a plain tanh RNN (embedding -> BasicRNNCell(n_units) -> dense), trained briefly
    (num_epochs over X_train, Adam, the zero state per batch), measured on X (n, T), labels y."""
    (X_train, X), n_ids = compact_ids(X_train, X)
    with tf.Graph().as_default() as graph:
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
        norms, proba = measured_norms(sess, g, X, y)
    return {'norms': norms, 'proba': proba, 'train_loss': np.array(train_loss)}


def gradient_vs_distance(rnn, X_train, y_train, X, y, tanh_epochs=1, report=(0, 1, 5, 10, 20, 50, 100, 199)):
    """The slides' "Gradient Problems", measured: the mean over the reviews X of ||dL(T)/dh(k)|| by the distance
    T - k, for the trained SentimentRNN and a tanh RNN of its sizes trained for tanh_epochs on X_train; 'table' at
    the distances in report. 0: vanished in float32."""
    lstm = lstm_gradient_norms(rnn, X, y)
    tanh = tanh_rnn_gradient_norms(X_train, y_train, X, y, rnn.embed_size, rnn.lstm_size, tanh_epochs,
                                   rnn.batch_size, rnn.learning_rate)
    lstm_mean, tanh_mean = lstm['norms'].mean(0), tanh['norms'].mean(0)   # (T,)
    return {'distance': np.arange(X.shape[1]), 'lstm': lstm_mean, 'tanh': tanh_mean,
            'lstm_norms': lstm['norms'], 'tanh_norms': tanh['norms'], 'tanh_train_loss': tanh['train_loss'],
            'table': [(d, float(lstm_mean[d]), float(tanh_mean[d])) for d in report if d < X.shape[1]]}


# --- 5. Gradient clipping: the global norm of each CharRNN mini-batch --------------------------
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
    """Asserts that norm is the gradients' global norm and that every clipped gradient is g * clip_norm /
    max(norm, clip_norm); returns the largest difference from that, relative to the largest clipped entry."""
    assert np.isclose(norm, global_norm(grads), rtol=1e-4)
    scale = clip_norm / max(norm, clip_norm)
    for g, c in zip(grads, clipped):
        assert np.allclose(c, g * scale, rtol=1e-4, atol=1e-7)
    largest = max(float(np.abs(c).max()) for c in clipped) or 1.0
    return max(float(np.abs(c - g.astype(np.float64) * scale).max()) for g, c in zip(grads, clipped)) / largest


def clipping_norms(text_ints, num_classes, hparams, num_epochs):
    """Trains a CharRNN(num_classes, **hparams) on text_ints as its train() does, fetching at every mini-batch
    the global norm of its gradients from the graph's own tf.clip_by_global_norm, before and after clipping."""
    rnn = build_quietly(CharRNN, num_classes, **hparams)
    train_x, train_y = data_utils.reshape_data(text_ints, rnn.batch_size, rnn.num_steps)  # (B, L) each
    norm_t, grads_t, clipped_t = clip_tensors(rnn.g)
    rows = []   # (norm, norm after clipping, loss, clipping error) of each mini-batch
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        for _ in range(num_epochs):
            state = sess.run(rnn.initial_state)   # as train(): the zero state at each epoch's start
            for batch_x, batch_y in char_batch_generator(train_x, train_y, rnn.num_steps):  # (B, T)
                feed = {'tf_x:0': batch_x, 'tf_y:0': batch_y, 'tf_keepprob:0': rnn.keep_prob, rnn.initial_state: state}
                norm, grads, clipped, loss, _, state = sess.run(
                    [norm_t, grads_t, clipped_t, 'cost:0', 'train_op', rnn.final_state], feed)
                rows.append((norm, global_norm(clipped), loss, assert_clipping(norm, grads, clipped, rnn.grad_clip)))
    norms, norms_after, losses, errors = np.array(rows, np.float64).T
    return {'norms': norms, 'norms_after': norms_after, 'losses': losses,
            'grad_clip': rnn.grad_clip, 'share_above': float(np.mean(norms > rnn.grad_clip)),
            'batches_per_epoch': train_x.shape[1] // rnn.num_steps, 'max_clip_error': float(errors.max())}


def clipping_in_action(text_ints, num_classes, hparams):
    """clipping_norms() with hparams changed by CLIPPING_ACTS, for CLIPPING_ACTS_EPOCHS: a training
    whose gradients explode. Its result, and 'hparams': the settings it ran."""
    changed = dict(hparams, **CLIPPING_ACTS)
    return dict(clipping_norms(text_ints, num_classes, changed, CLIPPING_ACTS_EPOCHS), hparams=changed)


# --- 6. LSTM units: the gate equations on the shipped CharRNN's weights ------------------------
def kernel_blocks(n_hidden):
    """{gate: (first, last + 1)}: the columns of BasicLSTMCell's kernel and bias of each gate, (i, j, f, o)."""
    return {name: (k * n_hidden, (k + 1) * n_hidden) for k, name in enumerate(('i', 'j', 'f', 'o'))}


def lstm_step(x, c_prev, h_prev, kernel, bias, forget_bias=1.0):
    """One step of the slides' LSTM on rows (B, .) with BasicLSTMCell's kernel (D+H, 4H): {name: (B, H)}."""
    z = np.concatenate([x, h_prev], axis=1) @ kernel + bias   # (B, 4H): W_x x + W_h h + b, all gates
    z = {name: z[:, a:b] for name, (a, b) in kernel_blocks(h_prev.shape[1]).items()}   # (B, H) each
    i = sigmoid(z['i'])                # input gate      i = sigma(W_xi x + W_hi h + b_i)
    g = np.tanh(z['j'])                # candidate value g = tanh(W_xg x + W_hg h + b_g)   (TF: j)
    # forget gate f = sigma(W_xf x + W_hf h + b_f): BasicLSTMCell adds forget_bias (1.0) here, at run
    # time; it is not in the stored bias, so a trained model's b_f is learned on top of it.
    f = sigmoid(z['f'] + forget_bias)
    o = sigmoid(z['o'])                # output gate     o = sigma(W_xo x + W_ho h + b_o)
    c = f * c_prev + i * g             # cell state:  keep part of the old memory, add part of the new
    h = o * np.tanh(c)                 # hidden state: what the output gate lets out of the memory
    return {'i': i, 'g': g, 'f': f, 'o': o, 'c': c, 'h': h}


def lstm_over_rows(xs, kernel, bias, forget_bias=1.0):
    """lstm_step over the rows of xs (T, D) from the zero state, the state carried: {name: (T, H)}."""
    c = h = np.zeros((1, kernel.shape[1] // 4))
    steps = []
    for x in xs:
        steps.append(lstm_step(x[None], c, h, kernel, bias, forget_bias))
        c, h = steps[-1]['c'], steps[-1]['h']
    return {name: np.vstack([s[name] for s in steps]) for name in steps[0]}


def lstm_gates_on_line(model_dir, line, forget_bias=1.0):
    """lstm_over_rows of the first LSTM layer of the CharRNN in model_dir over line's one-hot rows 'x' (T, C),
    asserted equal to the graph's (c, h) at every step, and (one layer) to its next-character 'proba' (T, C)."""
    sampler = CharSampler(model_dir, CharRNN)
    missing = sorted(set(line) - set(sampler.chars))
    if missing:
        raise ValueError('characters the model does not know: %r' % ''.join(missing))
    with sampler:   # the graph, one character at a time, state carried
        kernel, bias, w_out, b_out = sampler.sess.run([LSTM_SCOPE % 0 + 'kernel:0', LSTM_SCOPE % 0 + 'bias:0',
                                                       'logits/kernel:0', 'logits/bias:0'])
        steps = [(sampler.step(ch), sampler.state[0].c[0], sampler.state[0].h[0]) for ch in line]   # after each
    tf_proba, tf_c, tf_h = (np.array(a) for a in zip(*steps))                   # (T, C), (T, H), (T, H)
    xs = np.eye(len(sampler.chars))[[sampler.char2int[ch] for ch in line]]   # (T, C) one-hot
    kernel, bias = kernel.astype(np.float64), bias.astype(np.float64)
    out = lstm_over_rows(xs, kernel, bias, forget_bias)                         # (T, H) each
    max_diff = float(max(np.abs(out['c'] - tf_c).max(), np.abs(out['h'] - tf_h).max()))
    assert max_diff < 1e-5, 'the gate equations differ from the TF graph by %g' % max_diff
    proba = softmax(out['h'] @ w_out + b_out)                       # (T, C)
    if sampler.rnn.num_layers == 1:
        assert np.allclose(proba, tf_proba, atol=1e-5), 'the probabilities differ from the TF graph'
    return dict(out, chars=list(line), proba=proba, kernel_blocks=kernel_blocks(sampler.rnn.lstm_size),
                forget_bias=forget_bias, max_diff=max_diff, x=xs, kernel=kernel, bias=bias)


def lstm_cell_sizes(rnn):
    """The sizes of a built CharRNN's first LSTM layer, read from its graph, and BasicLSTMCell's forget_bias."""
    kernel_shape, bias_shape = (shape_of(rnn.g.get_tensor_by_name(LSTM_SCOPE % 0 + n)) for n in ('kernel:0', 'bias:0'))
    n_hidden = kernel_shape[1] // 4
    n_inputs = kernel_shape[0] - n_hidden
    assert bias_shape == (4 * n_hidden,) and (n_inputs, n_hidden) == (rnn.num_classes, rnn.lstm_size)
    forget_bias = inspect.signature(tf.nn.rnn_cell.BasicLSTMCell.__init__).parameters['forget_bias'].default
    return {'n_inputs': n_inputs, 'n_hidden': n_hidden, 'kernel_shape': kernel_shape, 'bias_shape': bias_shape,
            'blocks': kernel_blocks(n_hidden), 'forget_bias': forget_bias}


# --- "Sigmoid": the gates' sigmoid and the candidate's tanh ------------------------------------
def activation_curves(z=np.linspace(-6, 6, 241)):
    """sigma(z) = 1 / (1 + e^-z), in (0, 1), and tanh(z) = 2 sigma(2z) - 1, in (-1, 1), at z."""
    z = np.asarray(z, np.float64)
    return {'z': z, 'sigmoid': sigmoid(z), 'tanh': np.tanh(z)}
