"""The lecture's data: IMDb reviews and Hamlet, obtained, checked, cached and prepared.

Everything the slides do before a graph is built lives here, in slide order:
"Read in the IMDb Data" (load_movie_data), "Count the Unique Word" and
"Create the Word to Integer Mapping" (preprocess_reviews), "Prepare Fixed-Length
Sequences" (make_sequences, split_train_test), then for Hamlet "Preparing the
Data" (load_hamlet, char_vocab, encode_text) and "Reshape the Data into Batches
of Sequences" (reshape_data). Each slide's `create_batch_generator` lives beside
the model that uses it (sentiment_rnn.py, char_rnn.py).

Not on the slides: downloading (the book assumes the files are already on
disk), caching, checks of the input, and speed. Errors a user can fix raise
DataError with a one-line message.
"""
import gc
import hashlib
import json
import os
import re
import string
import sys
import tarfile
import tempfile
import urllib.request
import zlib
from collections import Counter

import numpy as np
import pandas as pd
import pyprind

from beyond_slides.errors import DataError

IMDB_URL = 'https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz'
IMDB_MD5 = '7c2ac02c03563afcf9b574c7e56c153a'
IMDB_SIZE = '84,125,825'
HAMLET_URL = 'https://www.gutenberg.org/cache/epub/2265/pg2265.txt'

# The book's own pg2265.txt: the play starts at character 15858.
HAMLET_START = re.compile(r'The Tragedie of Hamlet\s+Actus Primus')
GUTENBERG_START = re.compile(r'\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG[^\n]*\n')
GUTENBERG_END = re.compile(r'\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG')




# ---------------------------------------------------------------------------
# Where things go
# ---------------------------------------------------------------------------

def data_dir():
    """The data cache: $RNN_DATA_DIR, else ~/.cache/rnn-lecture (downloads and movie_data.csv)."""
    path = os.environ.get('RNN_DATA_DIR') or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache'),
        'rnn-lecture')
    os.makedirs(path, exist_ok=True)
    return path


