"""`python sentiment_rnn.py`: the slides' sentiment experiment, and predictions from a saved model.

Not on the slides; the slides' steps it runs are in data_utils.py and sentiment_rnn.py.
"""
import contextlib
import os
import sys

import numpy as np

import data_utils
from beyond_slides import cli, model_files
from beyond_slides import walkthrough as show
from beyond_slides.errors import DataError
from beyond_slides.training import HISTORY_NAME, TrainingLog, load_stop_point

MODEL = 'SentimentRNN'
# The slides' "Instantiate the SentimentRNN Class": embedding 256, LSTM 128,
# 1 layer, batch 100, learning rate 0.001, trained for 40 epochs.
EPOCHS = 40
HPARAMS = show.SENTIMENT_HPARAMS
# What `python sentiment_rnn.py --epochs 3` takes and reaches on a 2-core laptop (docs/results.md).
QUICK_TRAINING = 'about 2 min on 2 CPU cores, Test Acc. 0.81'


def build_parser():
    p = cli.ArgumentParser(
        prog='python sentiment_rnn.py',
        description="Train the slides' SentimentRNN on IMDb reviews and report test accuracy, "
                    "or (--predict) rate reviews with a saved model.",
        formatter_class=cli.HelpFormatter)
    p.add_argument('--epochs', type=cli.count(10000),
                   help='epochs to train (default: %d; with --walkthrough: none)' % EPOCHS)
    p.add_argument('--batch-size', dest='batch_size', type=cli.count(100000),
                   help='reviews per mini-batch (default: %d)' % HPARAMS['batch_size'])
    p.add_argument('--lstm-size', dest='lstm_size', type=cli.count(4096),
                   help='hidden units per LSTM layer (default: %d)' % HPARAMS['lstm_size'])
    p.add_argument('--num-layers', dest='num_layers', type=cli.count(16),
                   help='stacked LSTM layers (default: %d)' % HPARAMS['num_layers'])
    p.add_argument('--embed-size', dest='embed_size', type=cli.count(4096),
                   help='embedding size (default: %d)' % HPARAMS['embed_size'])
    p.add_argument('--learning-rate', dest='learning_rate', type=cli.positive_number(1),
                   help="Adam's learning rate (default: %g)" % HPARAMS['learning_rate'])
    p.add_argument('--seq-len', dest='seq_len', type=cli.count(10000),
                   help='words kept per review, the last ones (default: %d)' % HPARAMS['seq_len'])
    p.add_argument('--data', metavar='PATH',
                   help='aclImdb_v1.tar.gz, an extracted aclImdb/ folder or movie_data.csv '
                        '(default: download the official tarball once into %s)' % '$RNN_DATA_DIR')
    p.add_argument('--model-dir', dest='model_dir', default=cli.default_model_dir('sentiment'),
                   help='folder for checkpoints and the saved vocabulary')
    p.add_argument('--limit', type=cli.count(10 ** 9), metavar='N',
                   help='use only the first N reviews, half to train and half to test (quick run)')
    p.add_argument('--resume', action='store_true',
                   help='continue training the model in --model-dir from its latest checkpoint')
    p.add_argument('--predict', nargs='+', metavar='TEXT',
                   help='no training: print the probability that each TEXT is a positive review')
    cli.add_run_options(p)
    return p


def main(argv=None):
    return cli.run_main(_main, argv, prog='python sentiment_rnn.py')


def _main(argv):
    args, given = cli.parse_args(build_parser(), argv, HPARAMS)
    if args.predict:
        return predict_texts(args, given)
    prepared = None
    if args.walkthrough:
        prepared = walkthrough(args)
        if args.epochs is None:
            print('\n(walkthrough only: add --epochs N to train)')
            return 0
    args.epochs = args.epochs or EPOCHS
    with cli.model_dir_lock(args.model_dir):
        return run_experiment(args, given, prepared)


