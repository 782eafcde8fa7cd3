"""The lecture's TF1 models as Keras 3 models with the same weights (not on the slides), for
`python sentiment_rnn.py --export-keras PATH.keras` and `python char_rnn.py --export-keras PATH.keras`.
Keras 3 needs the eager execution that the lecture's TensorFlow 1.x set-up turns off: only that command's
process imports this module, which reads the checkpoint with tf.train.load_checkpoint, never the lecture's
classes. The numbers carry over: BasicLSTMCell (the slides) and keras.layers.LSTM compute the same function,
with other names and another order of the gates:

    BasicLSTMCell, W (D+H, 4H) over [x, h], b (4H,)   keras.layers.LSTM
    (a_i, a_j, a_f, a_o) = [x, h] @ W + b               (z_i, z_f, z_c, z_o) = x @ kernel
                                                                   + h @ recurrent_kernel + bias
    i = sigmoid(a_i)                                    i = sigmoid(z_i)
    f = sigmoid(a_f + forget_bias)   (forget_bias=1)    f = sigmoid(z_f)
    j = tanh(a_j)                                       c~ = tanh(z_c)
    c = f * c + i * j                                   c = f * c + i * c~
    o = sigmoid(a_o),  h = o * tanh(c)                  o = sigmoid(z_o),  h = o * tanh(c)

So (lstm_weights): kernel = W[:D] (the rows that multiply x), recurrent_kernel = W[D:] (those of h), the
columns of W and b reordered from (i, j, f, o) to (i, f, c~ = j, o), and forget_bias added to b's f block
(BasicLSTMCell adds it at run time). The embedding, the dense layer (`logits`) and the sigmoid or softmax
are the same layers under the same names; dropout is off when predicting, so the Keras models have none.
"""
import errno
import os
import tempfile

import numpy as np

from beyond_slides.errors import DataError, SetupError
from beyond_slides.model_folder import ModelFolder, write_model_config
from beyond_slides.files import quiet_stderr
from beyond_slides.settings import LSTM_SCOPE, SENTIMENT

with quiet_stderr():  # TensorFlow's C++ start-up notes (no GPU found, ...) kept off the terminal
    import keras
    import tensorflow as tf


def lstm_weights(kernel, bias, n_inputs, forget_bias=1.0):
    """BasicLSTMCell's (kernel (D+H, 4H), bias (4H,)) as keras.layers.LSTM's
    [kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,)]."""
    def keras_order(w):  # the gate blocks (i, j, f, o) -> (i, f, j, o)
        i, j, f, o = np.split(w, 4, axis=-1)
        return np.concatenate([i, f, j, o], axis=-1)

    kernel, bias = keras_order(kernel), keras_order(bias).copy()
    n_units = bias.shape[0] // 4
    bias[n_units:2 * n_units] += forget_bias  # the f block, second in Keras's order
    return [kernel[:n_inputs], kernel[n_inputs:], bias]


def sentiment_model(hparams, weights):
    """Embedding -> LSTM (num_layers) -> Dense(1) -> sigmoid: P(positive) of reviews (word ids, (batch, seq_len)),
    each from the zero state."""
    layers = [keras.Input((hparams['seq_len'],), dtype='int32'),
              keras.layers.Embedding(hparams['n_words'], hparams['embed_size'], name='embedding')]
    for k in range(hparams['num_layers']):  # the last layer's output at the last step only
        layers.append(keras.layers.LSTM(hparams['lstm_size'], return_sequences=k < hparams['num_layers'] - 1,
                                        name='lstm_%d' % k))
    layers.append(keras.layers.Dense(1, activation='sigmoid', name='logits'))
    model = keras.Sequential(layers, name='sentiment_rnn')
    model.get_layer('embedding').set_weights([weights['embedding']])
    set_weights(model, weights, hparams['embed_size'])
    return model


def char_model(hparams, num_classes, weights):
    """one-hot -> LSTM (num_layers) -> Dense(num_classes) -> softmax: the next character's probabilities after every
    step of character ids (batch, steps). Each LSTM also returns its state, for a sampler to carry it on."""
    ids = keras.Input((None,), dtype='int32')
    # one_hot(k) is row k of the identity matrix: an Embedding of the identity, fixed, is tf.one_hot.
    x = keras.layers.Embedding(num_classes, num_classes, trainable=False, name='one_hot')(ids)
    for k in range(hparams['num_layers']):
        x = keras.layers.LSTM(hparams['lstm_size'], return_sequences=True, return_state=True,
                              name='lstm_%d' % k)(x)[0]
    proba = keras.layers.Dense(num_classes, activation='softmax', name='logits')(x)
    model = keras.Model(ids, proba, name='char_rnn')
    model.get_layer('one_hot').set_weights([np.eye(num_classes, dtype=np.float32)])
    set_weights(model, weights, num_classes)
    return model


