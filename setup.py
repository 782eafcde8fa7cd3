from setuptools import setup

setup(
    name='rnn-lecture',
    version='0.1.0',
    description='The RNN lecture (Raschka & Mirjalili, ch. 16): SentimentRNN and CharRNN '
                'as TensorFlow 1.x graphs on today\'s TensorFlow',
    python_requires='>=3.10',
    py_modules=['sentiment_rnn', 'char_rnn', 'data_utils'],  # the lecture
    packages=['beyond_slides'],  # everything that is not on the slides
    install_requires=[
        'tensorflow>=2.21,<2.22',
        'tf-keras>=2.21,<2.22',  # tf.compat.v1 rnn_cell and layers need Keras 2 (beyond_slides/tf_setup.py)
        'numpy',
        'pandas',
        'pyprind',
    ],
    extras_require={
        # The tests also run the notebook headless (tests/test_notebook.py).
        'test': ['pytest', 'nbclient', 'nbformat', 'ipykernel', 'matplotlib'],
        # The lecture notebook (notebooks/rnn_lecture.ipynb): Jupyter and its plots.
        'notebook': ['notebook', 'matplotlib'],
        # TensorFlow 2.21 no longer installs TensorBoard; only --logdir's viewer needs it.
        'tensorboard': ['tensorboard>=2.21,<2.22'],
    },
)
