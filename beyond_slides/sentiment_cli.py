"""`python sentiment_rnn.py`: the slides' sentiment experiment, and predictions from a saved model.

Not on the slides; the slides' steps it runs are in data_utils.py and sentiment_rnn.py.
"""
import contextlib
import io
import os
import sys

import numpy as np

import data_utils
from beyond_slides import cli, model_files
from beyond_slides import walkthrough as show
from beyond_slides.errors import DataError
from beyond_slides.predicting import encode_reviews, predict_every_row
from beyond_slides.settings import SENTIMENT_EPOCHS as EPOCHS, SENTIMENT_HPARAMS as HPARAMS
from beyond_slides.training_run import TrainingRun

MODEL = 'SentimentRNN'
# What `python sentiment_rnn.py --epochs 3` takes and reaches on a 2-core laptop (docs/results.md).
QUICK_TRAINING = 'about 2 min on 2 CPU cores, Test Acc. 0.81'


def main(argv=None):
    return cli.main(build_parser(), HPARAMS, _main, MODEL, argv)


def _main(args, given):
    if args.predict:
        return predict_texts(args, given)
    prepared = walkthrough(args) if args.walkthrough else None
    if cli.walkthrough_only(args, EPOCHS):
        return 0
    return run_experiment(args, given, prepared)


def walkthrough(args):
    """The slides' printed output, slide by slide, on the real data; no training.
    Returns (df, word_to_int, mapped_reviews), for a run that trains next."""
    df = show.read_imdb(args.data)
    word_to_int, mapped_reviews = show.count_words(df)
    require_words(word_to_int)
    n_words = show.word_to_int_mapping(word_to_int)
    show.fixed_length_sequences(mapped_reviews, df['sentiment'], HPARAMS['seq_len'])
    show.build_sentiment_rnn(n_words, args.model_dir)
    return df, word_to_int, mapped_reviews


def require_words(word_to_int):
    """A model of reviews without a single word would learn nothing: say so."""
    if not word_to_int:
        raise DataError('the reviews hold no words (all are blank): give --data reviews with text')


def predict_texts(args, given):
    hparams, word_to_int = load_trained_config(args.model_dir)
    cli.check_same_hparams(args.model_dir, hparams, given)
    sequences, unknown = encode_reviews(args.predict, word_to_int, hparams['seq_len'])
    if unknown:
        print('note: %d word(s) never seen in training are read as padding (id 0): %s'
              % (len(unknown), ', '.join(sorted(unknown)[:10])), file=sys.stderr)
    from sentiment_rnn import SentimentRNN  # here: TensorFlow takes seconds to import
    cli.say_device()
    model_hparams = {k: hparams[k] for k in ['n_words'] + list(HPARAMS)}
    with contextlib.redirect_stdout(io.StringIO()):  # build() prints the slides' tensors
        rnn = SentimentRNN(model_dir=args.model_dir, **model_hparams)
    proba = predict_every_row(rnn, sequences, return_proba=True, from_zero_state=True)
    for text, p in zip(args.predict, proba):
        print('%.3f  %s  %s' % (p, 'positive' if p >= 0.5 else 'negative', text))
    return 0


def load_trained_config(model_dir):
    """The saved model's (hparams, vocabulary); without one, an error that says how to train it."""
    try:
        return model_files.load_model_config(model_dir, MODEL)
    except DataError as e:
        if os.path.exists(os.path.join(model_dir, model_files.CONFIG_NAME)):
            raise
        raise DataError('%s has no saved model: train one first, e.g. `python sentiment_rnn.py '
                        '--epochs 3 --model-dir %s` (%s), or give --model-dir'
                        % (model_dir, model_dir, QUICK_TRAINING)) from e


def run_experiment(args, given, prepared=None):
    """Train and test; prepared: the walkthrough's (df, word_to_int, mapped_reviews), if it ran."""
    with TrainingRun(args, given, MODEL, HPARAMS) as run:
        hparams = run.hparams
        ## Read in the IMDb Data
        df = prepared[0] if prepared else data_utils.load_movie_data(args.data)
        print(df.head(3))
        if args.limit:
            if args.limit > len(df):
                raise DataError('--limit %d is more than the %d reviews in the data' % (args.limit, len(df)))
            df = df.iloc[:args.limit]
        n_train = len(df) // 2
        if n_train < hparams['batch_size']:  # the test half has as many reviews, or one more
            raise DataError('%d reviews make less than one batch of %d for training and for testing: '
                            'raise --limit or lower --batch-size' % (len(df), hparams['batch_size']))

        ## Preprocessing the data: words, counts, word ids, fixed-length sequences
        if prepared and not args.limit:  # the walkthrough did it already, on the same reviews
            word_to_int, mapped_reviews = prepared[1:]
        else:
            word_to_int, mapped_reviews = data_utils.preprocess_reviews(df['review'])
        require_words(word_to_int)
        print(list(word_to_int)[:5])
        sequences = data_utils.make_sequences(mapped_reviews, hparams['seq_len'])
        X_train, y_train, X_test, y_test = data_utils.split_train_test(sequences, df['sentiment'], n_train)
        n_words = max(word_to_int.values()) + 1

        run.begin(word_to_int, n_batches=len(X_train) // hparams['batch_size'], n_words=n_words)
        from sentiment_rnn import SentimentRNN  # here: TensorFlow takes seconds to import
        rnn = SentimentRNN(n_words=n_words, model_dir=args.model_dir, **hparams)
        run.train(rnn, 'sentiment', lambda log: rnn.train(X_train, y_train, num_epochs=args.epochs, log=log))

        ## Test
        preds = predict_every_row(rnn, X_test)
    print('Test Acc.: %.3f' % (np.sum(preds == y_test) / len(y_test)))
    return run.say_where_it_is()


def build_parser():
    p = cli.parser('python sentiment_rnn.py',
                   "Train the slides' SentimentRNN on IMDb reviews and report test accuracy, "
                   "or (--predict) rate reviews with a saved model.")
    cli.add_hparam_options(p, HPARAMS, batch_unit='reviews')
    p.add_argument('--data', metavar='PATH',
                   help='aclImdb_v1.tar.gz, an extracted aclImdb/ folder or movie_data.csv '
                        '(default: download the official tarball once into %s)' % '$RNN_DATA_DIR')
    p.add_argument('--model-dir', dest='model_dir', default=cli.default_model_dir('sentiment'),
                   help='folder for checkpoints and the saved vocabulary')
    p.add_argument('--limit', type=cli.count(10 ** 9), metavar='N',
                   help='use only the first N reviews, half to train and half to test (quick run)')
    p.add_argument('--predict', nargs='+', metavar='TEXT',
                   help='no training: print the probability that each TEXT is a positive review')
    cli.add_export_option(p)
    cli.add_run_options(p, EPOCHS)
    return p


if __name__ == '__main__':
    sys.exit(main())
