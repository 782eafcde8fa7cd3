"""The slides' word ids, id for id, in one vectorized numpy pass over the UTF-8 bytes of all reviews (not on the
slides): data_utils.preprocess_reviews runs it first (fast=True) and the slides' loops only where it returns None.
On the 50,000 IMDb reviews `python sentiment_rnn.py --walkthrough` takes 30 % less time (docs/results.md), for
twice the peak memory of the preparation."""
import gc
import re
import string

import numpy as np
import pandas as pd

# Python's str.split() also splits on these; the fast tokenizer below works on ASCII bytes.
_UNICODE_SPACES_RE = re.compile('[%s]' % ''.join(c for c in map(chr, range(128, 0x3001)) if c.isspace()))
_BYTE_CLASS = np.full(256, 2, np.uint8)       # 2: part of a word
_BYTE_CLASS[list(b' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f')] = 0   # 0: space
_BYTE_CLASS[list(string.punctuation.encode())] = 1      # 1: a token by itself


def preprocess_reviews(reviews):
    """(word_to_int, mapped_reviews) as data_utils.preprocess_reviews computes them, or None where this
    pass cannot vouch for the result (two different words with the same key, or a Greek capital sigma)."""
    gc_was_on = gc.isenabled()
    gc.disable()  # building millions of small lists triggers many useless collections
    try:
        return _preprocess_vectorized(list(reviews))
    finally:
        if gc_was_on:
            gc.enable()


def _preprocess_vectorized(reviews):
    # This pass lower-cases before splitting off punctuation, the slides after: the same words,
    # except for the Greek capital sigma, whose lower-case form depends on the next character.
    if any('Σ' in r for r in reviews):
        return None
    low = [r if r.isascii() else _UNICODE_SPACES_RE.sub(' ', r) for r in reviews]  # pragma: no mutate: ASCII reviews through the Unicode-space substitution too, which finds nothing in them
    low = [r.lower().encode('utf-8') for r in low]  # pragma: no mutate: 'UTF-8' names the codec 'utf-8' names
    review_start = np.cumsum([0] + [len(r) + 1 for r in low])[:-1]
    text = b' '.join(low)
    b = np.frombuffer(text, np.uint8)
    cls = _BYTE_CLASS[b]
    word = np.concatenate(([False], cls == 2, [False]))  # padded: word[i + 1] is byte i
    punct = cls == 1
    starts = np.flatnonzero(punct | (word[1:-1] & ~word[:-2]))            # (tokens,)
    ends = np.flatnonzero(punct | (word[1:-1] & ~word[2:])) + 1           # (tokens,)
    del cls, word, punct
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
    order = np.argsort(-counts, kind='stable')          # by count; ties keep first-seen order  # pragma: no mutate: numpy reads the sort kind 'STABLE' as 'stable'
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    word_to_int = {text[a:z].decode('utf-8'): ii for ii, (a, z) in enumerate(  # pragma: no mutate: 'UTF-8' names the codec 'utf-8' names
        zip(starts[first[order]].tolist(), ends[first[order]].tolist()), 1)}
    ids = rank[codes].tolist()
    mapped = [ids[a:z] for a, z in zip(row_splits[:-1].tolist(), row_splits[1:].tolist())]
    return word_to_int, mapped


_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [(1 << 64) - 1], np.uint64)


def _token_blocks(b, starts, lengths):
    """One uint64 key per token, and the 8-byte blocks of every token longer than 8 bytes: a token of up
    to 8 bytes is its own key, a longer one a hash of all its blocks (the caller compares the blocks)."""
    padded = np.concatenate([b, np.zeros(8, np.uint8)])  # pragma: no mutate: 9 zero bytes for 8: the windows stop at len(b), so the 9th byte is never read
    windows = np.lib.stride_tricks.as_strided(padded, shape=(len(b), 8), strides=(1, 1))

    def block(offsets, left):  # the next 8 bytes of each token, zero past its end
        return windows[offsets].copy().view('<u8').ravel() & _MASKS[np.minimum(left, 8)]

    key = block(starts, lengths)
    rows = np.flatnonzero(lengths > 8)  # pragma: no mutate: tokens of exactly 8 bytes hashed as the longer ones too: their key changes, the ids do not (the caller compares the blocks of hashed keys)
    blocks = [(rows, key[rows])]
    offset = 8
    while len(rows):
        more = block(starts[rows] + offset, lengths[rows] - offset)
        blocks.append((rows, more))
        with np.errstate(over='ignore'):  # pragma: no mutate: errstate(over=None) keeps numpy's setting, and numpy reports no overflow of integer arrays either way
            key[rows] = (key[rows] ^ (more * np.uint64(0x9E3779B97F4A7C15))) * np.uint64(0xBF58476D1CE4E5B9) \
                + np.uint64(offset)  # pragma: no mutate: another hash of the long tokens (- offset, or a constant 1 higher): the ids do not change, the blocks of equal keys are compared
        offset += 8
        rows = rows[lengths[rows] > offset]  # pragma: no mutate: a token of exactly 16, 24, ... bytes hashes one more block of zeros: its key changes, the ids do not
    return blocks, key
