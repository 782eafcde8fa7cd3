"""What the slides print, computed on the real data (not on the slides): one function per slide,
which prints the slide's title, then what the slide prints, and returns what the next slide needs.
The commands' --walkthrough calls them; the lecture notebook runs the same slide code in its cells.
"""
import time

import numpy as np

import data_utils
from beyond_slides.settings import CHAR_HPARAMS, SENTIMENT_HPARAMS
from char_rnn import CharRNN, create_batch_generator
from sentiment_rnn import SentimentRNN


def slide(title):
    print('\n=== Slide: %s ===' % title)


def finished_bar(title, seconds):
    """The slides' pyprind progress bar of a step done, as it looks when it is full."""
    print('%s\n0%% [%s] 100%% | ETA: 00:00:00\nTotal time elapsed: %s'
          % (title, '#' * 30, time.strftime('%H:%M:%S', time.gmtime(seconds))))


# -- Sentiment analysis -------------------------------------------------------------------------

def read_imdb(data=None):
    slide('Read in the IMDb Data')
    df = data_utils.load_movie_data(data)
    print(df.head(3))
    return df


def count_words(df):
    slide('Count the Unique Word in the Dataset')
    start = time.time()
    word_to_int, mapped_reviews = data_utils.preprocess_reviews(df['review'])
    finished_bar('Counting words occurences', time.time() - start)
    return word_to_int, mapped_reviews


def word_to_int_mapping(word_to_int):
    slide('Create the Word to Integer Mapping')
    print(list(word_to_int)[:5])
    finished_bar('Map reviews to ints', 0)  # count_words mapped them already
    n_words = max(word_to_int.values()) + 1
    print('n_words = %d' % n_words)
    return n_words


def fixed_length_sequences(mapped_reviews, sentiment, seq_len=200, n_train=None):
    """(X_train, y_train, X_test, y_test), the slides' split: n_train is half by default (25,000 of 50,000)."""
    slide('Prepare Fixed-Length Sequences')
    sequences = data_utils.make_sequences(mapped_reviews, seq_len)
    print('sequences.shape = %s' % (sequences.shape,))
    split = data_utils.split_train_test(sequences, sentiment, n_train or len(sequences) // 2)
    print('X_train.shape = %s, X_test.shape = %s' % (split[0].shape, split[2].shape))
    return split


def build_sentiment_rnn(n_words, model_dir):
    """The model, built with the slides' settings; build() prints its tensors."""
    slide('SentimentRNN: build() (1/4) to (4/4)')
    return SentimentRNN(n_words=n_words, model_dir=model_dir, **SENTIMENT_HPARAMS)


# -- Character-level language modeling ----------------------------------------------------------

def read_hamlet(data=None):
    slide('Preparing the Data (Hamlet)')
    text = data_utils.load_hamlet(data)
    chars, char2int, int2char = data_utils.char_vocab(text)
    text_ints = data_utils.encode_text(text, char2int)
    print('%d characters, %d distinct' % (len(text), len(chars)))
    return text, chars, char2int, int2char, text_ints


def reshape_for_batches(text_ints, int2char):
    slide('Reshape the Data into Batches of Sequences (3/3)')
    train_x, train_y = data_utils.reshape_data(text_ints, 64, 10)
    print(train_x.shape)
    print(train_x[0, :10])
    print(train_y[0, :10])
    print(''.join(int2char[i] for i in train_x[0, :50]))
    print('(the ids depend on the character order: the slides used set(text), this project sorts)')
    return train_x, train_y


def mini_batches(train_x, train_y, int2char):
    slide('Split x and y into Mini-Batches (2/2)')
    np.random.seed(123)
    columns = 100  # pragma: no mutate: 101 columns instead of 100 give the same 6 batches of 15 steps
    bgen = create_batch_generator(train_x[:, :columns], train_y[:, :columns], 15)
    for b in bgen:
        print(b[0].shape, b[1].shape, end='  ')
        print(''.join(int2char[i] for i in b[0][0, :]).replace('\n', '*'), '    ',
              ''.join(int2char[i] for i in b[1][0, :]).replace('\n', '*'))


def build_char_rnn(num_classes):
    slide('CharRNN: build() (1/4) to (4/4)')
    return CharRNN(num_classes=num_classes, **CHAR_HPARAMS)  # pragma: no mutate: CHAR_HPARAMS are CharRNN's own defaults
