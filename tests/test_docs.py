import importlib
import os
import re

from conftest import ROOT, slides_file

SLIDES_MAP = os.path.join(ROOT, 'docs', 'slides.md')


def map_rows():
    rows = []
    with open(SLIDES_MAP, encoding='utf-8') as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            if len(cells) == 3 and cells[0] not in ('Slide', '---'):
                rows.append(cells)
    return rows


def test_every_file_and_name_in_the_slide_map_exists():
    rows = map_rows()
    assert len(rows) >= 30
    for title, where, _ in rows:
        for part in where.split(';'):
            filename, names = part.split(':')
            filename = filename.strip()
            assert os.path.isfile(os.path.join(ROOT, filename)), (title, filename)
            module = importlib.import_module(filename[:-3].replace('/', '.'))
            for name in names.split(','):
                obj = module
                for attr in name.strip().split('.'):
                    assert hasattr(obj, attr), '%s: %s has no %s' % (title, filename, name)
                    obj = getattr(obj, attr)


def test_slide_map_follows_the_slides_order():
    """Each title's last words are found in the slides' text after the previous title's."""
    with open(slides_file('rnn-lecture-slides.md'), encoding='utf-8') as f:
        slides = f.read().lower().replace('\\', '')  # the PDF text escapes underscores
    position = 0
    for title, _, _ in map_rows():
        words = re.sub(r'\(hamlet\)', '', title.lower()).split()
        found = slides.find(' '.join(words[-3:]), position)
        assert found >= 0, 'slide %r not found after the previous one' % title
        position = found


def theory_rows():
    with open(SLIDES_MAP, encoding='utf-8') as f:
        text = f.read()
    table = text[text.index('## The theory slides'):text.index('## The code slides')]
    return [[c.strip() for c in line.strip().strip('|').split('|')] for line in table.splitlines()
            if line.startswith('| ') and not line.startswith(('| Theory slide', '| ---'))]


def test_every_theory_slide_has_its_notebook_section_and_its_code():
    import json
    from beyond_slides import deck, settings
    with open(settings.LECTURE_NOTEBOOK, encoding='utf-8') as f:
        headings = set(map(deck.heading, json.load(f)['cells'])) - {None}
    rows = theory_rows()
    assert len(rows) >= 12
    for title, sections, _, code in rows:
        for section in sections.split(';'):
            assert section.strip() in headings, (title, section)
        if code != '(the cell)':
            for part in code.split(';'):
                filename, names = part.split(':')
                module = importlib.import_module(filename.strip()[:-3].replace('/', '.'))
                for name in names.split(','):
                    assert hasattr(module, name.strip()), (title, filename, name)


DOCUMENTS = ['README.md', 'models/README.md'] + ['docs/' + n for n in sorted(os.listdir(os.path.join(ROOT, 'docs')))
                                                 if n.endswith('.md')]
LINK = re.compile(r'\]\(([^)\s]+)\)')
FILE_PATH = re.compile(r'`([\w.-]+(?:/[\w.-]+)*\.(?:py|md|ipynb|sh|txt))`')


def document(name):
    with open(os.path.join(ROOT, name), encoding='utf-8') as f:
        return f.read()


def test_every_relative_link_in_the_documents_resolves_in_a_clone():
    for name in DOCUMENTS:
        for target in LINK.findall(document(name)):
            if re.match(r'https?://', target) or target.startswith('#'):
                continue
            path = os.path.normpath(os.path.join(ROOT, os.path.dirname(name), target.split('#')[0]))
            assert path.startswith(ROOT + os.sep) and os.path.exists(path), (name, target)


def test_every_file_path_the_documents_name_is_in_the_clone():
    """Paths such as `beyond_slides/datasets.py` or `tests/test_book_script.py`, from the project's top."""
    for name in DOCUMENTS:
        for path in FILE_PATH.findall(document(name)):
            if '/' in path or os.path.exists(os.path.join(ROOT, path)):
                assert os.path.exists(os.path.join(ROOT, path)), (name, path)


def test_no_document_points_outside_the_clone():
    for name in DOCUMENTS:
        assert '../shared' not in document(name), name


def command_parsers():
    """Each command's option parser, as --help reads it (without TensorFlow)."""
    from beyond_slides import cli
    return {'sentiment_rnn.py': cli.sentiment_parser(), 'char_rnn.py': cli.char_parser()}


def option_table(command):
    """{option: default cell} of the table under docs/usage.md's heading `python COMMAND`."""
    text = document('docs/usage.md').split('## `python %s`' % command, 1)[1].split('\n## ', 1)[0]
    rows = [[c.strip() for c in line.strip('|').split('|')] for line in text.splitlines() if line.startswith('| `-')]
    return {row[0].strip('`').split()[0]: row[1] for row in rows}


def shown_default(parser, action):
    """What --help says after "(default: " for the option, or None."""
    found = re.search(r'\(default: (.*)\)$', parser._get_formatter()._expand_help(action), re.S)
    return found and found.group(1)


def test_every_option_table_in_usage_is_its_commands_help():
    for command, parser in command_parsers().items():
        table = option_table(command)
        options = {a.option_strings[-1]: a for a in parser._actions if a.option_strings[-1] != '--help'}
        assert sorted(table) == sorted(options), (command, set(table) ^ set(options))  # a row each, none else
        for option, cell in table.items():
            shown = shown_default(parser, options[option])
            quoted = re.findall('`([^`]+)`', cell)
            if shown is None:
                assert not quoted and not re.search(r'\d', cell), (command, option, cell)
            elif re.fullmatch(r'[\d.]+', shown.split(';')[0]):
                assert re.fullmatch(r'[\d.]+', cell) and float(cell) == float(shown.split(';')[0]), \
                    (command, option, cell, shown)
            else:  # a path or a text: each piece the table quotes is in the default --help shows
                shown = shown.replace(ROOT + os.sep, '')
                assert quoted and all(q in shown for q in quoted), (command, option, cell, shown)


def test_the_exercises_plan_adds_up():
    """The Plan's points total 100, its "all" row is the sum, and so are the subset's minutes and points."""
    text = document('docs/exercises.md').split('## Plan', 1)[1]
    rows = {cells[0]: (int(cells[1]), int(cells[2].split()[0])) for cells in
            ([c.strip() for c in line.strip('|').split('|')] for line in text.splitlines()
             if re.match(r'\| [\w ]+ \| \d+ \| \d+ min \|', line))}
    total = rows.pop('all')
    assert total[0] == 100 and total == tuple(map(sum, zip(*rows.values()))), total
    subset = re.search(r'\*\*A 60-minute subset\*\*[^:]*: (.*?), ([\d + ]+) = (\d+) minutes, (\d+) points', text, re.S)
    names = re.split(r', | and ', ' '.join(subset.group(1).split()))
    assert [rows[n][1] for n in names] == [int(m) for m in subset.group(2).split(' + ')], names
    assert (int(subset.group(4)), int(subset.group(3))) == tuple(map(sum, zip(*(rows[n] for n in names))))
