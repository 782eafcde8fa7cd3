"""Drawings for the lecture's theory slides and pitfalls (not on the slides): each function returns a
matplotlib figure of numbers from theory.py or pitfalls.py. Every chart has labelled axes and a legend
(a heatmap's: its labelled colour bar); every diagram a title and a legend of its colours."""
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

# The colours of the diagrams: one per kind of box, and what a legend calls it.
COLOURS = {'input': '#9ecae1', 'hidden': '#a1d99b', 'output': '#fdae6b', 'encoding': '#d9d9d9',
           'kernel': '#d9d9d9', 'gate': '#fdd0a2', 'candidate': '#fc9272', 'op': '#ffffff', 'cell': '#bcbddc'}
NAMES = {'input': 'input x(t)', 'hidden': 'hidden state h(t)', 'output': 'output y(t)',
         'encoding': 'encoding of the ids', 'kernel': 'one kernel over [x, h]', 'gate': 'gate: \u03c3, in (0, 1)',
         'candidate': 'candidate j (the slides\' g): tanh, in (\u22121, 1)', 'cell': 'cell state c',
         'op': 'elementwise: \u2299 product, + sum, tanh'}
BOX = 0.7  # the side of a box, in the diagrams' data units (one step = 1)


# --- Drawing helpers ----------------------------------------------------------------------------
def box(ax, x, y, text, kind, width=BOX, height=BOX, fontsize=9):
    """A rounded box centred at (x, y), coloured by its kind, with text inside."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, edgecolor='0.3',
                                boxstyle='round,pad=0.02,rounding_size=0.08', facecolor=COLOURS[kind]))
    ax.text(x, y, text, ha='center', va='center', fontsize=fontsize)


def arrow(ax, start, end, colour='0.2', style='-|>', connection='arc3', linestyle='-'):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=colour,
                                 connectionstyle=connection, linestyle=linestyle, shrinkA=2, shrinkB=2))


def link(ax, start, end, **style):
    """An arrow between the sides of the boxes centred at start and at end, straight above or right of it."""
    (x0, y0), (x1, y1), half = start, end, BOX / 2
    up, right = y1 > y0, x1 > x0
    arrow(ax, (x0 + half * right, y0 + half * up), (x1 - half * right, y1 - half * up), **style)


def diagram_axes(ax, xlim, ylim, title=None, fontsize=10):
    """Axes for a diagram: no data axes, equal scale."""
    ax.set(xlim=xlim, ylim=ylim, aspect='equal')
    ax.axis('off')
    if title:
        ax.set_title(title, fontsize=fontsize)


def finish_diagram(fig, title, kinds, arrows=(), names=None, ncol=None, **margins):
    """fig with its title, a legend of its kinds of box (named by names, else NAMES) and arrows (label, colour)."""
    fig.suptitle(title)
    names = dict(NAMES, **(names or {}))
    handles = ([Patch(facecolor=COLOURS[k], edgecolor='0.3', label=names[k]) for k in kinds]
               + [Line2D([], [], color=colour, marker='>', label=label) for label, colour in arrows])
    fig.legend(handles=handles, loc='lower center', ncol=ncol or len(handles), frameon=False, fontsize=9)
    fig.subplots_adjust(**margins)
    return fig


RECURRENT = ('recurrent connection: h(t-1) to h(t)', 'C3')   # a legend's arrow


def labelled(ax, xlabel, ylabel, title, legend=(), **title_style):
    """The chart's figure, with its axis labels, title and legend (font size 8 unless legend, its options, says)."""
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.set_title(title, **title_style)
    ax.legend(**dict({'fontsize': 8}, **dict(legend)))
    return ax.figure


# --- Slide "Different Categories of Sequence Modeling" ------------------------------------------
# (title, example, steps that take an input, steps that give an output) over 4 or 6 steps
CATEGORIES = [('Many-to-one', 'sentiment analysis: a review -> its label', range(4), [3]),
              ('One-to-many', 'image captioning: an image -> a phrase', [0], range(4)),
              ('Synchronized many-to-many', 'video classification: a label per frame', range(4), range(4)),
              ('Delayed many-to-many', 'language translation: a sentence -> a sentence', range(3), range(3, 6))]


