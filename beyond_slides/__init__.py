"""Everything of this project that is not on the slides.

The lecture's code is in the top-level files (sentiment_rnn.py, char_rnn.py,
data_utils.py); this package holds what runs around it:

- settings.py: the slides' hyperparameters, the defaults of everything below.
- paths.py: where things are (the repository, the data cache, the model folders).
- tf_setup.py: TensorFlow 1.x (tf.compat.v1 with Keras 2) on today's TensorFlow.
- fast_lstm.py, fast_adam.py, fast_words.py: the same math as the slides, faster
  (the LSTM loop, Adam's update, the word ids).
- datasets.py, files.py: the data files, downloaded once, checked, cached; files written whole.
- model_folder.py: everything a model folder holds (configuration and vocabulary, the lock,
  the checkpoints, a stopped run's resume point, the loss history), and the two loaders:
  a SentimentRNN from a folder, a CharRNN sampler that restores and steps.
- supervisor.py: what train() is handed to resume, skip, record the loss, show progress and
  stop cleanly on Ctrl-C; training.py: one training run of either model (TrainingRun).
- predicting.py: new reviews as word ids; an answer for every row.
- cli.py, sentiment_cli.py, char_cli.py: the commands' options and their one-line errors;
  sentiment_command.py, char_command.py: what `python sentiment_rnn.py` and
  `python char_rnn.py` do.
- errors.py: the errors a user can fix, named for Python or for the command line.
- walkthrough.py: what the slides print, one function per slide.
- keras_export.py: the trained models as Keras 3 models with the same weights.
- theory.py, theory_figures.py, pitfalls.py, lecture_notebook.py: what the lecture notebook
  computes and draws beside the slides' code.
- deck.py: the lecture as a slide deck that opens offline; exercises.py: the homework's checks;
  grader.py: a class's notebooks run contained and graded.
"""
