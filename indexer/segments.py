"""A Whoosh segment writer that writes the same segment as Whoosh's, with less work per posting.

A MedQuAD build writes 1.7 million postings, and Whoosh spends several Python calls on each.
:class:`LeanWriter` removes most of them without changing what is indexed:

* each document's postings in a field go to the pool in one call, and the pool holds them by
  (field, term) (:class:`TermPool`), so the commit sorts 63 thousand terms instead of every
  posting;
* the commit hands each term's postings to the postings writer a block at a time
  (:func:`write_terms`, :class:`BlockPostingsWriter`) rather than one call (and four type
  checks) per posting;
* the per-document field lengths that go into each posting block's statistics are read once
  per field (:class:`FieldLengths`) instead of once per posting, which for an unscored field
  also meant a file-existence check per posting.

Whoosh 2.7.4 is the last Whoosh release; the methods overridden here are those of its
``SegmentWriter`` and whoosh3 codec, and the tests compare this writer's segment files with
those of Whoosh's own writer, byte for byte (or, for a pool that went to disk, posting for
posting).
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec
from whoosh.codec.whoosh3 import W3FieldWriter
from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.writing import PostingPool
from whoosh.writing import SegmentWriter

POSTING_BYTES = 150  # a pooled posting's memory, estimated high, for the limitmb bound
# zlib level of posting blocks (Whoosh's default is 3). Uncompressed, a MedQuAD build takes
# about 1 s less (9.0-9.5 s against 10.2-10.4 s) and a query without the term cache 9% less
# (no block to inflate), for 84 MB of index instead of 50, which every web worker holds in
# memory (indexer.storage): 190 MB per keyword worker against 157. Each block records its
# level, so indexes written either way read alike.
POSTING_COMPRESSION = 0


class TermPool(PostingPool):
    """Whoosh's posting pool, holding postings by field and term while they are in memory.

    The commit needs postings in field, term and document order. Whoosh sorts them all (1.7
    million on MedQuAD); here only the terms are sorted: a writer's document numbers only
    grow, so each term's postings arrive in document order. A document's postings in a field
    come in one call (:meth:`add_field`), not one call each. Past ``limitmb`` the postings go
    to disk in sorted runs, as Whoosh's do.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # fieldname -> term bytes -> (docnums, weights, value bytes or None), a list item each
        self.fields: dict[str, dict[bytes, tuple[list, list, list]]] = {}

    def add(self, item: tuple) -> None:
        """One posting: (fieldname, term bytes, docnum, weight, value bytes or None)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self.fields.setdefault(fieldname, {})
        if tbytes not in terms:
            terms[tbytes] = ([], [], [])
        docnums, weights, values = terms[tbytes]
        docnums.append(docnum)
        weights.append(weight)
        values.append(vbytes)
        self.added(1)

    def add_field(self, fieldname: str, docnum: int, items, boost: float) -> int:
        """A document's postings in a field, as ``field.index`` gives them: (term bytes,
        frequency, weight, value bytes) per term; weights times `boost`. Returns the field's
        length (the sum of the frequencies)."""
        terms = self.fields.setdefault(fieldname, {})
        length = count = 0
        for tbytes, freq, weight, vbytes in items:
            postings = terms.get(tbytes)
            if postings is None:
                terms[tbytes] = ([docnum], [weight * boost], [vbytes])
            else:
                postings[0].append(docnum)
                postings[1].append(weight * boost)
                postings[2].append(vbytes)
            length += freq
            count += 1
        self.added(count)
        return length

    def added(self, count: int) -> None:
        self.currentsize += count * POSTING_BYTES
        if self.currentsize > self.limit:
            self.save()

    def in_order(self):
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                for docnum, weight, vbytes in zip(*terms[tbytes], strict=True):
                    yield fieldname, tbytes, docnum, weight, vbytes

    def save(self) -> None:
        self.current = list(self.in_order())  # already sorted: the run's sort is one pass
        self.fields = {}
        super().save()

    def items(self, maxfiles: int = 128):
        return super().items(maxfiles) if self.runs else self.in_order()

    def cleanup(self) -> None:
        self.fields = {}
        super().cleanup()


class FieldLengths:
    """A new segment's field lengths, read once, answering as its per-document reader does."""

    def __init__(self, reader, fieldnames):
        count = reader.doc_count_all()
        # Whoosh records lengths for scorable fields only; any other field's length reads as 0.
        self.lengths = {name: [reader.doc_field_length(d, name) for d in range(count)]
                        for name in fieldnames}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self.lengths.get(fieldname)
        return default if lengths is None else lengths[docnum]