def sequence_categories(categories=CATEGORIES):
    """The four categories of sequence modeling, each an RNN unrolled in time, with the lecture's examples."""
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.6), gridspec_kw={'width_ratios': [4, 4, 4, 6]})
    for ax, (title, example, inputs, outputs) in zip(axes, categories):
        n_steps = 6 if len(inputs) + len(outputs) == 6 else 4
        for t in range(n_steps):
            box(ax, t, 1, 'h', 'hidden')
            if t:
                link(ax, (t - 1, 1), (t, 1), colour='C3')
            if t in inputs:
                box(ax, t, 0, 'x', 'input')
                link(ax, (t, 0), (t, 1))
            if t in outputs:
                box(ax, t, 2, 'y', 'output')
                link(ax, (t, 1), (t, 2))
        diagram_axes(ax, (-0.6, n_steps - 0.4), (-0.6, 2.6), '%s\n%s' % (title, textwrap.fill(example, 30)), 9)
    return finish_diagram(fig, 'Different categories of sequence modeling (time runs left to right)',
                          ['input', 'hidden', 'output'], [RECURRENT], bottom=0.15, top=0.78, wspace=0.15)


# --- Slide "Comparison between Standard Feedforward NN and RNN" --------------------------------
def feedforward_vs_rnn():
    """A feedforward network beside an RNN, whose hidden layer also receives its last value through W_hh."""
    fig, axes = plt.subplots(1, 2, figsize=(8, 4.2))
    for ax, title, t in zip(axes, ('Standard feedforward network', 'Recurrent neural network'), ('', '(t)')):
        for y, name, kind in ((0, 'x', 'input'), (1.4, 'h', 'hidden'), (2.8, 'y', 'output')):
            box(ax, 0, y, name + t, kind, width=1.0)
        for y_from, y_to, weights in ((0, 1.4, 'W_xh'), (1.4, 2.8, 'W_hy')):
            link(ax, (0, y_from), (0, y_to))
            ax.text(0.1, (y_from + y_to) / 2, weights, fontsize=9)
        if t:  # a loop from h back into h: h(t-1) enters the next step
            arrow(ax, (0.5, 1.55), (0.5, 1.25), colour='C3', connection='arc3,rad=-2.2')
            ax.text(1.25, 1.4, 'W_hh', fontsize=9, va='center')
        diagram_axes(ax, (-1.5, 1.8), (-0.6, 3.4), title)
    return finish_diagram(fig, 'Feedforward network and RNN: the RNN\'s hidden layer also reads its own last value',
                          ['input', 'hidden', 'output'], [('feedforward connection', '0.2'), RECURRENT], ncol=3,
                          bottom=0.16)


