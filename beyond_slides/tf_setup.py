"""TensorFlow 1.x, as the slides use it, on today's TensorFlow 2.

The lecture files import `tf` from here (`from beyond_slides.tf_setup import tf`). It is not on the slides: the
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
# takes fast=False to build exactly the slides' graph, without them.
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