def atomic_write_text(path, text):
    """Write a text file under a temporary name, then rename it: a crash never leaves half a file."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.' + os.path.basename(path) + '.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8', newline='') as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it a normal file's mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def md5sum(path):
    h = hashlib.md5()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def download(url, fname, check, about=''):
    """Download url into the data cache once, with a progress bar; return its path.

    The file is fetched under a temporary name and renamed only after `check(path)`
    has passed, so an interrupted or corrupt download is never taken for good data.
    about: the file's size and checksum, for the error that says how to get it by hand.
    """
    path = os.path.join(data_dir(), fname)
    if os.path.exists(path):
        return path
    part = path + '.part'
    try:
        _fetch(url, part)
    except (Exception, KeyboardInterrupt) as e:
        _remove(part)
        if isinstance(e, KeyboardInterrupt):
            raise
        reason = getattr(e, 'reason', None) or e
        raise DataError('could not download %s%s from %s (%s): put a copy at %s, or give one with --data'
                        % (fname, ' (%s)' % about if about else '', url, reason, path)) from e
    try:
        check(part)
    except DataError:
        _remove(part)
        raise
    os.replace(part, path)
    return path


def _fetch(url, path):
    """url into path, with a progress bar on stderr."""
    with urllib.request.urlopen(url, timeout=60) as response, open(path, 'wb') as out:
        size = int(response.headers.get('Content-Length') or 0)
        pbar = pyprind.ProgBar(max(size, 1), title='Downloading %s' % url, stream=sys.stderr) \
            if size else None
        for block in iter(lambda: response.read(1 << 20), b''):
            out.write(block)
            if pbar:
                pbar.update(min(len(block), pbar.max_iter - pbar.cnt))


def _remove(path):
    if os.path.exists(path):
        os.remove(path)


# ---------------------------------------------------------------------------
# IMDb: "Read in the IMDb Data"
# ---------------------------------------------------------------------------

def download_imdb(url=IMDB_URL, md5=IMDB_MD5):
    """The official aclImdb_v1.tar.gz in the data cache, downloaded and MD5-checked once."""
    def check(path):
        found = md5sum(path)
        if found != md5:
            raise DataError('download of %s is corrupt or incomplete (MD5 %s, expected %s); '
                            'run again to retry' % (url, found, md5))
    return download(url, 'aclImdb_v1.tar.gz', check, about='%s bytes, MD5 %s' % (IMDB_SIZE, md5))


def load_movie_data(source=None):
    """The slides' movie_data.csv as a DataFrame (columns review, sentiment; the book's row order).

    source: the aclImdb tarball, an extracted aclImdb/ folder, or a ready
    movie_data.csv; None downloads the official tarball into the data cache.
    The CSV built from a tarball or folder is cached (data_dir()/movie_data.csv)
    and rebuilt only when the source changes.
    """
    if source is None:
        source = download_imdb()
    source = os.path.abspath(os.path.expanduser(source))
    if not os.path.exists(source):
        raise DataError('%s does not exist (give the aclImdb tarball, aclImdb/ folder or movie_data.csv)'
                        % source)
    if os.path.isfile(source) and source.endswith('.csv'):
        return read_movie_csv(source)
    csv_path = cached_movie_data_path()
    stamp_path = csv_path + '.source.json'
    stamp = _source_stamp(source)
    if os.path.exists(csv_path) and _read_json(stamp_path) == stamp:
        return read_movie_csv(csv_path)
    df = build_movie_data(source)
    atomic_write_text(csv_path, df.to_csv(index=False))
    atomic_write_text(stamp_path, json.dumps(stamp))
    return read_movie_csv(csv_path)


def cached_movie_data_path():
    """Where load_movie_data() keeps the movie_data.csv it builds from a tarball or folder."""
    return os.path.join(data_dir(), 'movie_data.csv')


def build_movie_data(source):
    """The book's recipe: test then train, pos then neg, files in sorted order,
    label 1 for pos, then a permutation drawn with np.random.seed(0)."""
    labels = {'pos': 1, 'neg': 0}
    files = _read_imdb_tarball(source) if os.path.isfile(source) else _read_imdb_folder(source)
    rows = []
    for s in ('test', 'train'):
        for l in ('pos', 'neg'):
            for name in sorted(n for (s_, l_, n) in files if s_ == s and l_ == l):
                rows.append([files[(s, l, name)], labels[l]])
    df = pd.DataFrame(rows, columns=['review', 'sentiment'])
    np.random.seed(0)
    df = df.reindex(np.random.permutation(df.index))
    return df


def _read_imdb_tarball(path):
    files = {}
    size = os.path.getsize(path)
    with open(path, 'rb') as f:
        if f.read(2) != b'\x1f\x8b':  # gzip's magic number
            raise DataError('%s is not a tar.gz archive (nor a .csv file): give the aclImdb tarball, '
                            'an extracted aclImdb/ folder or movie_data.csv' % path)
    pbar = pyprind.ProgBar(max(size, 1), title='Reading %s' % os.path.basename(path), stream=sys.stderr)
    try:
        with open(path, 'rb') as raw, tarfile.open(fileobj=raw, mode='r:*') as tar:
            done = 0
            for member in tar:
                key = _imdb_key(member.name)
                if key and member.isfile():
                    files[key] = _decode_review(tar.extractfile(member).read(), path, member.name)
                if raw.tell() > done:
                    pbar.update(raw.tell() - done)
                    done = raw.tell()
            if done < size:
                pbar.update(size - done)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise DataError('%s is not a readable tar.gz archive (%s): it may be truncated; '
                        'download it again' % (path, str(e).splitlines()[0].rstrip(':'))) from e
    _check_imdb_layout(files, path)
    return files


def _read_imdb_folder(path):
    root = os.path.join(path, 'aclImdb') if os.path.isdir(os.path.join(path, 'aclImdb')) else path
    names = {}
    for s in ('test', 'train'):
        for l in ('pos', 'neg'):
            folder = os.path.join(root, s, l)
            if not os.path.isdir(folder):
                raise DataError('%s has no %s/%s folder: give the extracted aclImdb/ folder, '
                                'its tarball or movie_data.csv' % (path, s, l))
            names[(s, l)] = [n for n in os.listdir(folder) if n.endswith('.txt')]
    pbar = pyprind.ProgBar(max(sum(map(len, names.values())), 1), title='Reading %s' % root,
                           stream=sys.stderr)
    files = {}
    for (s, l), folder_names in names.items():
        for name in folder_names:
            with open(os.path.join(root, s, l, name), 'rb') as f:
                files[(s, l, name)] = _decode_review(f.read(), path, os.path.join(s, l, name))
            pbar.update()
    _check_imdb_layout(files, path)
    return files


def _imdb_key(member_name):
    parts = member_name.split('/')
    if len(parts) >= 4 and parts[-3] in ('test', 'train') and parts[-2] in ('pos', 'neg') \
            and parts[-1].endswith('.txt'):
        return parts[-3], parts[-2], parts[-1]
    return None


def _decode_review(raw, source, name):
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        raise DataError('%s: %s is not UTF-8 text (%s)' % (source, name, e.reason)) from e
    # The book opens each file in text mode, which turns \r\n and \r into \n.
    return text.replace('\r\n', '\n').replace('\r', '\n')


def _check_imdb_layout(files, source):
    for s in ('test', 'train'):
        for l in ('pos', 'neg'):
            if not any(k[0] == s and k[1] == l for k in files):
                raise DataError('%s has no reviews in aclImdb/%s/%s: it is not the IMDb data set '
                                '(expected the aclImdb_v1.tar.gz layout)' % (source, s, l))


def read_movie_csv(path):
    try:
        df = pd.read_csv(path, encoding='utf-8')
    except UnicodeDecodeError as e:
        raise DataError('%s is not UTF-8 text' % path) from e
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        raise DataError('%s is not a readable CSV file (%s)' % (path, str(e).splitlines()[0])) from e
    if not {'review', 'sentiment'} <= set(df.columns):
        raise DataError('%s needs the columns review and sentiment (found: %s)'
                        % (path, ', '.join(map(str, df.columns)) or 'none'))
    if len(df) == 0:
        raise DataError('%s holds no reviews' % path)
    df['review'] = df['review'].fillna('').astype(str)
    if not df['sentiment'].isin([0, 1]).all():
        raise DataError('%s: the sentiment column must hold only 0 and 1' % path)
    return df


def _source_stamp(path):
    st = os.stat(path)
    return {'source': path, 'size': st.st_size, 'mtime': st.st_mtime}


def _read_json(path):
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------------------
# IMDb: "Count the Unique Word", "Create the Word to Integer Mapping"
# ---------------------------------------------------------------------------

# Python's str.split() also splits on these; the fast tokenizer below works on ASCII bytes.
_UNICODE_SPACES_RE = re.compile('[%s]' % ''.join(c for c in map(chr, range(128, 0x3001)) if c.isspace()))
_BYTE_CLASS = np.full(256, 2, np.uint8)       # 2: part of a word
_BYTE_CLASS[list(b' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f')] = 0   # 0: space
_BYTE_CLASS[list(string.punctuation.encode())] = 1      # 1: a token by itself
_PUNCT_RE = re.compile('([%s])' % re.escape(string.punctuation))


def tokenize(review):
    """The slides' words of one review: punctuation split off, lower-cased, split on whitespace."""
    return _PUNCT_RE.sub(r' \1 ', review).lower().split()


