"""beyond_slides/theory.py: the slides' equations in numpy against TensorFlow's own cells and
gradients, or against numbers worked by hand (tests/test_theory_figures.py: the figures)."""
import math

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import data_utils  # noqa: E402
from beyond_slides import settings, theory  # noqa: E402
from beyond_slides.predicting import CharSampler, build_quietly  # noqa: E402
from beyond_slides.tf_setup import tf  # noqa: E402
from char_rnn import CharRNN  # noqa: E402
from conftest import shared  # noqa: E402
from data_helpers import PERIODIC  # noqa: E402
from model_helpers import SHIPPED, TestConfig, prepared  # noqa: E402
from sentiment_rnn import SentimentRNN  # noqa: E402

HAMLET_LINE = 'To be, or not to be, that is the Question:'


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


# ---------------------------------------------------------------------------
# 1. Shapes read from the built graphs
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('fast', [True, False])
def test_sentiment_shapes_of_the_slides_settings(fast):
    rnn = build_quietly(SentimentRNN, 102967, fast=fast, **settings.SENTIMENT_HPARAMS)
    shapes = theory.sentiment_shapes(rnn)
    assert [(what, shape) for what, _, shape in shapes] == [  # the slides' numbers
        ('word ids', (100, 200)), ('embeddings', (100, 200, 256)), ('LSTM outputs', (100, 200, 128)),
        ('last step', (100, 128)), ('logits', (100, 1))]
    assert shapes[0][1] == 'tf_x:0' and shapes[-1][1] == 'logits/BiasAdd:0'


@pytest.mark.parametrize('fast', [True, False])
def test_sentiment_shapes_of_other_settings(fast):
    rnn = build_quietly(SentimentRNN, 30, seq_len=7, lstm_size=5, batch_size=3, embed_size=4, fast=fast)
    assert [shape for _, _, shape in theory.sentiment_shapes(rnn)] == [(3, 7), (3, 7, 4), (3, 7, 5), (3, 5), (3, 1)]


@pytest.mark.parametrize('fast', [True, False])
def test_char_shapes_of_the_slides_settings(fast):
    rnn = build_quietly(CharRNN, 65, fast=fast, **settings.CHAR_HPARAMS)
    assert [(what, shape) for what, _, shape in theory.char_shapes(rnn)] == [
        ('character ids', (64, 100)), ('one-hot', (64, 100, 65)), ('LSTM outputs', (64, 100, 128)),
        ('outputs reshaped', (6400, 128)), ('logits', (6400, 65)), ('probabilities', (6400, 65))]


def test_char_shapes_in_sampling_mode():
    rnn = build_quietly(CharRNN, 5, lstm_size=3, sampling=True)
    assert [shape for _, _, shape in theory.char_shapes(rnn)] == [(1, 1), (1, 1, 5), (1, 1, 3), (1, 3), (1, 5), (1, 5)]


# ---------------------------------------------------------------------------
# 2. h(t) = tanh(W_xh x(t) + W_hh h(t-1) + b_h)
# ---------------------------------------------------------------------------

def tf_rnn_cell_outputs(xs, kernel, bias):
    """TensorFlow's own BasicRNNCell over xs (B, T, D) from the zero state, stepped by hand."""
    graph = tf.Graph()
    with graph.as_default():
        cell = tf.nn.rnn_cell.BasicRNNCell(kernel.shape[1])
        state = cell.zero_state(xs.shape[0], tf.float32)
        outputs = []
        for t in range(xs.shape[1]):
            with tf.variable_scope('cell', reuse=t > 0):
                out, state = cell(tf.constant(xs[:, t], tf.float32), state)
            outputs.append(out)
        variables = {v.op.name: v for v in tf.global_variables()}
        with tf.Session() as sess:
            variables['cell/basic_rnn_cell/kernel'].load(kernel, sess)
            variables['cell/basic_rnn_cell/bias'].load(bias, sess)
            return np.stack(sess.run(outputs), axis=1)


