#!/usr/bin/python3
"""dbtool.py - test-side database access over the MongoDB wire protocol
(pymongo), for state the HTTP API does not show. Prints JSON."""
import json
import os
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


COMMANDS = {'count-tokens': count_tokens, 'user': user, 'set-totp': set_totp,
            'clear-limits': clear_limits, 'set-email2fa': set_email2fa, 'mail-queue': mail_queue}

if __name__ == '__main__':
    print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])))
