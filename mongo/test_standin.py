#!/usr/bin/python3
"""Self-test of mongo/standin.py: starts it on a free port and drives it with pymongo."""
import datetime, os, re, shutil, signal, socket, struct, subprocess, sys, tempfile, time, traceback

import bson
import gridfs
import pymongo
from bson import Binary, Int64, ObjectId
from pymongo import ReturnDocument, WriteConcern
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure, WriteError

PYTHON = '/usr/bin/python3' if os.path.exists('/usr/bin/python3') else sys.executable
STANDIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'standin.py')
TESTS, RESULTS, PROCS = [], {'passed': 0, 'failed': 0}, []


def test(fn):
    TESTS.append(fn)
    return fn


def start(*extra):
    """Start the stand-in on a free port; return (process, port)."""
    proc = subprocess.Popen([PYTHON, STANDIN, '--port', '0', *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    PROCS.append(proc)
    line = proc.stdout.readline()
    m = re.match(r'mongo stand-in listening on 127\.0\.0\.1:(\d+)$', line.strip())
    if not m:
        proc.kill()
        raise RuntimeError('stand-in did not start: %r %s' % (line, proc.stderr.read()))
    return proc, int(m.group(1))


def client(port):
    return pymongo.MongoClient('mongodb://127.0.0.1:%d/' % port, serverSelectionTimeoutMS=2000,
                               socketTimeoutMS=5000, uuidRepresentation='unspecified')


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        return 'hung'


def raises(exc, code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc as e:
        assert code is None or getattr(e, 'code', None) == code, 'code %r, wanted %r: %s' % (
            getattr(e, 'code', None), code, e)
        return e
    raise AssertionError('%s not raised' % exc.__name__)


@test
def handshake(c, db):
    hello = db.command('hello')
    for k in ('helloOk', 'isWritablePrimary', 'ismaster', 'localTime', 'connectionId'):
        assert k in hello, k
    assert 'topologyVersion' not in hello
    assert (hello['maxWireVersion'], hello['maxBsonObjectSize'], hello['maxWriteBatchSize'],
            hello['logicalSessionTimeoutMinutes']) == (13, 16777216, 100000, 30)
    assert db.command('isMaster')['ismaster'] is True
    assert db.command('ping')['ok'] == 1
    assert c.server_info()['version'] == '5.0.0-standin'


@test
def insert_find(c, db):
    db.u.insert_many([{'_id': i, 'n': i, 'sub': {'k': i % 3}, 'tag': 'x%d' % i} for i in range(20)])
    assert db.u.find_one({'_id': 7}) == {'_id': 7, 'n': 7, 'sub': {'k': 1}, 'tag': 'x7'}
    assert db.u.find_one({'_id': {'$eq': 7}, 'n': 8}) is None
    assert db.u.find_one({'_id': 7}, {'n': 1, '_id': 0}) == {'n': 7}
    assert db.u.find_one({'_id': 7}, {'sub': 0, 'tag': 0}) == {'_id': 7, 'n': 7}
    got = [d['n'] for d in db.u.find({'sub.k': 1}).sort('n', -1).skip(1).limit(3)]
    assert got == [16, 13, 10], got
    assert [d['_id'] for d in db.u.find({'_id': {'$in': [3, 1, 99]}})] in ([1, 3], [3, 1])
    oid = db.u.insert_one({'name': 'auto'}).inserted_id
    assert isinstance(oid, ObjectId) and db.u.find_one({'_id': oid})['name'] == 'auto'


@test
def cursors(c, db):
    db.many.insert_many([{'_id': i} for i in range(250)])
    assert [d['_id'] for d in db.many.find().sort('_id', 1)] == list(range(250))
    assert len(list(db.many.find().batch_size(7))) == 250
    assert len(list(db.many.find().limit(120))) == 120
    cur = db.many.find().batch_size(10)
    next(cur)
    cid = cur.cursor_id
    assert cid
    cur.close()  # killCursors
    raises(OperationFailure, 43, db.command, 'getMore', Int64(cid), collection='many')
    r = db.command('find', 'many', batchSize=5)
    r2 = db.command('getMore', r['cursor']['id'], collection='many', batchSize=300)
    assert len(r['cursor']['firstBatch']) == 5 and len(r2['cursor']['nextBatch']) == 245
    assert r2['cursor']['id'] == 0
    r = db.command('killCursors', 'many', cursors=[Int64(12345)])
    assert r['cursorsNotFound'] == [12345]
    assert len(list(db.many.aggregate([{'$match': {}}], batchSize=3))) == 250
    # A first batch cut by size (16 MB, as mongod) goes on with getMore:
    # GridFS chunks of export archives are read that way.
    db.big.insert_many([{'_id': i, 'blob': b'x' * 3_000_000} for i in range(7)])
    assert [d['_id'] for d in db.big.find()] == list(range(7))


@test
def unique_index(c, db):
    db.users.create_index('email', unique=True)
    db.users.insert_one({'_id': 1, 'email': 'a@x'})
    e = raises(DuplicateKeyError, 11000, db.users.insert_one, {'_id': 2, 'email': 'a@x'})
    assert 'index: email_1 dup key: { email: "a@x" }' in str(e), str(e)
    e = raises(DuplicateKeyError, 11000, db.users.insert_one, {'_id': 1})
    assert 'collection: %s.users index: _id_ dup key: { _id: 1 }' % db.name in str(e), str(e)
    db.users.insert_one({'_id': 3, 'email': 'b@x'})
    raises(DuplicateKeyError, 11000, db.users.update_one, {'_id': 3}, {'$set': {'email': 'a@x'}})
    assert db.users.find_one({'_id': 3})['email'] == 'b@x'  # rolled back
    e = raises(BulkWriteError, None, db.users.insert_many,
               [{'_id': 4, 'email': 'c@x'}, {'_id': 5, 'email': 'a@x'}, {'_id': 6, 'email': 'd@x'}],
               ordered=False)
    assert e.details['nInserted'] == 2 and e.details['writeErrors'][0]['index'] == 1
    db.sp.create_index([('a', 1), ('b', 1)], unique=True, sparse=True)
    db.sp.insert_many([{'x': 1}, {'x': 2}, {'a': 1, 'b': 1}, {'a': 1, 'b': 2}])
    raises(DuplicateKeyError, 11000, db.sp.insert_one, {'a': 1, 'b': 2})
    db.dups.insert_many([{'k': 1}, {'k': 1}])
    raises(DuplicateKeyError, 11000, db.dups.create_index, 'k', unique=True)


@test
def multikey_unique_index(c, db):
    # Unique over a field inside an array of subdocuments, as users.emails.address.
    db.people.insert_many([{'_id': 1, 'emails': [{'address': 'a@x'}]},
                           {'_id': 2, 'emails': [{'address': 'b@x'}, {'address': 'c@x'}]}])
    db.people.create_index('emails.address', unique=True, name='email_unique')
    db.people.create_index('emails.address', unique=True, name='email_unique')  # again: no-op
    db.people.insert_one({'_id': 3, 'emails': [{'address': 'd@x'}]})
    e = raises(DuplicateKeyError, 11000, db.people.insert_one, {'_id': 4, 'emails': [{'address': 'c@x'}]})
    assert 'index: email_unique' in str(e), str(e)
    raises(OperationFailure, 85, db.people.create_index, 'emails.address', name='email_unique')
    db.twins.insert_many([{'e': [{'a': 1}]}, {'e': [{'a': 2}, {'a': 1}]}])
    raises(DuplicateKeyError, 11000, db.twins.create_index, 'e.a', unique=True)
    # Sparse and multikey, as users.emails.address: users without an address are
    # many, a shared address still clashes.
    db.sparse_people.create_index('emails.address', unique=True, sparse=True, name='email_unique')
    db.sparse_people.insert_many([{'_id': 1}, {'_id': 2}, {'_id': 3, 'name': 'bot'},
                                  {'_id': 4, 'emails': [{'address': 'a@x'}]}])
    raises(DuplicateKeyError, 11000, db.sparse_people.insert_one, {'_id': 5, 'emails': [{'address': 'a@x'}]})
    raises(DuplicateKeyError, 11000, db.sparse_people.update_one, {'_id': 1},
           {'$set': {'emails': [{'address': 'a@x'}]}})


@test
def indexes(c, db):
    db.ix.create_index('at', expireAfterSeconds=3600)
    db.ix.create_index([('a', 1), ('b', -1)], name='ab')
    info = {i['name']: i for i in db.ix.list_indexes()}
    assert set(info) == {'_id_', 'at_1', 'ab'}, info
    assert info['at_1']['expireAfterSeconds'] == 3600 and info['ab']['key'] == {'a': 1, 'b': -1}
    db.ix.create_index('at', expireAfterSeconds=3600)  # idempotent
    db.command('collMod', 'ix', index={'name': 'at_1', 'expireAfterSeconds': 60})
    assert db.ix.index_information()['at_1']['expireAfterSeconds'] == 60
    db.ix.drop_index('ab')
    assert 'ab' not in db.ix.index_information()
    db.ix.drop_indexes()
    assert list(db.ix.index_information()) == ['_id_']
    raises(OperationFailure, 26, db.command, 'listIndexes', 'nosuch')
    db.ttl.create_index('at', expireAfterSeconds=0)
    db.ttl.insert_many([{'at': datetime.datetime.utcnow() - datetime.timedelta(seconds=5)}, {'keep': 1}])
    time.sleep(1.1)
    assert db.ttl.count_documents({}) == 1  # expired within ~1 s


@test
def updates(c, db):
    u = db.up
    u.insert_one({'_id': 1, 'a': {'b': 1}, 'n': 5, 'tags': ['x'], 'arr': [1, 2, 3, 2],
                  'items': [{'k': 'p', 'v': 1}, {'k': 'q', 'v': 2}], 'gone': 1, 'lo': 5, 'hi': 5})
    r = u.update_one({'_id': 1}, {'$set': {'a.c': 2}, '$unset': {'gone': ''}, '$inc': {'n': 2},
                                  '$push': {'tags': {'$each': ['y', 'z'], '$slice': -2}},
                                  '$pull': {'arr': 2}, '$addToSet': {'set': 'v'},
                                  '$min': {'lo': 3}, '$max': {'hi': 9}, '$currentDate': {'ts': True}})
    assert (r.matched_count, r.modified_count, r.upserted_id) == (1, 1, None)
    d = u.find_one({'_id': 1})
    assert d['a'] == {'b': 1, 'c': 2} and 'gone' not in d and d['n'] == 7, d
    assert d['tags'] == ['y', 'z'] and d['arr'] == [1, 3] and d['set'] == ['v'], d
    assert (d['lo'], d['hi']) == (3, 9) and isinstance(d['ts'], datetime.datetime)
    u.update_one({'_id': 1}, {'$addToSet': {'set': 'v'}, '$pop': {'arr': 1}})
    assert u.find_one({'_id': 1})['set'] == ['v'] and u.find_one({'_id': 1})['arr'] == [1]
    u.update_one({'_id': 1, 'items.k': 'q'}, {'$set': {'items.$.v': 20}})
    assert u.find_one({'_id': 1})['items'][1] == {'k': 'q', 'v': 20}
    r = u.update_one({'_id': 1}, {'$set': {'n': 7}})
    assert (r.matched_count, r.modified_count) == (1, 0)
    r = u.update_one({'_id': 2}, {'$set': {'x': 1}, '$setOnInsert': {'created': True}}, upsert=True)
    assert (r.matched_count, r.modified_count, r.upserted_id) == (0, 0, 2)
    assert u.find_one({'_id': 2}) == {'_id': 2, 'x': 1, 'created': True}
    u.update_one({'_id': 2}, {'$set': {'x': 2}, '$setOnInsert': {'created': False}}, upsert=True)
    assert u.find_one({'_id': 2}) == {'_id': 2, 'x': 2, 'created': True}
    r = u.update_one({'email': 'q@x'}, {'$set': {'v': 1}}, upsert=True)
    assert isinstance(r.upserted_id, ObjectId) and u.find_one({'_id': r.upserted_id})['email'] == 'q@x'
    u.insert_many([{'g': 1}, {'g': 1}, {'g': 2}])
    r = u.update_many({'g': 1}, {'$set': {'h': True}})
    assert (r.matched_count, r.modified_count) == (2, 2)
    r = u.replace_one({'_id': 2}, {'only': 'this'})
    assert r.modified_count == 1 and u.find_one({'_id': 2}) == {'_id': 2, 'only': 'this'}
    assert u.delete_one({'g': 1}).deleted_count == 1 and u.delete_many({'g': {'$gte': 1}}).deleted_count == 2
    r = u.bulk_write([pymongo.InsertOne({'_id': 10}), pymongo.UpdateOne({'_id': 10}, {'$set': {'b': 1}}),
                      pymongo.DeleteOne({'_id': 1})])
    assert (r.inserted_count, r.modified_count, r.deleted_count) == (1, 1, 1)
    u.with_options(write_concern=WriteConcern(w=0)).insert_one({'_id': 'w0'})  # OP_MSG moreToCome
    assert u.find_one({'_id': 'w0'}) == {'_id': 'w0'}


@test
def find_and_modify(c, db):
    f = db.fam
    r = db.command('findAndModify', 'fam', query={'_id': 'k'}, update={'$inc': {'n': 1}},
                   upsert=True, new=True)
    assert r['value'] == {'_id': 'k', 'n': 1}, r
    assert r['lastErrorObject'] == {'n': 1, 'updatedExisting': False, 'upserted': 'k'}, r
    r = db.command('findAndModify', 'fam', query={'_id': 'k'}, update={'$inc': {'n': 1}})
    assert r['value'] == {'_id': 'k', 'n': 1} and r['lastErrorObject'] == {'n': 1, 'updatedExisting': True}
    r = db.command('findAndModify', 'fam', query={'_id': 'none'}, update={'$set': {'a': 1}})
    assert r['value'] is None and r['lastErrorObject']['n'] == 0
    f.insert_many([{'q': 1, 'p': i} for i in range(5)])
    d = f.find_one_and_update({'q': 1}, {'$set': {'hit': True}}, sort=[('p', -1)],
                              projection={'p': 1, '_id': 0}, return_document=ReturnDocument.AFTER)
    assert d == {'p': 4}, d
    d = f.find_one_and_delete({'q': 1}, sort=[('p', 1)])
    assert d['p'] == 0 and f.count_documents({'q': 1}) == 4
    d = f.find_one_and_replace({'p': 1}, {'q': 2, 'p': 1}, return_document=ReturnDocument.AFTER)
    assert d['q'] == 2 and 'hit' not in d
    f.insert_one({'_id': 'arr', 'items': [{'k': 1, 'v': 0}, {'k': 2, 'v': 0}]})
    d = f.find_one_and_update({'_id': 'arr', 'items.k': 2}, {'$set': {'items.$.v': 5}},
                              return_document=ReturnDocument.AFTER)
    assert d['items'][1] == {'k': 2, 'v': 5}, d


@test
def count_distinct_aggregate(c, db):
    db.orders.insert_many([{'_id': i, 'user': i % 3, 'amt': i, 'tags': ['a', 'b'][:i % 3]}
                           for i in range(1, 10)])
    db.people.insert_many([{'_id': k, 'name': 'p%d' % k} for k in range(3)])
    assert db.command('count', 'orders', query={'user': 1})['n'] == 3
    assert db.command('count', 'orders', skip=2, limit=5)['n'] == 5
    assert db.orders.count_documents({'amt': {'$gt': 4}}) == 5
    assert sorted(db.orders.distinct('user')) == [0, 1, 2]
    got = list(db.orders.aggregate([
        {'$match': {'amt': {'$gte': 2}}}, {'$group': {'_id': '$user', 'total': {'$sum': '$amt'}}},
        {'$sort': {'_id': 1}}, {'$project': {'total': 1, 'double': {'$multiply': ['$total', 2]}}}]))
    assert got == [{'_id': 0, 'total': 18, 'double': 36}, {'_id': 1, 'total': 11, 'double': 22},
                   {'_id': 2, 'total': 15, 'double': 30}], got
    got = list(db.orders.aggregate([{'$match': {'_id': 5}}, {'$lookup': {
        'from': 'people', 'localField': 'user', 'foreignField': '_id', 'as': 'who'}},
        {'$unwind': '$who'}, {'$addFields': {'name': '$who.name'}}]))
    assert len(got) == 1 and got[0]['name'] == 'p2', got
    assert list(db.orders.aggregate([{'$unwind': '$tags'}, {'$count': 'n'}])) == [{'n': 9}]
    got = list(db.orders.aggregate([{'$sort': {'amt': -1}}, {'$skip': 1}, {'$limit': 2},
                                    {'$facet': {'ids': [{'$project': {'_id': 1}}], 'n': [{'$count': 'c'}]}}]))
    assert got == [{'ids': [{'_id': 8}, {'_id': 7}], 'n': [{'c': 2}]}], got
    assert list(db.orders.aggregate([{'$match': {'_id': {'$eq': 3}}}, {'$project': {'amt': 1}}])) == \
        [{'_id': 3, 'amt': 3}]


@test
def collections(c, db):
    db.create_collection('made')
    raises(OperationFailure, 48, db.command, 'create', 'made')
    db.other.insert_one({})
    assert set(db.list_collection_names()) == {'made', 'other'}
    assert [x['name'] for x in db.list_collections(filter={'name': 'made'})] == ['made']
    db.made.drop()
    assert db.list_collection_names() == ['other']
    raises(OperationFailure, 26, db.command, 'drop', 'made')
    assert db.name in c.list_database_names()
    c.drop_database(db.name)
    assert db.name not in c.list_database_names() and db.other.count_documents({}) == 0


@test
def validator(c, db):
    schema = {'bsonType': 'object', 'required': ['name', 'age'], 'additionalProperties': True,
              'properties': {'name': {'bsonType': 'string', 'maxLength': 5},
                             'age': {'bsonType': ['int', 'long'], 'minimum': 0, 'maximum': 150},
                             'role': {'enum': ['user', 'admin']},
                             'prefs': {'bsonType': 'object', 'required': ['lang'], 'properties': {
                                 'lang': {'bsonType': 'string', 'pattern': '^[a-z]{2}$'}}},
                             'tags': {'bsonType': 'array', 'items': {'bsonType': 'string'}, 'maxItems': 2}}}
    db.create_collection('v', validator={'$jsonSchema': schema, 'age': {'$ne': 13}})
    v = db.v
    v.insert_one({'_id': 1, 'name': 'ann', 'age': 30, 'role': 'user', 'prefs': {'lang': 'en'}, 'tags': ['a']})
    bad = [{'name': 'ann'}, {'name': 'toolong', 'age': 1}, {'name': 'a', 'age': -1}, {'name': 'a', 'age': 1.5},
           {'name': 'a', 'age': 1, 'role': 'root'}, {'name': 'a', 'age': 1, 'prefs': {'lang': 'eng'}},
           {'name': 'a', 'age': 1, 'prefs': {}}, {'name': 'a', 'age': 1, 'tags': [1]},
           {'name': 'a', 'age': 1, 'tags': ['a', 'b', 'c']}, {'name': 'a', 'age': 13}]
    for doc in bad:
        raises(WriteError, 121, v.insert_one, doc)
    raises(WriteError, 121, v.update_one, {'_id': 1}, {'$set': {'age': 200}})
    assert v.find_one({'_id': 1})['age'] == 30  # rolled back
    raises(OperationFailure, 121, v.find_one_and_update, {'_id': 1}, {'$unset': {'name': ''}})
    v.insert_one({'name': 'x'}, bypass_document_validation=True)
    info = db.list_collections(filter={'name': 'v'}).next()
    assert info['options']['validator']['$jsonSchema']['required'] == ['name', 'age']
    db.command('collMod', 'v', validator={'$jsonSchema': {'required': ['name']}})
    v.insert_one({'name': 'no age is fine now'})
    db.command('collMod', 'v', validationLevel='off', validator={'$jsonSchema': {'required': ['zzz']}})
    v.insert_one({'a': 1})
    raises(OperationFailure, 115, db.create_collection, 'v2', validator={'$jsonSchema': {'dependencies': {}}})


@test
def rejected(c, db):
    r = db.rj
    r.insert_one({'_id': 1, 'a': [{'x': 1}], 'n': 2})
    raises(WriteError, 115, r.update_one, {'_id': 1}, {'$set': {'a.$[e].x': 2}}, array_filters=[{'e.x': 1}])
    raises(WriteError, 115, r.update_one, {'_id': 1}, {'$set': {'a.$[].x': 2}})
    raises(WriteError, 115, r.update_one, {'_id': 1}, {'$mul': {'n': 2}})
    raises(WriteError, 115, r.update_one, {'_id': 1}, [{'$set': {'n': 3}}])
    raises(OperationFailure, 115, r.create_index, 'n', partialFilterExpression={'n': {'$gt': 1}})
    raises(OperationFailure, 115, r.create_index, [('t', 'text')])
    raises(OperationFailure, 115, lambda: list(r.find({}, collation={'locale': 'en'})))
    raises(OperationFailure, 115, lambda: list(r.find({'$text': {'$search': 'x'}})))
    raises(OperationFailure, 115, c.admin.command, 'renameCollection', db.name + '.rj', to=db.name + '.rk')
    raises(OperationFailure, 20, db.command, 'find', 'rj', txnNumber=Int64(1), autocommit=False,
           startTransaction=True)
    raises(OperationFailure, 115, db.command, 'create', 'capped', capped=True, size=4096)
    assert r.find_one({'_id': 1})['n'] == 2


@test
def unsupported_command_answers(c, db):
    t = time.time()
    e = raises(OperationFailure, 115, db.command, 'fooBarBaz')
    assert 'stand-in: fooBarBaz is not supported' in str(e) and time.time() - t < 2
    raises(OperationFailure, None, db.command, 'find', 'x', filter={'$bogus': 1})
    assert db.command('ping')['ok'] == 1  # connection still fine


def raw_request(port, body, opcode=2013):
    """Send one wire message; return (responseTo, opcode, first reply document)."""
    with socket.create_connection(('127.0.0.1', port), timeout=5) as s:
        s.sendall(struct.pack('<iiii', 16 + len(body), 77, 0, opcode) + body)
        head = s.recv(16, socket.MSG_WAITALL)
        length, _, response_to, op = struct.unpack('<iiii', head)
        data = s.recv(length - 16, socket.MSG_WAITALL)
        return response_to, op, bson.decode(data[5:] if op == 2013 else data[20:])


@test
def garbled_message_answered(c, db):
    port = c.address[1]
    bad = b'\x00\x00\x00\x00' + b'\x00' + struct.pack('<i', 12) + b'\x02xx\x00\xff\xff\x00'
    response_to, op, doc = raw_request(port, bad)
    assert (response_to, op, doc['ok']) == (77, 2013, 0) and 'cannot parse' in doc['errmsg'], doc
    good = b'\x00\x00\x00\x00\x00' + bson.encode({'ping': 1, '$db': 'admin'})
    assert raw_request(port, good)[2] == {'ok': 1}


@test
def sessions_gridfs_types(c, db):
    with c.start_session() as s:
        db.s.insert_one({'_id': 1}, session=s)
        assert db.s.find_one({'_id': 1}, session=s) == {'_id': 1}
    db.command('endSessions', [])
    bucket = gridfs.GridFSBucket(db)
    blob = os.urandom(300 * 1024)
    fid = bucket.upload_from_stream('f.bin', blob)
    assert bucket.open_download_stream(fid).read() == blob
    now = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000)
    db.t.insert_one({'_id': 1, 'd': now, 'i64': Int64(5), 'i32': 5, 'bin': Binary(b'\x00\x01', 0)})
    d = db.t.find_one({'_id': 1, 'd': now})
    assert d['d'] == now and type(d['i64']) is Int64 and type(d['i32']) is int and d['bin'] == b'\x00\x01'
    db.t.update_one({'_id': 1}, {'$inc': {'i64': 1, 'i32': 1, 'new64': Int64(1)}})
    d = db.t.find_one({'_id': 1})
    assert (type(d['i64']), type(d['i32']), type(d['new64'])) == (Int64, int, Int64) and d['i64'] == 6, d


@test
def find_by_id_rate(c, db):
    db.big.insert_many([{'_id': i, 'name': 'user%d' % i, 'n': i} for i in range(10000)])
    t, k = time.time(), 0
    while time.time() - t < 1:
        assert db.big.find_one({'_id': k % 10000})['n'] == k % 10000
        k += 1
    rate = k / (time.time() - t)
    print('    find by _id (pymongo, 10k docs): %.0f/s' % rate)
    assert rate > 500, rate


def persistence():
    tmpdir = tempfile.mkdtemp()
    path = os.path.join(tmpdir, 'dev.bson')
    try:
        proc, port = start('--data', path)
        c = client(port)
        oid = ObjectId()
        when = datetime.datetime(2020, 1, 2, 3, 4, 5, 678000)
        c.p.docs.insert_one({'_id': oid, 'when': when, 'bin': Binary(b'\xff' * 16, 4), 'i64': Int64(7),
                             'i32': 7, 'nested': {'a': [1, {'b': 'c'}]}, 'f': 1.5})
        c.p.docs.insert_one({'_id': {'compound': 1}, 'x': 1})
        c.p.docs.create_index('x', unique=True, name='x_u')
        c.p.create_collection('valid', validator={'$jsonSchema': {'required': ['a']}})
        c.p.create_collection('empty')
        time.sleep(2.6)  # the background saver writes within ~2 s of a write
        assert os.path.exists(path), 'not saved by the timer'
        c.p.docs.insert_one({'_id': 'late', 'x': 2})
        rc = stop(proc)
        assert rc == 0, 'exit code %s' % rc
        proc, port = start('--data', path)
        c = client(port)
        d = c.p.docs.find_one({'_id': oid})
        assert d['when'] == when and d['bin'] == Binary(b'\xff' * 16, 4) and type(d['i64']) is Int64
        assert type(d['i32']) is int and d['nested'] == {'a': [1, {'b': 'c'}]} and d['f'] == 1.5
        assert c.p.docs.find_one({'_id': {'compound': 1}})['x'] == 1
        assert c.p.docs.find_one({'_id': 'late'}) is not None
        assert c.p.docs.index_information()['x_u']['unique'] is True
        raises(DuplicateKeyError, 11000, c.p.docs.insert_one, {'x': 1})
        c.p.docs.create_index('x', unique=True, name='x_u')  # same options after reload: no conflict
        raises(WriteError, 121, c.p.valid.insert_one, {'b': 1})
        assert set(c.p.list_collection_names()) == {'docs', 'valid', 'empty'}
        assert stop(proc) == 0
    finally:
        for proc in PROCS[1:]:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(tmpdir)


def main():
    t0 = time.time()
    proc, port = start()
    c = client(port)
    try:
        for fn in TESTS + [persistence]:
            try:
                fn(c, c['t_' + fn.__name__]) if fn is not persistence else fn()
                RESULTS['passed'] += 1
                print('ok   %s' % fn.__name__)
            except Exception:
                RESULTS['failed'] += 1
                print('FAIL %s' % fn.__name__)
                traceback.print_exc()
    finally:
        c.close()
        rc = stop(proc)
        err = proc.stderr.read()
        if rc != 0 or err.strip():
            RESULTS['failed'] += 1
            print('FAIL stand-in exit %s, stderr:\n%s' % (rc, err))
    print('    (%.1f s)' % (time.time() - t0))
    print('%d passed, %d failed' % (RESULTS['passed'], RESULTS['failed']))
    return 1 if RESULTS['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
