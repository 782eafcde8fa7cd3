"""Downloads (beyond_slides/datasets.py), for real, from a local HTTP server: the IMDb tarball and
Hamlet checked and cached once, failures that say how to get the file by hand, a download failed,
stopped or silent part way leaving nothing; and where the data cache and the model folders are."""
import functools
import hashlib
import http.server
import os
import re
import socket
import threading

import pytest

import data_utils
from beyond_slides import datasets, settings
from beyond_slides.errors import DataError
from conftest import ROOT
from data_helpers import make_imdb_tarball
from data_texts import PLAY, TODAY_STYLE, as_rows, expected_movie_rows


# ---------------------------------------------------------------------------
# Where the data cache and the model folders are
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('rnn_data_dir, xdg_cache_home, expected', [
    ('{tmp}/mine', '{tmp}/xdg', '{tmp}/mine'),
    ('', '{tmp}/xdg', '{tmp}/xdg/rnn-lecture'),
    ('', '', '{tmp}/home/.cache/rnn-lecture'),
], ids=['RNN_DATA_DIR', 'XDG_CACHE_HOME', 'home'])
def test_the_data_cache_is_rnn_data_dir_else_the_users_cache_folder(tmp_path, monkeypatch, rnn_data_dir,
                                                                      xdg_cache_home, expected):
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    monkeypatch.setenv('RNN_DATA_DIR', rnn_data_dir.format(tmp=tmp_path))
    monkeypatch.setenv('XDG_CACHE_HOME', xdg_cache_home.format(tmp=tmp_path))
    assert settings.data_dir() == expected.format(tmp=tmp_path)


def test_the_model_folders_are_in_the_repositorys_models_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # wherever the command runs from
    assert settings.default_model_dir('char_rnn') == os.path.join(ROOT, 'models', 'char_rnn')


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
    # the name the book downloads and the error tells to copy the file to
    assert path == os.path.join(str(data_cache), 'aclImdb_v1.tar.gz')
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


def test_imdb_download_failure_says_what_to_get_and_where_to_put_it(http_server, data_cache):
    url = http_server.url + 'aclImdb_v1.tar.gz'  # not served: 404
    with pytest.raises(DataError) as e:
        datasets.download_imdb(url)
    assert re.fullmatch(re.escape(
        'could not download aclImdb_v1.tar.gz (84,125,825 bytes, MD5 7c2ac02c03563afcf9b574c7e56c153a) '
        'from %s (File not found' % url) + re.escape(
        '): put a copy at %s, or give one as load_movie_data(source=PATH) or in the environment variable '
        'RNN_IMDB_DATA' % os.path.join(str(data_cache), 'aclImdb_v1.tar.gz')), str(e.value)), str(e.value)
    assert e.value.__cause__ is None and e.value.__suppress_context__  # one error, not urllib's chain
    assert e.value.command_line().endswith('or give one as --data PATH or in the environment variable '
                                           'RNN_IMDB_DATA')
    assert os.listdir(str(data_cache)) == []


def test_hamlet_download_once(http_server, data_cache):
    (http_server.root / 'pg2265.txt').write_text(TODAY_STYLE, encoding='utf-8')
    path = datasets.download_hamlet(http_server.url + 'pg2265.txt')
    os.remove(str(http_server.root / 'pg2265.txt'))
    assert datasets.download_hamlet(http_server.url + 'pg2265.txt') == path
    assert data_utils.load_hamlet(path) == PLAY.rstrip()


def test_hamlet_download_failure_says_what_to_get_and_where_to_put_it(http_server, data_cache):
    url = http_server.url + 'pg2265.txt'  # not served: 404
    with pytest.raises(DataError) as e:
        datasets.download_hamlet(url)
    assert str(e.value) == (
        "could not download pg2265.txt (Hamlet, 178,707 bytes in the book's release) from %s (File not found): "
        'put a copy at %s, or give one as load_hamlet(source=PATH)' % (url, os.path.join(str(data_cache), 'pg2265.txt')))
    assert e.value.command_line().endswith('or give one as --data PATH')
    assert os.listdir(str(data_cache)) == []


def test_hamlet_download_not_in_utf8_names_the_url(http_server, data_cache):
    (http_server.root / 'pg2265.txt').write_bytes(TODAY_STYLE.encode('utf-8') + 'caf\xe9'.encode('latin-1'))
    url = http_server.url + 'pg2265.txt'
    with pytest.raises(DataError, match=re.escape(url) + r' is not UTF-8 text \(byte \d+\)'):
        datasets.download_hamlet(url)
    assert os.listdir(str(data_cache)) == []


def test_a_second_download_goes_into_the_cache_the_first_made(http_server, data_cache):
    for name in ('one.bin', 'two.bin'):
        (http_server.root / name).write_bytes(name.encode())
        datasets.download(http_server.url + name, name, check=lambda path: None)
    assert sorted(os.listdir(str(data_cache))) == ['one.bin', 'two.bin']


def test_hamlet_download_of_something_else_is_refused(http_server, data_cache):
    (http_server.root / 'pg2265.txt').write_text('<html>Not found</html>', encoding='utf-8')
    with pytest.raises(DataError, match='not the Hamlet text'):
        datasets.download_hamlet(http_server.url + 'pg2265.txt')
    assert os.listdir(str(data_cache)) == []


# ---------------------------------------------------------------------------
# A download that fails, or is stopped, after its first block
# ---------------------------------------------------------------------------

BLOCK = 1 << 20  # what _fetch reads at a time


class _CutAfterFirstBlock(_Handler):
    """Serves the file's size, then only its first block and a little more: the download fails
    after writing its first block."""

    def copyfile(self, source, outputfile):
        outputfile.write(source.read()[:BLOCK + 10])


