"""The stream's text form: the Lark grammars ``stream_v1.lark`` (one pipeline run) and ``stream_v2.lark`` (the
whole program), their readers, writers, JSON export (version 1) and JSON Lines with a schema (version 2).

``str(stream)`` writes a stream (each :class:`~magicpipe.lattice.stream.Instruction`'s ``str`` is its line);
:func:`parse` reads one back, equal to the original; :func:`write_schedule` lays a schedule out and writes its
stream lazily (a generator, never the whole stream in memory), :func:`write_checked_stream` also checks it;
:func:`to_json` exports it. The format is specified in ``README.md`` next to the grammar.
"""

from magicpipe.grammar.checked import write_checked_stream
from magicpipe.grammar.jsonio import dumps, from_json, loads, to_json
from magicpipe.grammar.parser import GRAMMAR_FILE, parse, parse_file
from magicpipe.grammar.writer import STREAM_FILE, write_lines, write_schedule, write_stream
from magicpipe.grammar.parser2 import open_program, parse_program, read_program, stream_version
from magicpipe.grammar.jsonl import from_jsonl, schema, to_jsonl
from magicpipe.grammar.writer2 import write_program

__all__ = ["GRAMMAR_FILE", "STREAM_FILE", "dumps", "from_json", "loads", "parse", "parse_file", "to_json",
           "write_checked_stream", "write_lines", "write_schedule", "write_stream",
           # format 2
           "open_program", "parse_program", "read_program", "stream_version", "from_jsonl", "schema", "to_jsonl",
           "write_program"]
