"""Getting the data files (beyond_slides/datasets.py): the book's movie_data.csv from the official
tarball or folder, cached and read again when the source changes; the tarball's layout; checks of
every file. tests/test_downloads.py: the downloads."""
import base64
import builtins
import errno
import hashlib
import io
import os
import pathlib
import warnings

import numpy as np
import pytest

import data_utils
from beyond_slides import cli, datasets
from beyond_slides.errors import DataError
from data_helpers import TINY_REVIEWS, make_imdb_folder, make_imdb_tarball
from file_helpers import snapshot
from data_texts import BOOK_STYLE, PLAY, TODAY_STYLE, as_rows, expected_movie_rows


# ---------------------------------------------------------------------------
# movie_data.csv
# ---------------------------------------------------------------------------

def test_movie_data_from_tarball_follows_the_book(tmp_path):
    df = data_utils.load_movie_data(make_imdb_tarball(str(tmp_path / 'imdb.tar.gz')))
    assert list(df.columns) == ['review', 'sentiment']
    assert as_rows(df) == expected_movie_rows()
    assert list(df.index) == list(range(16))


def test_movie_data_from_folder_and_csv(tmp_path, data_cache, capfd):
    folder = make_imdb_folder(str(tmp_path / 'src'))
    df = data_utils.load_movie_data(folder)
    assert as_rows(df) == expected_movie_rows()
    err = capfd.readouterr().err  # the progress of reading the 16 files
    assert err.splitlines()[0] == 'Reading %s' % folder and 'Total time elapsed' in err, err  # the bar full
    # the folder that holds aclImdb/ does as well as aclImdb/ itself
    assert as_rows(data_utils.load_movie_data(str(tmp_path / 'src'))) == expected_movie_rows()
    df2 = data_utils.load_movie_data(str(data_cache / 'movie_data.csv'))
    assert as_rows(df2) == expected_movie_rows()


def test_movie_data_is_cached_and_source_left_alone(tmp_path, monkeypatch):
    src = tmp_path / 'src'
    src.mkdir()
    tarball = make_imdb_tarball(str(src / 'imdb.tar.gz'))
    before = snapshot(str(src))
    data_utils.load_movie_data(tarball)
    monkeypatch.setattr(datasets, 'build_movie_data', lambda s: pytest.fail('rebuilt'))
    df = data_utils.load_movie_data(tarball)
    assert as_rows(df) == expected_movie_rows()
    assert snapshot(str(src)) == before


@pytest.mark.parametrize('make, message', [
    (lambda p: str(p / 'nothing.tar.gz'), 'does not exist'),
    (lambda p: make_imdb_tarball(str(p / 'cut.tar.gz'), truncate=300), 'truncated'),
    (lambda p: str(p), 'has no test/pos folder'),
    (lambda p: _write(p / 'bad.csv', b'text,label\nhello,1\n'), 'needs the columns review and sentiment'),
    (lambda p: _write(p / 'header.csv', b'review,sentiment\n'), 'holds no reviews'),
    (lambda p: _write(p / 'latin1.csv', 'review,sentiment\ncaf\xe9,1\n'.encode('latin-1')), 'not UTF-8'),
    # a tarball: the error names it and the review's member
    (lambda p: make_imdb_tarball(str(p / 'latin.tar.gz'), {
        **TINY_REVIEWS, ('train', 'neg'): {'0_1.txt': b'caf\xe9'}}), r'latin\.tar\.gz: aclImdb/train/neg/0_1\.txt is not UTF-8'),
    (lambda p: make_imdb_tarball(str(p / 'nopos.tar.gz'), {
        k: v for k, v in TINY_REVIEWS.items() if k != ('train', 'pos')}), r'nopos\.tar\.gz has no reviews in aclImdb/train/pos'),
    # an extracted folder: the error names the folder and the review's file
    (lambda p: _latin1(make_imdb_folder(str(p / 'src')), 'train/neg/0_2.txt'),
     'src/aclImdb: train/neg/0_2.txt is not UTF-8'),
    (lambda p: _emptied(make_imdb_folder(str(p / 'src')), 'train', 'pos'), 'src/aclImdb has no reviews in aclImdb/train/pos'),
])
def test_bad_imdb_sources_give_one_clear_error(tmp_path, make, message):
    with pytest.raises(DataError, match=message) as e:
        data_utils.load_movie_data(make(tmp_path))
    assert '\n' not in str(e.value)


MANY_REVIEWS = {key: {'%d_7.txt' % i: base64.b64encode(np.random.RandomState(i).bytes(150)).decode()
                      for i in range(100)} for key in TINY_REVIEWS}  # about 80 KB once compressed