@pytest.mark.parametrize('n_in, n_hidden', [(3, 4), (4, 4), (5, 2)])  # (4, 4): a transposed W is not a shape error
def test_numpy_rnn_equals_basic_rnn_cell(n_in, n_hidden):
    rng = np.random.RandomState(n_in)
    xs = rng.normal(size=(2, 6, n_in)).astype(np.float32)
    kernel = rng.normal(scale=0.7, size=(n_in + n_hidden, n_hidden)).astype(np.float32)
    bias = rng.normal(scale=0.3, size=n_hidden).astype(np.float32)
    W_xh, W_hh = theory.slide_weights(kernel, n_in)
    h = theory.rnn_activations(xs.astype(np.float64), W_xh, W_hh, bias)
    assert np.abs(h - tf_rnn_cell_outputs(xs, kernel, bias)).max() < 1e-6


def test_numpy_rnn_by_hand():
    """D = 2, H = 1: kernel rows are [w_x1, w_x2, w_h]; h1 = tanh(0.5*1 - 1*2 + 0.1) ..."""
    kernel = np.array([[0.5], [-1.0], [0.8]])
    W_xh, W_hh = theory.slide_weights(kernel, 2)
    assert W_xh.tolist() == [[0.5, -1.0]] and W_hh.tolist() == [[0.8]]
    h = theory.rnn_activations(np.array([[[1.0, 2.0], [0.0, 1.0]]]), W_xh, W_hh, np.array([0.1]))
    h1 = math.tanh(0.5 * 1 - 1.0 * 2 + 0.1)
    h2 = math.tanh(0.5 * 0 - 1.0 * 1 + 0.8 * h1 + 0.1)
    assert h[0, :, 0] == pytest.approx([h1, h2], abs=1e-12)


def test_tf_basic_rnn_keeps_one_kernel_and_gives_the_slides_h():
    xs, kernel, bias = theory.random_rnn(n_in=3, n_hidden=4, batch=2, n_steps=5, seed=0)
    h_tf, kernel_shape = theory.tf_basic_rnn(xs, kernel, bias)
    assert kernel_shape == (7, 4) and h_tf.shape == (2, 5, 4)
    W_xh, W_hh = theory.slide_weights(kernel, 3)
    assert W_xh.shape == (4, 3) and W_hh.shape == (4, 4)
    assert np.abs(theory.rnn_activations(xs.astype(np.float64), W_xh, W_hh, bias) - h_tf).max() < 1e-6


# The output: y(t) = phi(W_hy h(t) + b_y), phi = softmax as in the CharRNN

def tf_dense_softmax(hs, kernel, bias):
    """TensorFlow's own tf.compat.v1.layers.dense, then tf.nn.softmax, over hs (N, H) with the given
    kernel (H, Y) and bias (Y,)."""
    graph = tf.Graph()
    with graph.as_default():
        out = tf.nn.softmax(tf.compat.v1.layers.dense(tf.constant(hs, tf.float32), kernel.shape[1], name='dense'))
        variables = {v.op.name: v for v in tf.global_variables()}
        with tf.Session() as sess:
            variables['dense/kernel'].load(kernel, sess)
            variables['dense/bias'].load(bias, sess)
            return sess.run(out)


@pytest.mark.parametrize('n_hidden, n_out', [(4, 3), (3, 3)])  # (3, 3): a W_hy not transposed is no shape error
def test_numpy_output_equals_tensorflows_dense_layer(n_hidden, n_out):
    rng = np.random.RandomState(n_hidden)
    hs = np.tanh(rng.normal(size=(2, 5, n_hidden)))
    kernel = rng.normal(size=(n_hidden, n_out)).astype(np.float32)
    bias = rng.normal(size=n_out).astype(np.float32)
    W_hy = theory.slide_output_weights(kernel.astype(np.float64))
    assert W_hy.shape == (n_out, n_hidden)
    y = theory.output_activations(hs, W_hy, bias.astype(np.float64))
    expected = tf_dense_softmax(hs.reshape(-1, n_hidden), kernel, bias).reshape(2, 5, n_out)
    assert np.abs(y - expected).max() < 1e-6


def test_output_by_hand():
    """H = 2, Y = 2: the dense kernel (H, Y) [[1, 0], [2, -1]] is W_hy = [[1, 2], [0, -1]]; for
    h = (0.5, -1) and b_y = (0.1, 0.3), W_hy h + b_y = (0.5 - 2 + 0.1, 1 + 0.3) = (-1.4, 1.3)."""
    W_hy = theory.slide_output_weights(np.array([[1.0, 0.0], [2.0, -1.0]]))
    assert W_hy.tolist() == [[1.0, 2.0], [0.0, -1.0]]
    hs = np.array([[[0.5, -1.0]]])
    z = theory.output_activations(hs, W_hy, np.array([0.1, 0.3]), phi=lambda v: v)
    assert z[0, 0] == pytest.approx([-1.4, 1.3])
    y = theory.output_activations(hs, W_hy, np.array([0.1, 0.3]))
    e = [math.exp(-1.4), math.exp(1.3)]
    assert y[0, 0] == pytest.approx([e[0] / sum(e), e[1] / sum(e)])


