"""The slides' SentimentRNN: its mini-batches, what it learns, its checkpoints and graph, predict(),
the fast graph's losses, and `python sentiment_rnn.py` training and rating reviews."""
import os
import re
import shutil
from string import punctuation

import numpy as np
import pytest

import data_utils
from beyond_slides.model_folder import ModelFolder
from beyond_slides.predicting import predict_every_row
from beyond_slides.tf_setup import tf
from conftest import run_cli, run_clis, shared
from data_helpers import synthetic_reviews
from model_helpers import RecordingSaver, TestConfig, prepared, start_from
from sentiment_rnn import SentimentRNN, create_batch_generator
from beyond_slides.predicting import load_sentiment_rnn

SMALL, SMALL_OPTS = TestConfig.sentiment, TestConfig.sentiment_opts


@pytest.fixture(scope=shared)
def trained(tmp_path_factory):
    """A small SentimentRNN trained for 10 epochs on the synthetic reviews."""
    word_to_int, (X_train, y_train, X_test, y_test) = prepared()
    model_dir = str(tmp_path_factory.mktemp('sentiment'))
    rnn = SentimentRNN(n_words=max(word_to_int.values()) + 1, model_dir=model_dir, **SMALL)
    rnn.train(X_train, y_train, num_epochs=10)
    return rnn, model_dir, X_test, y_test


def test_batch_generator_drops_the_last_partial_batch():
    x = np.arange(7)
    assert [b.tolist() for b in create_batch_generator(x, None, 3)] == [[0, 1, 2], [3, 4, 5]]
    assert [(a.tolist(), b.tolist()) for a, b in create_batch_generator(x, x * 10, 3)] == \
        [([0, 1, 2], [0, 10, 20]), ([3, 4, 5], [30, 40, 50])]
    # def create_batch_generator(x, y=None, batch_size=64): the slide's default
    assert [b.tolist() for b in create_batch_generator(np.arange(130))] == [list(range(64)), list(range(64, 128))]


def test_learns_the_label_word(trained):
    rnn, _, X_test, y_test = trained
    preds = rnn.predict(X_test)
    assert len(preds) == len(X_test)
    accuracy = np.mean(preds == y_test)
    print('accuracy', accuracy)
    assert accuracy >= 0.9


def test_checkpoint_names(trained):
    _, model_dir, _, _ = trained
    names = sorted(os.listdir(model_dir))
    assert 'sentiment-9.ckpt.index' in names and 'checkpoint' in names


def test_the_names_the_slides_feed_and_fetch(trained):
    rnn, model_dir, X_test, y_test = trained
    with tf.Session(graph=rnn.g) as sess:
        rnn.saver.restore(sess, tf.train.latest_checkpoint(model_dir))
        proba, labels, cost = sess.run(['probabilities:0', 'labels:0', 'cost:0'],
                                       {'tf_x:0': X_test[:20], 'tf_y:0': y_test[:20], 'tf_keepprob:0': 1.0})
    np.testing.assert_array_equal(labels, np.round(proba))  # the labels are the rounded probabilities
    expected = -np.mean(y_test[:20] * np.log(proba) + (1 - y_test[:20]) * np.log(1 - proba))  # by hand
    assert cost == pytest.approx(expected, rel=1e-4)
    shapes = {v.name: v.shape.as_list() for v in rnn.g.get_collection('variables')}
    assert shapes['embedding:0'] == [rnn.n_words, 8]


def test_predict_drops_the_last_partial_batch_as_the_slides_do(trained):
    rnn, _, X_test, _ = trained
    assert rnn.predict(X_test[:47]).shape == (40,)  # batches of 20


def test_new_graph_restores_same_probabilities_and_keeps_every_row(trained):
    rnn, model_dir, X_test, _ = trained
    X = X_test[:47]  # not a multiple of the batch size
    again = SentimentRNN(n_words=rnn.n_words, model_dir=model_dir, **SMALL)
    p1 = predict_every_row(rnn, X, return_proba=True)
    p2 = predict_every_row(again, X, return_proba=True)
    assert p1.shape == (47,)
    np.testing.assert_allclose(p1, p2, rtol=0, atol=1e-7)
    np.testing.assert_allclose(p1[:40], rnn.predict(X, return_proba=True), rtol=0, atol=1e-7)