VOCABULARY = {'aclImdb/imdb.vocab': base64.b64encode(np.random.RandomState(0).bytes(100000)).decode()}


@pytest.mark.parametrize('make', [
    # cut in the vocabulary after the reviews: the bar, which moves at each member's end, is half drawn
    lambda p: make_imdb_tarball(str(p / 'cut.tar.gz'), MANY_REVIEWS, others=VOCABULARY, truncate=-30000),
    lambda p: _latin1(make_imdb_folder(str(p / 'src'), MANY_REVIEWS), 'train/neg/0_7.txt'),  # read last
], ids=['tarball cut in the middle', 'folder with a bad review'])
def test_reading_that_fails_part_way_ends_the_bars_line_before_the_error(tmp_path, data_cache, capfd, make):
    source = make(tmp_path)
    assert cli.run_command(lambda: data_utils.load_movie_data(source), [], 'sentiment_rnn.py') == 2
    err = capfd.readouterr().err
    bar, error = err.rsplit('\n', 2)[-3:-1]  # the command's last two lines; \r redraws the bar on its line
    assert '#' in bar and error.startswith('error: %s' % source), err


@pytest.mark.parametrize('steps', [0, 1, 2], ids=['nothing drawn', 'half drawn', 'full'])
def test_work_failing_under_a_progress_bar_leaves_its_line_ended_once(capfd, steps):
    with pytest.raises(ZeroDivisionError):
        with datasets._progress_bar(2, 'Work') as pbar:
            pbar.update(steps)
            1 / 0
    err = capfd.readouterr().err
    assert err.startswith('Work\n') and err.endswith('\n') and '\n\n' not in err, repr(err)


def test_ctrl_c_under_a_progress_bar_leaves_its_line_to_the_commands_interrupted(capfd):
    def work():
        with datasets._progress_bar(2, 'Work') as pbar:
            pbar.update()
            raise KeyboardInterrupt
    assert cli.run_command(work, [], 'sentiment_rnn.py') == 130
    err = capfd.readouterr().err
    assert '#' in err and err.endswith('\ninterrupted\n') and '\n\n' not in err, repr(err)


@pytest.fixture
def unreadable(monkeypatch):
    """unreadable(path): path with no permissions (chmod 000); for root, who may read it still, opening or
    listing it raises the PermissionError that a user gets."""
    refused = []

    def refusing(real):
        def call(*args, **kwargs):
            if args and isinstance(args[0], (str, os.PathLike)) and os.path.abspath(args[0]) in refused:
                raise PermissionError(errno.EACCES, 'Permission denied', os.fspath(args[0]))
            return real(*args, **kwargs)
        return call
    for module, name in [(builtins, 'open'), (io, 'open'), (os, 'listdir')]:  # io.open: pathlib's
        monkeypatch.setattr(module, name, refusing(getattr(module, name)))

    def make(path):
        os.chmod(path, 0)
        if os.access(path, os.R_OK):
            refused.append(os.path.abspath(path))
        return str(path)
    return make


@pytest.mark.parametrize('make, load, named, fix', [
    (lambda p: make_imdb_tarball(str(p / 'imdb.tar.gz')), data_utils.load_movie_data, 'imdb.tar.gz', 'u+r'),
    (lambda p: _write(p / 'm.csv', b'review,sentiment\ngood,1\n'), data_utils.load_movie_data, 'm.csv', 'u+r'),
    (lambda p: make_imdb_folder(str(p / 'src')), data_utils.load_movie_data, 'train/neg/0_2.txt', 'u+r'),
    (lambda p: make_imdb_folder(str(p / 'src')), data_utils.load_movie_data, 'train/neg', 'u+rx'),
    (lambda p: _write(p / 'pg2265.txt', BOOK_STYLE.encode()), data_utils.load_hamlet, 'pg2265.txt', 'u+r'),
], ids=['tarball', 'csv', 'a review', 'a folder of reviews', 'text'])
def test_a_file_that_cannot_be_read_is_one_line_naming_it_and_the_fix(tmp_path, data_cache, unreadable, make,
                                                                      load, named, fix):
    source = make(tmp_path)
    path = unreadable(os.path.join(source, named) if os.path.isdir(source) else source)
    with pytest.raises(DataError) as e:
        load(source)
    assert str(e.value) == ('%s cannot be read (permission denied): make it readable (chmod %s) or give a copy '
                            'you can read' % (path, fix))