def test_output_matches_tensorflow_runs_its_assert():
    hs = np.tanh(np.random.RandomState(0).normal(size=(2, 5, 4)))
    result = theory.output_matches_tensorflow(hs, n_out=3)
    assert result['kernel_shape'] == (4, 3) and result['W_hy'].shape == (3, 4)
    assert result['y_numpy'].shape == (2, 5, 3) and result['max_diff'] < 1e-6
    assert result['y_numpy'].sum(axis=-1) == pytest.approx(np.ones((2, 5)))


# ---------------------------------------------------------------------------
# 3. BPTT
# ---------------------------------------------------------------------------

def tf_jacobian(xs, kernel, bias, k, t):
    """dh(t)/dh(k) of TensorFlow's own BasicRNNCell over one sequence xs (T, D), from tf.gradients with
    unit vectors as grad_ys: row a is the gradient of h(t)_a."""
    n_hidden = kernel.shape[1]
    graph = tf.Graph()
    with graph.as_default():
        cell = tf.nn.rnn_cell.BasicRNNCell(n_hidden)
        h = tf.zeros((1, n_hidden))
        hs = []
        for step, x in enumerate(xs):
            with tf.variable_scope('cell', reuse=step > 0):
                h, _ = cell(tf.constant(x[None], tf.float32), h)
            hs.append(h)
        rows = [tf.gradients(hs[t - 1], hs[k - 1], grad_ys=tf.one_hot([a], n_hidden))[0] for a in range(n_hidden)]
        variables = {v.op.name: v for v in tf.global_variables()}
        with tf.Session() as sess:
            variables['cell/basic_rnn_cell/kernel'].load(kernel, sess)
            variables['cell/basic_rnn_cell/bias'].load(bias, sess)
            return np.vstack(sess.run(rows)), np.vstack(sess.run(hs))


@pytest.mark.parametrize('k, t', [(1, 5), (2, 3), (4, 4)])
def test_jacobian_product_equals_tensorflows_jacobian(k, t):
    rng = np.random.RandomState(3)
    xs = rng.normal(size=(5, 3)).astype(np.float32)
    kernel = rng.normal(scale=0.8, size=(3 + 4, 4)).astype(np.float32)   # not symmetric
    bias = rng.normal(scale=0.2, size=4).astype(np.float32)
    expected, h_tf = tf_jacobian(xs, kernel, bias, k, t)
    W_hh = theory.slide_weights(kernel.astype(np.float64), 3)[1]
    hs = np.vstack([np.zeros(4), h_tf])  # h(0) = 0, then TensorFlow's own h(1..T)
    assert np.abs(theory.jacobian_product(hs, W_hh, k, t) - expected).max() < 1e-5


def test_jacobian_product_by_hand():
    """One unit: dh(t)/dh(k) = prod_{i=k+1..t} w (1 - h(i)^2)."""
    hs = np.array([[0.0], [0.5], [-0.2], [0.9]])
    w = np.array([[1.5]])
    assert theory.jacobian_product(hs, w, 1, 3)[0, 0] == pytest.approx(1.5 * (1 - 0.04) * 1.5 * (1 - 0.81))
    assert theory.jacobian_product(hs, w, 2, 2)[0, 0] == 1.0


def test_step_jacobian_scales_rows_by_hand():
    """dh(i)_a/dh(i-1)_b = (1 - h(i)_a^2) W_hh[a, b]: row a scaled by unit a's tanh derivative."""
    W_hh = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert theory.step_jacobian(np.array([0.5, 0.0]), W_hh).tolist() == [[0.75, 1.5], [3.0, 4.0]]


