"""The figures of the theory slides and pitfalls (beyond_slides/theory_figures.py): every chart
with labelled axes and a legend, every diagram with a title and a legend."""
import matplotlib

matplotlib.use('Agg')  # no display in the tests: before pyplot is imported (by theory_figures)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from beyond_slides import theory, theory_figures  # noqa: E402
from char_rnn import CharRNN  # noqa: E402
from conftest import assert_labelled  # noqa: E402
from sentiment_rnn import SentimentRNN  # noqa: E402


def test_every_figure_is_labelled():
    sentiment = theory.build_quietly(SentimentRNN, 50, seq_len=7, lstm_size=5, batch_size=3, embed_size=4)
    char = theory.build_quietly(CharRNN, 6, batch_size=2, num_steps=5, lstm_size=4)
    n = 12
    gates = {key: np.random.RandomState(0).uniform(size=(n, 8)) for key in ('i', 'g', 'f', 'o', 'c', 'h')}
    figures = [
        theory_figures.sequence_categories(), theory_figures.feedforward_vs_rnn(),
        theory_figures.unrolled_models(theory.sentiment_shapes(sentiment), theory.char_shapes(char)),
        theory_figures.gradient_vs_distance({'distance': np.arange(n), 'lstm': np.linspace(1, 0.1, n),
                                             'tanh': np.r_[np.logspace(0, -30, n - 2), 0, 0]}),
        theory_figures.jacobian_norms({'distance': np.arange(n), 'norms': {0.5: np.logspace(0, -5, n),
                                                                           1.5: np.logspace(0, 3, n)}}),
        theory_figures.clipping_norms({'norms': np.linspace(1, 7, n), 'grad_clip': 5.0, 'share_above': 0.25,
                                       'batches_per_epoch': 4}),
        theory_figures.lstm_heatmap(dict(gates, chars=list('To be, or n\n')), n_units=5),
        theory_figures.clipping_under_adam({'step_norms': {k: np.ones(n) for k in ('sgd', 'sgd_clipped', 'adam',
                                                                                    'adam_clipped')},
                                            'spike_at': 3, 'spike_scale': 1000.0, 'clip_factor': 400.0}),
    ]
    for fig in figures:
        assert_labelled(fig)
        plt.close(fig)
