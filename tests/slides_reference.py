"""The slides' own preprocessing loops, as written, to check data_utils against (tests, bench)."""
from collections import Counter
from string import punctuation

import numpy as np
import pyprind


def slides_count_and_map(reviews, progress=False):
    """Slides "Count the Unique Word" and "Create the Word to Integer Mapping", minus the
    per-row df.loc[i, 'review'] = text write (the texts are kept in a list instead)."""
    counts = Counter()
    texts = []
    pbar = pyprind.ProgBar(len(reviews), title='Counting words occurences') if progress else None
    for i, review in enumerate(reviews):
        text = ''.join([c if c not in punctuation else ' '+c+' '
                        for c in review]).lower()
        texts.append(text)
        counts.update(text.split())
        if pbar:
            pbar.update()
    word_counts = sorted(counts, key=counts.get, reverse=True)
    word_to_int = {word: ii for ii, word in enumerate(word_counts, 1)}
    mapped_reviews = []
    for review in texts:
        mapped_reviews.append([word_to_int[word] for word in review.split()])
    return word_to_int, mapped_reviews


def slides_sequences(mapped_reviews, sequence_length=200):
    sequences = np.zeros((len(mapped_reviews), sequence_length), dtype=int)
    for i, row in enumerate(mapped_reviews):
        review_arr = np.array(row)
        sequences[i, -len(row):] = review_arr[-sequence_length:]
    return sequences
