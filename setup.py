from setuptools import setup

setup(
    name='rnn-lecture',
    version='0.1.0',
    description='The RNN lecture (Raschka & Mirjalili, ch. 16): SentimentRNN and CharRNN '
                'as TensorFlow 1.x graphs on today\'s TensorFlow',
    # TensorFlow 2.16-2.21 has wheels for Python 3.9 to 3.13 (tools/check_tf_versions.sh checks
    # the ends of the range).
    python_requires='>=3.9,<3.14',
    py_modules=['sentiment_rnn', 'char_rnn', 'data_utils'],  # the lecture
    packages=['beyond_slides'],  # everything that is not on the slides
    install_requires=[
        'tensorflow>=2.16,<2.22',
        # tf.compat.v1's rnn_cell and layers need Keras 2 (beyond_slides/tf_setup.py); each tf-keras
        # requires the TensorFlow of its own version.
        'tf-keras>=2.16,<2.22',
        'numpy>=1.23',
        'pandas>=1.5',
        'pyprind',
    ],
    extras_require={
        # The tests: pytest-xdist runs them on every core (README's command), pytest-randomly in a new
        # order each run (the suite must pass in any order; it prints the seed to run one again);
        # nbclient and the rest run the notebooks headless (tests/test_notebook.py); nbconvert makes
        # the slide deck and playwright opens it in Debian's chromium (tests/test_deck.py; .ci/run
        # installs chromium).
        'test': ['pytest', 'pytest-xdist', 'pytest-randomly', 'nbclient', 'nbformat', 'ipykernel', 'matplotlib',
                 'nbconvert', 'playwright'],
        # The lecture notebook (notebooks/rnn_lecture.ipynb): Jupyter and its plots; the slide deck
        # made from it (nbconvert's markdown and code colours, `python -m beyond_slides.deck`), and
        # jupyterlab-rise to present it live from Jupyter with its cells editable.
        'notebook': ['notebook', 'matplotlib', 'nbconvert', 'jupyterlab-rise'],
        # The mutation-testing tool of tools/mutation.sh (not run by the tests or CI).
        'mutation': ['mutmut==3.8.1'],
        # TensorFlow 2.21 no longer installs TensorBoard; only --logdir's viewer needs it.
        'tensorboard': ['tensorboard>=2.21,<2.22'],
    },
)
