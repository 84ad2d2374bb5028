"""Markdown sheets: a YAML header between `---` lines (line numbers kept for errors), then the body."""
from __future__ import annotations

from typing import Any

import yaml

from .sheets import (Entry, Sheet, Where, build, check_text, hint, invalid, kind_of, kind_of_en, known_keys, lang_tag, split_key)


class _Loader(yaml.SafeLoader):
    """The safe loader without aliases (no "billion laughs", no recursive values) and without implicit
    timestamps (dates stay text, checked here with their line)."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "alias (*…) not allowed", mark)
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def parse_markdown(text: str, name: str) -> Sheet:
    """One practice: a YAML header between `---` lines, then the Markdown body (the `body` in `lang`)."""
    text = text.removeprefix("\ufeff")
    check_text(text, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    where = Where(name, 1)  # what no key locates (a missing title) is reported on the header's first line
    if not text.strip():
        raise invalid(name, None, None, "fichier vide.", "empty file.")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise invalid(name, 1, None, "en-tête manquant : la fiche doit commencer par une ligne « --- », suivie de "
                      "l'en-tête YAML, puis d'une autre ligne « --- ».",
                      "missing header: the sheet must start with a '---' line, then the YAML header, then another "
                      "'---' line.")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise invalid(name, 1, None, "en-tête non terminé : aucune ligne « --- » ne le ferme.",
                      "unterminated header: no '---' line closes it.")
    node, data = load_yaml("\n".join(lines[1:end]), name, first_line=2)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise invalid(name, 2, None,
                      f"l'en-tête doit être une liste de clés « clé: valeur », pas {kind_of(data)}.",
                      f"the header must be a list of 'key: value' pairs, not {kind_of_en(data)}.")
    entries = header_entries(node, data, name, first_line=2)
    body = "\n".join(lines[end + 1:]).strip()
    if body:  # in the header's `lang`; also given in the header → "given twice", from `build`
        lang = next((e.value for e in entries if e.key.strip().lower() == "lang"), None) or "fr"
        entries.append(Entry(f"body_{lang_tag(lang, where, 'lang')}", body, end + 2))
    return build(entries, where, name)


def load_yaml(text: str, name: str, first_line: int) -> tuple[Any, Any]:
    """The YAML header's node tree (for lines) and its value, with the safe loader only."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else None
        problem = " ".join(filter(None, (exc.context, exc.problem))) or str(exc)
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in problem:
            raise invalid(name, line, None,
                          f"balise YAML non admise (seules les valeurs simples le sont) — {problem}.",
                          f"YAML tag not allowed (plain values only) — {problem}.") from None
        if "alias" in problem:
            raise invalid(name, line, None, "les alias YAML (&…, *…) ne sont pas admis.",
                          "YAML aliases (&…, *…) are not allowed.") from None
        raise invalid(name, line, None, f"syntaxe YAML invalide dans l'en-tête — {problem}.",
                      f"invalid YAML syntax in the header — {problem}.") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise invalid(name, None, None, f"en-tête YAML illisible — {exc}.",
                      f"unreadable YAML header — {exc}.") from None
    finally:
        loader.dispose()
    return node, data


def header_entries(node: Any, data: dict, name: str, first_line: int) -> list[Entry]:
    """The header's keys, each with its line (and its items' lines); unknown and repeated keys refused."""
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value if node is not None else ():
        line = first_line + key_node.start_mark.line
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str) or split_key(key) is None:
            fr_hint, en_hint = hint(str(key).lower(), known_keys())
            raise invalid(name, line, str(key), f"clé inconnue « {key} ».{fr_hint}",
                          f"unknown key '{key}'.{en_hint}")
        if key.lower() in seen:
            raise invalid(name, line, key, f"clé répétée (déjà ligne {seen[key.lower()]}).",
                          f"repeated key (already line {seen[key.lower()]}).")
        seen[key.lower()] = line
        item_lines: dict[Any, int] = {}
        if isinstance(value_node, yaml.SequenceNode):
            item_lines = {i: first_line + n.start_mark.line for i, n in enumerate(value_node.value)}
        elif isinstance(value_node, yaml.MappingNode):
            item_lines = {k.value: first_line + k.start_mark.line for k, _ in value_node.value
                          if isinstance(k, yaml.ScalarNode)}
        entries.append(Entry(key, data.get(key), line, item_lines))
    return entries


def parse_bytes(data: bytes, name: str) -> list[Sheet]:
    """A file as uploaded: UTF-8 (BOM accepted); `.csv` → CSV, `.md`/`.markdown`/`.txt` → one Markdown sheet."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise invalid(name, line, None, "le fichier n'est pas en UTF-8 (enregistrez-le en UTF-8).",
                      "the file is not UTF-8 (save it as UTF-8).") from None
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "csv":
        from .sheets_csv import parse_csv

        return parse_csv(text, name)
    if suffix in ("md", "markdown", "txt"):
        return [parse_markdown(text, name)]
    raise invalid(name, None, None, f"extension « .{suffix} » inconnue : une fiche est un fichier .md ou .csv.",
                  f"unknown extension '.{suffix}': a sheet is a .md or .csv file.")
