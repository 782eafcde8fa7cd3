"""TensorFlow 1.x as the slides use it, on TensorFlow 2 (not on the slides): `tf` is `tf.compat.v1`,
whose `nn.rnn_cell` and `layers` need Keras 2 (tf-keras of TensorFlow's version, TF_USE_LEGACY_KERAS=1).
A setting or an install that cannot work is a one-line error that names the fix."""
import os
import re
import warnings

from beyond_slides.settings import data_dir
from beyond_slides.errors import SetupError
from beyond_slides.files import quiet_stderr

os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')
if os.environ['TF_USE_LEGACY_KERAS'].strip().lower() not in ('1', 'true'):
    raise SetupError("TF_USE_LEGACY_KERAS is set to %r, but the slides' TensorFlow 1.x cells need "
                    "Keras 2: unset it (or set TF_USE_LEGACY_KERAS=1) and start again"
                    % os.environ['TF_USE_LEGACY_KERAS'])
# Keras writes its keras.json under KERAS_HOME (default ~/.keras): keep it in the data cache.
os.environ.setdefault('KERAS_HOME', os.path.join(data_dir(), 'keras'))
# Speed: the pooling allocator on the CPU too, or every large temporary (the 105 MB embedding gradient)
# is fresh memory from the OS each step; bench/bench_train.py measures the difference.
os.environ.setdefault('TF_CPU_ALLOCATOR_USE_BFC', 'true')


def _check_tf_keras(tf_version):  # installed, of TensorFlow's major.minor version
    minor = '.'.join(tf_version.split('.')[:2])
    fix = "pip install 'tf-keras==%s.*'" % minor
    try:
        import tf_keras  # here: after TensorFlow, so that a missing package is a one-line error
    except ImportError as e:
        raise SetupError('the tf-keras package (Keras 2, for TensorFlow %s) is missing: %s'
                        % (tf_version, fix)) from e
    found = getattr(tf_keras, '__version__', '?')
    if not re.match(r'%s(\.|$)' % re.escape(minor), found):
        raise SetupError('tf-keras %s does not match TensorFlow %s: %s' % (found, tf_version, fix))


with quiet_stderr():  # TensorFlow's C++ start-up notes (no GPU found, ...) kept off the terminal
    import tensorflow.compat.v1 as tf  # noqa: E402
_check_tf_keras(tf.__version__)

tf.logging.set_verbosity(tf.logging.ERROR)  # hide deprecation notices of the 1.x API
# Graphs, sessions, TF1 variables and initializers (with eager execution off alone, the cells'
# initial weights ignore set_random_seed).
tf.disable_v2_behavior()
# The slides build with BasicLSTMCell and tf.layers on purpose: no deprecation warning on every use.
warnings.filterwarnings('ignore', message=r'.*is deprecated', category=UserWarning)


def device_line():
    """What runs the graphs, in one line: 'TensorFlow 2.21.0 on CPU (2 threads)', or the GPUs' names."""
    gpus = tf.config.list_physical_devices('GPU')
    if gpus:
        names = [tf.config.experimental.get_device_details(g).get('device_name', g.name) for g in gpus]
        return 'TensorFlow %s on GPU: %s' % (tf.__version__, ', '.join(names))
    threads = tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count() or 1
    return 'TensorFlow %s on CPU (%d thread%s)' % (tf.__version__, threads, 's' if threads != 1 else '')