def set_weights(model, weights, n_inputs):
    """The checkpoint's numbers ({name: array}) into the Keras model's LSTM and dense layers."""
    k = 0
    while LSTM_SCOPE % k + 'kernel' in weights:
        kernel, bias = weights[LSTM_SCOPE % k + 'kernel'], weights[LSTM_SCOPE % k + 'bias']
        model.get_layer('lstm_%d' % k).set_weights(lstm_weights(kernel, bias, n_inputs))
        n_inputs = kernel.shape[1] // 4
        k += 1
    n_lstms = len([layer for layer in model.layers if layer.name.startswith('lstm_')])
    if k != n_lstms:  # more layers than the checkpoint holds: the others would keep random weights
        raise ValueError('%d LSTM layers, the checkpoint holds %d' % (n_lstms, k))
    model.get_layer('logits').set_weights([weights['logits/kernel'], weights['logits/bias']])


def checkpoint_weights(model_dir):
    """{variable name: array} of the latest checkpoint in model_dir (Adam's slots left out)."""
    path = tf.train.latest_checkpoint(model_dir)
    if path is None:
        raise DataError('%s holds no checkpoint: train a model first or give --model-dir' % model_dir)
    try:
        reader = tf.train.load_checkpoint(path)
        return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
                if 'Adam' not in name and 'power' not in name}
    except Exception as e:  # noqa: BLE001  (TensorFlow's many ways of saying: unreadable)
        ModelFolder(model_dir).refuse_missing_files(path)  # a deleted file: named as such
        raise DataError('cannot read the checkpoint %s (%s): it is damaged; train again or give '
                        'another --model-dir' % (path, str(e).splitlines()[0][:100])) from e


def export(model_name, model_dir, path):
    """Write model_dir's model to path (.keras) and its vocabulary to path + '.vocab.json': both or neither."""
    if not path.endswith('.keras'):
        raise DataError('%s: a Keras model file ends with .keras: give a path such as model.keras' % path)
    for target in (path, path + '.vocab.json'):
        if os.path.exists(target):
            raise DataError('%s already exists: give a new path (nothing was written)' % target)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise DataError('the folder %s does not exist: create it first or give another path' % folder)
    hparams, vocab = ModelFolder(model_dir).load_config(model_name)
    if not tf.executing_eagerly():
        raise SetupError("Keras 3 needs eager execution, which the lecture's TensorFlow 1.x code has "
                         "turned off in this Python process: export from a new one, e.g. `python "
                         "char_rnn.py --export-keras %s --model-dir %s`" % (path, model_dir))
    weights = checkpoint_weights(model_dir)
    try:
        model = sentiment_model(hparams, weights) if model_name == SENTIMENT.name \
            else char_model(hparams, len(vocab), weights)
    except (KeyError, ValueError) as e:
        raise DataError('the checkpoint in %s does not fit its model_config.json (%s): train again or give '
                        'another --model-dir' % (model_dir, str(e).splitlines()[0][:100])) from e
    try:
        with tempfile.TemporaryDirectory(dir=folder, prefix='.export-',  # pragma: no mutate: the temporary folder's name prefix, removed whatever happens
                                         ) as tmp:
            model.save(os.path.join(tmp, 'model.keras'))
            write_model_config(os.path.join(tmp, 'vocab.json'), model_name, hparams, vocab)
            os.replace(os.path.join(tmp, 'vocab.json'), path + '.vocab.json')
            try:
                os.replace(os.path.join(tmp, 'model.keras'), path)
            except BaseException:
                os.remove(path + '.vocab.json')  # never a vocabulary without its model
                raise
    except OSError as e:  # said of the destination, not of the temporary folder; a full disk: run_command's
        if e.errno == errno.ENOSPC:
            raise
        raise DataError('cannot write %s into %s (%s): give a path in a writable folder'
                        % (os.path.basename(path), folder, e.strerror or e)) from e
    return model

