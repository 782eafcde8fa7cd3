"""The data files (not on the slides): the book assumes movie_data.csv and pg2265.txt on disk; here they come
from the official sources or a copy the user names, downloaded once with a progress bar, checked and cached,
so that a missing, truncated or wrong file is one line saying which and what to do."""
import contextlib
import hashlib
import json
import os
import pathlib
import re
import sys
import tarfile
import urllib.request
import zlib

import numpy as np
import pandas as pd
import pyprind

from beyond_slides.errors import DataError
from beyond_slides.files import atomic_write_text, read_json
from beyond_slides.settings import SHIPPED_HAMLET, data_dir

# A local copy of the IMDb data (tarball, aclImdb/ folder or CSV), used wherever no source is given.
IMDB_COPY_VARIABLE = 'RNN_IMDB_DATA'
IMDB_URL = 'https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz'
IMDB_MD5 = '7c2ac02c03563afcf9b574c7e56c153a'
IMDB_SIZE = '84,125,825'
HAMLET_URL = 'https://www.gutenberg.org/cache/epub/2265/pg2265.txt'
# Seconds a download waits for a server that has gone silent before it fails with its error.
SILENCE_LIMIT = 60

# The book's own pg2265.txt: the play starts at character 15858.
HAMLET_START = re.compile(r'The Tragedie of Hamlet\s+Actus Primus')
GUTENBERG_START = re.compile(r'\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG[^\n]*\n')
GUTENBERG_END = re.compile(r'\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG')
# The reviews: <split>/<label>/<name>.txt, in the book's order.
IMDB_FOLDERS = [(s, l) for s in ('test', 'train') for l in ('pos', 'neg')]


def md5sum(path):
    h = hashlib.md5()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):  # pragma: no mutate: f.read(None) or blocks of 2 MiB instead of 1 MiB: the same MD5 (None: more memory)
            h.update(block)
    return h.hexdigest()


@contextlib.contextmanager
def _progress_bar(steps, title):
    """A pyprind bar on stderr; work that fails part way ends its line, so that the error starts a line."""
    pbar = pyprind.ProgBar(steps, title=title, stream=sys.stderr)
    try:
        yield pbar
    except Exception:  # not Ctrl-C: the commands' "interrupted" starts a line of its own
        if pbar.active and pbar.last_progress:  # drawn, not full: pyprind ends the line only when full
            pbar._stream_out('\n')  # pyprind's writer: a no-op where it draws nothing (no file number)
        raise


def download(url, fname, check, about='', by_hand='{data}'):
    """url into the data cache once, with a progress bar: its path. Renamed from its temporary name only once
    check(path) passed: an interrupted or corrupt download is never taken for good data. about (size, checksum)
    and by_hand (how to give a copy: a setting of errors.py) go into the error saying how to get it by hand."""
    path = os.path.join(data_dir(), fname)
    if os.path.exists(path):
        return path
    os.makedirs(data_dir(), exist_ok=True)
    part = path + '.part'  # pragma: no mutate: the temporary file's name, renamed or removed before download() returns
    try:
        try:
            _fetch(url, part)
        except Exception as e:
            reason = getattr(e, 'reason', None) or e
            # from None: the reason is in the message; urllib's chain of causes would bury its last line.
            raise DataError('could not download %s%s from %s (%s): put a copy at %s, or give one as %s'
                            % (fname, ' (%s)' % about if about else '', url, reason, path, by_hand)) from None
        check(part)
        os.replace(part, path)
    finally:  # failed, refused or stopped (Ctrl-C): no part file left
        if os.path.exists(part):
            os.remove(part)
    return path


def _fetch(url, path):
    """url into path, with a bar on stderr; fewer bytes than announced is an error (urllib's read() says nothing)."""
    with urllib.request.urlopen(url, timeout=SILENCE_LIMIT) as response, open(path, 'wb') as out:
        size = int(response.headers.get(
            'Content-Length',  # pragma: no mutate: HTTP header names are case-insensitive (http.client's message)
        ) or 0)
        with _progress_bar(size, 'Downloading %s' % url) if size else contextlib.nullcontext() as pbar:
            for block in iter(lambda: response.read(1 << 20), b''):  # pragma: no mutate: blocks of 2 MiB instead of 1 MiB: the same bytes
                out.write(block)
                if pbar:
                    pbar.update(min(len(block), pbar.max_iter - pbar.cnt))  # pragma: no mutate: http.client reads no more than Content-Length, so the min() is len(block) either way
            if size and out.tell() != size:
                raise OSError('the connection closed after %d of %d bytes' % (out.tell(), size))


