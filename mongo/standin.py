#!/usr/bin/python3
"""Development MongoDB stand-in: mockupdb speaks the wire protocol, mongomock does the work."""
# Run with Debian's python (python3-mockupdb, python3-mongomock, python3-pymongo):
#   /usr/bin/python3 mongo/standin.py --port 27017 [--host 127.0.0.1] [--data FILE] [--pidfile FILE]
# It exists so `make run` / `make test` work without a real mongod (DESIGN.md, "The development
# and test database"); the C code must not rely on its quirks.
#
# Commands: hello/isMaster, ping, buildInfo, insert, update, delete, find + getMore/killCursors,
# findAndModify, count, distinct, aggregate, createIndexes (unique, sparse, compound, TTL),
# listIndexes, dropIndexes, create, collMod, drop, dropDatabase, listCollections,
# listDatabases, endSessions/killAllSessions.  Anything else: ok:0, code 115.
# Validators are enforced (code 121): query operators through mongomock, `$jsonSchema` here
# (bsonType/type, required, properties, additionalProperties, enum, minimum/maximum (+exclusive),
# minLength/maxLength, pattern, items, minItems/maxItems, uniqueItems, min/maxProperties,
# anyOf/allOf/oneOf/not; other keywords are refused when the validator is set;
# validationLevel "moderate" acts as "strict").
# Refused with an error because mongomock 4.1.2 would get them wrong: collation, arrayFilters,
# $[] / $[<id>], $mul/$bit, pipeline updates, $text/$where, partial and text indexes, capped
# collections, views, $merge, $lookup with pipeline, renameCollection, transactions.
# Differences from mongod: TTL expiry runs at most once a second (mongod: every 60 s); unique
# indexes compare whole values (no multikey semantics).
import argparse, collections, datetime, json, os, random, re, signal, socket, struct, sys, threading, time
import traceback, types

import bson
from bson import Binary, Code, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp
from bson.binary import UuidRepresentation
from bson.codec_options import CodecOptions
import mockupdb
import mongomock
from mongomock import aggregate as mm_aggregate, collection as mm_collection, filtering, helpers
from mongomock.collection import Collection, Cursor
from mongomock.store import CollectionStore, ServerStore
from pymongo.errors import DuplicateKeyError, OperationFailure

mongomock.SERVER_VERSION = '5.0.5'  # mongomock reads $MONGODB otherwise
# Keep binary subtypes as sent: the default decodes subtype 4 to uuid.UUID, re-encoded as subtype 3.
CODEC = mockupdb.CODEC_OPTIONS = CodecOptions(collections.OrderedDict,
                                              uuid_representation=UuidRepresentation.UNSPECIFIED)
STORE = ServerStore()
CLIENT = mongomock.MongoClient(_store=STORE)
LOCK = threading.Lock()            # every request and every save runs under it
DIRTY = threading.Event()          # set by writes; the saver thread clears it
CHANGED = set()                    # (db, collection or None = all) written since the last save
SAVED = {}                         # (db, collection) -> its encoded records, reused while unchanged
CURSORS = {}                       # cursor id -> {'it', 'ns', 'next', 'done', 'used'}
LOCAL = threading.local()          # connection id for hello
BYPASS = [False]                   # bypassDocumentValidation of the running command
_NO = object()
MAX_BATCH = 16 * 1024 * 1024
CODE_NAMES = {1: 'InternalError', 2: 'BadValue', 9: 'FailedToParse', 20: 'IllegalOperation',
              26: 'NamespaceNotFound', 27: 'IndexNotFound', 43: 'CursorNotFound',
              48: 'NamespaceExists', 72: 'InvalidOptions', 85: 'IndexOptionsConflict',
              115: 'CommandNotSupported', 121: 'DocumentValidationFailure', 11000: 'DuplicateKey'}
UPDATE_OPS = {'$set', '$unset', '$inc', '$min', '$max', '$pop', '$push', '$pull', '$pullAll',
              '$addToSet', '$setOnInsert', '$currentDate', '$rename'}


def fail(msg, code):
    raise OperationFailure(msg, code)


def unsupported(what):
    fail('stand-in: %s is not supported' % what, 115)


# ---- mongomock patches -------------------------------------------------------------------

def _id_values(flt):
    """_id values a filter pins down ({_id: v}, {$eq: v}, {$in: [...]}), else _NO."""
    v = flt.get('_id', _NO) if isinstance(flt, dict) else _NO
    if v is _NO:
        return _NO
    if isinstance(v, dict) and len(v) == 1 and ('$eq' in v or '$in' in v):
        vals = [v['$eq']] if '$eq' in v else v['$in']
    elif isinstance(v, dict) and any(k.startswith('$') for k in v):
        return _NO
    else:
        vals = [v]
    if not isinstance(vals, list) or any(
            x is None or isinstance(x, (list, Regex, re.Pattern))
            or (isinstance(x, dict) and any(k.startswith('$') for k in x)) for x in vals):
        return _NO
    return vals


_scan = Collection._iter_documents


