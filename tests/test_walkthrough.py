import csv
import glob
import os

from conftest import PERIODIC, TestConfig, run_cli

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
    assert r.stdout.strip().splitlines()[-1].endswith(str(model_dir))
    assert 'loss_history.csv' in r.stdout.strip().splitlines()[-1]
    events = glob.glob(str(logdir / 'events.out.tfevents.*'))
    assert len(events) == 1
    from beyond_slides.tf_setup import tf
    records = list(tf.train.summary_iterator(events[0]))
    assert any(e.graph_def for e in records)
    losses = [(e.step, v.simple_value) for e in records for v in e.summary.value if v.tag == 'train_loss']
    assert [step for step, _ in losses] == list(range(1, 2 * n_batches + 1))
    assert abs(losses[-1][1] - float(rows[-1][2])) < 1e-6
