"""Write models/sentiment_embedding.npz: the embedding rows of the commonest words of a trained
SentimentRNN, which the lecture notebook's PCA of sentiment words reads (a checkpoint of the
slides' model is about 300 MB and is not shipped).

    python tools/ship_embedding.py MODEL_DIR [--words 2000]

MODEL_DIR: a folder that `python sentiment_rnn.py --model-dir MODEL_DIR` trained (models/README.md
says which run made the shipped file). The file holds `words` (the commonest first: ids 1, 2, ...)
and `rows` (words, embed_size), float32.
"""
import io
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from beyond_slides import cli  # noqa: E402
from beyond_slides.errors import DataError  # noqa: E402
from beyond_slides.files import atomic_write_bytes  # noqa: E402
from beyond_slides.model_folder import ModelFolder  # noqa: E402
from beyond_slides.settings import SHIPPED_EMBEDDING  # noqa: E402
from beyond_slides.tf_setup import tf  # noqa: E402


def embedding_rows(model_dir, n_words):
    """(the n_words commonest words, their embedding rows (n_words, embed_size)) of the model."""
    folder = ModelFolder(model_dir)
    _, word_to_int = folder.load_config('SentimentRNN')
    if n_words > len(word_to_int):  # ids 1 to len(word_to_int) name words; more would be a KeyError
        raise DataError('--words %d is more than the %d words of the model in %s: give at most %d'
                        % (n_words, len(word_to_int), model_dir, len(word_to_int)))
    int_to_word = {i: w for w, i in word_to_int.items()}
    embedding = tf.train.load_variable(folder.latest_checkpoint_or_fail(), 'embedding')
    ids = np.arange(1, n_words + 1)   # ids by count: the commonest first
    return np.array([int_to_word[i] for i in ids]), embedding[ids].astype(np.float32)


def main(argv=None):
    p = cli.parser('python tools/ship_embedding.py', __doc__.splitlines()[0])
    p.add_argument('model_dir')
    p.add_argument('--words', type=cli.count(10 ** 6), default=2000)
    p.add_argument('--out', default=SHIPPED_EMBEDDING)
    args = p.parse_args(argv)
    # A wrong folder or --words: one line and status 2, as the lecture's commands say it.
    return cli.run_command(lambda: write(args), sys.argv[1:] if argv is None else argv, p.prog)


def write(args):
    words, rows = embedding_rows(args.model_dir, args.words)
    buffer = io.BytesIO()  # the whole file first: a failed run leaves the shipped file as it was
    np.savez_compressed(buffer, words=words, rows=rows)
    atomic_write_bytes(args.out, buffer.getvalue())
    print('wrote %s: %d words, rows %s, %d bytes' % (args.out, len(words), rows.shape, os.path.getsize(args.out)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
