"""The figures of the theory slides and pitfalls (beyond_slides/theory_figures.py): every chart
with labelled axes and a legend, every diagram with a title and a legend."""
import matplotlib

matplotlib.use('Agg')  # no display in the tests: before pyplot is imported (by theory_figures)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from beyond_slides import pitfalls, theory, theory_figures  # noqa: E402
from beyond_slides.predicting import build_quietly  # noqa: E402
from char_rnn import CharRNN  # noqa: E402
from conftest import assert_labelled  # noqa: E402
from sentiment_rnn import SentimentRNN  # noqa: E402


# A clipping run's result (theory.clipping_in_action), by hand: norms 1, 8, 2, 30 against grad_clip
# 5, so clipping acted at the 2nd and 4th mini-batch.
CLIPPED = {'norms': np.array([1.0, 8.0, 2.0, 30.0]), 'norms_after': np.array([1.0, 5.0, 2.0, 5.0]),
           'grad_clip': 5.0, 'share_above': 0.5, 'hparams': {'learning_rate': 0.2}}


def test_every_figure_is_labelled():
    sentiment = build_quietly(SentimentRNN, 50, seq_len=7, lstm_size=5, batch_size=3, embed_size=4)
    char = build_quietly(CharRNN, 6, batch_size=2, num_steps=5, lstm_size=4)
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
                                            'spike_at': 3, 'spike_scale': 1000.0, 'clip_factor': 400.0,
                                            'dim': 10, 'n_steps': n}),
        theory_figures.clipping_in_action(CLIPPED),
        theory_figures.lstm_cell_diagram(theory.lstm_cell_sizes(char)),
        theory_figures.activation_curves(theory.activation_curves()),
    ]
    for fig in figures:
        assert_labelled(fig)
        plt.close(fig)


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_the_lstms_decay_fills_an_axis_of_its_own_and_the_distance_is_T_minus_k():
    """The run's numbers: the trained LSTM's mean norm falls from about 0.504 at distance 0 to
    1.33e-3 at 199 (2.6 decades); the tanh RNN's to below 1e-40, then 0. On one log axis the
    LSTM's fall would fill 2.6 of about 40 decades."""
    distance = np.arange(200)
    result = {'distance': distance, 'lstm': np.geomspace(0.504, 1.33e-3, 200),
              'tanh': np.r_[np.geomspace(0.687, 1e-42, 190), np.zeros(10)]}
    fig = theory_figures.gradient_vs_distance(result)
    shares = []
    for ax in fig.axes:
        lstm = [line for label, line in lines_by_label(ax).items() if 'LSTM' in label]
        if lstm:
            y = lstm[0].get_ydata()
            low, high = ax.get_ylim()
            shares.append((np.log10(y.max()) - np.log10(y.min())) / (np.log10(high) - np.log10(low)))
    assert max(shares) > 0.6, 'the LSTM\'s decay fills %.0f%% of its axis at most' % (100 * max(shares))
    for ax in fig.axes:
        label = ax.get_xlabel().replace('\u2212', '-')
        assert 'T - k' in label and 't - k' not in label
        assert 'T' in ax.get_ylabel()
    assert_labelled(fig)
    plt.close(fig)


def test_the_clipping_in_action_chart_draws_the_norms_before_and_after():
    fig = theory_figures.clipping_in_action(CLIPPED)
    ax = fig.axes[0]
    lines = lines_by_label(ax)
    before = [line for label, line in lines.items() if 'before' in label][0]
    after = [line for label, line in lines.items() if 'after' in label][0]
    assert before.get_ydata().tolist() == [1.0, 8.0, 2.0, 30.0]
    assert after.get_ydata().tolist() == [1.0, 5.0, 2.0, 5.0]
    acted = ax.collections[0].get_offsets()
    assert np.asarray(acted).tolist() == [[2.0, 8.0], [4.0, 30.0]]        # the mini-batches clipped
    assert '2 of 4' in ax.get_title() and '50%' in ax.get_title()
    plt.close(fig)


def test_the_adam_clipping_figure_says_its_gradients_are_synthetic_and_their_size():
    spike = pitfalls.clipping_under_adam(n_steps=60, dim=7, spike_at=20, after=(5, 30))
    fig = theory_figures.clipping_under_adam(spike)
    title = fig._suptitle.get_text()
    assert 'ynthetic' in title and '7 parameters' in title and '60 steps' in title
    plt.close(fig)


def test_the_lstm_diagram_shows_the_sizes_of_the_graph_it_is_given():
    """A tiny CharRNN, 7 characters and 5 units: the diagram must show 7 + 5 = 12 rows, 4 x 5 = 20
    columns and the blocks i 0-4, j 5-9, f 10-14, o 15-19, not the slides' 65 and 128."""
    rnn = build_quietly(CharRNN, 7, batch_size=2, num_steps=3, lstm_size=5)
    fig = theory_figures.lstm_cell_diagram(theory.lstm_cell_sizes(rnn))
    text = '\n'.join(t.get_text() for t in fig.axes[0].texts).replace('\u00d7', 'x').replace('\u2013', '-')
    for expected in ('7 + 5 = 12', 'kernel 12 x 20 = 12 x (4 x 5)', 'bias 20', 'columns 0-4', 'columns 5-9',
                     'columns 10-14', 'columns 15-19', 'x(t)\n7', 'h(t)\n5', 'z_f + 1'):
        assert expected in text, expected
    assert '65' not in text and '128' not in text
    order = [t.get_text().split(' = ')[0] for t in fig.axes[0].texts if 'columns' in t.get_text()]
    assert order == ['i', 'j', 'f', 'o']                                   # TensorFlow's order
    assert_labelled(fig)
    plt.close(fig)


def test_the_activation_curves_are_sigmoid_and_tanh_with_their_ranges():
    fig = theory_figures.activation_curves(theory.activation_curves(np.linspace(-10, 10, 201)))
    ax = fig.axes[0]
    lines = lines_by_label(ax)
    sig = [line for label, line in lines.items() if label.startswith('\u03c3(z)')][0]
    tanh = [line for label, line in lines.items() if label.startswith('tanh(z)')][0]
    z = sig.get_xdata()
    at = {v: int(np.argmin(np.abs(z - v))) for v in (-10, 0, 10)}
    assert sig.get_ydata()[at[0]] == 0.5 and tanh.get_ydata()[at[0]] == 0.0      # sigma(0) = 1/2, tanh(0) = 0
    assert sig.get_ydata()[at[10]] > 0.9999 and sig.get_ydata()[at[-10]] < 1e-4
    assert tanh.get_ydata()[at[10]] > 0.9999 and tanh.get_ydata()[at[-10]] < -0.9999
    ranges = {label: sorted(line.get_ydata()) for label, line in lines.items() if label.startswith('range')}
    assert ranges == {'range of \u03c3: (0, 1)': [0, 1], 'range of tanh: (\u22121, 1)': [-1, 1]}
    assert_labelled(fig)
    plt.close(fig)
