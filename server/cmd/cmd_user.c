/*
 * cmd_user.c - users, roles, passwords, API tokens and `auth` (layer: cmd).
 *
 * Users are kept in the meta column family (keys in store_int.h): "user/NAME" holds
 * {name, role, no, created, pw} with pw an Argon2id hash in libsodium's crypto_pwhash_str
 * format (its parameters are in the string) or nil for a token-only user; "token/HEX" holds
 * {user, id, label, created} where HEX is the SHA-256 of the token, so the token itself is never
 * stored. Tokens are 32 random bytes; a fast hash is enough for them (they cannot be guessed),
 * passwords need the slow one. Every change writes a history entry for the user (history id
 * store_hist_id('u', no)) with {name, role} only: no secret and no hash reaches the history.
 *
 * A password check costs one Argon2id computation with libsodium's "interactive" limits
 * (2 passes over 64 MiB, about 50-100 ms on one core): auth therefore runs on a worker thread
 * (it is a CMD_READ method, never CMD_INLINE/CMD_FAST), and at most `threads` of them at once.
 * An unknown user costs the same as a wrong password (a check against a dummy hash), so the
 * time of an answer does not say whether a user exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

#define USER_PREFIX      "user/"
#define TOKEN_PREFIX     "token/"
#define USER_NEXT        "users_next"
#define USER_PW_MIN      12
#define USER_PW_MAX      1024
#define USER_TOKEN_BYTES 32
#define USER_TOKEN_TAG   "kn_"

typedef struct {
    char name[CMD_USER_NAME_MAX + 1];
    char role[16];
    uint32_t no;
    char created[32];
    char pw[crypto_pwhash_STRBYTES];
    bool has_pw;
} user_rec_t;

static pthread_once_t user_once = PTHREAD_ONCE_INIT;
static int user_sodium_rc = -1;
static char user_dummy_hash[crypto_pwhash_STRBYTES];

static void user__init(void)
{
    unsigned char pw[16];
    if ((user_sodium_rc = sodium_init()) < 0)
        return;
    randombytes_buf(pw, sizeof(pw));
    if (crypto_pwhash_str(user_dummy_hash, (const char *)pw, sizeof(pw),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        user_sodium_rc = -1;
}

static int user__ready(knoop_error_t *err)
{
    pthread_once(&user_once, user__init);
    if (user_sodium_rc < 0)
        return knoop_error_set(err, KNOOP_EINTERNAL, "libsodium could not be initialised");
    return KNOOP_OK;
}

/* User names: 1..64 of letters, digits, '.', '_', '-'. */
static int user__check_name(const char *field, const char *s, size_t len, knoop_error_t *err)
{
    char q[96];
    if (len == 0 || len > CMD_USER_NAME_MAX)
        return knoop_error_set(err, KNOOP_EINVAL, "params.%s: expected 1 to %d bytes, got %zu",
                               field, CMD_USER_NAME_MAX, len);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.%s: letters, digits, '.', '_' and '-' only, got %s",
                                   field, knoop_repr(q, sizeof(q), s, len, 64));
    }
    return KNOOP_OK;
}

/* The `name` parameter (required by the spec), checked, into buf. */
static int user__name_param(const msgpack_object *p, char *buf, knoop_error_t *err)
{
    const char *s;
    size_t len;
    int rc;
    if (!proto_param_str(p, "name", &s, &len))
        return knoop_error_set(err, KNOOP_EINVAL, "params.name: required");
    if ((rc = user__check_name("name", s, len, err)) != KNOOP_OK)
        return rc;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return KNOOP_OK;
}

static int user__check_password(const char *pw, size_t len, knoop_error_t *err)
{
    if (len < USER_PW_MIN || len > USER_PW_MAX)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.password: expected %d to %d bytes, got %zu", USER_PW_MIN,
                               USER_PW_MAX, len);
    if (memchr(pw, '\0', len) != NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "params.password: contains a NUL byte");
    return KNOOP_OK;
}

