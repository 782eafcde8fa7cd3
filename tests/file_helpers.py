"""Files as the tests compare them: snapshot(folder) to check that nothing changed, functions_in(path)
to compare code function by function."""
import ast
import os


def snapshot(folder):
    """{relative path: bytes} of every file under folder."""
    out = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, 'rb') as f:
                out[os.path.relpath(path, folder)] = f.read()
    return out


def functions_in(path):
    """{name: source lines} of the top-level functions and the classes' methods in a file;
    a name defined twice gets #1 and #2."""
    with open(path, encoding='utf-8') as f:
        source = f.read()
    lines = source.splitlines()
    found = {}

    def add(name, node):
        key = name
        if name in found or name + '#1' in found:
            if name in found:
                found[name + '#1'] = found.pop(name)
            key = name + '#2'
        found[key] = lines[node.lineno - 1:node.end_lineno]

    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            add(node.name, node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    add('%s.%s' % (node.name, item.name), item)
    return found
