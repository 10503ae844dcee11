"""Reading one JSON setting as the type it must have, with the messages the
Rust policy's JSON library gives for a value of the wrong type ("invalid
type: string \"high\", expected f64"), so both policies refuse settings in
the same words. JSON null reads as "not given" (None) for every type.
"""

from decimal import Decimal


class TypeMismatch(Exception):
    """A JSON value of the wrong type for its setting."""


def read_float(value):
    """A JSON number as a float (the Rust `f64`)."""
    if value is None or _is_number(value):
        return None if value is None else float(value)
    raise TypeMismatch(f"invalid type: {unexpected(value)}, expected f64")


def read_unsigned(value):
    """A JSON integer 0..2^64 (the Rust `u64`)."""
    if value is None or (_is_integer(value) and 0 <= value < 1 << 64):
        return value
    if _is_integer(value) and value < 0 and value >= -(1 << 63):
        raise TypeMismatch(f"invalid value: integer `{value}`, expected u64")
    raise TypeMismatch(f"invalid type: {unexpected(value)}, expected u64")


def read_bool(value):
    """A JSON boolean."""
    if value is None or isinstance(value, bool):
        return value
    raise TypeMismatch(f"invalid type: {unexpected(value)}, expected a boolean")


def read_strings(value):
    """A JSON list of strings."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise TypeMismatch(f"invalid type: {unexpected(value)}, expected a sequence")
    for item in value:
        if not isinstance(item, str):
            raise TypeMismatch(f"invalid type: {unexpected(item)}, expected a string")
    return value


def rust_float(value):
    """`value` as Rust's `{}` writes an f64: the shortest digits that read
    back, never an exponent, no ".0" on whole numbers (1.5, 1, -1, 0.0001)."""
    text = format(Decimal(repr(float(value))), "f")
    return text[:-2] if text.endswith(".0") else text


def _is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def unexpected(value):
    """How the Rust JSON library names an unexpected value (`string \"x\"`)."""
    if isinstance(value, bool):
        return f"boolean `{'true' if value else 'false'}`"
    if _is_integer(value) and -(1 << 63) <= value < 1 << 64:
        return f"integer `{value}`"
    if _is_number(value):
        text = rust_float(value)
        return f"floating point `{text if '.' in text else text + '.0'}`"
    if isinstance(value, str):
        return f"string {_rust_debug(value)}"
    if isinstance(value, list):
        return "sequence"
    if isinstance(value, dict):
        return "map"
    return "null"


def _rust_debug(text):
    """`text` quoted and escaped as Rust's `{:?}` writes a string."""
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