/* Argon2id hash of pw into out. KNOOP_ENOMEM when libsodium cannot get its memory. */
static int user__hash_password(const char *pw, size_t len, char out[crypto_pwhash_STRBYTES],
                               knoop_error_t *err)
{
    int rc = user__ready(err);
    if (rc != KNOOP_OK)
        return rc;
    if (crypto_pwhash_str(out, pw, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory while hashing the password");
    return KNOOP_OK;
}

static size_t user__key(char *buf, size_t bufsz, const char *name)
{
    int n = snprintf(buf, bufsz, USER_PREFIX "%s", name);
    return n < 0 ? 0 : (size_t)n;
}

/* "token/" + the hex SHA-256 of token. buf: at least 6 + 64 + 1 bytes. */
static size_t user__token_key(char *buf, const char *token, size_t len)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, len);
    memcpy(buf, TOKEN_PREFIX, strlen(TOKEN_PREFIX));
    sodium_bin2hex(buf + strlen(TOKEN_PREFIX), 2 * sizeof(h) + 1, h, sizeof(h));
    return strlen(TOKEN_PREFIX) + 2 * sizeof(h);
}

/* Copies string field `name` of map m into buf (bufsz); "" when absent. */
static void user__field(const msgpack_object *m, const char *name, char *buf, size_t bufsz)
{
    const char *s;
    size_t len;
    buf[0] = '\0';
    if (proto_param_str(m, name, &s, &len) && len < bufsz) {
        memcpy(buf, s, len);
        buf[len] = '\0';
    }
}

static int user__decode(const void *val, size_t vlen, user_rec_t *u, knoop_error_t *err)
{
    msgpack_unpacked un;
    size_t off = 0;
    uint64_t no = 0;
    int rc = KNOOP_OK;
    msgpack_unpacked_init(&un);
    memset(u, 0, sizeof(*u));
    if (msgpack_unpack_next(&un, val, vlen, &off) != MSGPACK_UNPACK_SUCCESS ||
        un.data.type != MSGPACK_OBJECT_MAP) {
        msgpack_unpacked_destroy(&un);
        return knoop_error_set(err, KNOOP_ECORRUPT, "storage: a user record is not a map");
    }
    user__field(&un.data, "name", u->name, sizeof(u->name));
    user__field(&un.data, "role", u->role, sizeof(u->role));
    user__field(&un.data, "created", u->created, sizeof(u->created));
    user__field(&un.data, "pw", u->pw, sizeof(u->pw));
    u->has_pw = u->pw[0] != '\0';
    if (proto_param_u64(&un.data, "no", &no))
        u->no = (uint32_t)no;
    if (u->name[0] == '\0' || cmd_role_grants(u->role) == 0)
        rc = knoop_error_set(err, KNOOP_ECORRUPT, "storage: a user record lacks name or role");
    msgpack_unpacked_destroy(&un);
    return rc;
}

/* Reads user name through view. KNOOP_ENOTFOUND (err set) when there is none. */
static int user__get(store_t *s, const store_view_t *view, const char *name, user_rec_t *u,
                     knoop_error_t *err)
{
    char key[8 + CMD_USER_NAME_MAX];
    void *val = NULL;
    size_t vlen = 0, kl = user__key(key, sizeof(key), name);
    int rc = store_get(s, view, KV_CF_META, key, kl, &val, &vlen, err);
    if (rc == KNOOP_ENOTFOUND)
        return knoop_error_set(err, KNOOP_ENOTFOUND, "no user '%s'", name);
    if (rc != KNOOP_OK)
        return rc;
    rc = user__decode(val, vlen, u, err);
    kv_free(val);
    return rc;
}

/* Packs {name, role} (what the history shows of a user) into out. */
static int user__pack_public(const user_rec_t *u, knoop_buf_t *out)
{
    msgpack_packer pk;
    knoop_buf_packer(out, &pk);
    msgpack_pack_map(&pk, 2);
    cmd_pack_cstr(&pk, "name");
    cmd_pack_cstr(&pk, u->name);
    cmd_pack_cstr(&pk, "role");
    cmd_pack_cstr(&pk, u->role);
    return knoop_buf_failed(out) ? KNOOP_ENOMEM : KNOOP_OK;
}