def walkthrough(args):
    """The slides' printed output, slide by slide, on the real data; no training.
    Returns (df, word_to_int, mapped_reviews), for a run that trains next."""
    df = show.read_imdb(args.data)
    word_to_int, mapped_reviews = show.count_words(df)
    n_words = show.word_to_int_mapping(word_to_int)
    show.fixed_length_sequences(mapped_reviews, df['sentiment'], HPARAMS['seq_len'])
    show.build_sentiment_rnn(n_words, args.model_dir)
    return df, word_to_int, mapped_reviews


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
    rnn = cli.quietly(lambda: SentimentRNN(model_dir=args.model_dir, **model_hparams))
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


def predict_every_row(rnn, X, return_proba=False, from_zero_state=False):
    """rnn.predict on every row of X.

    The slides' generator drops the last partial batch (their Test Acc. counts 24,900
    of 25,000 reviews): the rows are padded with empty reviews to whole batches and
    the padding's answers dropped. from_zero_state: one predict() per batch, so that
    every batch starts from the zero state and no review's answer depends on the
    reviews before it (the slides carry the state from batch to batch).
    """
    n_pad = -len(X) % rnn.batch_size
    padded = np.concatenate([X, np.zeros((n_pad, X.shape[1]), dtype=X.dtype)])
    parts = np.split(padded, len(padded) // rnn.batch_size) if from_zero_state else [padded]
    with cli.checkpoint_errors(rnn.model_dir):
        preds = [rnn.predict(part, return_proba=return_proba) for part in parts]
    return np.concatenate([np.atleast_1d(p) for p in preds])[:len(X)]  # a batch of 1 squeezes to 0-d


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
        saved, saved_vocab = model_files.load_model_config(args.model_dir, MODEL)
        cli.check_same_hparams(args.model_dir, saved, given)
        hparams.update({k: v for k, v in saved.items() if k in HPARAMS})
    else:
        cli.refuse_to_overwrite(args.model_dir)

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

    resume = 0
    if args.resume:
        if saved_vocab != word_to_int:
            raise DataError('the model in %s was trained on other reviews (another --data or --limit): '
                            'give the same ones to resume' % args.model_dir)
        # a run stopped by Ctrl-C goes on mid-epoch, a finished one after its epochs
        resume = load_stop_point(args.model_dir) or trained_epochs(args.model_dir, saved)
        done = getattr(resume, 'epoch', resume)
        if done >= args.epochs:
            raise DataError('the model in %s has already trained %d epochs: give --epochs above that'
                            % (args.model_dir, done))

    def record_epochs(epochs):
        model_files.save_model_config(args.model_dir, MODEL, dict(hparams, n_words=n_words, epochs=epochs),
                                     word_to_int)

    if not args.resume:
        record_epochs(0)  # the vocabulary is saved before training: a run stopped early can resume
    from sentiment_rnn import SentimentRNN  # here: TensorFlow takes seconds to import
    cli.say_device()
    rnn = SentimentRNN(n_words=n_words, model_dir=args.model_dir, **hparams)
    log = TrainingLog(rnn, args.model_dir, 'sentiment', len(X_train) // rnn.batch_size, args.epochs,
                      args.logdir, resume, on_checkpoint=record_epochs)
    try:
        with cli.checkpoint_errors(args.model_dir) if args.resume else contextlib.nullcontext():
            rnn.train(X_train, y_train, num_epochs=args.epochs, log=log)
    finally:
        log.close()

    ## Test
    preds = predict_every_row(rnn, X_test)
    print('Test Acc.: %.3f' % (np.sum(preds == y_test) / len(y_test)))
    print('Checkpoints, vocabulary and the loss history (%s) are in %s' % (HISTORY_NAME, args.model_dir))
    return 0


def trained_epochs(model_dir, saved_hparams):
    """Epochs behind the latest checkpoint: recorded in model_config.json, or in its name."""
    if 'epochs' in saved_hparams:
        return saved_hparams['epochs']
    epoch = cli.checkpoint_epoch(cli.latest_checkpoint_or_fail(model_dir), 'sentiment')
    if epoch is None:
        raise DataError('the latest checkpoint in %s is not named sentiment-<epoch>.ckpt' % model_dir)
    return epoch + 1


if __name__ == '__main__':
    sys.exit(main())