def test_zero_state_prediction_does_not_depend_on_other_rows(trained):
    rnn, _, X_test, _ = trained
    alone = predict_every_row(rnn, X_test[:1], return_proba=True, from_zero_state=True)
    together = predict_every_row(rnn, X_test[:30], return_proba=True, from_zero_state=True)
    np.testing.assert_allclose(alone[0], together[0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(together[20], predict_every_row(rnn, X_test[20:21], return_proba=True,
                                                               from_zero_state=True)[0], rtol=0, atol=1e-6)


@pytest.mark.parametrize('num_layers', [1, 2])
def test_slides_graph_and_fast_graph_compute_the_same_losses(num_layers):
    """Same math: the same initial weights, the same 5 batches, dropout off, losses within 1e-5 relative."""
    word_to_int, (X_train, y_train, _, _) = prepared(200)
    losses, names, weights = [], [], None
    for fast in (False, True):
        rnn = SentimentRNN(n_words=max(word_to_int.values()) + 1, fast=fast,
                           **dict(SMALL, num_layers=num_layers))
        names.append([v.op.name for v in rnn.g.get_collection('variables')])
        out, weights = run_steps(rnn, X_train, y_train, 5, weights)
        losses.append(out)
    assert names[1] == names[0]  # the same variables, optimizer slots included: checkpoints load either way
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)
    assert losses[0][-1] < losses[0][0]  # it did learn: the steps changed the weights


def run_steps(rnn, X, y, n, weights=None):
    """Losses of n training steps with dropout off; starts from `weights` ({name: value}) if given.
    Returns (losses, the initial weights)."""
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        weights = start_from(rnn.g, sess, weights)
        state = sess.run(rnn.initial_state)
        out = []
        for (bx, by), _ in zip(create_batch_generator(X, y, rnn.batch_size), range(n)):
            loss, _, state = sess.run(['cost:0', 'train_op', rnn.final_state],
                                      {'tf_x:0': bx, 'tf_y:0': by, 'tf_keepprob:0': 1.0,
                                       rnn.initial_state: state})
            out.append(loss)
    return out, weights


# ---------------------------------------------------------------------------
# The command line, in new processes
# ---------------------------------------------------------------------------

@pytest.fixture(scope=shared)
def cli_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp('cli')
    csv = str(folder / 'reviews.csv')
    synthetic_reviews(600).to_csv(csv, index=False)
    model_dir = str(folder / 'model')
    r = run_cli('sentiment_rnn.py', '--data', csv, '--epochs', 3, '--model-dir', model_dir, *SMALL_OPTS,
                env={'RNN_DATA_DIR': str(folder / 'cache')})
    assert r.returncode == 0, r.stderr
    # the label word is in every review: the test half is rated right (1.000 measured)
    assert float(re.search(r'^Test Acc\.: (\d\.\d{3})$', r.stdout, re.M).group(1)) >= 0.9
    assert '=== Slide:' not in r.stdout  # the walkthrough only with --walkthrough
    return csv, model_dir, folder


def predict(*runs):
    """`python sentiment_rnn.py --model-dir DIR --predict TEXT...` for each (DIR, [TEXT, ...]), in one
    process: {text: probability} of each."""
    out = []
    for r in run_clis([('sentiment_rnn.py', ['--model-dir', model_dir, '--predict'] + list(texts))
                       for model_dir, texts in runs]):
        assert r.returncode == 0, r.stderr
        out.append({line.split('  ', 2)[2]: float(line.split()[0]) for line in r.stdout.splitlines()})
    return out


def test_cli_trains_saves_vocab_and_predicts(cli_model):
    csv, model_dir, _ = cli_model
    hparams, vocab = ModelFolder(model_dir).load_config('SentimentRNN')
    assert hparams['lstm_size'] == 16 and 'great' in vocab
    assert 'sentiment-2.ckpt.index' in os.listdir(model_dir)  # a 3-epoch run still saves
    one, two = predict((model_dir, ['the movie was great']),
                       (model_dir, ['the movie was great', 'awful awful plot', 'zzyzx qwerty']))
    assert two['the movie was great'] == pytest.approx(one['the movie was great'], abs=1e-6)
    assert 0 <= two['zzyzx qwerty'] <= 1  # unknown words are padding, and still get an answer


def test_cli_resume_continues_epoch_count(cli_model, tmp_path):
    csv, model_dir, folder = cli_model
    copy = str(tmp_path / 'copy')
    shutil.copytree(model_dir, copy)
    r = run_cli('sentiment_rnn.py', '--data', csv, '--epochs', 4, '--model-dir', copy, '--resume',
                env={'RNN_DATA_DIR': str(folder / 'cache')})
    assert r.returncode == 0, r.stderr
    assert 'Epoch: 4/4' in r.stdout and 'Epoch: 3/4' not in r.stdout
    assert 'sentiment-3.ckpt.index' in os.listdir(copy)


def test_moved_model_folder_still_loads(cli_model, tmp_path):
    _, model_dir, _ = cli_model
    moved = str(tmp_path / 'elsewhere' / 'model')
    shutil.copytree(model_dir, moved)
    here, there = predict((moved, ['great']), (model_dir, ['great']))
    assert here == pytest.approx(there, abs=1e-6)


def test_cli_unknown_words_are_padding_and_said(cli_model):
    _, model_dir, _ = cli_model
    r = run_cli('sentiment_rnn.py', '--model-dir', model_dir, '--predict', 'a zzyzx film')
    assert r.returncode == 0
    assert 'zzyzx' in r.stderr and 'padding' in r.stderr


def test_cli_walkthrough_then_training_uses_the_same_words(cli_model, tmp_path):
    csv, _, folder = cli_model
    model_dir, limited = str(tmp_path / 'walked'), str(tmp_path / 'limited')
    r, r_limited = run_clis([
        ('sentiment_rnn.py', ['--walkthrough', '--data', csv, '--epochs', 1, '--model-dir', model_dir] + SMALL_OPTS),
        # with --limit, training counts the words of its own reviews, not the walkthrough's
        ('sentiment_rnn.py', ['--walkthrough', '--data', csv, '--epochs', 1, '--limit', 100, '--model-dir', limited]
         + SMALL_OPTS)], env={'RNN_DATA_DIR': str(folder / 'cache')})
    assert r.returncode == 0 and r_limited.returncode == 0, r.stderr + r_limited.stderr
    assert '=== Slide: Prepare Fixed-Length Sequences ===' in r.stdout and 'Test Acc.: ' in r.stdout
    hparams, vocab = ModelFolder(model_dir).load_config('SentimentRNN')
    assert vocab == data_utils.preprocess_reviews(synthetic_reviews(600)['review'])[0]
    assert hparams['n_words'] == max(vocab.values()) + 1  # the slides' n_words: the ids and 0
    _, vocab = ModelFolder(limited).load_config('SentimentRNN')
    assert vocab == data_utils.preprocess_reviews(synthetic_reviews(600)['review'][:100])[0]


def test_train_saves_every_10_epochs_and_after_the_last(tmp_path):
    word_to_int, (X_train, y_train, _, _) = prepared(100)
    rnn = SentimentRNN(n_words=max(word_to_int.values()) + 1, model_dir=str(tmp_path), **SMALL)
    rnn.saver = RecordingSaver(rnn.saver)
    rnn.train(X_train[:20], y_train[:20], num_epochs=12)  # one batch an epoch
    assert rnn.saver.saved == [os.path.join(str(tmp_path), 'sentiment-%d.ckpt' % e) for e in (9, 11)]


@pytest.mark.parametrize('num_layers', [1, 2])
def test_both_graphs_print_the_same_tensors(capsys, num_layers):
    printed = []
    for fast in (False, True):
        SentimentRNN(n_words=50, fast=fast, **dict(SMALL, num_layers=num_layers))
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1]
    assert "<< lstm_output   >>  Tensor(\"rnn/transpose_1:0\", shape=(20, 12, 16)" in printed[1]
    assert "'rnn/while/Exit_%d:0' shape=(20, 16)" % (2 + 2 * num_layers) in printed[1]


