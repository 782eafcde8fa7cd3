"""The LSTM state: carried from mini-batch to mini-batch in training and in the slides'
predict(), and not across --predict's batches."""
import numpy as np
import pytest

from beyond_slides.tf_setup import tf
from conftest import run_clis
from data_helpers import PERIODIC, synthetic_reviews
from model_helpers import TestConfig, train_char, train_sentiment


@pytest.fixture
def states_fed(monkeypatch):
    """For every Session.run that feeds the initial state: (the state fed, the final state returned)."""
    calls = []
    real_run = tf.Session.run

    def run(self, fetches, feed_dict=None, **kwargs):
        out = real_run(self, fetches, feed_dict=feed_dict, **kwargs)
        fed = [v for k, v in (feed_dict or {}).items() if not isinstance(k, str)]
        if fed and isinstance(fetches, list) and len(fetches) >= 2:
            calls.append((tf.nest.flatten(fed), tf.nest.flatten(out[-1])))
        return out
    monkeypatch.setattr(tf.Session, 'run', run)
    return calls


def assert_carried(calls):
    assert len(calls) >= 3
    assert all(not np.any(a) for a in calls[0][0])  # the zero state first
    for (_, out), (fed, _) in zip(calls, calls[1:]):
        for a, b in zip(out, fed):
            np.testing.assert_array_equal(a, b)
        assert any(np.any(a) for a in fed)


def test_char_rnn_carries_the_state_from_batch_to_batch_in_training(tmp_path, states_fed):
    train_char(PERIODIC, str(tmp_path / 'm'), epochs=1)  # 1,200 characters: 29 mini-batches of 4 x 10
    assert_carried(states_fed)


def test_sentiment_predict_carries_the_state_from_batch_to_batch(tmp_path, states_fed):
    rnn, (_, _, X_test, _), _ = train_sentiment(str(tmp_path / 'm'), epochs=1)
    del states_fed[:]
    rnn.predict(X_test)  # 100 reviews: 5 batches of 20
    assert len(states_fed) == 5
    assert_carried(states_fed)


def test_predict_answers_each_text_as_if_alone(tmp_path):
    """batch size + 1 texts: the last, in a second batch, gets the answer it gets alone."""
    synthetic_reviews(200).to_csv(str(tmp_path / 'reviews.csv'), index=False)
    model_dir = str(tmp_path / 'model')
    texts = ['great plot %d' % i if i % 2 else 'awful cast' for i in range(20)] + ['the plot was great']
    train, together, alone, other = run_clis([
        ('sentiment_rnn.py', ['--data', tmp_path / 'reviews.csv', '--epochs', 2, '--model-dir', model_dir]
         + TestConfig.sentiment_opts),
        ('sentiment_rnn.py', ['--predict'] + texts + ['--model-dir', model_dir]),
        ('sentiment_rnn.py', ['--predict', texts[-1], '--model-dir', model_dir]),
        ('sentiment_rnn.py', ['--predict', texts[-1], '--model-dir', model_dir, '--lstm-size', 99])])
    assert train.returncode == together.returncode == alone.returncode == 0, train.stderr + together.stderr
    assert together.stdout.splitlines()[-1] == alone.stdout.splitlines()[-1]
    lines = together.stdout.splitlines()
    assert len(lines) == 21
    # each line: the probability of a positive review, its reading, the text
    probas = [float(line.split('  ')[0]) for line in lines]
    assert lines == ['%.3f  %s  %s' % (p, 'positive' if p >= 0.5 else 'negative', text)
                     for p, text in zip(probas, texts)]
    assert any(0 < p < 1 for p in probas)  # probabilities, not the 0/1 labels
    assert other.returncode == 2 and other.stderr.strip().splitlines()[-1] == (
        'error: the model in %s was trained with other settings: --lstm-size 99 (saved: 16); leave those out '
        'or give another --model-dir' % model_dir)