def preprocess_reviews(reviews):
    """(word_to_int, mapped_reviews), id for id what the slides' loops build.

    The slides count words review by review with a Counter, sort them by count
    (ties keep first-seen order) and number them from 1. This does the same on
    all reviews at once with numpy, several times faster (bench/bench_data.py).
    """
    reviews = list(reviews)
    gc_was_on = gc.isenabled()
    gc.disable()  # building millions of small lists triggers many useless collections
    try:
        fast = _preprocess_vectorized(reviews)
    finally:
        if gc_was_on:
            gc.enable()
    if fast is None:  # a hash collision or other surprise: take the slides' own way
        return preprocess_reviews_slowly(reviews)
    return fast


def preprocess_reviews_slowly(reviews):
    """The slides' loops (with tokenize() for their character loop)."""
    counts = Counter()
    mapped = [tokenize(r) for r in reviews]
    for words in mapped:
        counts.update(words)
    word_counts = sorted(counts, key=counts.get, reverse=True)
    word_to_int = {word: ii for ii, word in enumerate(word_counts, 1)}
    return word_to_int, [[word_to_int[w] for w in words] for words in mapped]


def _preprocess_vectorized(reviews):
    # Lower-casing before splitting off punctuation is the same except for the
    # Greek final sigma, whose form depends on the next character.
    low = [r if r.isascii() else _UNICODE_SPACES_RE.sub(' ', _PUNCT_RE.sub(r' \1 ', r) if 'Σ' in r else r)
           for r in reviews]
    low = [r.lower().encode('utf-8') for r in low]
    review_start = np.cumsum([0] + [len(r) + 1 for r in low])[:-1]
    text = b' '.join(low)
    b = np.frombuffer(text, np.uint8)
    cls = _BYTE_CLASS[b]
    word = cls == 2
    prev_word = np.concatenate(([False], word[:-1]))
    next_word = np.concatenate((word[1:], [False]))
    punct = cls == 1
    starts = np.flatnonzero(punct | (word & ~prev_word))            # (tokens,)
    ends = np.flatnonzero(punct | (word & ~next_word)) + 1          # (tokens,)
    del cls, word, prev_word, next_word, punct
    row_splits = np.searchsorted(starts, np.append(review_start, len(b)))  # (reviews + 1,)
    if len(starts) == 0:
        return {}, [[] for _ in reviews]

    lengths = ends - starts
    blocks, key = _token_blocks(b, starts, lengths)
    codes, uniques = pd.factorize(key)                  # ids in first-seen order
    first = np.empty(len(uniques), np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    rep = first[codes]
    # Check that every token is byte for byte its word's first token: tokens of up
    # to 8 bytes are their own key; longer ones are compared block by block.
    if not np.array_equal(lengths[rep], lengths):
        return None
    for rows, block in blocks:
        if not np.array_equal(block[np.searchsorted(rows, rep[rows])], block):
            return None

    counts = np.bincount(codes)
    order = np.argsort(-counts, kind='stable')          # by count; ties keep first-seen order
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    word_to_int = {text[a:z].decode('utf-8'): ii for ii, (a, z) in enumerate(
        zip(starts[first[order]].tolist(), ends[first[order]].tolist()), 1)}
    ids = rank[codes].tolist()
    mapped = [ids[a:z] for a, z in zip(row_splits[:-1].tolist(), row_splits[1:].tolist())]
    return word_to_int, mapped


_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [(1 << 64) - 1], np.uint64)