/* Writes u (and its history entry op, with `before` the previous public form or NULL). */
static int user__put(store_txn_t *t, const user_rec_t *u, const char *op, const user_rec_t *before,
                     knoop_error_t *err)
{
    char key[8 + CMD_USER_NAME_MAX];
    knoop_buf_t val, pub, old;
    msgpack_packer pk;
    int rc;
    knoop_buf_init(&val);
    knoop_buf_init(&pub);
    knoop_buf_init(&old);
    knoop_buf_packer(&val, &pk);
    msgpack_pack_map(&pk, 5);
    cmd_pack_cstr(&pk, "name");
    cmd_pack_cstr(&pk, u->name);
    cmd_pack_cstr(&pk, "role");
    cmd_pack_cstr(&pk, u->role);
    cmd_pack_cstr(&pk, "no");
    msgpack_pack_uint32(&pk, u->no);
    cmd_pack_cstr(&pk, "created");
    cmd_pack_cstr(&pk, u->created);
    cmd_pack_cstr(&pk, "pw");
    if (u->has_pw)
        cmd_pack_cstr(&pk, u->pw);
    else
        msgpack_pack_nil(&pk);
    rc = knoop_buf_failed(&val) ? KNOOP_ENOMEM : user__pack_public(u, &pub);
    if (rc == KNOOP_OK && before != NULL)
        rc = user__pack_public(before, &old);
    if (rc == KNOOP_OK)
        rc = store_txn_put(t, KV_CF_META, key, user__key(key, sizeof(key), u->name), val.data,
                           val.size);
    if (rc == KNOOP_OK)
        rc = store_txn_history(t, store_hist_id('u', u->no), op, before ? old.data : NULL, old.size,
                               pub.data, pub.size);
    knoop_buf_destroy(&val);
    knoop_buf_destroy(&pub);
    knoop_buf_destroy(&old);
    if (rc == KNOOP_ENOMEM)
        knoop_error_set(err, rc, "out of memory");
    return rc;
}

/* The next user number (for history ids), persisted in meta "users_next". */
static int user__next_no(store_txn_t *t, uint32_t *no, knoop_error_t *err)
{
    void *val = NULL;
    size_t vlen = 0;
    unsigned char b[4];
    uint32_t n = 1;
    int rc = store_get(store_txn_store(t), store_txn_view(t), KV_CF_META, USER_NEXT,
                       strlen(USER_NEXT), &val, &vlen, err);
    if (rc == KNOOP_OK) {
        if (vlen == 4)
            n = store_get_u32(val);
        kv_free(val);
    } else if (rc != KNOOP_ENOTFOUND) {
        return rc;
    }
    *no = n;
    store_put_u32(b, n + 1);
    rc = store_txn_put(t, KV_CF_META, USER_NEXT, strlen(USER_NEXT), b, 4);
    if (rc != KNOOP_OK)
        return knoop_error_set(err, rc, "out of memory");
    return KNOOP_OK;
}

/* Creates user name with role and password pw (NULL: token-only) inside t. */
static int user__create(store_txn_t *t, const char *name, const char *role, const char *pw,
                        size_t pwlen, knoop_error_t *err)
{
    user_rec_t u, old;
    int rc = user__get(store_txn_store(t), store_txn_view(t), name, &old, err);
    if (rc == KNOOP_OK)
        return knoop_error_set(err, KNOOP_ECONFLICT, "user '%s' exists", name);
    if (rc != KNOOP_ENOTFOUND)
        return rc;
    memset(&u, 0, sizeof(u));
    snprintf(u.name, sizeof(u.name), "%s", name);
    snprintf(u.role, sizeof(u.role), "%s", role);
    store_format_ts(store_txn_time(t), u.created);
    if (pw != NULL) {
        if ((rc = user__hash_password(pw, pwlen, u.pw, err)) != KNOOP_OK)
            return rc;
        u.has_pw = true;
    }
    if ((rc = user__next_no(t, &u.no, err)) != KNOOP_OK)
        return rc;
    return user__put(t, &u, "create", NULL, err);
}

/* Calls cb for each value under prefix in meta (through view); cb returns nonzero to stop. */
typedef int (*user_scan_cb)(void *arg, const char *key, size_t klen, const void *val, size_t vlen);
static int user__scan(store_t *s, const store_view_t *view, const char *prefix, user_scan_cb cb,
                      void *arg, knoop_error_t *err)
{
    size_t pl = strlen(prefix);
    char hi[16];
    store_iter_t *it;
    int rc;
    memcpy(hi, prefix, pl);
    hi[pl - 1]++; /* '/' + 1: the first key past the prefix */
    if ((it = store_iter(s, view, KV_CF_META, prefix, pl, hi, pl)) == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const char *k = store_iter_key(it, &kl);
        const void *v = store_iter_value(it, &vl);
        if (cb(arg, k, kl, v, vl) != 0)
            break;
    }
    rc = store_iter_status(it, err);
    store_iter_free(it);
    return rc;
}