def test_a_download_failing_after_its_first_block_leaves_no_part_file(http_server, data_cache, capfd):
    (http_server.root / 'big.bin').write_bytes(os.urandom(3 * BLOCK))
    http_server.handler.copyfile = _CutAfterFirstBlock.copyfile
    with pytest.raises(DataError) as e:
        datasets.download(http_server.url + 'big.bin', 'big.bin', check=lambda path: None)
    bar = capfd.readouterr().err.split('\n')[-2]
    assert '#' in bar, bar  # a third drawn, and its line ended for the error to come
    # without about= and by_hand=: no size or checksum, and the Python argument for a data copy
    assert re.fullmatch(re.escape('could not download big.bin from %sbig.bin (' % http_server.url) + r'[^()]+'
                        + re.escape('): put a copy at %s, or give one as load_movie_data(source=PATH)'
                                    % os.path.join(str(data_cache), 'big.bin')), str(e.value)), str(e.value)
    assert os.listdir(str(data_cache)) == []


def test_a_download_stopped_after_its_first_block_leaves_no_part_file(http_server, data_cache, monkeypatch):
    (http_server.root / 'big.bin').write_bytes(os.urandom(3 * BLOCK))
    blocks = []

    def update(self, *args, **kwargs):  # the progress bar after each block: Ctrl-C after the first
        blocks.append(1)
        raise KeyboardInterrupt
    monkeypatch.setattr(datasets.pyprind.ProgBar, 'update', update)
    with pytest.raises(KeyboardInterrupt):
        datasets.download(http_server.url + 'big.bin', 'big.bin', check=lambda path: None)
    assert blocks == [1] and os.listdir(str(data_cache)) == []


def test_a_download_of_several_blocks_is_whole_and_shows_its_progress(http_server, data_cache, capfd):
    data = os.urandom(2 * BLOCK + 12345)
    (http_server.root / 'big.bin').write_bytes(data)
    path = datasets.download(http_server.url + 'big.bin', 'big.bin', check=lambda path: None)
    assert open(path, 'rb').read() == data
    err = capfd.readouterr().err  # capfd: pyprind writes nothing where sys.stdout has no file number
    assert err.splitlines()[0] == 'Downloading %sbig.bin' % http_server.url and 'Total time elapsed' in err, err  # the bar full


class _NoSize(_Handler):
    """Sends the file without a Content-Length: the end of the connection ends it (HTTP/1.0)."""

    def send_header(self, keyword, value):
        if keyword.lower() != 'content-length':
            http.server.SimpleHTTPRequestHandler.send_header(self, keyword, value)


def test_a_download_without_a_size_is_whole_and_draws_no_bar(http_server, data_cache, capfd):
    data = os.urandom(BLOCK + 7)
    (http_server.root / 'big.bin').write_bytes(data)
    http_server.handler.send_header = _NoSize.send_header
    path = datasets.download(http_server.url + 'big.bin', 'big.bin', check=lambda path: None)
    assert open(path, 'rb').read() == data
    assert '%' not in capfd.readouterr().err  # no size, no share of it to show


def test_a_download_of_one_byte_shows_it_whole(http_server, data_cache, capfd):
    (http_server.root / 'one.bin').write_bytes(b'x')
    datasets.download(http_server.url + 'one.bin', 'one.bin', check=lambda path: None)
    assert 'Total time elapsed' in capfd.readouterr().err  # the bar full


def test_a_silent_server_ends_in_the_download_error(data_cache, monkeypatch):
    monkeypatch.setattr(datasets, 'SILENCE_LIMIT', 0.5)
    errors = []

    def fetch(port):
        try:
            datasets.download('http://127.0.0.1:%d/big.bin' % port, 'big.bin', check=lambda path: None)
        except DataError as e:
            errors.append(str(e))
    with socket.socket() as server:  # takes the connection, then says nothing
        server.bind(('127.0.0.1', 0))
        server.listen(1)
        client = threading.Thread(target=fetch, args=(server.getsockname()[1],), daemon=True)
        client.start()
        client.join(10)  # a download that waits for ever is still running here
        assert not client.is_alive(), 'the download still waits for the silent server'
    assert len(errors) == 1 and 'could not download big.bin' in errors[0] and 'timed out' in errors[0], errors
    assert os.listdir(str(data_cache)) == []


# ---------------------------------------------------------------------------
# The download's checks just past their limits: one byte short of the announced size, an MD5 off
# in its last digit (a download of the whole size with the right MD5 is accepted above)
# ---------------------------------------------------------------------------

class _OneByteShort(_Handler):
    """Announces the file's whole size, then sends all of it but its last byte."""

    def copyfile(self, source, outputfile):
        outputfile.write(source.read()[:-1])


def test_a_download_one_byte_short_of_its_announced_size_is_refused(http_server, data_cache):
    (http_server.root / 'f.bin').write_bytes(b'0123456789')
    http_server.handler.copyfile = _OneByteShort.copyfile
    with pytest.raises(DataError, match=re.escape('(the connection closed after 9 of 10 bytes)')):
        datasets.download(http_server.url + 'f.bin', 'f.bin', check=lambda path: None)  # no check to catch it
    assert os.listdir(str(data_cache)) == []


def test_an_md5_off_in_its_last_digit_is_refused(http_server, data_cache):
    tarball = make_imdb_tarball(str(http_server.root / 'aclImdb_v1.tar.gz'))
    right = md5_of(tarball)
    wrong = right[:-1] + ('0' if right[-1] != '0' else '1')
    with pytest.raises(DataError, match='corrupt or incomplete'):
        datasets.download_imdb(http_server.url + 'aclImdb_v1.tar.gz', wrong)
    assert os.listdir(str(data_cache)) == []