def _iter_documents(self, flt):
    """Fast path: an _id-pinned filter reads the docs by key instead of scanning (~13 µs/doc)."""
    vals = _id_values(flt)
    if vals is _NO:
        return _scan(self, flt)
    store, docs = self._store, {}
    try:
        for v in vals:
            try:
                doc = store[helpers.hashdict(v) if isinstance(v, dict) else v]
                docs[id(doc)] = doc
            except KeyError:
                pass
    except TypeError:  # unhashable _id value
        return _scan(self, flt)
    hits = [d for d in docs.values() if filtering.filter_applies(flt, d)]
    if len(hits) > 1:  # $in: in _id order, as mongod's _id index scan returns them
        hits.sort(key=lambda d: filtering.resolve_sort_key('_id', d))
    return iter(hits)


_insert = Collection._insert


def _insert_id_first(self, data, session=None, ordered=True):
    """mongod stores _id first; mongomock appends it (upserts, inserts without _id)."""
    if isinstance(data, dict) and next(iter(data), '_id') != '_id':
        _id = data.pop('_id', _NO)
        rest = list(data.items())
        data.clear()
        data['_id'] = ObjectId() if _id is _NO else _id
        data.update(rest)
    return _insert(self, data, session, ordered)


def _aggregate(self, pipeline, session=None, **unused):
    """A leading $match runs as a find (fast path for _id; no copy of the whole collection)."""
    if pipeline and isinstance(pipeline[0], dict) and list(pipeline[0]) == ['$match']:
        docs, pipeline = list(self.find(pipeline[0]['$match'])), pipeline[1:]
    else:
        docs = list(self.find())
    return mm_aggregate.process_pipeline(docs, self.database, pipeline, session)


def _cursor_next(self):
    """mongomock re-slices its whole result list for every document (O(n²)); slice once."""
    if self._emitted == 0:
        self._batch = self._compute_results(with_limit_and_skip=True)
    if self._emitted >= len(self._batch):
        raise StopIteration
    self._emitted += 1
    return self._batch[self._emitted - 1]


_expire = CollectionStore._remove_expired_documents


def _remove_expired_documents(self):
    """mongomock scans TTL collections on every access; once a second is plenty (mongod: 60 s)."""
    now = time.monotonic()
    if self._ttl_indexes and now - getattr(self, 'ttl_checked', 0) >= 1:
        self.ttl_checked = now
        _expire(self)


_inc = mm_collection._updaters['$inc']


def _inc_keep_int64(doc, field, value):
    """$inc on an int64 stays int64 as in mongod (Python's Int64 + int gives a plain int)."""
    old = doc.get(field) if isinstance(doc, dict) else None
    _inc(doc, field, value)
    if isinstance(doc, dict) and (isinstance(old, Int64) or isinstance(value, Int64)) and type(doc[field]) is int:
        doc[field] = Int64(doc[field])


class DocumentInvalid(DuplicateKeyError):
    """Code 121. A DuplicateKeyError subclass so mongomock's insert/update roll back on it."""


def _dot(doc, path):
    if '.' not in path:
        return doc.get(path, _NO)
    try:
        return helpers.get_value_by_dot(doc, path)
    except (KeyError, IndexError, TypeError):
        return _NO


def _fmt(v):
    if isinstance(v, ObjectId):
        return "ObjectId('%s')" % v
    return json.dumps(v, ensure_ascii=False) if v is None or isinstance(v, (str, bool)) else str(v)


def with_extra(e, **extra):
    """Fields for the writeErrors entry (pymongo's `details` would be pasted into the message)."""
    e.extra = extra
    return e


def dup_key_error(ns, name, fields, values):
    shown = ', '.join('%s: %s' % (f, _fmt(v)) for f, v in zip(fields, values))
    return with_extra(DuplicateKeyError(
        'E11000 duplicate key error collection: %s index: %s dup key: { %s }' % (ns, name, shown), 11000),
        keyPattern={f: 1 for f in fields}, keyValue=dict(zip(fields, values)))


def _ensure_uniques(self, doc):
    """Runs after every insert/update (mongomock rolls back on DuplicateKeyError): validator,
    then unique indexes, compared directly instead of through mongomock's filter scan."""
    opts = getattr(self._store, 'options', {})
    if opts.get('validator') and not BYPASS[0] and opts.get('validationLevel') != 'off' \
            and opts.get('validationAction', 'error') == 'error' and not valid(opts['validator'], doc):
        raise with_extra(DocumentInvalid('Document failed validation', 121),
                         errInfo={'failingDocumentId': doc.get('_id')})
    for name, index in self._store.indexes.items():
        if not index.get('unique'):
            continue
        fields = [f for f, _ in index['key']]
        if index.get('sparse') and not any(_has_path(doc, f) for f in fields):
            continue
        mine = _index_keys(doc, fields)
        docs = self._store._documents.values()
        if len(fields) == 1 and '.' not in fields[0] and not isinstance(doc.get(fields[0]), list):
            f, v = fields[0], doc.get(fields[0])  # common case, 3x faster
            clash = any(o.get(f) == v and o is not doc for o in docs)
        else:
            clash = any(o is not doc and mine & _index_keys(o, fields) for o in docs
                    if not index.get('sparse') or any(_has_path(o, f) for f in fields))
        if clash:
            raise dup_key_error(self.full_name, name, fields, [_dot(doc, f) if _dot(doc, f) is not _NO else None
                                                               for f in fields])


def _path_values(doc, path):
    """Every value a (multikey) index holds for PATH in DOC: arrays fan out, as in mongod;
    a missing field indexes as null."""
    values = [doc]
    for part in path.split('.'):
        nxt = []
        for v in values:
            if isinstance(v, list):
                nxt.extend(e.get(part, _NO) if isinstance(e, dict) else _NO for e in v)
            elif isinstance(v, dict):
                nxt.append(v.get(part, _NO))
            else:
                nxt.append(_NO)
        values = nxt
    out = []
    for v in values:
        out.extend(v if isinstance(v, list) and v else [None if v is _NO else v])
    return out