/* ---- auth ---- */

int cmd_auth(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    const char *token = NULL, *user = NULL, *pw = NULL;
    size_t tl = 0, ul = 0, pl = 0;
    cmd_identity_t id;
    user_rec_t u;
    const char *role = NULL;
    int rc;

    if ((rc = user__ready(err)) != KNOOP_OK)
        return rc;
    proto_param_str(p, "token", &token, &tl);
    proto_param_str(p, "user", &user, &ul);
    proto_param_str(p, "password", &pw, &pl);
    if ((token != NULL) == (user != NULL || pw != NULL) || (user != NULL) != (pw != NULL))
        return knoop_error_set(err, KNOOP_EINVAL, "auth: give either {user, password} or {token}");
    memset(&id, 0, sizeof(id));
    if (token != NULL) {
        unsigned char a[crypto_hash_sha256_BYTES], b[crypto_hash_sha256_BYTES];
        char key[80];
        void *val = NULL;
        size_t vlen = 0;
        /* The shared --auth-token-file token: compared as hashes, in constant time. */
        if (ctx->shared_token != NULL) {
            crypto_hash_sha256(a, (const unsigned char *)token, tl);
            crypto_hash_sha256(b, (const unsigned char *)ctx->shared_token,
                               strlen(ctx->shared_token));
            if (sodium_memcmp(a, b, sizeof(a)) == 0) {
                snprintf(id.user, sizeof(id.user), "shared-token");
                id.roles = cmd_role_grants("admin");
                role = "admin";
                goto ok;
            }
        }
        rc = store_get(ctx->store, ctx->view, KV_CF_META, key, user__token_key(key, token, tl),
                       &val, &vlen, err);
        if (rc == KNOOP_ENOTFOUND)
            return knoop_error_set(err, KNOOP_EUNAUTH, "auth: unknown or revoked token");
        if (rc != KNOOP_OK)
            return rc;
        {
            msgpack_unpacked un;
            size_t off = 0;
            char name[CMD_USER_NAME_MAX + 1] = "";
            msgpack_unpacked_init(&un);
            if (msgpack_unpack_next(&un, val, vlen, &off) == MSGPACK_UNPACK_SUCCESS)
                user__field(&un.data, "user", name, sizeof(name));
            msgpack_unpacked_destroy(&un);
            kv_free(val);
            rc = user__get(ctx->store, ctx->view, name, &u, err);
        }
        if (rc == KNOOP_ENOTFOUND)
            return knoop_error_set(err, KNOOP_EUNAUTH, "auth: unknown or revoked token");
        if (rc != KNOOP_OK)
            return rc;
    } else {
        char name[CMD_USER_NAME_MAX + 1];
        bool known = false;
        if (ul > 0 && ul <= CMD_USER_NAME_MAX) {
            memcpy(name, user, ul);
            name[ul] = '\0';
            rc = user__get(ctx->store, ctx->view, name, &u, err);
            if (rc != KNOOP_OK && rc != KNOOP_ENOTFOUND)
                return rc;
            known = rc == KNOOP_OK && u.has_pw;
        }
        /* An unknown user costs one hash too: the answer's time does not tell. */
        if (crypto_pwhash_str_verify(known ? u.pw : user_dummy_hash, pw, pl) != 0 || !known)
            return knoop_error_set(err, KNOOP_EUNAUTH, "auth: wrong user or password");
    }
    snprintf(id.user, sizeof(id.user), "%s", u.name);
    id.roles = cmd_role_grants(u.role);
    role = u.role;
ok:
    /* The connection's declared purpose of its reads, if given (session.purpose changes it). */
    {
        bool present;
        if ((rc = cmd_str_param(p, "purpose", id.purpose, sizeof(id.purpose), &present, err)) !=
            KNOOP_OK)
            return rc;
    }
    if (ctx->auth_out != NULL)
        *ctx->auth_out = id;
    msgpack_pack_map(pk, 3);
    cmd_pack_cstr(pk, "authenticated");
    msgpack_pack_true(pk);
    cmd_pack_cstr(pk, "user");
    cmd_pack_cstr(pk, id.user);
    cmd_pack_cstr(pk, "role");
    cmd_pack_cstr(pk, role);
    return KNOOP_OK;
}

/* ---- user.* ---- */