def test_an_unreadable_copy_named_by_the_variable_says_so_and_stops_the_command_with_status_2(
        tmp_path, data_cache, unreadable, monkeypatch, capfd):
    monkeypatch.setenv(datasets.IMDB_COPY_VARIABLE, unreadable(make_imdb_tarball(str(tmp_path / 'imdb.tar.gz'))))
    assert cli.run_command(data_utils.load_movie_data, [], 'sentiment_rnn.py') == 2
    assert capfd.readouterr().err == (
        'error: %s cannot be read (permission denied): make it readable (chmod u+r) or give a copy you can read '
        '(this path came from the environment variable RNN_IMDB_DATA: correct it, or unset it to download the '
        'data)\n' % (tmp_path / 'imdb.tar.gz'))


def test_a_csv_of_one_empty_review_reads_it_as_empty_text(tmp_path):
    """pandas reads an empty field as NaN; a review is text, so it becomes '' (one review is enough),
    with no warning that a future pandas will refuse to fill the column (float here) with text."""
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        df = data_utils.load_movie_data(_write(tmp_path / 'one.csv', b'review,sentiment\n"",1\n'))
    assert df['review'].tolist() == [''] and df['sentiment'].tolist() == [1]


def test_the_official_tarballs_other_files_are_not_reviews(tmp_path):
    # aclImdb_v1.tar.gz also holds aclImdb/README, imdb.vocab, imdbEr.txt, train/labeledBow.feat and
    # the 50,000 unlabelled reviews of train/unsup: none of them is a row of movie_data.csv
    others = {'aclImdb/README': 'Large Movie Review Dataset v1.0', 'aclImdb/imdb.vocab': 'the\nand\n',
              'aclImdb/imdbEr.txt': '0.0490972013402\n', 'aclImdb/train/labeledBow.feat': '0 0:9\n'}
    reviews = {**TINY_REVIEWS, ('train', 'unsup'): {'0_0.txt': 'An unlabelled review.'}}
    path = make_imdb_tarball(str(tmp_path / 'imdb.tar.gz'), reviews, others=others)
    assert as_rows(data_utils.load_movie_data(path)) == expected_movie_rows()


def test_a_review_is_read_as_the_books_text_mode_reads_it(tmp_path):
    # open() in text mode turns both \r\n and a lone \r (old Mac line ends) into \n
    reviews = {**TINY_REVIEWS, ('train', 'pos'): {**TINY_REVIEWS[('train', 'pos')], '3_8.txt': 'great\rending\r\nhere'}}
    df = data_utils.load_movie_data(make_imdb_tarball(str(tmp_path / 'imdb.tar.gz'), reviews))
    assert [r for r in df['review'] if 'ending' in r] == ['great\nending\nhere']


@pytest.mark.parametrize('n_unlabelled', [0, 4])
def test_reading_a_tarball_shows_its_progress_up_to_its_last_byte(tmp_path, capfd, monkeypatch, n_unlabelled):
    # The tiny tarball is read at once; with 400 KB of unlabelled reviews that do not compress, in
    # several steps, the last of which leaves gzip's end unread.
    unlabelled = {'%d_0.txt' % i: base64.b64encode(os.urandom(75000)).decode() for i in range(n_unlabelled)}
    path = make_imdb_tarball(str(tmp_path / 'imdb.tar.gz'), {**TINY_REVIEWS, ('train', 'unsup'): unlabelled})
    steps, update = [], datasets.pyprind.ProgBar.update

    def recorded(self, iterations=1, **kwargs):
        steps.append(iterations)
        return update(self, iterations, **kwargs)
    monkeypatch.setattr(datasets.pyprind.ProgBar, 'update', recorded)
    data_utils.load_movie_data(path)
    assert all(n > 0 for n in steps) and sum(steps) == os.path.getsize(path), steps
    assert len(steps) > 2 if n_unlabelled else len(steps) == 1, steps
    err = capfd.readouterr().err
    assert err.splitlines()[0] == 'Reading imdb.tar.gz' and 'Total time elapsed' in err, err  # the bar full


def test_bad_source_keeps_the_good_cached_csv(tmp_path, data_cache):
    data_utils.load_movie_data(make_imdb_tarball(str(tmp_path / 'good.tar.gz')))
    before = snapshot(str(data_cache))
    with pytest.raises(DataError):
        data_utils.load_movie_data(make_imdb_tarball(str(tmp_path / 'cut.tar.gz'), truncate=300))
    assert snapshot(str(data_cache)) == before


def _write(path, data):
    path.write_bytes(data)
    return str(path)