def _token_blocks(b, starts, lengths):
    """One uint64 key per token, and the 8-byte blocks of every token longer than 8 bytes.

    A token of up to 8 bytes is its own key; a longer one gets a hash of all its
    blocks (the caller compares the blocks, so a collision is caught).
    """
    padded = np.concatenate([b, np.zeros(8, np.uint8)])
    windows = np.lib.stride_tricks.as_strided(padded, shape=(len(b), 8), strides=(1, 1))

    def block(offsets, left):  # the next 8 bytes of each token, zero past its end
        return windows[offsets].copy().view('<u8').ravel() & _MASKS[np.minimum(left, 8)]

    key = block(starts, lengths)
    rows = np.flatnonzero(lengths > 8)
    blocks = [(rows, key[rows])]
    offset = 8
    while len(rows):
        more = block(starts[rows] + offset, lengths[rows] - offset)
        blocks.append((rows, more))
        with np.errstate(over='ignore'):
            key[rows] = (key[rows] ^ (more * np.uint64(0x9E3779B97F4A7C15))) * np.uint64(0xBF58476D1CE4E5B9) \
                + np.uint64(offset)
        offset += 8
        rows = rows[lengths[rows] > offset]
    return blocks, key


def make_sequences(mapped_reviews, sequence_length=200):
    """The slides' fixed-length sequences: word ids filled from the right, zeros on the left."""
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