def _has_path(doc, path):
    """Whether DOC holds PATH at all, arrays fanned out as in mongod: what a sparse index
    looks at (a document with emails: [{address}] has emails.address)."""
    values = [doc]
    for part in path.split('.'):
        nxt = []
        for v in values:
            if isinstance(v, list):
                nxt.extend(e[part] for e in v if isinstance(e, dict) and part in e)
            elif isinstance(v, dict) and part in v:
                nxt.append(v[part])
        values = nxt
    return bool(values)


def _index_keys(doc, fields):
    """Set of hashable index keys of DOC for a (compound) index."""
    keys = {()}
    for f in fields:
        keys = {k + (repr(v),) for k in keys for v in _path_values(doc, f)}
    return keys


Collection._iter_documents = _iter_documents
Collection._insert = _insert_id_first
Collection._ensure_uniques = _ensure_uniques
Collection.aggregate = _aggregate
Cursor.__next__ = Cursor.next = _cursor_next
CollectionStore._remove_expired_documents = _remove_expired_documents
mm_collection._updaters['$inc'] = _inc_keep_int64


# ---- validators ($jsonSchema subset + query operators) -------------------------------------

def _int32(v):
    return type(v) is int and -2 ** 31 <= v < 2 ** 31


BSON_TYPES = {
    'double': lambda v: isinstance(v, float), 'string': lambda v: isinstance(v, str),
    'object': lambda v: isinstance(v, dict), 'array': lambda v: isinstance(v, list),
    'binData': lambda v: isinstance(v, (bytes, Binary)), 'objectId': lambda v: isinstance(v, ObjectId),
    'bool': lambda v: isinstance(v, bool), 'date': lambda v: isinstance(v, datetime.datetime),
    'null': lambda v: v is None, 'regex': lambda v: isinstance(v, (Regex, re.Pattern)),
    'int': _int32, 'long': lambda v: isinstance(v, Int64) or (type(v) is int and not _int32(v)),
    'decimal': lambda v: isinstance(v, Decimal128), 'timestamp': lambda v: isinstance(v, Timestamp),
    'javascript': lambda v: isinstance(v, Code), 'minKey': lambda v: isinstance(v, MinKey),
    'maxKey': lambda v: isinstance(v, MaxKey),
    'number': lambda v: isinstance(v, (int, float, Decimal128)) and not isinstance(v, bool)}
JSON_TYPES = {'string': 'string', 'number': 'number', 'object': 'object', 'array': 'array',
              'boolean': 'bool', 'null': 'null'}
SCHEMA_KEYS = {'bsonType', 'type', 'required', 'properties', 'additionalProperties', 'enum',
               'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength',
               'maxLength', 'pattern', 'items', 'minItems', 'maxItems', 'uniqueItems',
               'minProperties', 'maxProperties', 'anyOf', 'allOf', 'oneOf', 'not',
               'title', 'description'}


def _as_list(x):
    return x if isinstance(x, list) else [x]


def check_schema(s):
    """Refuse (at create/collMod) what valid() would not enforce."""
    if not isinstance(s, dict):
        fail('$jsonSchema must be an object', 9)
    for k, v in s.items():
        if k not in SCHEMA_KEYS:
            unsupported('$jsonSchema keyword %r' % k)
        if k == 'bsonType' and any(t not in BSON_TYPES for t in _as_list(v)):
            fail('Unknown type name alias: %s' % v, 2)
        if k == 'type' and any(t not in JSON_TYPES for t in _as_list(v)):
            fail('Unknown JSON Schema type: %s' % v, 2)
        subs = (list(v.values()) if k == 'properties' else v if k in ('anyOf', 'allOf', 'oneOf')
                else [v] if k in ('items', 'not') or (k == 'additionalProperties' and isinstance(v, dict))
                else [])
        for sub in subs:
            check_schema(sub)


def schema_ok(s, v):
    num = isinstance(v, (int, float, Decimal128)) and not isinstance(v, bool)
    n = v.to_decimal() if isinstance(v, Decimal128) else v
    types = [*_as_list(s.get('bsonType', [])), *(JSON_TYPES[t] for t in _as_list(s.get('type', [])))]
    if types and not any(BSON_TYPES[t](v) for t in types):
        return False
    if 'enum' in s and v not in s['enum']:
        return False
    if num and ('minimum' in s and (n <= s['minimum'] if s.get('exclusiveMinimum') else n < s['minimum'])
                or 'maximum' in s and (n >= s['maximum'] if s.get('exclusiveMaximum') else n > s['maximum'])):
        return False
    if isinstance(v, str) and (len(v) < s.get('minLength', 0) or len(v) > s.get('maxLength', len(v))
                               or 'pattern' in s and not re.search(s['pattern'], v)):
        return False
    if isinstance(v, dict):
        props, extra = s.get('properties', {}), s.get('additionalProperties', True)
        if any(r not in v for r in s.get('required', [])) or not (
                s.get('minProperties', 0) <= len(v) <= s.get('maxProperties', len(v))):
            return False
        if any(k in v and not schema_ok(sub, v[k]) for k, sub in props.items()):
            return False
        others = [k for k in v if k not in props]
        if extra is False and others or isinstance(extra, dict) and not all(schema_ok(extra, v[k]) for k in others):
            return False
    if isinstance(v, list):
        if not s.get('minItems', 0) <= len(v) <= s.get('maxItems', len(v)):
            return False
        if 'items' in s and not all(schema_ok(s['items'], x) for x in v):
            return False
        if s.get('uniqueItems') and any(v[i] in v[:i] for i in range(len(v))):
            return False
    return (all(schema_ok(x, v) for x in s.get('allOf', []))
            and ('anyOf' not in s or any(schema_ok(x, v) for x in s['anyOf']))
            and ('oneOf' not in s or sum(schema_ok(x, v) for x in s['oneOf']) == 1)
            and ('not' not in s or not schema_ok(s['not'], v)))