int cmd_user_add(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    char name[CMD_USER_NAME_MAX + 1], role[16];
    const char *pw = NULL;
    size_t pl = 0;
    bool present;
    int rc;
    if ((rc = user__name_param(p, name, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "role", role, sizeof(role), &present, err)) != KNOOP_OK)
        return rc;
    if (cmd_role_grants(role) == 0)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.role: expected reader, editor, admin or privacy, got '%s'",
                               role);
    if (proto_param_str(p, "password", &pw, &pl) &&
        (rc = user__check_password(pw, pl, err)) != KNOOP_OK)
        return rc;
    if ((rc = user__create(ctx->txn, name, role, pw, pl, err)) != KNOOP_OK)
        return rc;
    msgpack_pack_map(pk, 3);
    cmd_pack_cstr(pk, "name");
    cmd_pack_cstr(pk, name);
    cmd_pack_cstr(pk, "role");
    cmd_pack_cstr(pk, role);
    cmd_pack_cstr(pk, "password");
    cmd_pack_bool(pk, pw != NULL);
    return KNOOP_OK;
}

typedef struct {
    const char *user; /* tokens of this user only (NULL: all) */
    const char *id;   /* only this token id (NULL: all) */
    msgpack_packer *pk;
    store_txn_t *t; /* delete the matching tokens in t */
    uint32_t count;
    int rc;
    bool pack;
} user_tokens_t;

static int user__tokens_cb(void *arg, const char *key, size_t klen, const void *val, size_t vlen)
{
    user_tokens_t *a = arg;
    msgpack_unpacked un;
    size_t off = 0;
    char user[CMD_USER_NAME_MAX + 1], id[32], label[128], created[32];
    msgpack_unpacked_init(&un);
    if (msgpack_unpack_next(&un, val, vlen, &off) != MSGPACK_UNPACK_SUCCESS) {
        msgpack_unpacked_destroy(&un);
        return 0;
    }
    user__field(&un.data, "user", user, sizeof(user));
    user__field(&un.data, "id", id, sizeof(id));
    user__field(&un.data, "label", label, sizeof(label));
    user__field(&un.data, "created", created, sizeof(created));
    msgpack_unpacked_destroy(&un);
    if ((a->user != NULL && strcmp(user, a->user) != 0) ||
        (a->id != NULL && strcmp(id, a->id) != 0))
        return 0;
    a->count++;
    if (a->pack) {
        msgpack_pack_map(a->pk, 3);
        cmd_pack_cstr(a->pk, "id");
        cmd_pack_cstr(a->pk, id);
        cmd_pack_cstr(a->pk, "label");
        cmd_pack_cstr(a->pk, label);
        cmd_pack_cstr(a->pk, "created");
        cmd_pack_cstr(a->pk, created);
    }
    if (a->t != NULL && (a->rc = store_txn_delete(a->t, KV_CF_META, key, klen)) != KNOOP_OK)
        return 1;
    return 0;
}

/* Counts (and with t, deletes) the tokens of user (id: only that one). */
static int user__tokens(cmd_ctx_t *ctx, const char *user, const char *id, store_txn_t *t,
                        uint32_t *count, knoop_error_t *err)
{
    user_tokens_t a = { .user = user, .id = id, .t = t };
    int rc = user__scan(ctx->store, ctx->view, TOKEN_PREFIX, user__tokens_cb, &a, err);
    if (rc == KNOOP_OK && a.rc != KNOOP_OK)
        rc = knoop_error_set(err, a.rc, "out of memory");
    *count = a.count;
    return rc;
}

typedef struct {
    cmd_ctx_t *ctx;
    msgpack_packer *pk;
    knoop_error_t *err;
    uint32_t n, admins;
    int rc;
    bool pack;
} user_list_t;

