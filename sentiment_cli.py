"""python sentiment_rnn.py: the slides' sentiment experiment, and predictions from a saved model.

Not on the slides; the slides' steps it runs are in data_utils.py and sentiment_rnn.py.
"""
import sys

import numpy as np
import pyprind

import cli_utils
import data_utils
from data_utils import DataError
from train_utils import HISTORY_NAME, TrainingLog, load_stop_point

MODEL = 'SentimentRNN'
# The slides' "Instantiate the SentimentRNN Class": embedding 256, LSTM 128,
# 1 layer, batch 100, learning rate 0.001, trained for 40 epochs.
EPOCHS = 40
HPARAMS = {'seq_len': 200, 'lstm_size': 128, 'num_layers': 1, 'batch_size': 100,
           'learning_rate': 0.001, 'embed_size': 256}


def build_parser():
    p = cli_utils.ArgumentParser(
        prog='python sentiment_rnn.py',
        description="Train the slides' SentimentRNN on IMDb reviews and report test accuracy, "
                    "or (--predict) rate reviews with a saved model.",
        formatter_class=cli_utils.HelpFormatter)
    p.add_argument('--epochs', type=cli_utils.count(10000),
                   help='epochs to train (default: %d; with --walkthrough: none)' % EPOCHS)
    p.add_argument('--batch-size', dest='batch_size', type=cli_utils.count(100000),
                   help='reviews per mini-batch (default: %d)' % HPARAMS['batch_size'])
    p.add_argument('--lstm-size', dest='lstm_size', type=cli_utils.count(4096),
                   help='hidden units per LSTM layer (default: %d)' % HPARAMS['lstm_size'])
    p.add_argument('--num-layers', dest='num_layers', type=cli_utils.count(16),
                   help='stacked LSTM layers (default: %d)' % HPARAMS['num_layers'])
    p.add_argument('--embed-size', dest='embed_size', type=cli_utils.count(4096),
                   help='embedding size (default: %d)' % HPARAMS['embed_size'])
    p.add_argument('--learning-rate', dest='learning_rate', type=cli_utils.positive_number(1),
                   help="Adam's learning rate (default: %g)" % HPARAMS['learning_rate'])
    p.add_argument('--seq-len', dest='seq_len', type=cli_utils.count(10000),
                   help='words kept per review, the last ones (default: %d)' % HPARAMS['seq_len'])
    p.add_argument('--data', metavar='PATH',
                   help='aclImdb_v1.tar.gz, an extracted aclImdb/ folder or movie_data.csv '
                        '(default: download the official tarball once into %s)' % '$RNN_DATA_DIR')
    p.add_argument('--model-dir', dest='model_dir', default=cli_utils.default_model_dir('sentiment'),
                   help='folder for checkpoints and the saved vocabulary')
    p.add_argument('--limit', type=cli_utils.count(10 ** 9), metavar='N',
                   help='use only the first N reviews, half to train and half to test (quick run)')
    p.add_argument('--resume', action='store_true',
                   help='continue training the model in --model-dir from its latest checkpoint')
    p.add_argument('--predict', nargs='+', metavar='TEXT',
                   help='no training: print the probability that each TEXT is a positive review')
    cli_utils.add_run_options(p)
    return p


def main(argv=None):
    return cli_utils.run_main(_main, argv, prog='python sentiment_rnn.py')


def _main(argv):
    args, given = cli_utils.parse_args(build_parser(), argv, HPARAMS)
    if args.predict:
        return predict_texts(args, given)
    prepared = None
    if args.walkthrough:
        prepared = walkthrough(args)
        if args.epochs is None:
            print('\n(walkthrough only: add --epochs N to train)')
            return 0
    args.epochs = args.epochs or EPOCHS
    with cli_utils.model_dir_lock(args.model_dir):
        return run_experiment(args, given, prepared)


def walkthrough(args):
    """The slides' printed output, slide by slide, on the real data; no training.
    Returns (df, word_to_int, mapped_reviews), for a run that trains next."""
    cli_utils.slide('Read in the IMDb Data')
    df = data_utils.load_movie_data(args.data)
    print(df.head(3))
    cli_utils.slide('Count the Unique Word in the Dataset')
    bar = pyprind.ProgBar(1, title='Counting words occurences', stream=sys.stdout)
    word_to_int, mapped_reviews = data_utils.preprocess_reviews(df['review'])
    bar.update()
    cli_utils.slide('Create the Word to Integer Mapping')
    print(list(word_to_int)[:5])
    bar = pyprind.ProgBar(1, title='Map reviews to ints', stream=sys.stdout)
    bar.update()
    print('n_words = %d' % (max(word_to_int.values()) + 1))
    cli_utils.slide('Prepare Fixed-Length Sequences')
    sequences = data_utils.make_sequences(mapped_reviews, HPARAMS['seq_len'])
    print('sequences.shape = %s' % (sequences.shape,))
    cli_utils.slide('SentimentRNN: build() (1/4) to (4/4)')
    from sentiment_rnn import SentimentRNN  # here: TensorFlow takes seconds to import
    SentimentRNN(n_words=max(word_to_int.values()) + 1, model_dir=args.model_dir, **HPARAMS)
    return df, word_to_int, mapped_reviews


