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


def security_log(user_id):
    """Every stored security-log document of USER_ID, whole, oldest first."""
    docs = database().security_log.find({'userId': user_id}).sort('at', 1)
    return [json.loads(json.dumps(d, default=str)) for d in docs]


def age_security_log(user_id):
    """Moves the expiry of USER_ID's events into the past (the TTL monitor
    has not run yet), so the listing's own expiry check is what hides them."""
    past = datetime.datetime.utcnow() - datetime.timedelta(minutes=1)
    return database().security_log.update_many({'userId': user_id}, {'$set': {'expiresAt': past}}).modified_count


COMMANDS = {'count-tokens': count_tokens, 'user': user, 'set-totp': set_totp,
            'clear-limits': clear_limits, 'set-email2fa': set_email2fa, 'mail-queue': mail_queue,
            'token': token, 'expire-token': expire_token, 'clear-user-limits': clear_user_limits,
            'security-log': security_log, 'age-security-log': age_security_log}

if __name__ == '__main__':
    print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])))
