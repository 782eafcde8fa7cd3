"""Everything of this project that is not on the slides.

The lecture's code is in the top-level files (sentiment_rnn.py, char_rnn.py,
data_utils.py); this package holds what runs around it:

- tf_setup.py: TensorFlow 1.x (tf.compat.v1 with Keras 2) on today's TensorFlow.
- fast_lstm.py: a faster tf.nn.dynamic_rnn for the slides' cells, same math.
- training.py: TrainingLog, handed to train(): resume, progress bars, loss
  history, TensorBoard, and saving the run where it is on Ctrl-C.
- cli.py: command-line plumbing shared by both commands (options, errors, locks).
- sentiment_cli.py, char_cli.py: `python sentiment_rnn.py` and `python char_rnn.py`.
- errors.py: DataError, the one-line error a user can fix.
"""