def predict_texts(args, given):
    hparams, word_to_int = data_utils.load_model_config(args.model_dir, MODEL)
    cli_utils.check_same_hparams(args.model_dir, hparams, given)
    sequences, unknown = encode_reviews(args.predict, word_to_int, hparams['seq_len'])
    if unknown:
        print('note: %d word(s) never seen in training are read as padding (id 0): %s'
              % (len(unknown), ', '.join(sorted(unknown)[:10])), file=sys.stderr)
    from sentiment_rnn import SentimentRNN  # here: TensorFlow takes seconds to import
    rnn = cli_utils.quietly(lambda: SentimentRNN(model_dir=args.model_dir, **hparams))
    proba = rnn.predict(sequences, return_proba=True, carry_state=False)
    for text, p in zip(args.predict, proba):
        print('%.3f  %s  %s' % (p, 'positive' if p >= 0.5 else 'negative', text))
    return 0


def encode_reviews(texts, word_to_int, seq_len):
    """Word ids of new reviews, as the slides map training reviews; unknown words become 0."""
    unknown = set()
    mapped = []
    for i, text in enumerate(texts, 1):
        words = data_utils.tokenize(text)
        if not words:
            raise DataError('review %d of --predict is empty (it has no words): give the text of a review'
                            % i)
        unknown.update(w for w in words if w not in word_to_int)
        mapped.append([word_to_int.get(w, 0) for w in words])
    return data_utils.make_sequences(mapped, seq_len), unknown


def run_experiment(args, given, prepared=None):
    """Train and test; prepared: the walkthrough's (df, word_to_int, mapped_reviews), if it ran."""
    hparams = {k: getattr(args, k) for k in HPARAMS}
    if args.resume:
        saved, saved_vocab = data_utils.load_model_config(args.model_dir, MODEL)
        cli_utils.check_same_hparams(args.model_dir, saved, given)
        hparams.update({k: v for k, v in saved.items() if k in HPARAMS})
    else:
        cli_utils.refuse_to_overwrite(args.model_dir)

    ## Read in the IMDb Data
    df = prepared[0] if prepared else data_utils.load_movie_data(args.data)
    print(df.head(3))
    if args.limit:
        if args.limit > len(df):
            raise DataError('--limit %d is more than the %d reviews in the data' % (args.limit, len(df)))
        df = df.iloc[:args.limit]
    n_train = len(df) // 2
    if n_train < hparams['batch_size'] or len(df) - n_train < hparams['batch_size']:
        raise DataError('%d reviews make less than one batch of %d for training and for testing: '
                        'raise --limit or lower --batch-size' % (len(df), hparams['batch_size']))

    ## Preprocessing the data: words, counts, word ids, fixed-length sequences
    if prepared and not args.limit:  # the walkthrough did it already, on the same reviews
        word_to_int, mapped_reviews = prepared[1:]
    else:
        word_to_int, mapped_reviews = data_utils.preprocess_reviews(df['review'])
    print(list(word_to_int)[:5])
    sequences = data_utils.make_sequences(mapped_reviews, hparams['seq_len'])
    X_train, y_train, X_test, y_test = data_utils.split_train_test(sequences, df['sentiment'], n_train)
    n_words = max(word_to_int.values()) + 1 if word_to_int else 1

    initial_epoch, stop = 0, None
    if args.resume:
        if saved_vocab != word_to_int:
            raise DataError('the model in %s was trained on other reviews (another --data or --limit): '
                            'give the same ones to resume' % args.model_dir)
        stop = load_stop_point(args.model_dir)  # a run stopped by Ctrl-C goes on mid-epoch
        initial_epoch = stop.epoch if stop else resumed_epochs(args.model_dir)
        if initial_epoch >= args.epochs:
            raise DataError('the model in %s has already trained %d epochs: give --epochs above that'
                            % (args.model_dir, initial_epoch))
    else:
        data_utils.save_model_config(args.model_dir, MODEL, dict(n_words=n_words, **hparams), word_to_int)

    from sentiment_rnn import SentimentRNN  # here: TensorFlow takes seconds to import
    rnn = SentimentRNN(n_words=n_words, model_dir=args.model_dir, **hparams)
    log = TrainingLog(args.model_dir, rnn.g, args.logdir, resume=stop)
    try:
        rnn.train(X_train, y_train, num_epochs=args.epochs, initial_epoch=initial_epoch, log=log)
    finally:
        log.close()

    ## Test
    preds = rnn.predict(X_test)
    print('Test Acc.: %.3f' % (np.sum(preds == y_test) / len(y_test)))
    print('Checkpoints, vocabulary and the loss history (%s) are in %s' % (HISTORY_NAME, args.model_dir))
    return 0


def resumed_epochs(model_dir):
    from tf_setup import latest_checkpoint_or_fail
    epoch = cli_utils.checkpoint_epoch(latest_checkpoint_or_fail(model_dir), 'sentiment')
    if epoch is None:
        raise DataError('the latest checkpoint in %s is not named sentiment-<epoch>.ckpt' % model_dir)
    return epoch + 1


if __name__ == '__main__':
    sys.exit(main())