def test_predict_without_a_model_says_how_to_train_one(tmp_path):
    r = run_cli('sentiment_rnn.py', '--model-dir', tmp_path / 'none', '--predict', 'a fine film')
    assert r.returncode == 2
    last = r.stderr.strip().splitlines()[-1]
    assert 'has no saved model' in last and 'python sentiment_rnn.py --epochs 3' in last
    assert re.search(r'about \d+ min.*Test Acc\. 0\.\d\d', last), last


def test_cli_limit_and_batch_size_at_their_edges(tmp_path):
    csv = str(tmp_path / 'reviews.csv')
    synthetic_reviews(200).to_csv(csv, index=False)
    run = lambda limit: ('sentiment_rnn.py', ['--data', csv, '--epochs', 1, '--limit', limit,  # noqa: E731
                                              '--model-dir', tmp_path / str(limit)] + SMALL_OPTS)
    forty, all_of_them, thirty_nine, too_many = run_clis([run(40), run(200), run(39), run(201)])
    assert forty.returncode == 0 and all_of_them.returncode == 0, forty.stderr + all_of_them.stderr
    assert 'Test Acc.: ' in forty.stdout  # 20 reviews to train, 20 to test: one batch of 20 each
    assert thirty_nine.returncode == 2 and thirty_nine.stderr.strip().splitlines()[-1] == (
        'error: 39 reviews make less than one batch of 20 for training and for testing: raise --limit or '
        'lower --batch-size')
    assert too_many.returncode == 2 and too_many.stderr.strip().splitlines()[-1] == \
        'error: --limit 201 is more than the 200 reviews in the data'
    assert not os.path.exists(str(tmp_path / '39')) and not os.path.exists(str(tmp_path / '201'))


