"""The import formats: one reader per source system, each in its own module.

`READERS[name](source, options)` streams the records of a file open for binary reading
(see `rosterd.bulk.records`); `OPTIONS[name]` names the options that format takes. A
reader checks its options when it is called and raises `OptionInvalid`; content it cannot
read at all raises `FileInvalid` while iterated; a bad record never stops it. Both are
`ReaderError`s, whose message is meant for the person running the import.
"""

from __future__ import annotations

from rosterd.bulk.formats import appwrite, auth0, firebase, generic_csv, supabase
from rosterd.bulk.formats.errors import FileInvalid, OptionInvalid, ReaderError
from rosterd.bulk.records import Reader

__all__ = ["OPTIONS", "READERS", "FileInvalid", "OptionInvalid", "ReaderError"]

READERS: dict[str, Reader] = {
    "firebase": firebase.read,
    "supabase": supabase.read,
    "auth0": auth0.read,
    "appwrite": appwrite.read,
    "csv": generic_csv.read,
}

OPTIONS: dict[str, tuple[str, ...]] = {
    "firebase": firebase.OPTIONS,
    "supabase": supabase.OPTIONS,
    "auth0": auth0.OPTIONS,
    "appwrite": appwrite.OPTIONS,
    "csv": generic_csv.OPTIONS,
}