def test_bptt_gradient_equals_tf_gradients_of_the_summed_loss():
    rng = np.random.RandomState(5)
    n_in, n_hidden, n_out, n_steps = 2, 3, 2, 4
    xs = rng.normal(size=(n_steps, n_in)).astype(np.float32)
    kernel = rng.normal(scale=0.8, size=(n_in + n_hidden, n_hidden)).astype(np.float32)
    bias = rng.normal(scale=0.2, size=n_hidden).astype(np.float32)
    W_hy = rng.normal(size=(n_out, n_hidden))
    b_y = rng.normal(size=n_out)
    ys = rng.normal(size=(n_steps, n_out))
    graph = tf.Graph()
    with graph.as_default():  # TensorFlow's own cell and tf.gradients of L = sum_t L(t)
        cell = tf.nn.rnn_cell.BasicRNNCell(n_hidden)
        h = tf.zeros((1, n_hidden))
        hs, loss = [], 0.0
        for t in range(n_steps):
            with tf.variable_scope('cell', reuse=t > 0):
                h, _ = cell(tf.constant(xs[None, t]), h)
            hs.append(h)
            y_hat = tf.matmul(h, tf.constant(W_hy.T, tf.float32)) + tf.constant(b_y, tf.float32)
            loss += 0.5 * tf.reduce_sum((y_hat - tf.constant(ys[t], tf.float32)) ** 2)
        variables = {v.op.name: v for v in tf.global_variables()}
        d_kernel = tf.gradients(loss, variables['cell/basic_rnn_cell/kernel'])[0]
        with tf.Session() as sess:
            variables['cell/basic_rnn_cell/kernel'].load(kernel, sess)
            variables['cell/basic_rnn_cell/bias'].load(bias, sess)
            expected, h_tf = sess.run([d_kernel, tf.concat(hs, 0)])
    W_hh = theory.slide_weights(kernel.astype(np.float64), n_in)[1]
    grad = theory.bptt_gradient_W_hh(np.vstack([np.zeros(n_hidden), h_tf]), ys, W_hh, W_hy, b_y)
    assert np.abs(grad - expected[n_in:].T).max() < 1e-4 * max(1, np.abs(expected).max())


def test_bptt_matches_tensorflow_runs_its_asserts():
    result = theory.bptt_matches_tensorflow(k=2, t=5)
    assert result['jacobian_product'].shape == (4, 4) and len(result['step_norms']) == 6
    with pytest.raises(ValueError):
        theory.bptt_matches_tensorflow(k=0)


def test_jacobian_norms_shrink_below_norm_1_and_can_grow_above():
    result = theory.jacobian_norms_by_distance(scales=(0.5, 1.5), n_steps=30)
    for scale, norms in result['norms'].items():
        assert norms[0] == pytest.approx(1.0)  # dh(T)/dh(T) is the identity
        # tanh' <= 1 and every singular value of W_hh is `scale`: each step multiplies the norm by
        # at most `scale`
        assert np.all(norms <= scale ** result['distance'] * (1 + 1e-9))
    assert result['norms'][0.5][20] < 1e-6 and result['norms'][1.5][29] > 10


def test_saturation_caps_the_growth_of_the_jacobian_product():
    """W_hh with singular values 1.5: the product grows far less than 1.5^(T - k), because h is
    bounded and tanh' = 1 - h^2 falls as units saturate; with small weights (0.5) the units stay
    near 0, where tanh' is about 1."""
    result = theory.jacobian_norms_by_distance(scales=(0.5, 1.5), n_steps=40)
    slope, step = result['tanh_slope'], result['step_norms']
    assert slope[0.5].min() > 0.99 and slope[1.5][0] > 0.99      # h(1) small: tanh' near 1 at first
    assert slope[1.5][-1] < 0.7                                  # saturated units: tanh' well below 1
    assert step[1.5][0] == pytest.approx(1.5, rel=1e-2) and step[1.5][-1] < step[1.5][0]
    assert result['norms'][1.5][39] < 1.5 ** 39 / 1000          # far below the unsaturated growth


# ---------------------------------------------------------------------------
# 4. Gradient vs distance
# ---------------------------------------------------------------------------

SMALL = TestConfig.sentiment  # seq_len 12, lstm 16, batch 20, embed 8


@pytest.fixture(scope=shared)
def small_sentiment(tmp_path_factory):
    word_to_int, (X_train, y_train, X_test, y_test) = prepared()
    rnn = SentimentRNN(n_words=max(word_to_int.values()) + 1, model_dir=str(tmp_path_factory.mktemp('s')), **SMALL)
    rnn.train(X_train, y_train, num_epochs=2)
    return rnn, X_train, y_train, X_test, y_test