def valid(validator, doc):
    rest = {k: v for k, v in validator.items() if k != '$jsonSchema'}
    return ('$jsonSchema' not in validator or schema_ok(validator['$jsonSchema'], doc)) and (
        not rest or filtering.filter_applies(rest, doc))


def set_options(cs, cmd):
    """Store validator options of create/collMod on the mongomock collection store."""
    opts = dict(getattr(cs, 'options', {}))
    for k in ('validator', 'validationLevel', 'validationAction'):
        if k in cmd:
            opts[k] = cmd[k]
    if 'validator' in cmd:
        v = cmd['validator']
        if '$jsonSchema' in v:
            check_schema(v['$jsonSchema'])
        filtering.filter_applies({k: x for k, x in v.items() if k != '$jsonSchema'}, {})  # syntax
    cs.options = opts


# ---- cursors -----------------------------------------------------------------------------

def _fill(cur, n):
    """Next batch: up to n docs (None: no count limit) and ~16 MB, like mongod. Peeks one
    doc ahead so an exhausted cursor answers with id 0 instead of costing a getMore."""
    out, size, it = [], 0, cur['it']
    while n is None or len(out) < n:
        doc = cur.pop('next', _NO)
        doc = next(it, _NO) if doc is _NO else doc
        if doc is _NO:
            cur['done'] = True
            return out
        size += len(bson.encode(doc))
        if out and size > MAX_BATCH:
            cur['next'] = doc
            cur['done'] = False
            return out
        out.append(doc)
    if cur.get('next', _NO) is _NO:
        cur['next'] = next(it, _NO)
    cur['done'] = cur['next'] is _NO
    return out


def open_cursor(docs, ns, n, single=False):
    cur = {'it': iter(docs), 'ns': ns, 'used': time.monotonic()}
    batch, cid = _fill(cur, n), 0
    if not (single or cur['done']):
        for old in [k for k, c in CURSORS.items() if c['used'] < cur['used'] - 600]:
            del CURSORS[old]  # idle 10 minutes, as mongod
        cid = random.getrandbits(62) + 1
        CURSORS[cid] = cur
    return {'cursor': {'firstBatch': batch, 'id': Int64(cid), 'ns': ns}, 'ok': 1}


def cmd_get_more(db, cmd):
    cid = int(cmd['getMore'])
    cur = CURSORS.get(cid) or fail('cursor id %d not found' % cid, 43)
    batch = _fill(cur, cmd.get('batchSize') or None)
    cur['used'] = time.monotonic()
    if cur['done']:
        del CURSORS[cid]
        cid = 0
    return {'cursor': {'nextBatch': batch, 'id': Int64(cid), 'ns': cur['ns']}, 'ok': 1}


def cmd_kill_cursors(db, cmd):
    ids = [int(c) for c in cmd.get('cursors', [])]
    killed = [Int64(c) for c in ids if CURSORS.pop(c, None)]
    return {'cursorsKilled': killed, 'cursorsNotFound': [Int64(c) for c in ids if c not in killed],
            'cursorsAlive': [], 'cursorsUnknown': [], 'ok': 1}


# ---- commands ----------------------------------------------------------------------------

def _sort(spec):
    if not spec:
        return None
    if any(isinstance(d, dict) for d in spec.values()):
        unsupported('sort by $meta')
    return list(spec.items())


def _coll(db, cmd, name):
    return db[cmd[name]], '%s.%s' % (db.name, cmd[name])


def _exists(db, name):
    return name in STORE[db.name].list_created_collection_names()


def cmd_hello(db, cmd):
    return {'helloOk': True, 'ismaster': True, 'isWritablePrimary': True,
            'maxBsonObjectSize': 16777216, 'maxMessageSizeBytes': 48000000,
            'maxWriteBatchSize': 100000, 'localTime': datetime.datetime.utcnow(),
            'logicalSessionTimeoutMinutes': 30, 'connectionId': getattr(LOCAL, 'conn', 0),
            'minWireVersion': 0, 'maxWireVersion': 13, 'readOnly': False, 'ok': 1}


def cmd_build_info(db, cmd):
    return {'version': '5.0.0-standin', 'versionArray': [5, 0, 0, 0], 'gitVersion': 'standin',
            'bits': 64, 'maxBsonObjectSize': 16777216, 'ok': 1}


def write_error(i, e, ns, id_value=_NO):
    """A writeErrors entry as mongod builds it."""
    if isinstance(e, DuplicateKeyError) and str(e) == 'E11000 Duplicate Key Error':  # mongomock's _id check
        e = dup_key_error(ns, '_id_', ['_id'], [None if id_value is _NO else id_value])
    err = {'index': i, 'code': getattr(e, 'code', None) or 2, 'errmsg': str(e)}
    err.update(getattr(e, 'extra', {}))
    return err


