"""Getting the data files (beyond_slides/datasets.py): the book's movie_data.csv from the official
tarball or folder, cached; downloads from a local HTTP server; checks of every file; the model
configuration files (beyond_slides/model_files.py)."""
import functools
import hashlib
import http.server
import os
import re
import threading

import numpy as np
import pytest

import data_utils
from beyond_slides import datasets, model_files
from beyond_slides.errors import DataError
from conftest import TINY_REVIEWS, make_imdb_folder, make_imdb_tarball, snapshot


# ---------------------------------------------------------------------------
# movie_data.csv
# ---------------------------------------------------------------------------

def expected_movie_rows():
    """The book's recipe, worked by hand on the tiny data."""
    rows = []
    for s in ('test', 'train'):
        for l in ('pos', 'neg'):
            for name in sorted(TINY_REVIEWS[(s, l)]):
                rows.append((TINY_REVIEWS[(s, l)][name].replace('\r\n', '\n'), 1 if l == 'pos' else 0))
    np.random.seed(0)
    order = np.random.permutation(len(rows))
    return [rows[i] for i in order]


def as_rows(df):
    return list(zip(df['review'], df['sentiment']))


def test_movie_data_from_tarball_follows_the_book(tmp_path):
    df = data_utils.load_movie_data(make_imdb_tarball(str(tmp_path / 'imdb.tar.gz')))
    assert list(df.columns) == ['review', 'sentiment']
    assert as_rows(df) == expected_movie_rows()
    assert list(df.index) == list(range(16))


def test_movie_data_from_folder_and_csv(tmp_path, data_cache):
    folder = make_imdb_folder(str(tmp_path / 'src'))
    df = data_utils.load_movie_data(folder)
    assert as_rows(df) == expected_movie_rows()
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
    (lambda p: _write(p / 'latin1.csv', 'review,sentiment\ncaf\xe9,1\n'.encode('latin-1')), 'not UTF-8'),
    (lambda p: make_imdb_tarball(str(p / 'latin.tar.gz'), {
        **TINY_REVIEWS, ('train', 'neg'): {'0_1.txt': b'caf\xe9'}}), 'not UTF-8'),
    (lambda p: make_imdb_tarball(str(p / 'nopos.tar.gz'), {
        k: v for k, v in TINY_REVIEWS.items() if k != ('train', 'pos')}), 'no reviews in aclImdb/train/pos'),
])
def test_bad_imdb_sources_give_one_clear_error(tmp_path, make, message):
    with pytest.raises(DataError, match=message) as e:
        data_utils.load_movie_data(make(tmp_path))
    assert '\n' not in str(e.value)


def test_bad_source_keeps_the_good_cached_csv(tmp_path, data_cache):
    data_utils.load_movie_data(make_imdb_tarball(str(tmp_path / 'good.tar.gz')))
    before = snapshot(str(data_cache))
    with pytest.raises(DataError):
        data_utils.load_movie_data(make_imdb_tarball(str(tmp_path / 'cut.tar.gz'), truncate=300))
    assert snapshot(str(data_cache)) == before


def _write(path, data):
    path.write_bytes(data)
    return str(path)


# ---------------------------------------------------------------------------
# Downloads, for real, from a local HTTP server
# ---------------------------------------------------------------------------

class _Handler(http.server.SimpleHTTPRequestHandler):
    truncate = False

    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        if self.truncate:  # the connection ends early: a truncated download
            outputfile.write(source.read()[:100])
        else:
            super().copyfile(source, outputfile)


@pytest.fixture
def http_server(tmp_path):
    root = tmp_path / 'www'
    root.mkdir()
    handler = type('Handler', (_Handler,), {})
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.root = root
    server.handler = handler
    server.url = 'http://127.0.0.1:%d/' % server.server_address[1]
    yield server
    server.shutdown()
    server.server_close()


def md5_of(path):
    return hashlib.md5(open(path, 'rb').read()).hexdigest()


def test_imdb_download_checks_md5_and_happens_once(http_server, data_cache, monkeypatch):
    tarball = make_imdb_tarball(str(http_server.root / 'aclImdb_v1.tar.gz'))
    url = http_server.url + 'aclImdb_v1.tar.gz'
    path = datasets.download_imdb(url, md5_of(tarball))
    assert md5_of(path) == md5_of(tarball)
    os.remove(tarball)  # a second call must not download again
    assert datasets.download_imdb(url, md5_of(path)) == path
    monkeypatch.setattr(datasets, 'IMDB_URL', url)
    monkeypatch.setattr(datasets, 'IMDB_MD5', md5_of(path))
    assert as_rows(data_utils.load_movie_data()) == expected_movie_rows()


def test_imdb_download_with_wrong_md5_leaves_nothing(http_server, data_cache):
    make_imdb_tarball(str(http_server.root / 'aclImdb_v1.tar.gz'))
    with pytest.raises(DataError, match='corrupt or incomplete'):
        datasets.download_imdb(http_server.url + 'aclImdb_v1.tar.gz', '0' * 32)
    assert os.listdir(str(data_cache)) == []