def _latin1(folder, name):
    """folder (an extracted aclImdb/) with the review name in Latin-1."""
    _write(pathlib.Path(folder, name), 'caf\xe9'.encode('latin-1'))
    return folder


def _emptied(folder, split, label):
    """folder (an extracted aclImdb/) with its split/label folder there but empty."""
    for name in os.listdir(os.path.join(folder, split, label)):
        os.remove(os.path.join(folder, split, label, name))
    return folder


# ---------------------------------------------------------------------------
# Hamlet
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('raw', [BOOK_STYLE, TODAY_STYLE])
def test_hamlet_header_and_footer_are_cut(tmp_path, raw):
    path = tmp_path / 'pg2265.txt'
    path.write_text(raw, encoding='utf-8')
    assert data_utils.load_hamlet(str(path)) == (PLAY.rstrip() if raw is TODAY_STYLE else PLAY)


def test_a_text_loses_its_byte_order_mark_only(tmp_path):
    path = tmp_path / 'notes.txt'
    path.write_text('\ufeffXmas at Elsinore.\n', encoding='utf-8')
    assert data_utils.load_hamlet(str(path)) == 'Xmas at Elsinore.\n'


def test_another_gutenberg_book_is_cut_after_its_start_line_and_before_its_end_line(tmp_path):
    path = tmp_path / 'book.txt'
    path.write_text('The header.\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nThe body.\n\n'
                    '*** END OF THE PROJECT GUTENBERG EBOOK X ***\nThe license.\n', encoding='utf-8')
    assert data_utils.load_hamlet(str(path)) == 'The body.'


def test_without_the_shipped_copy_hamlet_is_downloaded(tmp_path, monkeypatch):
    downloaded = tmp_path / 'pg2265.txt'
    downloaded.write_text(BOOK_STYLE, encoding='utf-8')
    monkeypatch.setattr(datasets, 'SHIPPED_HAMLET', str(tmp_path / 'removed.txt'))
    monkeypatch.setattr(datasets, 'download_hamlet', lambda: str(downloaded))
    assert data_utils.load_hamlet() == PLAY


@pytest.mark.parametrize('content, message', [
    (b'caf\xe9 au lait', r'text\.txt is not UTF-8 text \(byte 3\): save it as UTF-8'), (b'', 'holds no text'), (None, 'does not exist'),
    (b'ab\x00cd' * 10, 'holds NUL bytes'), (b'*** START OF THE PROJECT GUTENBERG EBOOK X ***\nab', 'truncated')])
def test_bad_text_files(tmp_path, content, message):
    path = tmp_path / 'text.txt'
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        data_utils.load_hamlet(str(path))


# ---------------------------------------------------------------------------
# The tarball: its layout, its checksum, and a tarball replaced at the same path
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('top', ['aclImdb/', 'my_copy/', './aclImdb/', ''])
def test_the_reviews_are_found_under_any_top_folder_or_none(tmp_path, top):
    """The decision (docs/usage.md, "Where things go"): a review is a file <split>/<label>/<name>.txt
    wherever it stands in the tarball, as a folder given with --data may hold aclImdb/ or be it."""
    path = make_imdb_tarball(str(tmp_path / 'imdb.tar.gz'), top=top)
    assert as_rows(data_utils.load_movie_data(path)) == expected_movie_rows()


def test_md5_covers_the_whole_of_a_large_file(tmp_path):
    path = tmp_path / 'big.bin'
    data = np.random.RandomState(0).bytes(5 * 2 ** 20 + 123)  # 5 MiB and a bit
    path.write_bytes(data)
    assert datasets.md5sum(str(path)) == hashlib.md5(data).hexdigest()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # the last byte changed
    assert datasets.md5sum(str(path)) != hashlib.md5(data).hexdigest()


SUPERB = {k: {name: text.replace('great', 'superb') for name, text in v.items()} for k, v in TINY_REVIEWS.items()}


@pytest.mark.parametrize('same_time', [False, True], ids=['newer', 'same-modification-time'])
def test_a_tarball_replaced_at_the_same_path_is_read_again(tmp_path, same_time):
    path = str(tmp_path / 'imdb.tar.gz')
    make_imdb_tarball(path)
    first = data_utils.load_movie_data(path)
    mtime = os.stat(path).st_mtime
    make_imdb_tarball(path, SUPERB)  # 'superb' is longer than 'great': another size
    if same_time:  # as a copy that keeps the times would leave it
        os.utime(path, (mtime, mtime))
    second = data_utils.load_movie_data(path)
    assert 'superb' in ' '.join(second['review']) and 'superb' not in ' '.join(first['review'])


