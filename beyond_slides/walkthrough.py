"""What the slides print, slide by slide, computed on the real data: one function per slide.

`python sentiment_rnn.py --walkthrough`, `python char_rnn.py --walkthrough` and the
lecture notebook (notebooks/rnn_lecture.ipynb) all call these functions, so the three
always show the same figures. Each prints the slide's title, then what the slide prints,
and returns what the next slide needs.
"""
import contextlib
import io
import time

import numpy as np

import data_utils
from beyond_slides import model_files
from beyond_slides.settings import CHAR_HPARAMS, SENTIMENT_HPARAMS


def slide(title):
    """The heading printed before a slide's output."""
    print('\n=== Slide: %s ===' % title)


def finished_bar(title, seconds):
    """The slides' pyprind progress bar of a step done, as it looks when it is full."""
    print('%s\n0%% [%s] 100%% | ETA: 00:00:00\nTotal time elapsed: %s'
          % (title, '#' * 30, time.strftime('%H:%M:%S', time.gmtime(seconds))))


# ---------------------------------------------------------------------------
# Sentiment analysis
# ---------------------------------------------------------------------------

def read_imdb(data=None):
    """Slide "Read in the IMDb Data": the DataFrame, and its first three rows."""
    slide('Read in the IMDb Data')
    df = data_utils.load_movie_data(data)
    print(df.head(3))
    return df


def count_words(df):
    """Slide "Count the Unique Word in the Dataset": (word_to_int, mapped_reviews)."""
    slide('Count the Unique Word in the Dataset')
    start = time.time()
    word_to_int, mapped_reviews = data_utils.preprocess_reviews(df['review'])
    finished_bar('Counting words occurences', time.time() - start)
    return word_to_int, mapped_reviews


def word_to_int_mapping(word_to_int):
    """Slide "Create the Word to Integer Mapping": the five most common words; n_words."""
    slide('Create the Word to Integer Mapping')
    print(list(word_to_int)[:5])
    finished_bar('Map reviews to ints', 0)  # count_words mapped them already
    n_words = max(word_to_int.values()) + 1
    print('n_words = %d' % n_words)
    return n_words