def download_imdb(url=IMDB_URL, md5=IMDB_MD5):
    """The official aclImdb_v1.tar.gz in the data cache, downloaded and MD5-checked once."""
    def check(path):
        found = md5sum(path)
        if found != md5:
            raise DataError('download of %s is corrupt or incomplete (MD5 %s, expected %s); '
                            'run again to retry' % (url, found, md5))
    return download(url, 'aclImdb_v1.tar.gz', check, about='%s bytes, MD5 %s' % (IMDB_SIZE, md5),
                    by_hand='{data} or in the environment variable %s' % IMDB_COPY_VARIABLE)


def movie_data_csv(source=None):
    """The path of the slides' movie_data.csv, built the book's way when needed. source: the aclImdb tarball, an
    extracted aclImdb/ folder or a movie_data.csv; None: $RNN_IMDB_DATA if set, else the official tarball,
    downloaded once. A CSV built from a tarball or folder is cached, and built again when the source changes."""
    if source is None and os.environ.get(IMDB_COPY_VARIABLE):
        try:
            return movie_data_csv(os.environ[IMDB_COPY_VARIABLE])
        except DataError as e:  # the user typed no path, and must know where to correct it
            raise DataError('%s (this path came from the environment variable %s: correct it, or unset it '
                            'to download the data)' % (e.args[0], IMDB_COPY_VARIABLE)) from e
    if source is None:
        source = download_imdb()
    source = os.path.abspath(os.path.expanduser(source))
    if not os.path.exists(source):
        raise DataError('%s does not exist (give the aclImdb tarball, aclImdb/ folder or movie_data.csv)' % source)
    if os.path.isfile(source) and source.endswith('.csv'):
        return source
    csv_path = cached_movie_data_path()
    stamp_path = csv_path + '.source.json'  # pragma: no mutate: another name of the source stamp beside the cached CSV, which this function alone writes and reads
    st = os.stat(source)
    stamp = {'source': source, 'size': st.st_size, 'mtime': st.st_mtime}  # pragma: no mutate: the stamp's keys are written and compared by the same code, never shown
    if not (os.path.exists(csv_path) and read_json(stamp_path) == stamp):
        df = build_movie_data(source)
        atomic_write_text(csv_path, df.to_csv(index=False))  # pragma: no mutate: to_csv(index=None): pandas writes no index for a false value, as for False
        atomic_write_text(stamp_path, json.dumps(stamp))
    return csv_path


def cached_movie_data_path():
    """Where load_movie_data() keeps the movie_data.csv it builds from a tarball or folder."""
    return os.path.join(data_dir(), 'movie_data.csv')


@contextlib.contextmanager
def _readable(path):
    """A file under path that the user may not read: one line that names it and the fix."""
    try:
        yield
    except PermissionError as e:
        name = e.filename or path
        raise DataError('%s cannot be read (permission denied): make it readable (%s) or give a copy you '
                        'can read' % (name, 'chmod u+rx' if os.path.isdir(name) else 'chmod u+r')) from e


def build_movie_data(source):
    """The book's recipe: test then train, pos then neg, files in sorted order, label 1 for pos, then a
    permutation drawn with np.random.seed(0)."""
    with _readable(source):
        files = _read_imdb_tarball(source) if os.path.isfile(source) else _read_imdb_folder(source)
    rows = []
    for s, l in IMDB_FOLDERS:
        names = sorted(n for (s_, l_, n) in files if s_ == s and l_ == l)
        if not names:
            raise DataError('%s has no reviews in aclImdb/%s/%s: it is not the IMDb data set '
                            '(expected the aclImdb_v1.tar.gz layout)' % (source, s, l))
        rows += [[files[(s, l, name)], int(l == 'pos')] for name in names]
    df = pd.DataFrame(rows, columns=['review', 'sentiment'])
    np.random.seed(0)
    return df.reindex(np.random.permutation(df.index))


def _read_imdb_tarball(path):
    files = {}
    size = os.path.getsize(path)
    with open(path, 'rb') as f:
        if f.read(2) != b'\x1f\x8b':  # gzip's magic number
            raise DataError('%s is not a tar.gz archive (nor a .csv file): give the aclImdb tarball, '
                            'an extracted aclImdb/ folder or movie_data.csv' % path)
    try:
        with _progress_bar(size, 'Reading %s' % os.path.basename(path)) as pbar, open(path, 'rb') as raw, \
                tarfile.open(fileobj=raw) as tar:
            for member in tar:
                # (split, label, name) under any top folder or none (docs/usage.md, "Where things go")
                key = tuple(member.name.split('/')[-3:])
                if member.isfile() and key[:-1] in IMDB_FOLDERS and key[-1].endswith('.txt'):
                    files[key] = _decode_review(tar.extractfile(member).read(), path, member.name)
                if raw.tell() > pbar.cnt:
                    pbar.update(raw.tell() - pbar.cnt)
            if pbar.cnt < size:
                pbar.update(size - pbar.cnt)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise DataError('%s is not a readable tar.gz archive (%s): it may be truncated; '
                        'download it again' % (path, str(e).splitlines()[0].rstrip(':'))) from e
    return files


