"""The lecture's data preparation: IMDb reviews and Hamlet, step by step as the slides do it.

Read it beside the slides "Read in the IMDb Data" (load_movie_data), "Count the
Unique Word" and "Create the Word to Integer Mapping" (preprocess_reviews),
"Prepare Fixed-Length Sequences" (make_sequences, split_train_test), then for Hamlet
"Preparing the Data" (load_hamlet, char_vocab, encode_text) and "Reshape the Data
into Batches of Sequences" (reshape_data). Each slide's `create_batch_generator`
lives beside the model that uses it (sentiment_rnn.py, char_rnn.py).

Not on the slides, and in beyond_slides/datasets.py: getting the files (the book
assumes them on disk), caching them, and checking them.
"""
import re
from collections import Counter
from string import punctuation

import numpy as np

from beyond_slides import datasets, fast_words
from beyond_slides.errors import DataError  # noqa: F401  (the error type of these functions)


# ---------------------------------------------------------------------------
# IMDb: "Read in the IMDb Data"
# ---------------------------------------------------------------------------

def load_movie_data(source=None):
    """The slides' `df = pd.read_csv('movie_data.csv', encoding='utf-8')`: columns review and
    sentiment, in the book's row order.

    source: the aclImdb tarball, an extracted aclImdb/ folder or a ready movie_data.csv;
    None: the copy named by the environment variable RNN_IMDB_DATA, else the official tarball,
    downloaded once. The book builds movie_data.csv from the tarball beforehand;
    beyond_slides/datasets.py does that the book's way, and caches it.
    """
    return datasets.read_movie_csv(datasets.movie_data_csv(source))


# ---------------------------------------------------------------------------
# IMDb: "Count the Unique Word", "Create the Word to Integer Mapping"
# ---------------------------------------------------------------------------

def tokenize(review):
    """The slides' words of one review: punctuation split off, lower-cased, split on whitespace.

    The slides loop over the characters (`c if c not in punctuation else ' '+c+' '`);
    a regular expression gives the same text about 10 times faster (re keeps it compiled).
    """
    return re.sub('([%s])' % re.escape(punctuation), r' \1 ', review).lower().split()


def preprocess_reviews(reviews, fast=True):
    """(word_to_int, mapped_reviews): the slides' word counts, word ids from 1, and each
    review as its list of word ids.

    fast=True (not on the slides): the same ids from one vectorized pass over all reviews
    (beyond_slides/fast_words.py); fast=False runs only the slides' loops below.
    """
    if fast:
        found = fast_words.preprocess_reviews(reviews)
        if found is not None:  # None: a case the fast pass cannot vouch for
            return found
    ## Preprocessing the data:
    ## Separate words and
    ## count each word's occurrence
    counts = Counter()
    texts = []
    for review in reviews:
        # The slides write each text back into the DataFrame (df.loc[i, 'review'] = text),
        # which alone takes minutes: a list holds them instead.
        text = tokenize(review)
        texts.append(text)
        counts.update(text)
    ## Create a mapping:
    ## Map each unique word to an integer
    word_counts = sorted(counts, key=counts.get, reverse=True)
    word_to_int = {word: ii for ii, word in enumerate(word_counts, 1)}
    mapped_reviews = []
    for review in texts:
        mapped_reviews.append([word_to_int[word] for word in review])
    return word_to_int, mapped_reviews


# ---------------------------------------------------------------------------
# IMDb: "Prepare Fixed-Length Sequences"
# ---------------------------------------------------------------------------

def make_sequences(mapped_reviews, sequence_length=200):
    """The slides' fixed-length sequences: word ids filled from the right, zeros on the left."""
    ## Define fixed-length sequences:
    ## Use the last 200 elements of each sequence
    ## if sequence length < 200: left-pad with zeros
    sequences = np.zeros((len(mapped_reviews), sequence_length), dtype=int)
    for i, row in enumerate(mapped_reviews):
        review_arr = np.array(row)
        if len(row):  # an empty review stays all zeros: `-len(row):` is then the whole row, and fails
            sequences[i, -len(row):] = review_arr[-sequence_length:]
    return sequences


def split_train_test(sequences, sentiment, n_train=25000):
    """The slides' split: the first n_train rows for training, the rest for testing.

    The slides write y_train = df.loc[:25000, ...], which with .loc includes row
    25000 and so gives one label too many; this takes exactly n_train.
    """
    sentiment = np.asarray(sentiment)
    return sequences[:n_train], sentiment[:n_train], sequences[n_train:], sentiment[n_train:]


# ---------------------------------------------------------------------------
# Hamlet: "Preparing the Data"
# ---------------------------------------------------------------------------

def load_hamlet(source=None):
    """The play's text: the slides' `text = text[15858:]` of pg2265.txt.

    source=None reads the pg2265.txt shipped with the project; another UTF-8 text
    (source=path) is taken whole, less a Project Gutenberg header and footer.
    """
    text = datasets.hamlet_text(source)
    # text[15858:] fits only the book's release of the file: the play's first line is searched.
    return datasets.cut_gutenberg(text)


def char_vocab(text, keep_order=False):
    """(chars, char2int, int2char) in sorted order; keep_order: text is a vocabulary already (a
    saved model's characters), whose order is kept.

    The slides use set(text), whose order changes from one Python process to the
    next; a model sampled in a new process would then read the wrong characters.
    """
    chars = list(text) if keep_order else sorted(set(text))
    char2int = {ch: i for i, ch in enumerate(chars)}
    int2char = dict(enumerate(chars))
    return chars, char2int, int2char


def encode_text(text, char2int):
    """The slides' text_ints: each character's id."""
    return np.array([char2int[ch] for ch in text], dtype=np.int32)


# ---------------------------------------------------------------------------
# Hamlet: "Reshape the Data into Batches of Sequences"
# ---------------------------------------------------------------------------

def reshape_data(sequence, batch_size, num_steps):
    tot_batch_length = batch_size * num_steps
    num_batches = int(len(sequence) / tot_batch_length)
    if num_batches * tot_batch_length + 1 > len(sequence):
        num_batches = num_batches - 1
    ## Truncate the sequence at the end to get rid of
    ## remaining charcaters that do not make a full batch
    x = sequence[0: num_batches * tot_batch_length]
    y = sequence[1: num_batches * tot_batch_length + 1]
    ## Split x & y into a list batches of sequences:
    x_batch_splits = np.split(x, batch_size)
    y_batch_splits = np.split(y, batch_size)
    ## Stack the batches together
    ## batch_size x tot_batch_length
    x = np.stack(x_batch_splits)
    y = np.stack(y_batch_splits)
    return x, y
