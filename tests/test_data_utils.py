import gc
import hashlib
import os

import numpy as np
import pandas as pd
import pytest

import data_utils
from beyond_slides import datasets, fast_words
from conftest import ROOT
from slides_reference import slides_count_and_map, slides_sequences

# ---------------------------------------------------------------------------
# Words: the slides' preprocessing, id for id
# ---------------------------------------------------------------------------


@pytest.mark.parametrize('fast', [True, False])
def test_word_ids_hand_worked(fast):
    word_to_int, mapped = data_utils.preprocess_reviews(['b a, a', 'c b!', 'A'], fast=fast)
    # counts: a 3, b 2, ',' 1, c 1, '!' 1: ties keep first-seen order
    assert list(word_to_int.items()) == [('a', 1), ('b', 2), (',', 3), ('c', 4), ('!', 5)]
    assert mapped == [[2, 1, 3, 1], [4, 2, 5], [1]]


AWKWARD_REVIEWS = [
    'Hello, World!! It\'s "great"...',
    'über-cool\xa0film\x85ok ΟΔΥΣΣΕΑΣ.ΣΑ end',          # no-break space, NEL, final sigma
    '',                                                  # empty review
    'supercalifragilisticexpialidocious antidisestablishmentarianism ' * 3,
    'abcdefgh abcdefghi abcdefghij abcdefghijklmnopq abcdefghijklmnopqr',
    'abcdefgx abcdefghijklmnox abcdefghijklmnopx',        # 7 of 8 bytes shared with words above
    'tab\there\nnewline \x1c\x1dsep  café CAFÉ Ⅻ İstanbul',
    'em\u2003space ideographic\u3000space line\u2028sep en\u2002quad',  # Unicode spaces split too
    'the the the a a b',
]


@pytest.mark.parametrize('fast', [True, False])
def test_preprocessing_matches_slides_loops_on_awkward_text(fast):
    expected = slides_count_and_map(AWKWARD_REVIEWS)
    word_to_int, mapped = data_utils.preprocess_reviews(AWKWARD_REVIEWS, fast=fast)
    assert list(word_to_int.items()) == list(expected[0].items())
    assert mapped == expected[1]
    assert {'em', 'space', 'ideographic', 'abcdefgx'} <= set(word_to_int)


def test_the_fast_pass_itself_gives_the_slides_ids():
    """fast=True returns the fast pass's own result on these texts (no fallback to the loops), but
    where a Greek capital sigma would make its lower case differ from the slides' (none in IMDb)."""
    no_sigma = [r.replace('Σ', 'S') for r in AWKWARD_REVIEWS]
    expected = slides_count_and_map(no_sigma)
    found = fast_words.preprocess_reviews(no_sigma)
    assert found is not None
    assert list(found[0].items()) == list(expected[0].items()) and found[1] == expected[1]
    # Python ints, as the slides' loops give (1.0 == 1 would pass above; mapped_reviews would print 1.0)
    assert {type(i) for row in found[1] for i in row} == {type(i) for row in expected[1] for i in row} == {int}
    assert fast_words.preprocess_reviews(AWKWARD_REVIEWS) is None


@pytest.mark.parametrize('reviews, expected', [
    (['', '  '], ({}, [[], []])),                    # no word at all
    (['good'], ({'good': 1}, [[1]])),                # one word
    ([' ', 'Good!'], ({'good': 1, '!': 2}, [[], [1, 2]])),
])
def test_the_fast_pass_on_no_word_one_word_and_two(reviews, expected):
    found = fast_words.preprocess_reviews(reviews)
    assert found is not None and (dict(found[0]), found[1]) == expected


@pytest.mark.parametrize('gc_on', [True, False])
def test_the_fast_pass_leaves_the_garbage_collector_as_it_found_it(gc_on):
    """It pauses Python's garbage collector while it builds millions of lists, and must not
    leave it off for the rest of a student's session (nor switch on one they turned off)."""
    was = gc.isenabled()
    try:
        (gc.enable if gc_on else gc.disable)()
        fast_words.preprocess_reviews(['b a, a', 'c b!'])
        assert gc.isenabled() == gc_on
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize('fast', [True, False])
def test_preprocessing_matches_slides_loops_on_random_text(fast):
    rng = np.random.RandomState(0)
    alphabet = list('abcdeé ,.!\'"-') + ['xyzxyzxyz', 'Ñ', '\xa0', '  ']
    reviews = [''.join(rng.choice(alphabet, rng.randint(0, 60))) for _ in range(300)]
    expected = slides_count_and_map(reviews)
    word_to_int, mapped = data_utils.preprocess_reviews(reviews, fast=fast)
    assert list(word_to_int.items()) == list(expected[0].items())
    assert mapped == expected[1]
    if fast:
        assert fast_words.preprocess_reviews(reviews) is not None


def test_make_sequences_fills_from_the_right():
    seq = data_utils.make_sequences([[1, 2, 3], [4, 5, 6, 7, 8, 9], []], sequence_length=4)
    assert seq.tolist() == [[0, 1, 2, 3], [6, 7, 8, 9], [0, 0, 0, 0]]
    assert seq.tolist()[:2] == slides_sequences([[1, 2, 3], [4, 5, 6, 7, 8, 9]], 4).tolist()


def test_split_takes_exactly_n_train_labels():
    x = np.arange(20).reshape(10, 2)
    X_train, y_train, X_test, y_test = data_utils.split_train_test(x, pd.Series(range(10)), 6)
    assert len(X_train) == len(y_train) == 6 and len(X_test) == len(y_test) == 4
    assert y_test.tolist() == [6, 7, 8, 9]