static int user__list_cb(void *arg, const char *key, size_t klen, const void *val, size_t vlen)
{
    user_list_t *a = arg;
    user_rec_t u;
    (void)key;
    (void)klen;
    if ((a->rc = user__decode(val, vlen, &u, a->err)) != KNOOP_OK)
        return 1;
    a->n++;
    if (strcmp(u.role, "admin") == 0)
        a->admins++;
    if (a->pack) {
        user_tokens_t t = { .user = u.name, .pk = a->pk, .pack = true };
        msgpack_pack_map(a->pk, 5);
        cmd_pack_cstr(a->pk, "name");
        cmd_pack_cstr(a->pk, u.name);
        cmd_pack_cstr(a->pk, "role");
        cmd_pack_cstr(a->pk, u.role);
        cmd_pack_cstr(a->pk, "created");
        cmd_pack_cstr(a->pk, u.created);
        cmd_pack_cstr(a->pk, "password");
        cmd_pack_bool(a->pk, u.has_pw);
        cmd_pack_cstr(a->pk, "tokens");
        /* Count first, then pack: msgpack needs the array's length up front. */
        t.pack = false;
        if ((a->rc = user__scan(a->ctx->store, a->ctx->view, TOKEN_PREFIX, user__tokens_cb, &t,
                                a->err)) != KNOOP_OK)
            return 1;
        msgpack_pack_array(a->pk, t.count);
        t.pack = true;
        t.count = 0;
        if ((a->rc = user__scan(a->ctx->store, a->ctx->view, TOKEN_PREFIX, user__tokens_cb, &t,
                                a->err)) != KNOOP_OK)
            return 1;
    }
    return 0;
}

int cmd_user_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    user_list_t a = { .ctx = ctx, .pk = pk, .err = err };
    int rc;
    (void)p;
    if ((rc = user__scan(ctx->store, ctx->view, USER_PREFIX, user__list_cb, &a, err)) != KNOOP_OK)
        return rc;
    if (a.rc != KNOOP_OK)
        return a.rc;
    msgpack_pack_map(pk, 1);
    cmd_pack_cstr(pk, "users");
    msgpack_pack_array(pk, a.n);
    a.pack = true;
    a.n = 0;
    if ((rc = user__scan(ctx->store, ctx->view, USER_PREFIX, user__list_cb, &a, err)) != KNOOP_OK)
        return rc;
    return a.rc;
}

int cmd_user_remove(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    char name[CMD_USER_NAME_MAX + 1], key[8 + CMD_USER_NAME_MAX];
    user_rec_t u;
    knoop_buf_t pub;
    uint32_t tokens = 0;
    int rc;
    if ((rc = user__name_param(p, name, err)) != KNOOP_OK ||
        (rc = user__get(ctx->store, ctx->view, name, &u, err)) != KNOOP_OK)
        return rc;
    if (strcmp(u.role, "admin") == 0) {
        user_list_t a = { .ctx = ctx, .err = err };
        if ((rc = user__scan(ctx->store, ctx->view, USER_PREFIX, user__list_cb, &a, err)) !=
            KNOOP_OK)
            return rc;
        if (a.admins <= 1)
            return knoop_error_set(err, KNOOP_ECONFLICT,
                                   "user.remove: '%s' is the last admin; add another first", name);
    }
    if ((rc = user__tokens(ctx, name, NULL, ctx->txn, &tokens, err)) != KNOOP_OK)
        return rc;
    knoop_buf_init(&pub);
    rc = user__pack_public(&u, &pub);
    if (rc == KNOOP_OK)
        rc = store_txn_delete(ctx->txn, KV_CF_META, key, user__key(key, sizeof(key), name));
    if (rc == KNOOP_OK)
        rc = store_txn_history(ctx->txn, store_hist_id('u', u.no), "delete", pub.data, pub.size,
                               NULL, 0);
    knoop_buf_destroy(&pub);
    if (rc != KNOOP_OK)
        return knoop_error_set(err, rc, "out of memory");
    msgpack_pack_map(pk, 2);
    cmd_pack_cstr(pk, "removed");
    cmd_pack_cstr(pk, name);
    cmd_pack_cstr(pk, "tokens_revoked");
    msgpack_pack_uint32(pk, tokens);
    return KNOOP_OK;
}

/* user.passwd and user.token: an admin may act on anyone, other users on themselves only. */
static int user__self_or_admin(const cmd_ctx_t *ctx, const char *method, const char *name,
                               knoop_error_t *err)
{
    if ((ctx->roles & CMD_ROLE_ADMIN) != 0 ||
        (ctx->who.actor != NULL && strcmp(ctx->who.actor, name) == 0))
        return KNOOP_OK;
    return knoop_error_set(err, KNOOP_EPERM,
                           "%s for another user needs the role admin; %s may only change itself",
                           method, ctx->who.actor != NULL ? ctx->who.actor : "the caller");
}