# --- Slide "Unrolled RNNs": the lecture's two models, with the shapes of their built graphs ------
def unrolled_models(sentiment_shapes, char_shapes, n_steps=3):
    """Both models unrolled over n_steps shown steps and '...', each row labelled with its shape (theory.
    sentiment_shapes, char_shapes); many-to-one (a 'last step'): only the last step reaches the dense layer."""
    fig, axes = plt.subplots(2, 1, figsize=(9, 7.5))
    steps = list(range(n_steps - 1)) + [n_steps]          # the shown steps; a gap before the last
    labels = ['t=1', 't=2', 't=3', 't=4'][:n_steps - 1] + ['t=T']
    for ax, shapes, title in zip(axes, (sentiment_shapes, char_shapes), (
            'SentimentRNN: many-to-one (the label after the last word)',
            'CharRNN: synchronized many-to-many (the next character after every character)')):
        text = {what: '%s (%s)' % ({'outputs reshaped': 'reshaped'}.get(what, what), ', '.join(map(str, shape)))
                for what, _, shape in shapes}                   # such as 'word ids (100, 200)'
        many_to_one = 'last step' in text
        for k, (x, label) in enumerate(zip(steps, labels)):
            box(ax, x, 0, label, 'input', fontsize=8)
            box(ax, x, 1, 'embed' if many_to_one else 'one-hot', 'encoding', fontsize=7)
            box(ax, x, 2, 'LSTM', 'hidden', fontsize=8)
            link(ax, (x, 0), (x, 1))
            link(ax, (x, 1), (x, 2))
            if k:
                previous = steps[k - 1]
                link(ax, (previous, 2), (x, 2), colour='C3', linestyle='--' if x - previous > 1 else '-')
            if not many_to_one or x == steps[-1]:
                box(ax, x, 3, 'logits', 'output', fontsize=8)
                link(ax, (x, 2), (x, 3))
        ax.text(steps[-2] + (steps[-1] - steps[-2]) / 2, 2.25, '...', ha='center', fontsize=12)
        ids, code, top = (('word ids', 'embeddings', 'last step') if many_to_one
                          else ('character ids', 'one-hot', 'outputs reshaped'))
        for y, row in enumerate([text[ids], text[code], text['LSTM outputs'], text[top] + '\n' + text['logits']]):
            ax.text(steps[-1] + 0.6, y, row, va='center', fontsize=8)
        diagram_axes(ax, (-0.6, steps[-1] + 3.8), (-0.6, 3.6), title)
    names = {'input': 'ids of step t', 'encoding': 'embedding / one-hot', 'hidden': 'LSTM cell',
             'output': 'dense layer (logits)'}
    return finish_diagram(fig, 'The lecture\'s two models unrolled in time, with the shapes of their graphs\' '
                          'tensors\n(batch rows, steps, features), read from the built graphs', list(names),
                          [('LSTM state (c, h) to the next step', 'C3')], names, ncol=3,
                          bottom=0.08, top=0.86, hspace=0.25)


# --- Slide "Gradient Problems", measured --------------------------------------------------------
def draw_norms_by_distance(ax, distance, lines, ylabel, title, one=False):
    """On ax, a log-scale chart of norms against the distance T - k: lines [(label, colour, values)]. Zeros
    (every entry below float32's range) are not drawn; a dotted line marks the first. one: a line at norm 1."""
    for label, colour, values in lines:
        values = np.asarray(values, dtype=float)
        shown = values > 0
        ax.semilogy(distance[shown], values[shown], color=colour, label=label)
        if not shown.all():
            first_zero = int(distance[~shown][0])
            ax.axvline(first_zero, color=colour, ls=':', lw=1,
                       label='every entry 0 in float32 from distance %d on' % first_zero)
    if one:
        ax.axhline(1.0, color='0.5', ls=':', lw=1, label='norm 1')
    return labelled(ax, 'distance T - k (steps between h(k) and the last step T)', ylabel, title, fontsize=10)