def finite_difference_gradient_norm(rnn, review, label, k, eps=1e-2):
    """||dL/dh(k)|| of one review through the lecture's own graphs, by central differences: a
    SentimentRNN of seq_len k gives (c(k), h(k)); one of seq_len T - k, fed that state with h(k)
    moved by +-eps along each unit, gives the loss on each side."""
    n_hidden, n_steps = rnn.lstm_size, rnn.seq_len
    first = build_quietly(SentimentRNN, rnn.n_words, seq_len=k, batch_size=2, model_dir=rnn.model_dir,
                                 **{key: SMALL[key] for key in ('lstm_size', 'embed_size')})
    rest = build_quietly(SentimentRNN, rnn.n_words, seq_len=n_steps - k, batch_size=2 * n_hidden,
                                model_dir=rnn.model_dir, **{key: SMALL[key] for key in ('lstm_size', 'embed_size')})
    with tf.Session(graph=first.g) as sess:
        first.saver.restore(sess, tf.train.latest_checkpoint(rnn.model_dir))
        (state,) = sess.run(first.final_state, {'tf_x:0': [review[:k]] * 2, 'tf_keepprob:0': 1.0})
    moves = np.vstack([np.eye(n_hidden) * eps, -np.eye(n_hidden) * eps])          # (2H, H)
    c = np.repeat(state.c[:1], 2 * n_hidden, 0)
    h = state.h[:1] + moves
    with tf.Session(graph=rest.g) as sess:
        rest.saver.restore(sess, tf.train.latest_checkpoint(rnn.model_dir))
        p = sess.run('probabilities:0', {'tf_x:0': [review[k:]] * (2 * n_hidden), 'tf_keepprob:0': 1.0,
                                         rest.initial_state: (tf.nn.rnn_cell.LSTMStateTuple(c, h),)})
    p = p.astype(np.float64)
    loss = -(label * np.log(p) + (1 - label) * np.log(1 - p))
    return np.linalg.norm((loss[:n_hidden] - loss[n_hidden:]) / (2 * eps))


def test_lstm_gradient_norms_equal_finite_differences_through_the_lectures_graph(small_sentiment):
    rnn, _, _, X_test, y_test = small_sentiment
    result = theory.lstm_gradient_norms(rnn, X_test[:4], y_test[:4])
    norms = result['norms']  # (4, 12) by distance
    assert norms.shape == (4, rnn.seq_len)
    for row in (0, 3):
        for distance in (1, 6):
            k = rnn.seq_len - distance
            expected = finite_difference_gradient_norm(rnn, X_test[row], y_test[row], k)
            assert norms[row, distance] == pytest.approx(expected, rel=2e-2, abs=1e-6)


def test_last_step_gradient_is_p_minus_y_times_the_dense_weights(small_sentiment):
    rnn, _, _, X_test, y_test = small_sentiment
    result = theory.lstm_gradient_norms(rnn, X_test[:5], y_test[:5])
    p = rnn.predict(X_test[:rnn.batch_size], return_proba=True)[:5]  # the first batch: zero state
    w = tf.train.load_checkpoint(tf.train.latest_checkpoint(rnn.model_dir)).get_tensor('logits/kernel')
    assert result['norms'][:, 0] == pytest.approx(np.abs(p - y_test[:5]) * np.linalg.norm(w), rel=1e-4)


def test_gradient_vs_distance_of_both_models(small_sentiment):
    rnn, X_train, y_train, X_test, y_test = small_sentiment
    result = theory.gradient_vs_distance(rnn, X_train[:100], y_train[:100], X_test[:6], y_test[:6],
                                         tanh_epochs=1, report=(0, 5, 11, 50))
    assert result['lstm'].shape == result['tanh'].shape == (rnn.seq_len,)
    assert result['lstm_norms'].shape == result['tanh_norms'].shape == (6, rnn.seq_len)
    assert result['lstm'] == pytest.approx(result['lstm_norms'].mean(0))
    assert [d for d, _, _ in result['table']] == [0, 5, 11]
    assert len(result['tanh_train_loss']) == 1


def test_compact_ids_by_hand():
    (a, b), n = theory.compact_ids(np.array([[0, 7, 7]]), np.array([3, 9]))
    assert a.tolist() == [[0, 2, 2]] and b.tolist() == [1, 3] and n == 4


# ---------------------------------------------------------------------------
# 5. Clipping norms
# ---------------------------------------------------------------------------

