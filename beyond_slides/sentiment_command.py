"""What `python sentiment_rnn.py` does (not on the slides; its options: beyond_slides/cli.py): the
walkthrough of the slides' output, training and testing the SentimentRNN, rating new reviews."""
import os
import sys

import numpy as np

import data_utils
from beyond_slides import walkthrough as show
from beyond_slides.errors import DataError
from beyond_slides.model_folder import CONFIG_NAME, ModelFolder
from beyond_slides.predicting import encode_reviews, load_sentiment_rnn, predict_every_row, printable
from beyond_slides.settings import SENTIMENT
from beyond_slides.tf_setup import device_line
from beyond_slides.training import TrainingRun
from sentiment_rnn import SentimentRNN


def walkthrough(data, model_dir):
    """The slides' printed output on the real data: (df, word_to_int, mapped_reviews), for training next."""
    df = show.read_imdb(data)
    word_to_int, mapped_reviews = show.count_words(df)
    require_words(word_to_int)
    n_words = show.word_to_int_mapping(word_to_int)
    show.fixed_length_sequences(mapped_reviews, df['sentiment'], SENTIMENT.hparams['seq_len'])  # pragma: no mutate: fixed_length_sequences' default seq_len is the slides' 200
    show.build_sentiment_rnn(n_words, model_dir)  # pragma: no mutate: the walkthrough's model is built to show its tensors only; its model_dir is never used
    return df, word_to_int, mapped_reviews


def require_words(word_to_int):
    if not word_to_int:
        raise DataError('the reviews hold no words (all are blank): give {data} reviews with text')


def predict_texts(texts, model_dir, given):
    """Print the probability that each text is a positive review, each from the zero state."""
    folder = ModelFolder(model_dir)
    if not (os.path.isfile(folder.path) or os.path.exists(folder.file(CONFIG_NAME))):
        raise DataError('%s has no saved model: train one first, e.g. `python sentiment_rnn.py --epochs 3 '
                        '--model-dir %s` (about 2 min on 2 idle CPU cores, Test Acc. 0.81 to 0.85 '
                        '(docs/results.md)), or give another {model_dir}' % (folder.path, folder.path))
    hparams, word_to_int = folder.load_config(SENTIMENT.name)  # its errors: a file, a corrupt or alien config
    folder.check_same_hparams(hparams, given)
    sequences, unknown = encode_reviews(texts, word_to_int, hparams['seq_len'])
    if unknown:
        print('note: %d word(s) never seen in training are read as padding (id 0): %s'
              % (len(unknown), ', '.join(printable(w) for w in sorted(unknown)[:10])), file=sys.stderr)
    print(device_line(), file=sys.stderr)
    rnn = load_sentiment_rnn(folder.path, SentimentRNN)
    proba = predict_every_row(rnn, sequences, return_proba=True, from_zero_state=True)
    for text, p in zip(texts, proba):
        print('%.3f  %s  %s' % (p, 'positive' if p >= 0.5 else 'negative', printable(text)))
    return 0


def train_and_test(model_dir, hparams, epochs, data=None, limit=None, resume=False, given=None,
                   logdir=None, prepared=None):
    """Train on the first half of the reviews, test on the second; prepared: the walkthrough's, if it ran."""
    folder = ModelFolder(model_dir)
    run = TrainingRun(folder, SENTIMENT.name, hparams, epochs, resume=resume, given=given, logdir=logdir)
    with run:
        hparams = run.hparams
        ## Read in the IMDb Data
        df = prepared[0] if prepared else data_utils.load_movie_data(data)
        print(df.head(3))
        if limit:
            if limit > len(df):
                raise DataError('--limit %d is more than the %d reviews in the data' % (limit, len(df)))
            df = df.iloc[:limit]
        n_train = len(df) // 2
        if n_train < hparams['batch_size']:  # the test half has as many reviews, or one more
            raise DataError('%d reviews make less than one batch of %d for training and for testing: '
                            'raise --limit or lower --batch-size' % (len(df), hparams['batch_size']))

        ## Preprocessing the data: words, counts, word ids, fixed-length sequences
        if prepared and not limit:  # the walkthrough did it already, on the same reviews
            word_to_int, mapped_reviews = prepared[1:]
        else:
            word_to_int, mapped_reviews = data_utils.preprocess_reviews(df['review'])
        require_words(word_to_int)
        print(list(word_to_int)[:5])
        sequences = data_utils.make_sequences(mapped_reviews, hparams['seq_len'])
        X_train, y_train, X_test, y_test = data_utils.split_train_test(sequences, df['sentiment'], n_train)
        n_words = max(word_to_int.values()) + 1

        run.begin(word_to_int, n_batches=len(X_train) // hparams['batch_size'], n_words=n_words)
        rnn = SentimentRNN(n_words=n_words, model_dir=model_dir, **hparams)
        with run.supervisor(rnn) as supervisor:
            rnn.train(X_train, y_train, num_epochs=epochs, supervisor=supervisor)

        ## Test
        preds = predict_every_row(rnn, X_test)
    print('Test Acc.: %.3f' % (np.sum(preds == y_test) / len(y_test)))
    print('The checkpoints, the vocabulary and the loss history are in %s' % model_dir)
    return 0