def write_terms(fieldwriter: LeanFieldWriter, schema, lengths: FieldLengths | None,
                fields: dict) -> None:
    """Whoosh's ``FieldWriter.add_postings`` for postings held by field and term (a TermPool's):
    the same postings to the field writer, a term at a time."""
    for fieldname in sorted(fields):
        terms = fields[fieldname]
        doclengths = lengths.lengths.get(fieldname) if lengths else None
        fieldwriter.start_field(fieldname, schema[fieldname])
        for tbytes in sorted(terms):
            docnums, weights, values = terms[tbytes]
            fieldwriter.start_term(tbytes)
            fieldwriter.add_term_postings(docnums, weights, values, doclengths)
            fieldwriter.finish_term()
        fieldwriter.finish_field()


class BlockPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, also taking a term's postings a block at a time."""

    def add_postings(self, ids, weights, values, doclengths) -> None:
        """``add_posting`` for each posting in order, the length of each posting's document
        taken from `doclengths` (a length per document number, or None: no lengths)."""
        limit = self._blocklimit
        for start in range(0, len(ids), limit):
            if self._ids:  # full: add_posting writes a block when the next posting comes
                self._write_block()
            end = start + limit
            block_ids = ids[start:end]
            self._ids.extend(block_ids)
            block_weights = weights[start:end]
            self._weights.extend(block_weights)
            self._maxweight = max(self._maxweight, *block_weights)
            self._values.extend(filter(None, values[start:end]))
            if doclengths is None:
                continue
            known = list(filter(None, map(doclengths.__getitem__, block_ids)))
            if known:
                low = min(known)
                if self._minlength is None or low < self._minlength:
                    self._minlength = low
                self._maxlength = max(self._maxlength, *known)


class LeanFieldWriter(W3FieldWriter):
    """Whoosh's field writer, also taking a term's postings at once."""

    def add_term_postings(self, ids, weights, values, doclengths) -> None:
        self._postwriter.add_postings(ids, weights, values, doclengths)


class LeanCodec(W3Codec):
    """Whoosh's default codec writing with the classes above. Segments name the plain codec
    (they are pickled into the index), so reading an index never needs this module."""

    def __init__(self, blocklimit: int = 128, compression: int = POSTING_COMPRESSION,
                 inlinelimit: int = 1):
        super().__init__(blocklimit, compression, inlinelimit)

    def field_writer(self, storage, segment):
        return LeanFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return BlockPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                   compression=self._compression,
                                   inlinelimit=self._inlinelimit)

    def new_segment(self, storage, indexname):
        plain = W3Codec(self._blocklimit, self._compression, self._inlinelimit)
        return plain.new_segment(storage, indexname)


class LeanWriter(SegmentWriter):
    """Whoosh's segment writer, pooling and writing postings with fewer calls per posting."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, codec=LeanCodec(), **kwargs)
        self.pool = TermPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        self.whoosh_adds = any(field.vector or field.separate_spelling()
                               for field in self.schema)

    def add_document(self, **fields) -> None:
        """Whoosh's ``SegmentWriter.add_document``, pooling each field's postings in one call;
        a schema with term vectors or spelling sub-fields is left to Whoosh's own."""
        if self.whoosh_adds:
            super().add_document(**fields)
            return
        self._check_state()
        schema, docnum, perdoc = self.schema, self.docnum, self.perdocwriter
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                boost = self._field_boost(fields, name, docboost)
                length = self.pool.add_field(name, docnum, field.index(value), boost)
                if not field.scorable:
                    length = 0
            stored = fields.get(f"_stored_{name}", value)
            perdoc.add_field(name, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        # Whoosh's, with the field lengths read once (FieldLengths) rather than per posting
        # and, unless the pool went to disk, the postings written term by term.
        self.perdocwriter.close()
        lengths = None
        if self.codec.length_stats:
            reader = self.per_document_reader()
            try:
                lengths = FieldLengths(reader, self.schema.scorable_names())
            finally:
                reader.close()
        if self.pool.runs:
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        else:
            write_terms(self.fieldwriter, self.schema, lengths, self.pool.fields)
        self.fieldwriter.close()