def first_batch_gradient_norm(text_ints, num_classes, hparams):
    """The global norm of the first mini-batch's gradients, from the zero state and the initial
    weights, computed here with tf.gradients (not through tf.clip_by_global_norm)."""
    rnn = build_quietly(CharRNN, num_classes, **hparams)
    x, y = data_utils.reshape_data(text_ints, rnn.batch_size, rnn.num_steps)
    with rnn.g.as_default():
        grads = tf.gradients(rnn.g.get_tensor_by_name('cost:0'), tf.trainable_variables())
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        values = sess.run(grads, {'tf_x:0': x[:, :rnn.num_steps], 'tf_y:0': y[:, :rnn.num_steps],
                                  'tf_keepprob:0': 1.0})
    return math.sqrt(sum(float(np.sum(np.square(v, dtype=np.float64))) for v in values))


@pytest.mark.parametrize('grad_clip', [1e-4, 100.0])
def test_clipping_norms_are_the_gradients_global_norms(grad_clip):
    chars, char2int, _ = data_utils.char_vocab(PERIODIC)
    text_ints = data_utils.encode_text(PERIODIC, char2int)
    hparams = dict(TestConfig.char, grad_clip=grad_clip)  # keep_prob 1: no dropout, the same numbers
    result = theory.clipping_norms(text_ints, len(chars), hparams, num_epochs=2)
    assert result['batches_per_epoch'] == 29 and len(result['norms']) == 58
    assert result['norms'][0] == pytest.approx(first_batch_gradient_norm(text_ints, len(chars), hparams), rel=1e-4)
    assert result['share_above'] == pytest.approx(np.mean(result['norms'] > grad_clip))
    assert result['share_above'] == (1.0 if grad_clip < 1 else 0.0)  # this text's norms lie between


def hamlet_ints():
    text = data_utils.load_hamlet()
    return data_utils.encode_text(text, data_utils.char_vocab(text)[1])


def test_the_clipping_in_action_run_clips_for_real():
    """The slides' limit (grad_clip 5) with clipping_in_action's learning rate gives: some
    mini-batches' global norm is above 5, and there the applied gradients' norm is exactly 5;
    elsewhere clipping changes nothing. (With the slides' settings no norm reaches 5.)"""
    result = theory.clipping_in_action(hamlet_ints(), 65, settings.CHAR_HPARAMS)
    norms, after = result['norms'], result['norms_after']
    assert result['hparams']['grad_clip'] == 5.0 == result['grad_clip']
    above = norms > 5.0
    assert above.any() and norms.max() > 5.0
    assert result['share_above'] > 0 and result['share_above'] == pytest.approx(above.mean())
    assert after[above] == pytest.approx(np.full(above.sum(), 5.0), rel=1e-4)     # min(norm, 5) = 5
    assert after[~above] == pytest.approx(norms[~above], rel=1e-4)                # min(norm, 5) = norm
    assert result['max_clip_error'] < 1e-5


# ---------------------------------------------------------------------------
# 6. LSTM units
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('fast', [True, False])
def test_lstm_cell_sizes_are_read_from_the_built_graph(fast):
    """7 characters, 5 units: the kernel over [x, h] has 7 + 5 = 12 rows and 4 x 5 = 20 columns,
    in blocks of 5 in BasicLSTMCell's order i, j, f, o."""
    rnn = build_quietly(CharRNN, 7, batch_size=2, num_steps=3, lstm_size=5, fast=fast)
    sizes = theory.lstm_cell_sizes(rnn)
    assert sizes == {'n_inputs': 7, 'n_hidden': 5, 'kernel_shape': (12, 20), 'bias_shape': (20,),
                     'blocks': {'i': (0, 5), 'j': (5, 10), 'f': (10, 15), 'o': (15, 20)}, 'forget_bias': 1.0}


def test_activation_curves_by_hand():
    z = np.array([-30.0, -2.0, 0.0, 2.0, 30.0])
    curves = theory.activation_curves(z)
    assert curves['sigmoid'] == pytest.approx([0.0, 1 / (1 + math.e ** 2), 0.5, 1 / (1 + math.e ** -2), 1.0], abs=1e-12)
    assert curves['tanh'] == pytest.approx([-1.0, -math.tanh(2), 0.0, math.tanh(2), 1.0], abs=1e-12)
    assert curves['z'].tolist() == z.tolist()