def test_char_vocab_is_sorted_and_round_trips():
    chars, char2int, int2char = data_utils.char_vocab('hello world')
    assert chars == [' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']
    assert char2int['h'] == 3 and int2char[3] == 'h'
    ints = data_utils.encode_text('hello', char2int)
    assert ints.dtype == np.int32 and ints.tolist() == [3, 2, 4, 4, 5]


def test_reshape_data_hand_worked():
    x, y = data_utils.reshape_data(np.arange(15), 2, 3)
    assert x.tolist() == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]
    assert y.tolist() == [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]
    x, y = data_utils.reshape_data(np.arange(12), 2, 3)  # 12 = 2*6, but y needs one more
    assert x.shape == (2, 3) and x.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert y.tolist() == [[1, 2, 3], [4, 5, 6]]


@pytest.mark.parametrize('length, width', [(12, 3), (13, 6), (14, 6), (18, 6), (19, 9)])
def test_reshape_data_at_and_around_the_batch_boundary(length, width):
    # batches of 2 x 3 = 6: n batches need 6n + 1 characters (y is x shifted by one)
    x, y = data_utils.reshape_data(np.arange(length), 2, 3)
    half = width
    assert x.tolist() == [list(range(0, half)), list(range(half, 2 * half))]
    assert y.tolist() == [list(range(1, half + 1)), list(range(half + 1, 2 * half + 1))]


# ---------------------------------------------------------------------------
# The real data (RNN_REFERENCE_DATA=../shared/data): the facts in its README
# ---------------------------------------------------------------------------

def test_real_imdb_facts(reference_data):
    df = data_utils.load_movie_data(os.path.join(reference_data, 'aclImdb_v1_labeled.tar.gz'))
    assert len(df) == 50000
    assert [r[:46] for r in df['review'][:3]] == ['In 1974, the teenager Martha Moxley (Maggie Gr',
                                                'OK... so... I really like Kris Kristofferson a',
                                                '***SPOILER*** Do not read this, if you think a']
    assert df['sentiment'][:3].tolist() == [1, 0, 0]
    word_to_int, mapped = data_utils.preprocess_reviews(df['review'])
    assert list(word_to_int)[:5] == ['the', '.', ',', 'and', 'a']
    assert max(word_to_int.values()) + 1 == 102967
    # id for id the slides' loops, on a sample of reviews spread over the data
    sample = list(df['review'][::97])
    assert data_utils.preprocess_reviews(sample) == slides_count_and_map(sample)
    sequences = data_utils.make_sequences(mapped)
    assert sequences.shape == (50000, 200)


def test_the_shipped_hamlet_is_the_books_file(reference_data):
    with open(os.path.join(reference_data, 'SHA256SUMS'), encoding='utf-8') as f:
        sums = dict(line.split()[::-1] for line in f if line.strip())
    with open(os.path.join(ROOT, 'pg2265.txt'), 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest() == sums['pg2265.txt']


def test_hamlet_needs_no_download(monkeypatch):
    monkeypatch.setattr(datasets, 'download', lambda *a, **k: pytest.fail('downloaded'))
    text = data_utils.load_hamlet()
    assert text.startswith('The Tragedie of Hamlet\n\nActus Primus. Scoena Prima.') and len(text) == 162849


def test_real_hamlet_facts(reference_data):
    path = os.path.join(reference_data, 'pg2265.txt')
    text = data_utils.load_hamlet(path)
    assert text == open(path, encoding='utf-8').read()[15858:]
    assert text.startswith('The Tragedie of Hamlet\n\nActus Primus. Scoena Prima.')
    assert len(text) == 162849
    chars, char2int, int2char = data_utils.char_vocab(text)
    assert len(chars) == 65
    train_x, train_y = data_utils.reshape_data(data_utils.encode_text(text, char2int), 64, 10)
    assert train_x.shape == (64, 2540)
    assert ''.join(int2char[i] for i in train_x[0, :50]).startswith('The Tragedie of Hamlet\n\nActus Primus. Scoena Prima')
    x, _ = data_utils.reshape_data(data_utils.encode_text(text, char2int), 64, 100)
    assert x.shape[1] // 100 == 25


# ---------------------------------------------------------------------------
# The slides' defaults
# ---------------------------------------------------------------------------

def test_preprocess_reviews_takes_the_fast_pass_by_default(monkeypatch):
    found = ({'a': 1}, [[1]])
    monkeypatch.setattr(fast_words, 'preprocess_reviews', lambda reviews: found)
    assert data_utils.preprocess_reviews(['a']) is found
    monkeypatch.setattr(fast_words, 'preprocess_reviews', lambda reviews: None)  # it cannot vouch: the loops
    assert data_utils.preprocess_reviews(['b b']) == ({'b': 1}, [[1, 1]])


def test_sequences_are_200_whole_numbers_by_default():
    seq = data_utils.make_sequences([[5, 6]])  # the slides' sequence_length = 200
    assert seq.shape == (1, 200) and seq.dtype.kind == 'i' and seq[0, -2:].tolist() == [5, 6]


def test_the_split_takes_25000_reviews_by_default():
    x = np.zeros((25002, 1))
    X_train, y_train, X_test, y_test = data_utils.split_train_test(x, np.arange(25002))
    assert len(X_train) == len(y_train) == 25000 and y_test.tolist() == [25000, 25001]