def _read_imdb_folder(path):
    root = os.path.join(path, 'aclImdb') if os.path.isdir(os.path.join(path, 'aclImdb')) else path
    keys = []
    for s, l in IMDB_FOLDERS:
        if not os.path.isdir(os.path.join(root, s, l)):
            raise DataError('%s has no %s/%s folder: give the extracted aclImdb/ folder, '
                            'its tarball or movie_data.csv' % (path, s, l))
        keys += [(s, l, n) for n in os.listdir(os.path.join(root, s, l)) if n.endswith('.txt')]
    files = {}
    with _progress_bar(max(len(keys), 1), 'Reading %s' % root) as pbar:
        for key in keys:
            files[key] = _decode_review(pathlib.Path(root, *key).read_bytes(), path, os.path.join(*key))
            pbar.update()
    return files


def _decode_review(raw, source, name):
    try:
        text = raw.decode('utf-8')  # pragma: no mutate: codec names are case-insensitive
    except UnicodeDecodeError as e:
        raise DataError('%s: %s is not UTF-8 text (%s)' % (source, name, e.reason)) from e
    # The book opens each file in text mode, which turns \r\n and \r into \n.
    return text.replace('\r\n', '\n').replace('\r', '\n')


def read_movie_csv(path):
    try:
        with _readable(path):
            df = pd.read_csv(path, encoding='utf-8')  # pragma: no mutate: pandas reads UTF-8 when no encoding is given; codec names are case-insensitive: 'UTF-8' is 'utf-8'
    except UnicodeDecodeError as e:
        raise DataError('%s is not UTF-8 text' % path) from e
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        raise DataError('%s is not a readable CSV file (%s)' % (path, str(e).splitlines()[0])) from e
    if not {'review', 'sentiment'} <= set(df.columns):
        raise DataError('%s needs the columns review and sentiment (found: %s)'
                        % (path, ', '.join(map(str, df.columns)) or 'none'))
    if len(df) == 0:
        raise DataError('%s holds no reviews' % path)
    # pandas reads an empty review as NaN; as objects first: a column of empty reviews only is float,
    # which pandas will stop filling with text
    df['review'] = df['review'].astype(object).fillna('').astype(str)
    if not df['sentiment'].isin([0, 1]).all():
        raise DataError('%s: the sentiment column must hold only 0 and 1' % path)
    return df


def download_hamlet(url=HAMLET_URL):
    """pg2265.txt in the data cache, downloaded once and checked to be Hamlet."""
    def check(path):
        if not HAMLET_START.search(_read_text(path, url)):
            raise DataError('download of %s is not the Hamlet text (no "The Tragedie of Hamlet ... '
                            'Actus Primus"); run again to retry' % url)
    return download(url, 'pg2265.txt', check, about='Hamlet, 178,707 bytes in the book\'s release',
                    by_hand='{text}')


def hamlet_text(source=None):
    """The whole text of source (None: the shipped pg2265.txt, else downloaded once), checked to be usable text."""
    if source is None:
        source = SHIPPED_HAMLET if os.path.isfile(SHIPPED_HAMLET) else download_hamlet()
    if not os.path.exists(source):
        raise DataError('%s does not exist (give a UTF-8 text such as pg2265.txt)' % source)
    if not os.path.isfile(source):
        raise DataError('%s is a folder, not a text file (give a UTF-8 text such as pg2265.txt)' % source)
    text = _read_text(source)
    if '\x00' in text:
        raise DataError('%s is not a text file (it holds NUL bytes): give a UTF-8 text such as '
                        'pg2265.txt' % source)
    if GUTENBERG_START.search(text) and not GUTENBERG_END.search(text):
        raise DataError('%s has Project Gutenberg\'s start line but not its end line: it is truncated; '
                        'download it again' % source)
    if not cut_gutenberg(text).strip():
        raise DataError('%s holds no text to train on' % source)
    return text


def cut_gutenberg(text):
    """The play from "The Tragedie of Hamlet" on, without footer (for the book's pg2265.txt exactly the
    slides' text[15858:]); any other text whole, less a Project Gutenberg header and footer."""
    end = GUTENBERG_END.search(text)
    if end:
        text = text[:end.start()].rstrip()
    start = HAMLET_START.search(text) or GUTENBERG_START.search(text)
    if start:
        text = text[start.start() if start.re is HAMLET_START else start.end():]
    return text


def _read_text(path, name=None):
    try:
        with _readable(path):
            text = pathlib.Path(path).read_bytes().decode('utf-8')  # pragma: no mutate: codec names are case-insensitive
    except UnicodeDecodeError as e:
        raise DataError('%s is not UTF-8 text (byte %d): save it as UTF-8' % (name or path, e.start)) from e
    return text.lstrip('\ufeff')  # today's Gutenberg files start with a byte-order mark