def write_reply(n, errors, **extra):
    return dict({'n': n, 'ok': 1}, **extra, **({'writeErrors': errors} if errors else {}))


def cmd_insert(db, cmd):
    coll, ns = _coll(db, cmd, 'insert')
    STORE[db.name][cmd['insert']].create()  # stays after its last document is deleted, as in mongod
    n, errors = 0, []
    for i, doc in enumerate(cmd.get('documents', [])):
        try:
            coll.insert_one(doc)
            n += 1
        except Exception as e:
            errors.append(write_error(i, e, ns, doc.get('_id')))
            if cmd.get('ordered', True):
                break
    return write_reply(n, errors)


def check_update(u, op, multi=False):
    """Refuse what mongomock 4.1.2 would silently get wrong."""
    if op.get('arrayFilters'):
        unsupported('arrayFilters')
    if op.get('collation'):
        unsupported('collation')
    if isinstance(u, list):
        unsupported('an update with an aggregation pipeline')
    if not isinstance(u, dict):
        fail('Update argument must be an object', 9)
    for k, v in u.items():
        if k.startswith('$') and k not in UPDATE_OPS:
            unsupported('update operator ' + k)
        if k.startswith('$') and isinstance(v, dict) and any('$[' in f for f in v):
            unsupported('the $[] / $[<identifier>] positional operator')
    if multi and u and not any(k.startswith('$') for k in u):
        fail('multi update is not supported for replacement-style update', 9)


def cmd_update(db, cmd):
    coll, ns = _coll(db, cmd, 'update')
    n = modified = 0
    upserted, errors = [], []
    for i, op in enumerate(cmd.get('updates', [])):
        q = op.get('q') or {}
        try:
            check_update(op.get('u'), op, op.get('multi'))
            r = coll._update(q, op['u'], upsert=bool(op.get('upsert')), multi=bool(op.get('multi')))
            n += r['n']
            modified += r['nModified']
            if op.get('upsert') and r['n'] and not r['updatedExisting']:
                STORE[db.name][cmd['update']].create()
                upserted.append({'index': i, '_id': r['upserted']})
        except Exception as e:
            errors.append(write_error(i, e, ns, q.get('_id', _NO)))
            if cmd.get('ordered', True):
                break
    return write_reply(n, errors, nModified=modified, **({'upserted': upserted} if upserted else {}))


def cmd_delete(db, cmd):
    coll, ns = _coll(db, cmd, 'delete')
    n, errors = 0, []
    for i, op in enumerate(cmd.get('deletes', [])):
        try:
            if op.get('collation'):
                unsupported('collation')
            q = op.get('q') or {}
            n += (coll.delete_one(q) if op.get('limit') else coll.delete_many(q)).deleted_count
        except Exception as e:
            errors.append(write_error(i, e, ns))
            if cmd.get('ordered', True):
                break
    return write_reply(n, errors)


def cmd_find(db, cmd):
    coll, ns = _coll(db, cmd, 'find')
    limit = int(cmd.get('limit') or 0)
    docs = coll.find(cmd.get('filter') or {}, cmd.get('projection') or None,  # {} = whole doc
                     skip=int(cmd.get('skip') or 0), limit=abs(limit), sort=_sort(cmd.get('sort')))
    n = int(cmd.get('batchSize') or 101)
    if limit:
        n = min(n, abs(limit))
    return open_cursor(docs, ns, n, cmd.get('singleBatch') or limit < 0)


def cmd_find_and_modify(db, cmd):
    coll, ns = _coll(db, cmd, 'findAndModify')
    query, fields, update = cmd.get('query') or {}, cmd.get('fields') or None, cmd.get('update')
    if cmd.get('remove') and (update is not None or cmd.get('new')):
        fail('Cannot specify both an update and remove=true' if update is not None
             else 'Cannot specify both new=true and remove=true', 9)
    if not cmd.get('remove'):
        update is not None or fail('Either an update or remove=true must be specified', 9)
        check_update(update, cmd)
    old = coll.find_one(query, sort=_sort(cmd.get('sort')))
    before = coll.find_one({'_id': old['_id']}, fields) if old is not None else None
    if cmd.get('remove'):
        if old is not None:
            coll.delete_one({'_id': old['_id']})
        return {'lastErrorObject': {'n': int(old is not None)}, 'value': before, 'ok': 1}
    if old is not None:
        spec = dict(query, _id=old['_id'])  # keep the query: the positional $ needs it
        coll._update(spec, update)
        leo, oid = {'n': 1, 'updatedExisting': True}, old['_id']
    elif cmd.get('upsert'):
        oid = coll._update(query, update, upsert=True)['upserted']
        leo = {'n': 1, 'updatedExisting': False, 'upserted': oid}
    else:
        return {'lastErrorObject': {'n': 0, 'updatedExisting': False}, 'value': None, 'ok': 1}
    value = coll.find_one({'_id': oid}, fields) if cmd.get('new') else before
    return {'lastErrorObject': leo, 'value': value, 'ok': 1}


def cmd_count(db, cmd):
    coll, _ = _coll(db, cmd, 'count')
    n = max(0, coll.count_documents(cmd.get('query') or {}) - int(cmd.get('skip') or 0))
    limit = abs(int(cmd.get('limit') or 0))
    return {'n': min(n, limit) if limit else n, 'ok': 1}


