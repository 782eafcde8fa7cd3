"""Everything of this project that is not on the slides.

The lecture's code is in the top-level files (sentiment_rnn.py, char_rnn.py,
data_utils.py); this package holds what runs around it:

- settings.py: the slides' hyperparameters, the defaults of everything below.
- tf_setup.py: TensorFlow 1.x (tf.compat.v1 with Keras 2) on today's TensorFlow.
- fast_lstm.py, fast_adam.py, fast_words.py: the same math as the slides, faster
  (the LSTM loop, Adam's update, the word ids).
- datasets.py: the data files, downloaded once, checked, cached.
- model_files.py, checkpoints.py: what a model folder holds beside the checkpoints
  (hyperparameters, vocabulary), and the CharRNN's Saver that writes it.
- model_folder.py: one training run at a time per folder; checkpoint errors as one line.
- training.py: TrainingLog, handed to train(): resume, progress bars, loss history,
  TensorBoard, and saving the run where it is on Ctrl-C.
- training_run.py: one training run of either model, as both commands run it.
- predicting.py: new reviews as word ids; an answer for every row.
- cli.py, sentiment_cli.py, char_cli.py: the command lines' options, and
  `python sentiment_rnn.py` and `python char_rnn.py`.
- errors.py: the errors a user can fix, and the exit status of each.
- walkthrough.py: what the slides print, one function per slide.
"""