int cmd_user_passwd(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    char name[CMD_USER_NAME_MAX + 1];
    const char *pw;
    size_t pl;
    user_rec_t u, before;
    int rc;
    if ((rc = user__name_param(p, name, err)) != KNOOP_OK ||
        (rc = user__self_or_admin(ctx, "user.passwd", name, err)) != KNOOP_OK)
        return rc;
    proto_param_str(p, "password", &pw, &pl);
    if ((rc = user__check_password(pw, pl, err)) != KNOOP_OK ||
        (rc = user__get(ctx->store, ctx->view, name, &u, err)) != KNOOP_OK)
        return rc;
    before = u;
    if ((rc = user__hash_password(pw, pl, u.pw, err)) != KNOOP_OK)
        return rc;
    u.has_pw = true;
    if ((rc = user__put(ctx->txn, &u, "passwd", &before, err)) != KNOOP_OK)
        return rc;
    msgpack_pack_map(pk, 1);
    cmd_pack_cstr(pk, "name");
    cmd_pack_cstr(pk, name);
    return KNOOP_OK;
}

int cmd_user_token(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    char name[CMD_USER_NAME_MAX + 1], label[128], key[80], token[80], id[16], created[32];
    unsigned char raw[USER_TOKEN_BYTES];
    user_rec_t u;
    knoop_buf_t val, hist;
    msgpack_packer vp;
    bool present;
    int rc;
    if ((rc = user__name_param(p, name, err)) != KNOOP_OK ||
        (rc = user__self_or_admin(ctx, "user.token", name, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "label", label, sizeof(label), &present, err)) != KNOOP_OK ||
        (rc = user__get(ctx->store, ctx->view, name, &u, err)) != KNOOP_OK ||
        (rc = user__ready(err)) != KNOOP_OK)
        return rc;
    randombytes_buf(raw, sizeof(raw));
    memcpy(token, USER_TOKEN_TAG, strlen(USER_TOKEN_TAG));
    sodium_bin2hex(token + strlen(USER_TOKEN_TAG), 2 * sizeof(raw) + 1, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    user__token_key(key, token, strlen(token));
    /* The token's public id: the first 12 hex digits of its hash (not enough to find it). */
    memcpy(id, key + strlen(TOKEN_PREFIX), 12);
    id[12] = '\0';
    store_format_ts(store_txn_time(ctx->txn), created);
    knoop_buf_init(&val);
    knoop_buf_init(&hist);
    knoop_buf_packer(&val, &vp);
    msgpack_pack_map(&vp, 4);
    cmd_pack_cstr(&vp, "user");
    cmd_pack_cstr(&vp, name);
    cmd_pack_cstr(&vp, "id");
    cmd_pack_cstr(&vp, id);
    cmd_pack_cstr(&vp, "label");
    cmd_pack_cstr(&vp, label);
    cmd_pack_cstr(&vp, "created");
    cmd_pack_cstr(&vp, created);
    knoop_buf_packer(&hist, &vp);
    msgpack_pack_map(&vp, 3);
    cmd_pack_cstr(&vp, "name");
    cmd_pack_cstr(&vp, name);
    cmd_pack_cstr(&vp, "role");
    cmd_pack_cstr(&vp, u.role);
    cmd_pack_cstr(&vp, "token_added");
    cmd_pack_cstr(&vp, id);
    rc = knoop_buf_failed(&val) || knoop_buf_failed(&hist) ? KNOOP_ENOMEM : KNOOP_OK;
    if (rc == KNOOP_OK)
        rc = store_txn_put(ctx->txn, KV_CF_META, key, strlen(key), val.data, val.size);
    if (rc == KNOOP_OK)
        rc = store_txn_history(ctx->txn, store_hist_id('u', u.no), "token", NULL, 0, hist.data,
                               hist.size);
    knoop_buf_destroy(&val);
    knoop_buf_destroy(&hist);
    if (rc != KNOOP_OK) {
        sodium_memzero(token, sizeof(token));
        return knoop_error_set(err, rc, "out of memory");
    }
    msgpack_pack_map(pk, 3);
    cmd_pack_cstr(pk, "name");
    cmd_pack_cstr(pk, name);
    cmd_pack_cstr(pk, "id");
    cmd_pack_cstr(pk, id);
    cmd_pack_cstr(pk, "token");
    cmd_pack_cstr(pk, token);
    sodium_memzero(token, sizeof(token));
    return KNOOP_OK;
}

int cmd_user_revoke(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    char name[CMD_USER_NAME_MAX + 1], id[32];
    user_rec_t u;
    knoop_buf_t hist;
    msgpack_packer vp;
    uint32_t n = 0;
    bool present;
    int rc;
    if ((rc = user__name_param(p, name, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "id", id, sizeof(id), &present, err)) != KNOOP_OK ||
        (rc = user__get(ctx->store, ctx->view, name, &u, err)) != KNOOP_OK)
        return rc;
    if ((rc = user__tokens(ctx, name, present ? id : NULL, ctx->txn, &n, err)) != KNOOP_OK)
        return rc;
    if (n == 0)
        return knoop_error_set(err, KNOOP_ENOTFOUND, "user '%s' has no token%s%s", name,
                               present ? " with id " : "", present ? id : "");
    knoop_buf_init(&hist);
    knoop_buf_packer(&hist, &vp);
    msgpack_pack_map(&vp, 3);
    cmd_pack_cstr(&vp, "name");
    cmd_pack_cstr(&vp, name);
    cmd_pack_cstr(&vp, "role");
    cmd_pack_cstr(&vp, u.role);
    cmd_pack_cstr(&vp, "tokens_revoked");
    msgpack_pack_uint32(&vp, n);
    rc = knoop_buf_failed(&hist) ? KNOOP_ENOMEM
                                 : store_txn_history(ctx->txn, store_hist_id('u', u.no), "revoke",
                                                     NULL, 0, hist.data, hist.size);
    knoop_buf_destroy(&hist);
    if (rc != KNOOP_OK)
        return knoop_error_set(err, rc, "out of memory");
    msgpack_pack_map(pk, 2);
    cmd_pack_cstr(pk, "name");
    cmd_pack_cstr(pk, name);
    cmd_pack_cstr(pk, "revoked");
    msgpack_pack_uint32(pk, n);
    return KNOOP_OK;
}

/* ---- first start ---- */

static int user__any_cb(void *arg, const char *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    (void)val;
    (void)vlen;
    *(bool *)arg = true;
    return 1;
}

int cmd_user_bootstrap(store_t *s, const char *dir, bool *created, char *path, size_t pathsz,
                       knoop_error_t *err)
{
    store_who_t who = { .actor = "system", .reason = "first start: the bootstrap admin" };
    char pw[64];
    const char *env = getenv("KNOOP_ADMIN_PASSWORD");
    bool any = false, from_env = env != NULL && env[0] != '\0';
    store_txn_t *t;
    int rc, fd = -1;

    *created = false;
    path[0] = '\0';
    if ((rc = user__ready(err)) != KNOOP_OK ||
        (rc = user__scan(s, NULL, USER_PREFIX, user__any_cb, &any, err)) != KNOOP_OK)
        return rc;
    if (any)
        return KNOOP_OK;
    if (from_env) {
        if (strlen(env) < USER_PW_MIN || strlen(env) >= sizeof(pw))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "KNOOP_ADMIN_PASSWORD: expected %d to %zu bytes", USER_PW_MIN,
                                   sizeof(pw) - 1);
        snprintf(pw, sizeof(pw), "%s", env);
        unsetenv("KNOOP_ADMIN_PASSWORD");
    } else {
        unsigned char raw[18];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2base64(pw, sizeof(pw), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE);
        sodium_memzero(raw, sizeof(raw));
        if (snprintf(path, pathsz, "%s/admin-password", dir) >= (int)pathsz)
            return knoop_error_set(err, KNOOP_EINVAL, "data directory path too long");
        /* O_EXCL: never follow or reuse what someone put there; 0600 whatever the umask. */
        (void)unlink(path);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return knoop_error_set(err, KNOOP_EIO, "cannot create %s: %s", path, strerror(errno));
        if (fchmod(fd, 0600) != 0 || write(fd, pw, strlen(pw)) != (ssize_t)strlen(pw) ||
            write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
            rc = knoop_error_set(err, KNOOP_EIO, "cannot write %s: %s", path, strerror(errno));
            close(fd);
            unlink(path);
            return rc;
        }
        close(fd);
    }
    if ((rc = store_txn_begin(s, &who, &t, err)) != KNOOP_OK)
        return rc;
    rc = user__create(t, "admin", "admin", pw, strlen(pw), err);
    sodium_memzero(pw, sizeof(pw));
    if (rc == KNOOP_OK)
        rc = store_txn_commit(t, err);
    else
        store_txn_abort(t);
    if (rc != KNOOP_OK && path[0] != '\0')
        unlink(path);
    *created = rc == KNOOP_OK;
    return rc;
}