# ---------------------------------------------------------------------------
# The checks' edges: the tarball's layout with one review per folder (accepted) or one folder
# without any (refused, each in turn; a folder's bar ended first); the cache stamp told apart by its parts; a CSV
# with one column missing or a label past 0 and 1; a text of blanks only
# ---------------------------------------------------------------------------

ONE_EACH = {key: dict([next(iter(files.items()))]) for key, files in TINY_REVIEWS.items()}


def test_a_tarball_with_one_review_in_each_folder_is_accepted(tmp_path):
    df = data_utils.load_movie_data(make_imdb_tarball(str(tmp_path / 'imdb.tar.gz'), ONE_EACH))
    assert sorted(df['review']) == sorted(['A great film!', 'An awful film.', 'Great plot', 'awful plot'])


@pytest.mark.parametrize('missing', sorted(TINY_REVIEWS))
def test_a_tarball_without_the_reviews_of_one_folder_is_refused(tmp_path, missing):
    path = make_imdb_tarball(str(tmp_path / 'imdb.tar.gz'), {k: v for k, v in ONE_EACH.items() if k != missing})
    with pytest.raises(DataError, match=r'has no reviews in aclImdb/%s/%s:' % missing):
        data_utils.load_movie_data(path)


def test_a_folder_of_one_review_fills_its_bar_and_ends_its_line_before_the_layout_error(tmp_path, data_cache, capfd):
    folder = make_imdb_folder(str(tmp_path / 'src'), {key: ONE_EACH[key] if key == ('test', 'pos') else {}
                                                      for key in TINY_REVIEWS})
    assert cli.run_command(lambda: data_utils.load_movie_data(folder), [], 'sentiment_rnn.py') == 2
    err = capfd.readouterr().err
    assert 'Total time elapsed' in err and '\nerror: %s has no reviews in aclImdb/test/neg' % folder in err, err


def test_the_cached_csv_is_built_again_for_another_folder_of_the_same_size_and_time(tmp_path, data_cache):
    # the stamp's source path alone tells the two folders apart (same layout, times set equal)
    first = make_imdb_folder(str(tmp_path / 'one'))
    second = make_imdb_folder(str(tmp_path / 'two'), SUPERB)
    for folder in (first, second):
        os.utime(folder, (1e9, 1e9))
    assert os.stat(first).st_size == os.stat(second).st_size  # the premise: only the path differs
    assert 'superb' not in ' '.join(data_utils.load_movie_data(first)['review'])
    assert 'superb' in ' '.join(data_utils.load_movie_data(second)['review'])


def test_the_cached_csv_removed_is_built_again(tmp_path, data_cache):
    path = make_imdb_tarball(str(tmp_path / 'imdb.tar.gz'))
    data_utils.load_movie_data(path)
    os.remove(str(data_cache / 'movie_data.csv'))  # its stamp stays and still matches the source
    assert as_rows(data_utils.load_movie_data(path)) == expected_movie_rows()


@pytest.mark.parametrize('content, message', [
    (b'review,label\ngood,1\n', 'needs the columns review and sentiment'),   # one of the two missing
    (b'text,sentiment\ngood,1\n', 'needs the columns review and sentiment'),
    (b'review,sentiment\ngood,1\nbad,2\n', 'must hold only 0 and 1'),      # just past 1
    (b'review,sentiment\ngood,1\nbad,-1\n', 'must hold only 0 and 1'),     # just past 0
])
def test_a_csv_just_past_its_rules_is_refused(tmp_path, content, message):
    with pytest.raises(DataError, match=message):
        data_utils.load_movie_data(_write(tmp_path / 'reviews.csv', content))


def test_a_csv_of_both_labels_and_extra_columns_is_accepted(tmp_path):
    df = data_utils.load_movie_data(_write(tmp_path / 'reviews.csv', b'id,review,sentiment\n7,good,1\n8,bad,0\n'))
    assert df['review'].tolist() == ['good', 'bad'] and df['sentiment'].tolist() == [1, 0]


@pytest.mark.parametrize('content, accepted', [(b' \n\t', False), (b'x', True), (b'x\x00', False)])
def test_a_text_of_blanks_only_or_one_nul_is_refused_and_one_character_accepted(tmp_path, content, accepted):
    path = tmp_path / 'text.txt'
    path.write_bytes(content)
    if accepted:
        assert data_utils.load_hamlet(str(path)) == 'x'
    else:
        with pytest.raises(DataError, match='holds no text to train on|holds NUL bytes'):
            data_utils.load_hamlet(str(path))