def cmd_distinct(db, cmd):
    coll, _ = _coll(db, cmd, 'distinct')
    return {'values': coll.distinct(cmd['key'], cmd.get('query') or None), 'ok': 1}


def cmd_aggregate(db, cmd):
    if not isinstance(cmd['aggregate'], str):
        unsupported('database-level aggregate')
    if cmd.get('explain'):
        unsupported('explain')
    coll, ns = _coll(db, cmd, 'aggregate')
    pipeline = cmd.get('pipeline', [])
    if any('$out' in stage for stage in pipeline):
        DIRTY.set()
        CHANGED.add((db.name, None))
    batch = (cmd.get('cursor') or {}).get('batchSize', 101)
    return open_cursor(list(coll.aggregate(pipeline)), ns, int(batch))


def _create_index(coll, keys, ix):
    """Registers an index as mongod does: an identical one is a no-op, a clash of names an
    error, and a unique one is checked against the documents with multikey semantics
    (mongomock's own check sees arrays of subdocuments as null and refuses falsely)."""
    name = ix.get('name') or helpers.gen_index_name(keys)
    spec = {'key': keys}
    for opt in ('sparse', 'unique'):
        if ix.get(opt):
            spec[opt] = True
    if ix.get('expireAfterSeconds') is not None:
        spec['expireAfterSeconds'] = ix['expireAfterSeconds']
    existing = coll._store.indexes.get(name)
    if existing is not None:
        if existing != spec:
            fail('Index with name: %s already exists with different options' % name, 85)
        return
    if spec.get('unique'):
        fields = [f for f, _ in keys]
        seen = set()
        for doc in coll._store._documents.values():
            if spec.get('sparse') and not any(_has_path(doc, f) for f in fields):
                continue
            mine = _index_keys(doc, fields)
            if mine & seen:
                raise dup_key_error(coll.full_name, name, fields,
                                    [None if _dot(doc, f) is _NO else _dot(doc, f) for f in fields])
            seen |= mine
    coll._store.create_index(name, spec)


def cmd_create_indexes(db, cmd):
    coll, ns = _coll(db, cmd, 'createIndexes')
    existed = _exists(db, cmd['createIndexes'])
    STORE[db.name][cmd['createIndexes']].create()
    before = len(list(coll.list_indexes())) if existed else 0
    for ix in cmd.get('indexes', []):
        keys = list(ix['key'].items())
        if ix.get('partialFilterExpression'):
            unsupported('a partial index (partialFilterExpression)')
        if ix.get('collation'):
            unsupported('collation')
        if any(d == 'text' for _, d in keys):
            unsupported('a text index')
        _create_index(coll, keys, ix)
    return {'createdCollectionAutomatically': not existed, 'numIndexesBefore': before,
            'numIndexesAfter': len(list(coll.list_indexes())), 'ok': 1}


def cmd_list_indexes(db, cmd):
    coll, ns = _coll(db, cmd, 'listIndexes')
    _exists(db, cmd['listIndexes']) or fail('ns does not exist: ' + ns, 26)
    return open_cursor(list(coll.list_indexes()), ns, (cmd.get('cursor') or {}).get('batchSize', 101))


def cmd_drop_indexes(db, cmd):
    coll, ns = _coll(db, cmd, 'dropIndexes')
    _exists(db, cmd['dropIndexes']) or fail('ns not found ' + ns, 26)
    was = len(list(coll.list_indexes()))
    index = cmd.get('index')
    if index == '*':  # not coll.drop_indexes(): it leaves TTL indexes active
        index = [i['name'] for i in coll.list_indexes() if i['name'] != '_id_']
    for name in _as_list(index):
        if isinstance(name, dict):
            name = next((i['name'] for i in coll.list_indexes() if list(i['key'].items()) == list(name.items())),
                        None) or fail("can't find index with key: %s" % dict(name), 27)
        if name == '_id_':
            fail('cannot drop _id index', 72)
        try:
            coll.drop_index(name)
        except OperationFailure:
            fail('index not found with name [%s]' % name, 27)
    return {'nIndexesWas': was, 'ok': 1}


def cmd_drop(db, cmd):
    _exists(db, cmd['drop']) or fail('ns not found', 26)
    was = len(list(db[cmd['drop']].list_indexes()))
    db.drop_collection(cmd['drop'])
    STORE[db.name][cmd['drop']].options = {}
    return {'nIndexesWas': was, 'ns': '%s.%s' % (db.name, cmd['drop']), 'ok': 1}


def cmd_drop_database(db, cmd):
    CLIENT.drop_database(db.name)
    for cs in STORE[db.name]._collections.values():
        cs.options = {}
    return {'dropped': db.name, 'ok': 1}


def cmd_create(db, cmd):
    for opt in ('capped', 'viewOn', 'pipeline', 'timeseries', 'clusteredIndex', 'collation'):
        if cmd.get(opt):
            unsupported('create with ' + opt)
    if _exists(db, cmd['create']):
        fail('Collection already exists. NS: %s.%s' % (db.name, cmd['create']), 48)
    cs = STORE[db.name][cmd['create']]
    cs.options = {}
    set_options(cs, cmd)
    cs.create()
    return {'ok': 1}