def test_cli_resume_goes_on_at_the_next_mini_batch_when_the_batches_do_not_divide(tmp_path):
    csv = str(tmp_path / 'reviews.csv')
    synthetic_reviews(220).to_csv(csv, index=False)  # 110 to train: 5 mini-batches of 20, 10 left out
    common = ['--data', csv, '--model-dir', tmp_path / 'm']
    first, resumed = run_clis([('sentiment_rnn.py', common + ['--epochs', 2] + SMALL_OPTS),
                               ('sentiment_rnn.py', common + ['--epochs', 3, '--resume'])])
    assert first.returncode == 0 and resumed.returncode == 0, first.stderr + resumed.stderr
    with open(str(tmp_path / 'm' / 'loss_history.csv')) as f:
        rows = [line.split(',')[:2] for line in f.read().splitlines()[1:]]
    assert rows == [[str(i // 5 + 1), str(i + 1)] for i in range(15)]


# ---------------------------------------------------------------------------
# --predict on real reviews: what the slides' pipeline makes of them
# ---------------------------------------------------------------------------

@pytest.fixture(scope=shared)
def real_model(reference_data, tmp_path_factory):
    """A tiny SentimentRNN (12 words a review) trained for one epoch on the first 400 real reviews."""
    import data_utils as du
    folder = tmp_path_factory.mktemp('real')
    df = du.load_movie_data(os.path.join(reference_data, 'aclImdb_v1_labeled.tar.gz'))
    df.iloc[:400].to_csv(str(folder / 'reviews.csv'), index=False)
    reviews = list(df['review'].iloc[25000:25003])  # test reviews, each longer than 12 words
    model_dir = str(folder / 'model')
    r = run_cli('sentiment_rnn.py', '--data', folder / 'reviews.csv', '--epochs', 1, '--model-dir', model_dir,
                *SMALL_OPTS, env={'RNN_DATA_DIR': str(folder / 'cache')})
    assert r.returncode == 0, r.stderr
    return model_dir, reviews


def slides_sequence(text, word_to_int, seq_len):
    """A new review as the slides' pipeline reads it, by hand: the slides' own tokens, their ids
    (a word the vocabulary lacks: 0, the padding id), the last seq_len ids, zeros on the left."""
    ids = [word_to_int.get(w, 0) for w in tokens_in_order(text)][-seq_len:]
    return np.array([0] * (seq_len - len(ids)) + ids)


def tokens_in_order(text):
    """The slides' words of one review, in order (their character loop, as written)."""
    return ''.join([c if c not in punctuation else ' ' + c + ' ' for c in text]).lower().split()


def test_predict_reads_a_review_as_the_slides_pipeline_does(real_model):
    model_dir, reviews = real_model
    hparams, word_to_int = ModelFolder(model_dir).load_config('SentimentRNN')
    unknown_first = 'zzyzx ' + reviews[2][:60]  # an unknown word at the start reads as padding
    texts = reviews + [unknown_first, reviews[2][:60], 'This movie was zzyzx wonderful']
    assert all(len(tokens_in_order(t)) > hparams['seq_len'] for t in reviews)  # the last words kept
    r = run_cli('sentiment_rnn.py', '--model-dir', model_dir, '--predict', *texts)
    assert r.returncode == 0, r.stderr
    printed = [float(line.split()[0]) for line in r.stdout.splitlines()]
    rnn = load_sentiment_rnn(model_dir, SentimentRNN)
    by_hand = np.stack([slides_sequence(t, word_to_int, hparams['seq_len']) for t in texts])
    expected = predict_every_row(rnn, by_hand, return_proba=True, from_zero_state=True)
    np.testing.assert_allclose(printed, expected, atol=0.0006)  # printed with 3 decimals
    assert printed[3] == printed[4]  # with and without the unknown first word


def test_an_empty_review_to_rate_is_named_by_its_number_from_1():
    from beyond_slides.errors import DataError
    from beyond_slides.predicting import encode_reviews
    with pytest.raises(DataError) as e:
        encode_reviews(['a fine film', '  ', 'dull'], {'a': 1, 'fine': 2, 'film': 3}, 5)
    assert str(e.value) == 'review 2 of the texts is empty (it has no words): give the text of a review'


def test_a_saved_sentiment_rnn_is_built_with_its_settings_and_the_ones_given(tmp_path):
    folder = ModelFolder(str(tmp_path))
    hparams = dict(TestConfig.sentiment, n_words=10)
    folder.save_config('SentimentRNN', hparams, {'good': 1})
    rnn = load_sentiment_rnn(folder.path, SentimentRNN, batch_size=7, seq_len=5)   # what the variables do not depend on
    assert (rnn.n_words, rnn.lstm_size, rnn.embed_size, rnn.batch_size, rnn.seq_len) == (10, 16, 8, 7, 5)


def test_training_takes_the_walkthroughs_reviews_logs_for_tensorboard_and_resumes_only_when_asked(tmp_path, monkeypatch):
    from beyond_slides import sentiment_command
    from beyond_slides.errors import DataError
    df = synthetic_reviews(80)
    word_to_int, mapped = data_utils.preprocess_reviews(df['review'])
    monkeypatch.setattr(data_utils, 'load_movie_data', lambda data=None: pytest.fail('the reviews read again'))
    model_dir, logdir = str(tmp_path / 'model'), tmp_path / 'tb'
    sentiment_command.train_and_test(model_dir, TestConfig.sentiment, 1, logdir=str(logdir),
                                     prepared=(df, word_to_int, mapped))
    events, = logdir.glob('events.out.tfevents.*')
    steps = [e.step for e in tf.train.summary_iterator(str(events)) for v in e.summary.value if v.tag == 'train_loss']
    assert steps == [1, 2]  # 40 training reviews: 2 mini-batches of 20
    with pytest.raises(DataError, match='already holds a trained model'):
        sentiment_command.train_and_test(model_dir, TestConfig.sentiment, 1, prepared=(df, word_to_int, mapped))


def test_predict_writes_undecodable_bytes_of_the_command_line_as_escapes_in_its_note():
    """Python keeps a command-line byte that is not UTF-8 as a lone surrogate (b'\\x80' -> '\\udc80'),
    which a terminal cannot show: the note writes the byte as \\x80; other words stay as typed."""
    from beyond_slides.predicting import printable
    assert printable('caf\udc80\udcff') == 'caf\\x80\\xff'
    assert printable('na\u00efve') == 'na\u00efve'


def test_predicts_note_on_unknown_words_shows_undecodable_bytes_as_escapes(tmp_path):
    from conftest import run_cli
    from model_helpers import train_sentiment
    model_dir = str(tmp_path / 'm')
    train_sentiment(model_dir, 1)
    r = run_cli('sentiment_rnn.py', '--predict', 'caf\udc80 great', '--model-dir', model_dir)
    assert r.returncode == 0, r.stderr
    assert 'note: 1 word(s) never seen in training are read as padding (id 0): caf\\x80\n' in r.stderr
    assert r.stdout.endswith('  caf\\x80 great\n')  # the review as typed, its byte escaped
