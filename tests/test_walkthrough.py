import csv
import glob
import os

from conftest import run_cli
from data_helpers import PERIODIC
from model_helpers import TestConfig, train_char
from beyond_slides.predicting import CharSampler

CHAR_OPTS = TestConfig.char_opts

# The slide "Split x and y into Mini-Batches (2/2)": x and y of the first six (64, 15) batches.
SLIDE_TABLE = [('The Tragedie of', 'he Tragedie of '), (' Hamlet**Actus ', 'Hamlet**Actus P'),
               ('Primus. Scoena ', 'rimus. Scoena P'), ('Prima.**Enter B', 'rima.**Enter Ba'),
               ('arnardo and Fra', 'rnardo and Fran'), ('ncisco two Cent', 'cisco two Centi')]


def test_char_walkthrough_matches_the_slides(reference_data):
    r = run_cli('char_rnn.py', '--walkthrough', '--data', os.path.join(reference_data, 'pg2265.txt'))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert '(64, 2540)' in out
    assert 'The Tragedie of Hamlet\n\nActus Primus. Scoena Prima\n' in out
    for x, y in SLIDE_TABLE:
        assert '(64, 15) (64, 15)  %s      %s' % (x, y) in out
    assert 'shape=(64, 100, 128)' in out and 'Tensor("probabilities:0", shape=(6400, 65)' in out
    assert out.index('Reshape the Data') < out.index('Split x and y') < out.index('CharRNN: build()')
    assert 'Epoch' not in out  # no training without --epochs


def test_sentiment_walkthrough_matches_the_slides(imdb_tarball, tmp_path):
    r = run_cli('sentiment_rnn.py', '--walkthrough', '--model-dir', tmp_path / 'm', '--data', imdb_tarball)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for line in ('0  In 1974, the teenager Martha Moxley (Maggie Gr...          1',
                 '1  OK... so... I really like Kris Kristofferson a...          0',
                 '2  ***SPOILER*** Do not read this, if you think a...          0',
                 "['the', '.', ',', 'and', 'a']", 'n_words = 102967', 'Counting words occurences',
                 'Map reviews to ints', 'shape=(100, 200, 128)', "'probabilities:0' shape=(100,)"):
        assert line in out, line
    assert out.index('Read in the IMDb Data') < out.index('Count the Unique Word') \
        < out.index('Create the Word to Integer') < out.index('SentimentRNN: build()')
    assert 'Epoch' not in out and not os.path.exists(str(tmp_path / 'm' / 'checkpoint'))


def test_char_walkthrough_with_epochs_trains_after_it(tmp_path):
    text = tmp_path / 'text.txt'
    text.write_text(PERIODIC, encoding='utf-8')
    r = run_cli('char_rnn.py', '--walkthrough', '--data', text, '--epochs', 1, '--model-dir', tmp_path / 'm',
                *CHAR_OPTS)
    assert r.returncode == 0, r.stderr
    assert r.stdout.index('=== Slide: CharRNN: build()') < r.stdout.index('Trained epochs 1-1 in ')
    # the walkthrough's slides show the text given with --data, not the shipped Hamlet
    assert '%d characters, %d distinct' % (len(PERIODIC), len(set(PERIODIC))) in r.stdout
    assert os.path.exists(str(tmp_path / 'm' / 'checkpoint'))


def test_training_writes_loss_history_and_tensorboard_events(tmp_path):
    text = tmp_path / 'text.txt'
    text.write_text(PERIODIC, encoding='utf-8')
    model_dir, logdir = tmp_path / 'model', tmp_path / 'tb'
    r = run_cli('char_rnn.py', '--train', '--data', text, '--epochs', 2, '--model-dir', model_dir,
                '--logdir', logdir, *CHAR_OPTS)
    assert r.returncode == 0, r.stderr
    with open(str(model_dir / 'loss_history.csv')) as f:
        rows = list(csv.reader(f))
    n_batches = (len(PERIODIC) - 1) // (4 * 10)
    assert rows[0] == ['epoch', 'iteration', 'loss']
    assert [int(row[1]) for row in rows[1:]] == list(range(1, 2 * n_batches + 1))
    assert r.stdout.strip().splitlines()[-1] == ('The checkpoint, the vocabulary and the loss history are '
                                                 'in %s' % model_dir)
    events = glob.glob(str(logdir / 'events.out.tfevents.*'))
    assert len(events) == 1
    from beyond_slides.tf_setup import tf
    records = list(tf.train.summary_iterator(events[0]))
    assert any(e.graph_def for e in records)
    losses = [(e.step, v.simple_value) for e in records for v in e.summary.value if v.tag == 'train_loss']
    assert [step for step, _ in losses] == list(range(1, 2 * n_batches + 1))
    assert abs(losses[-1][1] - float(rows[-1][2])) < 1e-6