def test_the_truncated_bptt_text_says_truncation_bounds_any_model():
    text = theory.TRUNCATED_BPTT
    assert 'ANY model' in text and 'an LSTM as much as a tanh RNN' in text and 'forward' in text
    assert 'that is what the LSTM is for' not in text


def tf_lstm_cell_steps(xs, kernel, bias):
    """TensorFlow's own BasicLSTMCell (forget_bias 1.0, its default) over xs (B, T, D) from the zero
    state: every step's (c, h), (T, B, H) each."""
    graph = tf.Graph()
    with graph.as_default():
        cell = tf.nn.rnn_cell.BasicLSTMCell(kernel.shape[1] // 4)
        state = cell.zero_state(xs.shape[0], tf.float32)
        cs, hs = [], []
        for t in range(xs.shape[1]):
            with tf.variable_scope('cell', reuse=t > 0):
                _, state = cell(tf.constant(xs[:, t], tf.float32), state)
            cs.append(state.c)
            hs.append(state.h)
        variables = {v.op.name: v for v in tf.global_variables()}
        with tf.Session() as sess:
            variables['cell/basic_lstm_cell/kernel'].load(kernel, sess)
            variables['cell/basic_lstm_cell/bias'].load(bias, sess)
            return [np.array(v) for v in sess.run([cs, hs])]


@pytest.mark.parametrize('n_in, n_hidden', [(3, 4), (5, 5)])
def test_numpy_lstm_equals_basic_lstm_cell(n_in, n_hidden):
    rng = np.random.RandomState(n_hidden)
    xs = rng.normal(size=(2, 7, n_in)).astype(np.float32)
    kernel = rng.normal(scale=0.6, size=(n_in + n_hidden, 4 * n_hidden)).astype(np.float32)
    bias = rng.normal(scale=0.5, size=4 * n_hidden).astype(np.float32)
    expected_c, expected_h = tf_lstm_cell_steps(xs, kernel, bias)
    c = h = np.zeros((2, n_hidden))
    for t in range(xs.shape[1]):
        step = theory.lstm_step(xs[:, t].astype(np.float64), c, h, kernel, bias)
        c, h = step['c'], step['h']
        assert np.abs(c - expected_c[t]).max() < 1e-5 and np.abs(h - expected_h[t]).max() < 1e-5


def test_lstm_gate_blocks_and_forget_bias_by_hand():
    """A zero kernel: every gate is its bias block through its activation, the blocks in
    BasicLSTMCell's order (i, j, f, o), and f gets forget_bias = 1 on top of its bias."""
    b_i, b_j, b_f, b_o = 0.3, -0.7, -2.0, 1.1
    bias = np.repeat([b_i, b_j, b_f, b_o], 2)  # H = 2
    step = theory.lstm_step(np.ones((1, 3)), np.array([[1.0, -2.0]]), np.zeros((1, 2)), np.zeros((5, 8)), bias)
    i, g, f, o = sigmoid(b_i), math.tanh(b_j), sigmoid(b_f + 1.0), sigmoid(b_o)
    assert step['i'][0] == pytest.approx([i, i]) and step['g'][0] == pytest.approx([g, g])
    assert step['f'][0] == pytest.approx([f, f]) and step['o'][0] == pytest.approx([o, o])
    c = np.array([f * 1.0 + i * g, f * -2.0 + i * g])
    assert step['c'][0] == pytest.approx(c)
    assert step['h'][0] == pytest.approx(o * np.tanh(c))


def test_lstm_gates_on_the_shipped_model_give_the_graphs_probabilities():
    result = theory.lstm_gates_on_line(SHIPPED, HAMLET_LINE)
    with CharSampler(SHIPPED, CharRNN) as sampler:  # the slides' sampling graph, step by step
        expected = sampler.after_each(HAMLET_LINE)
    assert np.abs(result['proba'] - expected).max() < 1e-5
    assert result['chars'] == list(HAMLET_LINE)
    for key in ('i', 'g', 'f', 'o', 'c', 'h'):
        assert result[key].shape == (len(HAMLET_LINE), 128)
    assert result['kernel_blocks'] == {'i': (0, 128), 'j': (128, 256), 'f': (256, 384), 'o': (384, 512)}
    assert result['forget_bias'] == 1.0 and result['max_diff'] < 1e-5
    with pytest.raises(ValueError):
        theory.lstm_gates_on_line(SHIPPED, 'To be, or not to be \u2014')