def download_hamlet(url=HAMLET_URL):
    """pg2265.txt in the data cache, downloaded once and checked to be Hamlet."""
    def check(path):
        with open(path, 'rb') as f:
            text = _decode_text(f.read(), url)
        if not HAMLET_START.search(text):
            raise DataError('download of %s is not the Hamlet text (no "The Tragedie of Hamlet ... '
                            'Actus Primus"); run again to retry' % url)
    return download(url, 'pg2265.txt', check, about='Hamlet, 178,707 bytes in the book\'s release')


def load_hamlet(source=None):
    """The play's text from "The Tragedie of Hamlet" on, without Gutenberg's header and footer.

    For the book's pg2265.txt this is exactly the slides' text[15858:]. Any other
    UTF-8 text (source=path) is taken whole, less a Gutenberg header and footer.
    """
    if source is None:
        source = download_hamlet()
    if not os.path.exists(source):
        raise DataError('%s does not exist (give a UTF-8 text such as pg2265.txt)' % source)
    if not os.path.isfile(source):
        raise DataError('%s is a folder, not a text file (give a UTF-8 text such as pg2265.txt)' % source)
    with open(source, 'rb') as f:
        text = _decode_text(f.read(), source)
    if '\x00' in text:
        raise DataError('%s is not a text file (it holds NUL bytes): give a UTF-8 text such as '
                        'pg2265.txt' % source)
    if GUTENBERG_START.search(text) and not GUTENBERG_END.search(text):
        raise DataError('%s has Project Gutenberg\'s start line but not its end line: it is truncated; '
                        'download it again' % source)
    text = cut_gutenberg(text)
    if not text.strip():
        raise DataError('%s holds no text to train on' % source)
    return text


def cut_gutenberg(text):
    end = GUTENBERG_END.search(text)
    if end:
        text = text[:end.start()].rstrip()
    start = HAMLET_START.search(text) or GUTENBERG_START.search(text)
    if start:
        text = text[start.start() if start.re is HAMLET_START else start.end():]
    return text


def _decode_text(raw, source):
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        raise DataError('%s is not UTF-8 text (byte %d): save it as UTF-8' % (source, e.start)) from e
    return text.lstrip('\ufeff')  # today's Gutenberg files start with a byte-order mark


def char_vocab(text):
    """(chars, char2int, int2char) in sorted order.

    The slides use set(text), whose order changes from one Python process to the
    next; a model sampled in a new process would then read the wrong characters.
    """
    chars = sorted(set(text))
    char2int = {ch: i for i, ch in enumerate(chars)}
    int2char = dict(enumerate(chars))
    return chars, char2int, int2char


def load_char_vocab(model_dir):
    """(chars, char2int, int2char) of the vocabulary saved beside a CharRNN checkpoint."""
    _, chars = load_model_config(model_dir, 'CharRNN')
    return char_vocab(chars)


def encode_text(text, char2int):
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


# ---------------------------------------------------------------------------
# The vocabulary and hyperparameters saved beside a checkpoint
# ---------------------------------------------------------------------------

CONFIG_NAME = 'model_config.json'


def save_model_config(model_dir, model, hparams, vocab):
    """Write model_dir/model_config.json atomically: which model, its hyperparameters, its vocabulary."""
    os.makedirs(model_dir, exist_ok=True)
    atomic_write_text(os.path.join(model_dir, CONFIG_NAME),
                      json.dumps({'model': model, 'hparams': hparams, 'vocab': vocab}, ensure_ascii=False))


def load_model_config(model_dir, model):
    """(hparams, vocab) saved by save_model_config; DataError if missing, corrupt or another model's."""
    path = os.path.join(model_dir, CONFIG_NAME)
    if not os.path.isfile(path):
        raise DataError('%s has no saved model (%s missing): train one first or give --model-dir'
                        % (model_dir, CONFIG_NAME))
    config = _read_json(path)
    if not isinstance(config, dict) or not {'model', 'hparams', 'vocab'} <= set(config):
        raise DataError('%s is corrupt: delete the folder and train again' % path)
    if config['model'] != model:
        raise DataError('%s holds a %s model, not a %s model: give the right --model-dir'
                        % (model_dir, config['model'], model))
    return config['hparams'], config['vocab']