def test_the_sampler_reads_a_saved_model_of_its_own_settings(tmp_path, capsys):
    from char_rnn import CharRNN
    model = str(tmp_path / 'model')
    train_char(PERIODIC, model, epochs=15, num_layers=2)  # not the slides' 1 layer of 128 units
    capsys.readouterr()
    with CharSampler(model, CharRNN) as sampler:
        proba = sampler.after('abcd')
        assert capsys.readouterr().out == ''  # build() prints its tensors: not here
        chars = sampler.chars
        assert chars == ['\n', 'a', 'b', 'c', 'd', 'e'] and proba.shape == (6,)
        assert abs(proba.sum() - 1) < 1e-5 and chars[proba.argmax()] == 'e'
        assert chars[sampler.after('abcde').argmax()] == '\n'


def test_fixed_length_sequences_default_to_200_words_and_half_for_training(capsys):
    from beyond_slides.walkthrough import fixed_length_sequences
    mapped = [[1, 2], [3], [4, 5, 6], [7], [8, 9], [10]]
    sentiment = [1, 0, 1, 0, 1, 0]
    X_train, y_train, X_test, y_test = fixed_length_sequences(mapped, sentiment)
    assert X_train.shape == X_test.shape == (3, 200)
    assert X_train[2, -4:].tolist() == [0, 4, 5, 6] and y_test.tolist() == [0, 1, 0]
    X_train, y_train, X_test, y_test = fixed_length_sequences(mapped, sentiment, seq_len=2, n_train=4)
    assert X_train.tolist() == [[1, 2], [0, 3], [5, 6], [0, 7]] and X_test.tolist() == [[8, 9], [0, 10]]
    assert y_train.tolist() == [1, 0, 1, 0] and y_test.tolist() == [1, 0]
    assert 'sequences.shape = (6, 2)\nX_train.shape = (4, 2), X_test.shape = (2, 2)\n' in capsys.readouterr().out


def test_the_progress_bars_of_the_word_slides_show_the_time_taken(capsys):
    import pandas as pd
    from beyond_slides.walkthrough import count_words, word_to_int_mapping
    word_to_int, _ = count_words(pd.DataFrame({'review': ['a b a', 'b c']}))
    assert word_to_int_mapping(word_to_int) == 4  # ids 1 to 3, and 0 for padding
    bar = '0% [' + '#' * 30 + '] 100% | ETA: 00:00:00\nTotal time elapsed: 00:00:00\n'
    out = capsys.readouterr().out
    assert '\nCounting words occurences\n' + bar in out and '\nMap reviews to ints\n' + bar in out


def test_the_mini_batch_slide_seeds_numpy_as_the_slide_does(capsys):
    import numpy as np
    from beyond_slides.walkthrough import mini_batches
    ids = np.arange(2 * 101).reshape(2, 101) % 6
    mini_batches(ids[:, :100], ids[:, 1:], 'abcdef')
    drawn = np.random.rand()
    np.random.seed(123)
    assert drawn == np.random.rand()
    out = capsys.readouterr().out
    assert out.count('(2, 15) (2, 15)') == 6 and 'abcdefabcdefabc      bcdefabcdefabcd' in out


def test_the_build_slides_use_the_slides_settings(tmp_path):
    from beyond_slides.walkthrough import build_char_rnn, build_sentiment_rnn
    rnn = build_sentiment_rnn(50, str(tmp_path / 'm'))
    assert (rnn.n_words, rnn.model_dir, rnn.seq_len, rnn.embed_size, rnn.lstm_size, rnn.num_layers,
            rnn.batch_size, rnn.learning_rate) == (50, str(tmp_path / 'm'), 200, 256, 128, 1, 100, 0.001)
    rnn = build_char_rnn(65)
    assert (rnn.num_classes, rnn.batch_size, rnn.num_steps, rnn.lstm_size, rnn.num_layers, rnn.learning_rate,
            rnn.keep_prob, rnn.grad_clip) == (65, 64, 100, 128, 1, 0.001, 0.5, 5)