def cmd_coll_mod(db, cmd):
    ns = '%s.%s' % (db.name, cmd['collMod'])
    _exists(db, cmd['collMod']) or fail('ns does not exist: ' + ns, 26)
    extra = set(cmd) - IGNORED - {'collMod', 'validator', 'validationLevel', 'validationAction', 'index'}
    if extra:
        unsupported('collMod with ' + ', '.join(sorted(extra)))
    cs = STORE[db.name][cmd['collMod']]
    set_options(cs, cmd)
    if 'index' in cmd:  # only expireAfterSeconds can change
        spec = cmd['index']
        if set(spec) - {'name', 'keyPattern', 'expireAfterSeconds'}:
            unsupported('collMod index options other than expireAfterSeconds')
        match = [ix for name, ix in cs.indexes.items() if name == spec.get('name') or
                 'keyPattern' in spec and [tuple(k) for k in ix['key']] == list(spec['keyPattern'].items())]
        if not match or 'expireAfterSeconds' not in match[0]:
            fail('no expireAfterSeconds index found for %s' % dict(spec), 27)
        match[0]['expireAfterSeconds'] = spec.get('expireAfterSeconds', match[0]['expireAfterSeconds'])
    return {'ok': 1}


def cmd_list_collections(db, cmd):
    out, flt = [], cmd.get('filter') or {}
    for name in sorted(STORE[db.name].list_created_collection_names()):
        info = {'name': name, 'type': 'collection', 'options': getattr(STORE[db.name][name], 'options', {}),
                'info': {'readOnly': False}, 'idIndex': {'v': 2, 'key': {'_id': 1}, 'name': '_id_'}}
        if filtering.filter_applies(flt, info):
            out.append({'name': name, 'type': 'collection'} if cmd.get('nameOnly') else info)
    return open_cursor(out, db.name + '.$cmd.listCollections', (cmd.get('cursor') or {}).get('batchSize', 101))


def cmd_list_databases(db, cmd):
    names = sorted(STORE.list_created_database_names())
    return {'databases': [{'name': n, 'sizeOnDisk': 0, 'empty': False} for n in names],
            'totalSize': 0, 'ok': 1}


def cmd_ok(db, cmd):
    return {'ok': 1}


COMMANDS = {
    'hello': cmd_hello, 'isMaster': cmd_hello, 'ismaster': cmd_hello, 'ping': cmd_ok,
    'buildInfo': cmd_build_info, 'buildinfo': cmd_build_info,
    'endSessions': cmd_ok, 'killAllSessions': cmd_ok, 'killSessions': cmd_ok,
    'insert': cmd_insert, 'update': cmd_update, 'delete': cmd_delete,
    'find': cmd_find, 'getMore': cmd_get_more, 'killCursors': cmd_kill_cursors,
    'findAndModify': cmd_find_and_modify, 'findandmodify': cmd_find_and_modify,
    'count': cmd_count, 'distinct': cmd_distinct, 'aggregate': cmd_aggregate,
    'createIndexes': cmd_create_indexes, 'listIndexes': cmd_list_indexes,
    'dropIndexes': cmd_drop_indexes, 'deleteIndexes': cmd_drop_indexes,
    'drop': cmd_drop, 'dropDatabase': cmd_drop_database, 'create': cmd_create,
    'collMod': cmd_coll_mod, 'listCollections': cmd_list_collections,
    'listDatabases': cmd_list_databases,
}
WRITES = {'insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'createIndexes',
          'dropIndexes', 'deleteIndexes', 'drop', 'dropDatabase', 'create', 'collMod'}
IGNORED = {'lsid', '$db', '$clusterTime', 'txnNumber', 'readConcern', 'writeConcern',
           '$readPreference', 'comment', 'maxTimeMS', 'apiVersion', 'apiStrict',
           'apiDeprecationErrors', 'bypassDocumentValidation'}


def error_doc(msg, code):
    return {'ok': 0, 'errmsg': msg, 'code': code, 'codeName': CODE_NAMES.get(code, 'UnknownError')}


def run_command(dbname, cmd):
    """Answer one command document; never raises."""
    name = next(iter(cmd), None)
    try:
        with LOCK:
            if 'autocommit' in cmd or 'startTransaction' in cmd:  # as a standalone mongod answers
                fail('Transaction numbers are only allowed on a replica set member or mongos', 20)
            handler = COMMANDS.get(name) or unsupported(name)
            if cmd.get('collation'):
                unsupported('collation')
            BYPASS[0] = bool(cmd.get('bypassDocumentValidation'))
            if name in WRITES:
                DIRTY.set()
                CHANGED.add((dbname, cmd[name] if isinstance(cmd[name], str) else None))
            return handler(CLIENT[dbname], cmd)
    except OperationFailure as e:
        return error_doc(str(e), e.code or 2)
    except NotImplementedError as e:
        return error_doc('stand-in: not supported: %s' % e, 115)
    except (ValueError, TypeError, KeyError, bson.errors.BSONError) as e:
        return error_doc('%s: %s' % (type(e).__name__, e), 2)
    except Exception as e:
        traceback.print_exc()
        return error_doc('stand-in internal error: %s: %s' % (type(e).__name__, e), 1)


