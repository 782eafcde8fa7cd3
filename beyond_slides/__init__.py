"""Everything that is not on the slides; the lecture's code is in sentiment_rnn.py, char_rnn.py and
data_utils.py. Each module's docstring says what it owns:

- settings: paths and each model's kind (the slides' values); tf_setup: TensorFlow 1.x today;
  errors: the errors a user can fix; files: whole-file writes, the folder lock.
- datasets, fast_words, fast_lstm: the data files; the slides' math, faster.
- model_folder, training, supervisor: what a model folder holds; a training run; its supervisor.
- predicting: loading a trained model, rating reviews, stepping a CharRNN.
- cli, sentiment_command, char_command, walkthrough, keras_export: the two commands.
- theory, theory_figures, pitfalls, lecture_notebook, deck: the lecture notebook and its deck.
- exercises, grader: the homework's checks and its grading.
"""