def fixed_length_sequences(mapped_reviews, sentiment, seq_len=200, n_train=None):
    """Slide "Prepare Fixed-Length Sequences": (X_train, y_train, X_test, y_test), the slides' split
    (n_train: the first half by default, 25,000 of the 50,000 reviews)."""
    slide('Prepare Fixed-Length Sequences')
    sequences = data_utils.make_sequences(mapped_reviews, seq_len)
    print('sequences.shape = %s' % (sequences.shape,))
    split = data_utils.split_train_test(sequences, sentiment, n_train or len(sequences) // 2)
    print('X_train.shape = %s, X_test.shape = %s' % (split[0].shape, split[2].shape))
    return split


def build_sentiment_rnn(n_words, model_dir):
    """Slides "SentimentRNN: build() (1/4) to (4/4)": the model, built with the slides' settings;
    build() prints its tensors."""
    slide('SentimentRNN: build() (1/4) to (4/4)')
    from sentiment_rnn import SentimentRNN  # here: TensorFlow takes seconds to import
    return SentimentRNN(n_words=n_words, model_dir=model_dir, **SENTIMENT_HPARAMS)


# ---------------------------------------------------------------------------
# Character-level language modeling
# ---------------------------------------------------------------------------

def read_hamlet(data=None):
    """Slide "Preparing the Data" (Hamlet): (text, chars, char2int, int2char, text_ints)."""
    slide('Preparing the Data (Hamlet)')
    text = data_utils.load_hamlet(data)
    chars, char2int, int2char = data_utils.char_vocab(text)
    text_ints = data_utils.encode_text(text, char2int)
    print('%d characters, %d distinct' % (len(text), len(chars)))
    return text, chars, char2int, int2char, text_ints


def reshape_for_batches(text_ints, int2char):
    """Slide "Reshape the Data into Batches of Sequences (3/3)": (train_x, train_y) of
    reshape_data(text_ints, 64, 10), and what the slide prints of them."""
    slide('Reshape the Data into Batches of Sequences (3/3)')
    train_x, train_y = data_utils.reshape_data(text_ints, 64, 10)
    print(train_x.shape)
    print(train_x[0, :10])
    print(train_y[0, :10])
    print(''.join(int2char[i] for i in train_x[0, :50]))
    print('(the ids depend on the character order: the slides used set(text), this project sorts)')
    return train_x, train_y


def mini_batches(train_x, train_y, int2char):
    """Slide "Split x and y into Mini-Batches (2/2)": the shapes and text of the first batches."""
    slide('Split x and y into Mini-Batches (2/2)')
    from char_rnn import create_batch_generator  # here: TensorFlow takes seconds to import
    np.random.seed(123)
    bgen = create_batch_generator(train_x[:, :100], train_y[:, :100], 15)
    for b in bgen:
        print(b[0].shape, b[1].shape, end='  ')
        print(''.join(int2char[i] for i in b[0][0, :]).replace('\n', '*'), '    ',
              ''.join(int2char[i] for i in b[1][0, :]).replace('\n', '*'))


def build_char_rnn(num_classes):
    """Slides "CharRNN: build() (1/4) to (4/4)": the model, built with the slides' settings;
    build() prints its tensors."""
    slide('CharRNN: build() (1/4) to (4/4)')
    from char_rnn import CharRNN  # here: TensorFlow takes seconds to import
    return CharRNN(num_classes=num_classes, **CHAR_HPARAMS)


# ---------------------------------------------------------------------------
# For the notebook: a method's own source, and what the sampler sees
# ---------------------------------------------------------------------------

def show_source(obj, first=None, last=None, before=None):
    """Print the source of a function or method as it is in its file (the code that runs), or
    the part of it that a slide shows: see select_lines."""
    import inspect
    print('\n'.join(select_lines(inspect.getsource(obj), first, last, before)))


def select_lines(source, first=None, last=None, before=None):
    """The lines of a function's source from the first statement that uses the name `first` to
    the last statement that uses the name `last` (or to the line before the first that uses
    `before`); None: from the `def` line, to the end. A statement uses a name when it assigns
    it, calls it or hands it to a call (print(..., name)), or tests or loops over it (the head
    of an if or for; an if also uses what its first statement uses); names may be dotted
    (self.saver.save). Comment lines right above the
    first statement come with it: the part is chosen by the code's structure, so editing a
    comment never changes what is shown."""
    import ast
    import textwrap
    lines = source.splitlines()
    tree = ast.parse(textwrap.dedent(source))
    statements = [node for node in ast.walk(tree.body[0]) if isinstance(node, ast.stmt)][1:]
    statements.sort(key=lambda node: node.lineno)

    def using(name):
        return [node for node in statements if name in _names_used(node)]

    start, stop = 0, len(lines) - 1
    if first:
        start = using(first)[0].lineno - 1
        while start > 0 and lines[start - 1].strip().startswith('#'):
            start -= 1
    if last:
        stop = max(node.end_lineno for node in using(last)) - 1
    if before:
        stop = using(before)[0].lineno - 2
        while stop > start and (lines[stop].strip().startswith('#') or not lines[stop].strip()):
            stop -= 1
    return lines[start:stop + 1]


def _names_used(node):
    """The names (dotted) a statement assigns, calls, hands to a call, tests or loops over."""
    import ast

    def dotted(expr):
        if isinstance(expr, ast.Name):
            return expr.id
        if isinstance(expr, ast.Attribute):
            inner = dotted(expr.value)
            return inner and inner + '.' + expr.attr

    def names_in(expr):
        return {n for n in map(dotted, ast.walk(expr)) if n}

    if isinstance(node, ast.Assign):
        return set().union(*(names_in(t) for t in node.targets))
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return names_in(node.target)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return names_in(node.value)
    if isinstance(node, ast.If):  # an if around a slide's line (`if log.saves_epoch(epoch):`) comes with it
        return names_in(node.test) | _names_used(node.body[0])
    if isinstance(node, ast.While):
        return names_in(node.test)
    if isinstance(node, ast.For):
        return names_in(node.iter) | names_in(node.target)
    return set()


def next_char_probabilities(model_dir, prime):
    """(chars, the CharRNN's probabilities of the next character after `prime`), the way
    CharRNN.sample's step 1 computes them."""
    from char_rnn import CharRNN  # here: TensorFlow takes seconds to import
    from beyond_slides.tf_setup import tf
    hparams, chars = model_files.load_model_config(model_dir, 'CharRNN')
    char2int = {ch: i for i, ch in enumerate(chars)}
    with contextlib.redirect_stdout(io.StringIO()):  # build() prints its tensors
        rnn = CharRNN(len(chars), sampling=True, lstm_size=hparams['lstm_size'],
                      num_layers=hparams['num_layers'])
    with tf.Session(graph=rnn.g) as sess:
        rnn.saver.restore(sess, tf.train.latest_checkpoint(model_dir))
        state = sess.run(rnn.initial_state)
        for ch in prime:
            proba, state = sess.run(['probabilities:0', rnn.final_state],
                                    {'tf_x:0': [[char2int[ch]]], 'tf_keepprob:0': 1.0,
                                     rnn.initial_state: state})
    return chars, proba[0]