def respond(request):
    """Reply bytes for one wire message, or None when no reply is due."""
    if isinstance(request, mockupdb.OpMsg):
        reply = run_command(request.namespace, request.doc)
        if request.flags & mockupdb.OP_MSG_FLAGS['moreToCome']:  # w:0 write
            return None
        make = mockupdb.OpMsgReply
    elif isinstance(request, mockupdb.Command):  # OP_QUERY: the first hello/isMaster
        doc = request.doc.get('$query', request.doc)
        reply, make = run_command(request.namespace, doc), mockupdb.OpReply
    elif isinstance(request, (mockupdb.OpQuery, mockupdb.OpGetMore)):  # legacy opcodes
        return mockupdb.OpReply({'$err': 'stand-in: legacy opcodes are not supported', 'code': 115},
                                flags=2).reply_bytes(request)
    else:
        return None  # legacy fire-and-forget writes
    try:
        return make(reply).reply_bytes(request)
    except Exception as e:
        return make(error_doc('stand-in: cannot encode reply: %s' % e, 1)).reply_bytes(request)


class StandIn(mockupdb.MockupDB):
    """mockupdb's listener and message parsing; our own per-connection loop without its
    per-request repr/matching/logging (which halved throughput)."""
    conn_ids = iter(range(1, 1 << 62))

    def __init__(self, host, port):
        super().__init__(port=port)
        self._address = (host, port)

    def _server_loop(self, client, client_addr):
        LOCAL.conn = next(self.conn_ids)
        try:
            if client.family in (socket.AF_INET, socket.AF_INET6):
                client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while not self._stopped:
                length, request_id, _, opcode = struct.unpack('<iiii', mockupdb.mock_server_receive(client, 16))
                body = mockupdb.mock_server_receive(client, length - 16)
                try:
                    reply = respond(mockupdb.OPCODES[opcode].unpack(body, client, self, request_id))
                except Exception as e:  # unparsable message: still answer it (unless w:0)
                    op_msg = opcode == mockupdb.OP_MSG
                    reply = None if op_msg and body[:4] and body[0] & 2 else (
                        mockupdb.OpMsgReply if op_msg else mockupdb.OpReply)(
                        error_doc('stand-in: cannot parse message: %r' % e, 2)).reply_bytes(
                        types.SimpleNamespace(request_id=request_id))
                if reply is not None:
                    client.sendall(reply)
        except OSError:
            pass  # client went away or we are stopping
        except Exception:
            traceback.print_exc()  # garbled framing: drop this connection, keep serving
        finally:
            client.close()


# ---- persistence -------------------------------------------------------------------------

def load(path):
    """Read a file written by save(): per collection a header record, then its documents."""
    cs = None
    with open(path, 'rb') as f:
        for rec in bson.decode_file_iter(f, CODEC):
            if 'coll' in rec:
                cs = STORE[rec['db']][rec['coll']]
                cs.create()
                for name, ix in rec['indexes'].items():
                    ix['key'] = [tuple(k) for k in ix['key']]  # mongomock compares lists of tuples
                    cs.create_index(name, ix)
                cs.options = rec.get('options', {})
            else:
                doc = rec['doc']
                cs[helpers.hashdict(doc['_id']) if isinstance(doc['_id'], dict) else doc['_id']] = doc


def snapshot():
    """Encode everything (call with LOCK held, so the snapshot is consistent); collections not
    written since the last save reuse their bytes (~7 µs per document otherwise)."""
    DIRTY.clear()
    changed = set(CHANGED)
    CHANGED.clear()
    chunks = []
    for dbname, ds in list(STORE._databases.items()):
        for cname, cs in list(ds._collections.items()):
            key = (dbname, cname)
            if not cs.is_created:
                SAVED.pop(key, None)
            elif key in changed or (dbname, None) in changed or key not in SAVED:
                SAVED[key] = b''.join([bson.encode({'db': dbname, 'coll': cname, 'indexes': cs.indexes,
                                                    'options': getattr(cs, 'options', {})})]
                                      + [bson.encode({'doc': d}) for d in cs._documents.values()])
            if key in SAVED:
                chunks.append(SAVED[key])
    return chunks


def save(path, chunks):
    tmp = '%s.tmp%d' % (path, os.getpid())
    with open(tmp, 'wb') as f:
        f.write(b''.join(chunks))
    os.replace(tmp, path)


def saver(path, stop):
    while not stop.wait(2):
        if DIRTY.is_set():
            try:
                with LOCK:  # write under it too, so this save can never land after the final one
                    save(path, snapshot())
            except Exception:
                traceback.print_exc()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=27017)
    ap.add_argument('--data', help='load from / save to this BSON file')
    ap.add_argument('--pidfile')
    args = ap.parse_args()
    if args.data and os.path.exists(args.data):
        try:
            load(args.data)
        except Exception as e:  # refuse to start (and later overwrite the file)
            sys.exit('mongo stand-in: cannot load %s: %s' % (args.data, e))
    server = StandIn(args.host, args.port)
    try:
        server.run()
    except OSError as e:
        sys.exit('mongo stand-in: cannot listen on %s:%d: %s' % (args.host, args.port, e))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.pidfile:
        with open(args.pidfile, 'w') as f:
            f.write('%d\n' % os.getpid())
    if args.data:
        threading.Thread(target=saver, args=(args.data, stop), daemon=True).start()
    print('mongo stand-in listening on %s:%d' % (args.host, server.port), flush=True)
    stop.wait()
    LOCK.acquire()  # kept until exit: no request runs after the final snapshot
    if args.data:
        save(args.data, snapshot())
    if args.pidfile:
        try:
            os.unlink(args.pidfile)
        except OSError:
            pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
