"""The tests' synthetic data: TINY_REVIEWS in the official IMDb layout (a tarball or a folder),
synthetic_reviews(n), and PERIODIC, a text a tiny CharRNN learns in a few epochs."""
import io
import os
import tarfile

import numpy as np
import pandas as pd

# Four reviews per folder, in the official layout; a review's label is the word
# 'great' or 'awful' in it (the synthetic data of the tests).
TINY_REVIEWS = {
    ('test', 'pos'): {'0_10.txt': 'A great film!', '10_9.txt': 'Great, great acting.',
                      '2_8.txt': 'So great.', '1_7.txt': 'great<br />fun'},
    ('test', 'neg'): {'0_1.txt': 'An awful film.', '5_2.txt': 'Awful!',
                      '3_4.txt': 'awful, really', '11_3.txt': "It's awful"},
    ('train', 'pos'): {'0_9.txt': 'Great plot', '1_10.txt': 'great great',
                       '12_7.txt': 'The cast is great.', '3_8.txt': 'great\r\nending'},
    ('train', 'neg'): {'0_2.txt': 'awful plot', '7_1.txt': 'Awful cast',
                       '4_3.txt': 'awful - awful', '10_4.txt': 'The end is awful.'},
}
PERIODIC = 'abcde\n' * 200
FILLER = ['the', 'movie', 'film', 'plot', 'actor', 'scene', 'story', 'cast', 'was', 'and']


def make_imdb_tarball(path, reviews=TINY_REVIEWS, truncate=None, top='aclImdb/', others=None):
    """A tarball of reviews in the official layout (top: the folder they are in); others:
    {member name: text} of files besides the reviews."""
    members = [('%s%s/%s/%s' % (top, s, l, name), text) for (s, l), files in reviews.items()
               for name, text in files.items()] + sorted((others or {}).items())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as tar:
        for name, text in members:
            data = text.encode('utf-8') if isinstance(text, str) else text
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    with open(path, 'wb') as f:
        f.write(data[:truncate] if truncate else data)
    return path


def make_imdb_folder(root, reviews=TINY_REVIEWS):
    for (s, l), files in reviews.items():
        folder = os.path.join(root, 'aclImdb', s, l)
        os.makedirs(folder)
        for name, text in files.items():
            with open(os.path.join(folder, name), 'w', encoding='utf-8', newline='') as f:
                f.write(text)
    return os.path.join(root, 'aclImdb')


def synthetic_reviews(n, seed=0):
    """Reviews of filler words; the label is given by one word, 'great' (1) or 'awful' (0)."""
    rng = np.random.RandomState(seed)
    rows = []
    for i in range(n):
        words = list(rng.choice(FILLER, 8))
        words.insert(rng.randint(0, 9), 'great' if i % 2 else 'awful')
        rows.append((' '.join(words) + '.', i % 2))
    return pd.DataFrame(rows, columns=['review', 'sentiment'])
