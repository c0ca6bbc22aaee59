#!/usr/bin/python3
"""dbtool.py - test-side database access over the MongoDB wire protocol
(pymongo), for state the HTTP API does not show. Prints JSON."""
import datetime
import base64
import hashlib
import json
import os
import re
import sys

import gridfs
import pymongo


def database():
    uri, name = 'mongodb://127.0.0.1:27017/', 'myaccount'
    conf = os.environ.get('MYACCOUNT_CONFIG')
    if conf:
        for line in open(conf):
            key, _, value = line.partition('=')
            if key.strip() == 'mongodb_uri':
                uri = value.strip()
            elif key.strip() == 'mongodb_database':
                name = value.strip()
    return pymongo.MongoClient(uri, serverSelectionTimeoutMS=3000)[name]


def count_tokens(user_id, kind=None):
    query = {'userId': user_id}
    if kind:
        query['type'] = kind
    return database().tokens.count_documents(query)


def user(username):
    doc = database().users.find_one({'username': username})
    return json.loads(json.dumps(doc, default=str)) if doc else None


def set_totp(username, secret, *backup_hashes):
    database().users.update_one({'username': username}, {'$set': {
        'services.totp': {'enabled': True, 'secret': secret, 'hashedBackup': list(backup_hashes)}}})
    return True


def set_email2fa(username, enabled='true'):
    database().users.update_one({'username': username}, {'$set': {
        'services.email2fa': {'enabled': enabled == 'true'}}})
    return True


def mail_queue(to):
    docs = database().mail_queue.find({'to': to}, {'message': 0})
    return [json.loads(json.dumps(d, default=str)) for d in docs]


def clear_limits():
    database().ratelimits.delete_many({})
    return True


def epoch_ms(doc):
    """DOC with its dates as milliseconds since the epoch (UTC)."""
    return {k: int(v.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
            if isinstance(v, datetime.datetime) else v for k, v in doc.items()}


def token(token_hash):
    doc = database().tokens.find_one({'_id': token_hash})
    return json.loads(json.dumps(epoch_ms(doc), default=str)) if doc else None


def expire_token(token_hash):
    """Moves only expiresAt into the past; purgeAt (the TTL clean-up) stays,
    so what refuses the token afterwards is the query's own expiry check."""
    past = datetime.datetime.utcnow() - datetime.timedelta(minutes=1)
    return database().tokens.update_one({'_id': token_hash}, {'$set': {'expiresAt': past}}).modified_count == 1


def limit_key(scope, subject):
    """A counter's _id as lib/ratelimit.c makes it: the subject is hashed."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(subject.encode()).digest()).rstrip(b'=').decode()
    return '%s:%s' % (scope, digest)


def clear_user_limits(user_id):
    """Deletes every rate-limit counter of USER_ID (the per-user 2FA limiter,
    code mails, the account's sign-in failures), leaving other users' and
    addresses' counters."""
    ids = [limit_key('2fa', user_id), limit_key('2fa-mail', user_id), limit_key('login-user', 'id:' + user_id)]
    return database().ratelimits.delete_many({'_id': {'$in': ids}}).deleted_count


def _holds(value, needle):
    """Does VALUE (a document, list, string) contain NEEDLE anywhere?"""
    if isinstance(value, dict):
        return any(_holds(k, needle) or _holds(v, needle) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_holds(v, needle) for v in value)
    return isinstance(value, str) and needle in value


def user_traces(user_id):
    """Every collection of the database (whatever the code's table says),
    with how many of its documents mention USER_ID anywhere."""
    d = database()
    return {name: sum(1 for doc in d[name].find() if _holds(doc, user_id))
            for name in sorted(d.list_collection_names())}


def seed_owned(user_id):
    """Documents other areas make for a user (an uploaded avatar, an export
    job, a pending code, queued mail, a security event), made directly, so
    the deletion test holds whatever those areas do yet."""
    d = database()
    now = datetime.datetime.utcnow()
    later = now + datetime.timedelta(hours=1)
    d.avatars.replace_one({'_id': user_id}, {'_id': user_id, 'contentType': 'image/png', 'etag': 'x',
                                              'data': b'\x89PNG'}, upsert=True)
    d.exports.insert_one({'userId': user_id, 'state': 'pending', 'fullExport': True, 'expiresAt': later})
    d.email_codes.replace_one({'_id': '2fa:' + user_id}, {'_id': '2fa:' + user_id, 'userId': user_id,
                                                          'purpose': '2fa', 'hash': 'k1:x', 'expiresAt': later,
                                                          'attempts': 0}, upsert=True)
    d.mail_queue.insert_one({'kind': 'message', 'userId': user_id, 'state': 'sent', 'purgeAt': later})
    d.security_log.insert_one({'userId': user_id, 'event': 'login', 'at': now, 'expiresAt': later,
                               'ip': '10.0.0.1', 'userAgent': 'test'})
    d.known_devices.insert_one({'userId': user_id, 'firstSeen': now, 'lastSeen': now, 'expiresAt': later})
    # An export archive: a GridFS file whose chunks do not name the user.
    gridfs.GridFSBucket(d, 'export_files').upload_from_stream(
        'export.zip', b'PK' + os.urandom(300000), metadata={'userId': user_id})
    return True


def orphan_chunks(bucket='export_files'):
    """Chunks of BUCKET whose file is gone (a deletion that forgot them)."""
    d = database()
    files = {f['_id'] for f in d[bucket + '.files'].find({}, {'_id': 1})}
    return sum(1 for c in d[bucket + '.chunks'].find({}, {'files_id': 1}) if c['files_id'] not in files)


def set_email(username, address):
    database().users.update_one({'username': username}, {'$set': {'emails': [{'address': address, 'verified': True}]}})
    return True


def unset_password(user_id):
    database().users.update_one({'_id': user_id}, {'$unset': {'services.password': ''}})
    return True


def security_events(user_id):
    """The names of USER_ID's security log events, oldest first."""
    return [d['event'] for d in database().security_log.find({'userId': user_id}).sort('at', 1)]


def user_by_id(user_id):
    doc = database().users.find_one({'_id': user_id})
    return json.loads(json.dumps(doc, default=str)) if doc else None


def set_email_verified(username, verified='true'):
    database().users.update_one({'username': username}, {'$set': {'emails.0.verified': verified == 'true'}})
    return True


def set_e2e(username, public_key, private_key):
    database().users.update_one({'username': username}, {'$set': {'e2e': {'public_key': public_key, 'private_key': private_key}}})
    return True


def security_log(user_id):
    """Every stored security-log document of USER_ID, whole, oldest first."""
    docs = database().security_log.find({'userId': user_id}).sort('at', 1)
    return [json.loads(json.dumps(d, default=str)) for d in docs]


def age_security_log(user_id):
    """Moves the expiry of USER_ID's events into the past (the TTL monitor
    has not run yet), so the listing's own expiry check is what hides them."""
    past = datetime.datetime.utcnow() - datetime.timedelta(minutes=1)
    return database().security_log.update_many({'userId': user_id}, {'$set': {'expiresAt': past}}).modified_count


# Every function above is a command by its name with dashes: user_traces is
# "user-traces". (A table of names here conflicted in every merge.)
COMMANDS = {name.replace('_', '-'): fn for name, fn in list(globals().items())
            if callable(fn) and getattr(fn, '__module__', None) == '__main__'}

if __name__ == '__main__':
    print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])))
