"""TensorFlow 1.x, as the slides use it, on today's TensorFlow 2.

Every module of the project imports this first. It is not on the slides: the
slides' `import tensorflow as tf` is TensorFlow 1.x. Today the same API lives in
`tf.compat.v1`, and its `nn.rnn_cell` and `layers` need Keras 2 (the tf-keras
package), which TensorFlow only uses when TF_USE_LEGACY_KERAS=1 is set before
tensorflow is first imported.
"""
import os
import warnings

os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')  # hide C++ start-up chatter (no GPU found, ...)
# Speed: TensorFlow's pooling allocator on the CPU too. Without it every large
# temporary (the 105 MB embedding gradient, Adam's sparse-path copies) is fresh
# memory from the OS each step; bench/bench_train.py measures the difference.
os.environ.setdefault('TF_CPU_ALLOCATOR_USE_BFC', 'true')



def _import_tensorflow_quietly():
    """import tensorflow, with its C++ start-up notes (no GPU found, ...) kept off the terminal."""
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow.compat.v1 as tf1
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tf1


tf = _import_tensorflow_quietly()

tf.logging.set_verbosity(tf.logging.ERROR)  # hide deprecation notices of the 1.x API
# Graphs, sessions, TF1 variables and initializers, as in TensorFlow 1.x. (With
# eager execution off alone, the cells' initial weights ignore set_random_seed.)
tf.disable_v2_behavior()
# The slides build with BasicLSTMCell and tf.layers on purpose; TensorFlow warns
# that they are deprecated on every use.
warnings.filterwarnings('ignore', message=r'.*is deprecated', category=UserWarning)


# ---------------------------------------------------------------------------
# Speed-ups with the same math (bench/bench_train.py measures them). Each model
# takes fast=False to build the slides' graph exactly, without them.
# ---------------------------------------------------------------------------

def fast_minimize(optimizer, loss, name):
    """optimizer.minimize(loss, name=name), with sparse gradients made dense first.

    The embedding's gradient arrives as IndexedSlices, and Adam's sparse path
    makes several passes over the whole embedding and both its slots (it decays
    every row, not just the looked-up ones). The dense gradient holds the same
    numbers (zeros elsewhere, repeated rows summed) and takes Adam's one fused
    kernel: the same update, faster (bench/bench_train.py).
    """
    grads_and_vars = optimizer.compute_gradients(loss)
    dense = [(tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g, v)
             for g, v in grads_and_vars]
    return optimizer.apply_gradients(dense, name=name)


def restore(saver, sess, path):
    """saver.restore, with a one-line error for a checkpoint that does not fit the graph."""
    from data_utils import DataError
    try:
        saver.restore(sess, path)
    except (tf.errors.DataLossError, tf.errors.OutOfRangeError) as e:
        raise DataError('cannot load the checkpoint %s: it is damaged (truncated or corrupt); '
                        'train again or restore it from a copy' % path) from e
    except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError, ValueError) as e:
        raise DataError('cannot load the checkpoint %s: it was saved with another configuration '
                        '(its variables or their shapes differ) or is damaged' % path) from e


def fast_clip_and_apply(cost, tvars, grad_clip, learning_rate, name):
    """CharRNN's clipped Adam step (the slides' build() (4/4)), built in one place."""
    grads, _ = tf.clip_by_global_norm(tf.gradients(cost, tvars), grad_clip)
    optimizer = tf.train.AdamOptimizer(learning_rate)
    return optimizer.apply_gradients(zip(grads, tvars), name=name)


def latest_checkpoint_or_fail(ckpt_dir):
    """tf.train.latest_checkpoint(ckpt_dir), or a one-line error when there is none."""
    from data_utils import DataError
    path = tf.train.latest_checkpoint(ckpt_dir)
    if path is None:
        raise DataError('%s holds no checkpoint: train a model first or give --model-dir' % ckpt_dir)
    return path
