"""The mapping of BasicLSTMCell's weights to keras.layers.LSTM's (beyond_slides/keras_export.py),
worked by hand, and the export's refusals that come before any model is built; in this process
(tests/test_keras_export.py exports for real, in new ones)."""
import numpy as np
import pytest

from beyond_slides.errors import DataError
from beyond_slides.keras_export import export, lstm_weights
from file_helpers import snapshot
from model_helpers import SHIPPED


def test_lstm_weights_split_the_kernel_reorder_the_gates_and_fold_in_the_forget_bias():
    # BasicLSTMCell: rows x0, x1, then h0; columns the gates i, j, f, o (one unit each)
    kernel = np.arange(12.0).reshape(3, 4)
    bias = np.array([10.0, 20.0, 30.0, 40.0])
    x_kernel, h_kernel, keras_bias = lstm_weights(kernel, bias, n_inputs=2)
    # Keras: kernel for x, recurrent_kernel for h, the gates in the order i, f, c (= j), o
    assert x_kernel.tolist() == [[0, 2, 1, 3], [4, 6, 5, 7]]
    assert h_kernel.tolist() == [[8, 10, 9, 11]]
    assert keras_bias.tolist() == [10, 31, 20, 40]  # forget_bias 1 added to f only
    assert bias.tolist() == [10, 20, 30, 40]  # the checkpoint's own bias left as it was
    _, _, no_forget_bias = lstm_weights(kernel, bias, n_inputs=2, forget_bias=0.0)
    assert no_forget_bias.tolist() == [10, 30, 20, 40]


@pytest.mark.parametrize('name, message', [('model.h5', 'a Keras model file ends with .keras'),
                                           ('exists.keras', 'already exists'),
                                           ('missing/m.keras', 'does not exist: create it first')])
def test_the_export_refuses_a_path_it_cannot_write_and_writes_nothing(tmp_path, name, message):
    (tmp_path / 'exists.keras').write_text('a file of the user')
    before = snapshot(str(tmp_path))
    with pytest.raises(DataError, match=message):
        export('CharRNN', SHIPPED, str(tmp_path / name))
    assert snapshot(str(tmp_path)) == before


def test_the_export_of_a_folder_without_a_model_says_so(tmp_path):
    with pytest.raises(DataError, match='has no saved model'):
        export('CharRNN', str(tmp_path / 'none'), str(tmp_path / 'm.keras'))