def gradient_vs_distance(result):
    """The mean norm of dL(T)/dh(k) by distance T - k, log scale (theory.gradient_vs_distance): both models (the
    tanh RNN's fall spans dozens of decades), and the LSTM alone, where its decay (a few decades) shows."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    lines = [('trained SentimentRNN (LSTM)', 'C0', result['lstm']),
             ('plain tanh RNN (BasicRNNCell), trained briefly', 'C3', result['tanh'])]
    for ax, shown, title in zip(axes, (lines, lines[:1]), ('Both models', 'The trained LSTM alone (its own scale)')):
        draw_norms_by_distance(ax, result['distance'], shown, 'mean ||dL(T)/dh(k)|| over the reviews', title)
    fig.suptitle('How much the last step\'s loss still reaches back to h(k)')
    fig.tight_layout()
    return fig


def jacobian_norms(result):
    """The norm of dh(T)/dh(k) by distance T - k, log scale, per scale of W_hh (theory.jacobian_norms_by_distance)."""
    _, ax = plt.subplots(figsize=(8, 3.9))
    lines = [('W_hh with every singular value %g' % scale, 'C%d' % k, norms)
             for k, (scale, norms) in enumerate(sorted(result['norms'].items()))]
    return draw_norms_by_distance(ax, result['distance'], lines, 'spectral norm of dh(T)/dh(k)',
                                  'A product of step Jacobians: it vanishes or explodes with the distance', one=True)


# --- Gradient clipping: the CharRNN's global gradient norms ------------------------------------
def clipping_norms(result):
    """The global gradient norm of every CharRNN mini-batch (theory.clipping_norms's result), the threshold."""
    _, ax = plt.subplots(figsize=(8, 3.8))
    norms, limit, per_epoch = result['norms'], result['grad_clip'], result['batches_per_epoch']
    ax.plot(np.arange(1, len(norms) + 1), norms, color='C0', marker='.', lw=1, label='global norm of the gradients')
    ax.axhline(limit, color='C3', ls='--', label='grad_clip = %g (above it, scaled down to it)' % limit)
    for k, edge in enumerate(range(per_epoch, len(norms), per_epoch)):
        ax.axvline(edge + 0.5, color='0.8', lw=0.8, label='epoch boundary' if k == 0 else None)
    ax.set_ylim(0, max(norms.max(), limit) * 1.1)
    return labelled(ax, 'iteration (mini-batch)', 'global gradient norm', 'CharRNN: %.0f%% of %d mini-batches above '
                    'the threshold' % (100 * result['share_above'], len(norms)))


def clipping_in_action(result):
    """The CharRNN's global gradient norms before and after clipping, log scale (theory.clipping_in_action)."""
    _, ax = plt.subplots(figsize=(8, 3.8))
    before, after, limit = result['norms'], result['norms_after'], result['grad_clip']
    iteration = np.arange(1, len(before) + 1)
    ax.semilogy(iteration, before, color='C0', marker='.', lw=1, label='global norm before clipping')
    ax.semilogy(iteration, after, color='C2', marker='.', ls='--', lw=1,
                label='global norm applied, after clipping: min(norm, grad_clip)')
    acted = before > limit
    ax.scatter(iteration[acted], before[acted], s=80, facecolors='none', edgecolors='C3',
               label='clipping acted (norm above grad_clip)')
    ax.axhline(limit, color='C3', ls=':', label='grad_clip = %g' % limit)
    return labelled(ax, 'iteration (mini-batch)', 'global gradient norm',
                    'CharRNN at learning rate %g: clipping acted on %d of %d mini-batches (%.0f%%)'
                    % (result['hparams']['learning_rate'], acted.sum(), len(before), 100 * result['share_above']),
                    fontsize=10)


# --- Slide "LSTM Units": the cell's diagram, with the sizes of the CharRNN's built graph -------
def lstm_cell_diagram(sizes):
    """BasicLSTMCell as the CharRNN builds it, labelled with the sizes of its graph (theory.lstm_cell_sizes):
    one kernel over [x(t), h(t-1)], its columns four blocks of H in TensorFlow's order i, j, f, o."""
    d, h = sizes['n_inputs'], sizes['n_hidden']
    top, path = 6.0, '#54278f'   # the height and colour of the cell state path
    gates = {'i': (4.6, 'i = \u03c3(z_i)\ninput gate'), 'j': (6.3, 'j = tanh(z_j)\ncandidate (g)'),
             'f': (8.0, 'f = \u03c3(z_f + %g)\nforget gate\n(+ forget_bias)' % sizes['forget_bias']),
             'o': (9.7, 'o = \u03c3(z_o)\noutput gate')}
    boxes = [(0.4, 0.0, 'x(t)\n%d' % d, 'input', 1.2, 0.8), (2.0, 0.0, 'h(t\u22121)\n%d' % h, 'hidden', 1.2, 0.8),
             (1.2, 1.4, '[x(t), h(t\u22121)]\n%d + %d = %d' % (d, h, d + h), 'kernel', 2.4, 0.8),
             (1.2, 2.9, 'z = [x, h] @ kernel + bias\nkernel %d \u00d7 %d = %d \u00d7 (4 \u00d7 %d)\nbias %d'
              % (sizes['kernel_shape'] + (d + h, h, sizes['bias_shape'][0])), 'kernel', 3.2, 1.1)]
    boxes += [(x, 2.9, '%s\ncolumns %d\u2013%d' % (text, sizes['blocks'][name][0], sizes['blocks'][name][1] - 1),
               'candidate' if name == 'j' else 'gate', 1.6, 1.4) for name, (x, text) in gates.items()]
    boxes += [(1.2, top, 'c(t\u22121)\n%d' % h, 'cell', 1.2, 0.8), (8.0, top, '\u2299', 'op', 0.5, 0.5),
              (9.4, top, '+', 'op', 0.5, 0.5), (5.45, 4.5, 'i \u2299 j', 'op', 0.8, 0.5),
              (11.0, top, 'c(t)\n%d' % h, 'cell', 1.2, 0.8), (12.4, 4.9, 'tanh', 'op', 0.8, 0.5),
              (12.4, 3.8, '\u2299', 'op', 0.5, 0.5), (12.4, 2.4, 'h(t)\n%d' % h, 'hidden', 1.2, 0.8)]
    fig, ax = plt.subplots(figsize=(12, 6.6))
    for x, y, text, kind, width, height in boxes:
        box(ax, x, y, text, kind, width=width, height=height, fontsize=8)
    for start, end in [((0.4, 0.4), (0.9, 1.0)), ((2.0, 0.4), (1.5, 1.0)),   # x and h into [x, h]
                       ((1.2, 1.8), (1.2, 2.5)), ((2.8, 2.9), (3.8, 2.9)),   # into z, z into the blocks
                       ((8.0, 3.6), (8.0, top - 0.25)),                      # f into f (.) c(t-1)
                       ((4.6, 3.6), (5.2, 4.25)), ((6.3, 3.6), (5.7, 4.25)),  # i and j into i (.) j
                       ((12.4, 4.65), (12.4, 4.05)), ((10.5, 3.1), (12.15, 3.75)),  # tanh(c) and o into o (.)
                       ((12.4, 3.55), (12.4, 2.8))]:                         # h(t)
        arrow(ax, start, end)
    for start, end in [((1.8, top), (7.75, top)), ((8.25, top), (9.15, top)), ((9.65, top), (10.4, top)),
                       ((11.6, top - 0.2), (12.3, 5.15))]:                   # the cell state, c(t) into tanh
        arrow(ax, start, end, colour=path)
    arrow(ax, (5.85, 4.6), (9.2, top - 0.2), connection='arc3,rad=-0.15')  # i (.) j into +
    ax.text(5.0, top + 0.3, 'c(t) = f \u2299 c(t\u22121) + i \u2299 j', ha='center', fontsize=10, color=path)
    ax.text(12.4, 1.65, 'h(t) = o \u2299 tanh(c(t))', ha='center', fontsize=10)
    diagram_axes(ax, (-0.6, 13.4), (-0.6, 6.8))
    return finish_diagram(fig, 'LSTM cell (BasicLSTMCell) with the sizes of the CharRNN\'s built graph: %d inputs, '
                          '%d units' % (d, h), ['input', 'hidden', 'kernel', 'gate', 'candidate', 'cell', 'op'],
                          [('cell state path', path)], names={'input': 'input x(t) (one-hot)',
                          'hidden': 'hidden state h'}, ncol=4, bottom=0.14, top=0.92, left=0.01, right=0.99)


# --- Slide "LSTM Units": the gates over a line of Hamlet ----------------------------------------
GATE_ROWS = [('f', 'forget gate f', 'viridis', (0, 1)), ('i', 'input gate i', 'viridis', (0, 1)),
             ('g', 'candidate g (TF: j)', 'RdBu_r', (-1, 1)), ('c', 'cell state c', 'RdBu_r', None),
             ('o', 'output gate o', 'viridis', (0, 1)), ('h', 'hidden state h', 'RdBu_r', (-1, 1))]


def lstm_heatmap(result, n_units=12):
    """The gates and states at each character of the line (theory.lstm_gates_on_line), n_units most varied cells."""
    units = np.sort(np.argsort(result['c'].std(axis=0))[::-1][:n_units])   # the ones worth a look
    chars = [{'\n': '\\n', ' ': '\u2423'}.get(ch, ch) for ch in result['chars']]  # a space as a visible box
    # Two columns of panels: wide like a slide, so that a projector shows the characters legibly.
    n_rows = (len(GATE_ROWS) + 1) // 2
    fig, grid = plt.subplots(n_rows, 2, figsize=(max(14, 0.3 * len(chars) + 2), 2.6 * n_rows + 1.2), sharex=True)
    for ax in grid.T.ravel()[len(GATE_ROWS):]:  # an odd number of rows: the last panel stays empty
        ax.set_visible(False)
    for ax, (key, label, cmap, limits) in zip(grid.T.ravel(), GATE_ROWS):  # down the first column, then the second
        values = result[key][:, units].T                                  # (units, T)
        bound = np.abs(values).max()
        limits = limits or (-bound, bound)
        image = ax.imshow(values, aspect='auto', cmap=cmap, vmin=limits[0], vmax=limits[1], interpolation='nearest')
        ax.set(yticks=range(len(units)), ylabel='unit')
        ax.set_yticklabels(units, fontsize=7)
        ax.set_title(label, fontsize=11, loc='left')
        fig.colorbar(image, ax=ax, pad=0.01).set_label(key, rotation=0)
    for ax in grid[-1]:  # the characters under each column (the axes share them)
        ax.set_xticks(range(len(chars)))
        ax.set_xticklabels(chars, fontsize=10)
        ax.set_xlabel('character of the line (fed one at a time, the state carried)')
    fig.suptitle('Shipped CharRNN: gates and states of the %d units whose cell state varies most\n'
                 '(colour bars: the value of each gate or state)' % len(units))
    fig.tight_layout()
    return fig


# --- Slide "Sigmoid": the gates' sigmoid and the candidate's tanh -------------------------------
def activation_curves(curves):
    """sigma(z) and tanh(z) against z (theory.activation_curves's result), their ranges as bars at the right."""
    _, ax = plt.subplots(figsize=(8, 3.8))
    z = curves['z']
    right = z.max()
    ax.plot(z, curves['sigmoid'], color='C0', label='\u03c3(z) = 1 / (1 + e^\u2212z): the gates i, f, o')
    ax.plot(z, curves['tanh'], color='C1', label='tanh(z): the candidate j (g), and tanh(c) in h')
    for x, low, colour, name in ((right + 0.5, 0, 'C0', '\u03c3: (0, 1)'),
                                 (right + 1.0, -1, 'C1', 'tanh: (\u22121, 1)')):
        ax.plot([x] * 2, [low, 1], color=colour, lw=6, alpha=0.5, solid_capstyle='butt', label='range of ' + name)
    for level in (-1, 0, 1):
        ax.axhline(level, color='0.6', lw=0.6, ls=':')
    ax.set(xlim=(z.min() - 0.3, right + 1.4), ylim=(-1.25, 1.25))
    return labelled(ax, 'z (pre-activation)', 'activation', 'The gates\' \u03c3 lies in (0, 1), the candidate\'s '
                    'tanh in (\u22121, 1); \u03c3(0) = 0.5, tanh(0) = 0', fontsize=10,
                    legend={'loc': 'lower left', 'bbox_to_anchor': (0.4, 0.03)})  # the empty lower right


# --- Pitfall: gradient clipping under Adam ------------------------------------------------------
def clipping_under_adam(result):
    """The step sizes of SGD and Adam around one huge gradient, clipped and not (pitfalls.clipping_under_adam's)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharex=True)
    for ax, optimizer, name in zip(axes, ('sgd', 'adam'), ('SGD', 'Adam')):
        for suffix, label, style in (('', 'not clipped', '-'), ('_clipped', 'clipped by the global norm', '--')):
            norms = result['step_norms'][optimizer + suffix]
            ax.semilogy(np.arange(1, len(norms) + 1), norms, ls=style, label=label)
        labelled(ax, 'step', 'step size ||change of the parameters||', '%s: step %d\'s gradient is %g times too large\n'
                 '(clipping divides it by %.0f)' % (name, result['spike_at'] + 1, result['spike_scale'],
                                                    result['clip_factor']), fontsize=9)
    fig.suptitle('Synthetic gradients, not a model\'s: %d parameters, %d steps of Gaussian noise with one spike'
                 % (result['dim'], result['n_steps']), fontsize=10)
    fig.tight_layout()
    return fig
