"""What tests/test_datasets.py and tests/test_downloads.py expect of the data files: the book's
movie_data.csv rows worked by hand on the tiny reviews, and a short Hamlet in the book's and in
today's Project Gutenberg wrapping."""
import numpy as np

from data_helpers import TINY_REVIEWS


def expected_movie_rows():
    """The book's recipe, worked by hand on the tiny data."""
    rows = []
    for s in ('test', 'train'):
        for l in ('pos', 'neg'):
            for name in sorted(TINY_REVIEWS[(s, l)]):
                rows.append((TINY_REVIEWS[(s, l)][name].replace('\r\n', '\n'), 1 if l == 'pos' else 0))
    np.random.seed(0)
    order = np.random.permutation(len(rows))
    return [rows[i] for i in order]


def as_rows(df):
    return list(zip(df['review'], df['sentiment']))


PLAY = 'The Tragedie of Hamlet\n\nActus Primus. Scoena Prima.\n\nEnter Barnardo.\n\n   Bar. Who\'s there?\n'
BOOK_STYLE = '***The Project Gutenberg\'s Etext***\nThe Tragedie of Hamlet is in the title.\n\n' + PLAY
TODAY_STYLE = ('\ufeffThe Project Gutenberg eBook of Hamlet\n\n*** START OF THE PROJECT GUTENBERG EBOOK '
               'HAMLET ***\n\nSome notes.\n\n' + PLAY + '\n\n\n*** END OF THE PROJECT GUTENBERG EBOOK '
               'HAMLET ***\n\nLicense text.\n')
