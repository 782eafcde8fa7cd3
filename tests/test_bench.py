"""bench/bench_train.py runs and feeds both graphs the batches it says (tiny step counts)."""
import os
import sys

import numpy as np
import pytest

from data_helpers import make_imdb_tarball

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'bench'))
import bench_train  # noqa: E402


class Shapes:
    batch_size, seq_len = 2, 3


def test_review_batches_are_the_training_sets_first_rows_cut_to_the_sequence_length():
    reviews = np.arange(40).reshape(8, 5)  # 8 reviews of 5 ids
    feeds = bench_train.batches(Shapes, 'sentiment', reviews, n=3)
    assert [f['tf_x:0'].tolist() for f in feeds] == [
        [[2, 3, 4], [7, 8, 9]], [[12, 13, 14], [17, 18, 19]], [[22, 23, 24], [27, 28, 29]]]


def test_random_batches_are_the_same_for_both_graphs():
    first, second = (bench_train.batches(Shapes, 'sentiment', None, n=2) for _ in range(2))
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a['tf_x:0'], b['tf_x:0'])
    assert first[0]['tf_x:0'].max() < bench_train.N_WORDS


def test_bench_prints_a_ratio_for_each_model(capsys):
    assert bench_train.main(['--steps', '1', '--warmup', '0', '--seq-lens', '5', '--no-memory',
                             '--random-ids']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert 'random word ids' in lines[0]
    rows = {line.split(',')[0]: line.split() for line in lines[2:]}
    assert set(rows) == {'sentiment', 'char'}
    for row in rows.values():
        ref_ms, ours_ms, ratio, steps_per_s = (float(v) for v in row[-4:])
        assert ref_ms > 0 and ours_ms > 0 and ratio > 0 and steps_per_s > 0


def test_whole_runs_build_train_and_save_both_graphs(monkeypatch):
    saved = []
    real_save = bench_train.tf.train.Saver.save
    monkeypatch.setattr(bench_train.tf.train.Saver, 'save',
                        lambda self, sess, path, *a, **k: saved.append(path) or real_save(self, sess, path, *a, **k))
    for model, data in (('char', bench_train.hamlet_training_set(None)[0]),
                        ('sentiment', (np.zeros((100, 200), dtype=int), np.zeros(100)))):
        if model == 'char':
            data = (data[0][:, :100], data[1][:, :100])  # one mini-batch
        for fast in (False, True):
            assert bench_train.whole_run(model, fast, 2, data) > 0
    assert len(saved) == 2 * 2 + 2  # CharRNN after each of its 2 epochs; SentimentRNN after the last


# One review in each folder, one word each: 4 words, so the vocabulary with its padding id 0 has 5.
ONE_WORD_EACH = {('test', 'pos'): {'0_10.txt': 'good'}, ('test', 'neg'): {'0_1.txt': 'bad'},
                 ('train', 'pos'): {'0_9.txt': 'fine'}, ('train', 'neg'): {'0_2.txt': 'poor'}}


@pytest.mark.parametrize('n_words, accepted', [(5, True), (6, False), (4, False)])
def test_review_training_set_refuses_a_vocabulary_other_than_the_slides(tmp_path, data_cache, monkeypatch,
                                                                        n_words, accepted):
    monkeypatch.setattr(bench_train, 'N_WORDS', n_words)  # the slides' 102967, here the tiny data's
    tarball = make_imdb_tarball(str(tmp_path / 'imdb.tar.gz'), ONE_WORD_EACH)
    if accepted:
        X, y = bench_train.review_training_set(tarball, 3)
        assert X.shape == (4, 3) and sorted(y.tolist()) == [0, 0, 1, 1]
        assert sorted(X[:, -1].tolist()) == [1, 2, 3, 4] and not X[:, :-1].any()  # one word, left-padded
    else:
        with pytest.raises(SystemExit, match="expected the slides' %d words, found 5" % n_words):
            bench_train.review_training_set(tarball, 3)


def test_review_training_set_without_data_is_none(data_cache):
    assert bench_train.review_training_set(None, 3) is None  # no movie_data.csv in the empty cache