def test_truncated_download_leaves_nothing(http_server, data_cache):
    tarball = make_imdb_tarball(str(http_server.root / 'aclImdb_v1.tar.gz'))
    http_server.handler.truncate = True
    with pytest.raises(DataError, match='could not download|corrupt or incomplete'):
        datasets.download_imdb(http_server.url + 'aclImdb_v1.tar.gz', md5_of(tarball))
    assert os.listdir(str(data_cache)) == []


def test_missing_url_gives_clear_error(http_server, data_cache):
    with pytest.raises(DataError, match='could not download'):
        datasets.download_hamlet(http_server.url + 'nothing.txt')
    assert os.listdir(str(data_cache)) == []


def test_imdb_download_failure_says_what_to_get_and_where_to_put_it(http_server, data_cache):
    url = http_server.url + 'aclImdb_v1.tar.gz'  # not served: 404
    with pytest.raises(DataError) as e:
        datasets.download_imdb(url)
    assert re.fullmatch(re.escape(
        'could not download aclImdb_v1.tar.gz (84,125,825 bytes, MD5 7c2ac02c03563afcf9b574c7e56c153a) '
        'from %s (' % url) + r'[^()]*not found' + re.escape(
        '): put a copy at %s, or give one with --data' % os.path.join(str(data_cache), 'aclImdb_v1.tar.gz')),
        str(e.value), re.I), str(e.value)
    assert os.listdir(str(data_cache)) == []


# ---------------------------------------------------------------------------
# Hamlet
# ---------------------------------------------------------------------------

PLAY = 'The Tragedie of Hamlet\n\nActus Primus. Scoena Prima.\n\nEnter Barnardo.\n\n   Bar. Who\'s there?\n'
BOOK_STYLE = '***The Project Gutenberg\'s Etext***\nThe Tragedie of Hamlet is in the title.\n\n' + PLAY
TODAY_STYLE = ('\ufeffThe Project Gutenberg eBook of Hamlet\n\n*** START OF THE PROJECT GUTENBERG EBOOK '
               'HAMLET ***\n\nSome notes.\n\n' + PLAY + '\n\n\n*** END OF THE PROJECT GUTENBERG EBOOK '
               'HAMLET ***\n\nLicense text.\n')


@pytest.mark.parametrize('raw', [BOOK_STYLE, TODAY_STYLE])
def test_hamlet_header_and_footer_are_cut(tmp_path, raw):
    path = tmp_path / 'pg2265.txt'
    path.write_text(raw, encoding='utf-8')
    assert data_utils.load_hamlet(str(path)) == (PLAY.rstrip() if raw is TODAY_STYLE else PLAY)


def test_hamlet_download_once(http_server, data_cache):
    (http_server.root / 'pg2265.txt').write_text(TODAY_STYLE, encoding='utf-8')
    path = datasets.download_hamlet(http_server.url + 'pg2265.txt')
    os.remove(str(http_server.root / 'pg2265.txt'))
    assert datasets.download_hamlet(http_server.url + 'pg2265.txt') == path
    assert data_utils.load_hamlet(path) == PLAY.rstrip()


def test_hamlet_download_of_something_else_is_refused(http_server, data_cache):
    (http_server.root / 'pg2265.txt').write_text('<html>Not found</html>', encoding='utf-8')
    with pytest.raises(DataError, match='not the Hamlet text'):
        datasets.download_hamlet(http_server.url + 'pg2265.txt')
    assert os.listdir(str(data_cache)) == []


@pytest.mark.parametrize('content, message', [
    (b'caf\xe9 au lait', 'not UTF-8'), (b'', 'holds no text'), (None, 'does not exist'),
    (b'ab\x00cd' * 10, 'holds NUL bytes'), (b'*** START OF THE PROJECT GUTENBERG EBOOK X ***\nab', 'truncated')])
def test_bad_text_files(tmp_path, content, message):
    path = tmp_path / 'text.txt'
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        data_utils.load_hamlet(str(path))


def test_model_config_round_trip_and_errors(tmp_path):
    model_files.save_model_config(str(tmp_path), 'CharRNN', {'lstm_size': 8}, ['a', 'b'])
    assert model_files.load_model_config(str(tmp_path), 'CharRNN') == ({'lstm_size': 8}, ['a', 'b'])
    assert [p.name for p in tmp_path.iterdir()] == ['model_config.json']
    with pytest.raises(DataError, match='holds a CharRNN model, not a SentimentRNN'):
        model_files.load_model_config(str(tmp_path), 'SentimentRNN')
    (tmp_path / 'model_config.json').write_text('{"model": "Char')
    with pytest.raises(DataError, match='corrupt'):
        model_files.load_model_config(str(tmp_path), 'CharRNN')
    with pytest.raises(DataError, match='no saved model'):
        model_files.load_model_config(str(tmp_path / 'none'), 'CharRNN')


