/*
 * knoop_limits.h - every bound on input that Knoop enforces, in one place (layer: proto).
 *
 * Each limit has a default (KNOOP_DEFAULT_*) and a hard ceiling (KNOOP_MAX_*): a configured value
 * above the ceiling is refused at start-up, as sqlite3_limit() refuses values above
 * SQLITE_MAX_*. The server lists them in --help; proto/PROTOCOL.md documents them for clients.
 */
#ifndef KNOOP_LIMITS_H
#define KNOOP_LIMITS_H

/*
 * Bytes in one MessagePack-RPC message. 16 MiB holds a large import batch; the ceiling keeps a
 * single message well below what one connection may buffer.
 */
#define KNOOP_DEFAULT_MESSAGE_BYTES (16u * 1024u * 1024u)
#define KNOOP_MAX_MESSAGE_BYTES     (256u * 1024u * 1024u)

/*
 * Nesting depth of arrays and maps. Requests are shallow ([0, id, m, [{props: {...}}]] is 4 deep);
 * msgpack-c itself fails beyond 32 with an out-of-memory error, which must never reach a client,
 * so the scanner checks first.
 */
#define KNOOP_DEFAULT_DEPTH 16
#define KNOOP_MAX_DEPTH     32

/* Bytes in one string or binary value (a contact's content is the largest legitimate one). */
#define KNOOP_DEFAULT_STRING_BYTES (1u * 1024u * 1024u)
#define KNOOP_MAX_STRING_BYTES     (64u * 1024u * 1024u)

/* Entries in one array or map (an import batch of 100 000 rows fits). */
#define KNOOP_DEFAULT_CONTAINER_ENTRIES 1000000u
#define KNOOP_MAX_CONTAINER_ENTRIES     16000000u

/* Open client connections; each costs buffers and a file descriptor. */
#define KNOOP_DEFAULT_CONNECTIONS 1024
#define KNOOP_MAX_CONNECTIONS     65536

/* Requests in flight per connection before the server stops reading from it. */
#define KNOOP_DEFAULT_INFLIGHT 128
#define KNOOP_MAX_INFLIGHT     65536

/* Bytes of unsent responses per connection before the server stops reading from it and starting
 * its queued requests. */
#define KNOOP_DEFAULT_PENDING_OUTPUT (64u * 1024u * 1024u)
#define KNOOP_MAX_PENDING_OUTPUT     (1024u * 1024u * 1024u)

/*
 * Bytes of unsent responses over all connections together, and bytes of received requests waiting
 * for a worker over all connections together. Past either, the connections holding a share of
 * them (KNOOP_THROTTLE_SHARE_BYTES) are not read, nor their queued requests started, until they
 * drain, so that many slow or hostile clients cannot grow the server's memory without bound
 * (each also has its own per-connection cap above), while clients that read their answers are
 * served on.
 */
#define KNOOP_DEFAULT_TOTAL_OUTPUT (256u * 1024u * 1024u)
#define KNOOP_MAX_TOTAL_OUTPUT     (4095u * 1024u * 1024u)
#define KNOOP_DEFAULT_QUEUED_BYTES (256u * 1024u * 1024u)
#define KNOOP_MAX_QUEUED_BYTES     (4095u * 1024u * 1024u)
/* A connection's share of the server-wide caps: a request in flight, or at least this many bytes
 * of unsent answers. */
#define KNOOP_THROTTLE_SHARE_BYTES (64u * 1024u)

/*
 * Bytes of one answer. A result larger than this is refused with `too_large` (ask for fewer with
 * `limit`), so one request cannot make the server build an answer of hundreds of megabytes.
 */
#define KNOOP_DEFAULT_RESULT_BYTES (64u * 1024u * 1024u)
#define KNOOP_MAX_RESULT_BYTES     (1024u * 1024u * 1024u)

/* Milliseconds a shutdown waits for answers to drain before it closes the connections anyway. */
#define KNOOP_DEFAULT_SHUTDOWN_MS 5000
#define KNOOP_MAX_SHUTDOWN_MS     600000

/*
 * Mebibytes of free space knoopd keeps in reserve where the data is (--min-free-mb): below it
 * writes are refused as unavailable, so that RocksDB never meets a full disk, and they resume
 * once space returns. The default leaves room for a few memtable flushes and compactions.
 */
#define KNOOP_DEFAULT_MIN_FREE_MB 64
#define KNOOP_MAX_MIN_FREE_MB     1048576

/*
 * Mebibytes of the adjacency cache (--adj-cache-mb, store_adj_get): each node's adjacency,
 * decoded once and shared by readers, so that a hub's members on a date are filtered in memory
 * instead of scanned from RocksDB per question. 0 = no cache.
 */
#define KNOOP_DEFAULT_ADJ_CACHE_MB 256
#define KNOOP_MAX_ADJ_CACHE_MB     1048576

/*
 * Mebibytes of RocksDB's block cache (--block-cache-mb): uncompressed blocks of records and
 * indexes shared by every reader. RocksDB's own default (32 MiB) holds a few percent of a
 * national graph (about 1 GB of tables), so most record reads of a question went to the page
 * cache and decompressed a block. 0 = RocksDB's default.
 */
#define KNOOP_DEFAULT_BLOCK_CACHE_MB 512
#define KNOOP_MAX_BLOCK_CACHE_MB     1048576

/*
 * Mebibytes of RocksDB's row cache (--row-cache-mb): the records point reads found, by table
 * file and key. A record read again (the persons and organisations of paths, a node asked for
 * twice) costs a hash lookup per level instead of an index and a block search: under callgrind
 * the record reads of 200 path questions went from 23.7 M to 10.5 M instructions. 0 = none.
 */
#define KNOOP_DEFAULT_ROW_CACHE_MB 64
#define KNOOP_MAX_ROW_CACHE_MB     1048576

/*
 * How long a request that may be long (query.path with k = 1) may run on the event loop when
 * the server is otherwise idle, before it gives up there and goes to a worker (--loop-try-us;
 * 0 = never tried on the loop). A sequential client's question then skips the two thread
 * wake-ups of a hand-off; the loop is never held longer than this by such a try.
 */
#define KNOOP_DEFAULT_LOOP_TRY_US 1000
#define KNOOP_MAX_LOOP_TRY_US     10000

/*
 * Seconds a connection may stay idle (no request in flight, nothing received), and seconds a
 * client may leave its answers unread (no byte of its pending output accepted by the socket).
 * 0 = never.
 */
#define KNOOP_DEFAULT_IDLE_SECONDS 300
#define KNOOP_MAX_IDLE_SECONDS     (7 * 24 * 3600)

/* Milliseconds a request may run; long queries check their deadline. */
#define KNOOP_DEFAULT_REQUEST_MS 30000
#define KNOOP_MAX_REQUEST_MS     3600000

/*
 * Before `auth` succeeds (when auth is required) a connection may send only small messages:
 * this keeps an unauthenticated peer from making the server buffer 16 MiB.
 */
#define KNOOP_PREAUTH_MESSAGE_BYTES 4096u

/*
 * Properties of one node or edge (after a merge of `set` into the stored map), and names in one
 * `unset`. Records are read and rewritten whole under the writer lock, so this bounds the work
 * one write holds the lock for (a node.create with 80 000 keys once held it for 21 s); real
 * records have a few dozen. Fixed: not configurable, since stored records must stay readable.
 */
#define KNOOP_MAX_PROPERTIES 1000

/*
 * Before `auth` succeeds (when auth is required): connections that have not authenticated may
 * hold at most this many slots, so that unauthenticated peers cannot lock out real users, and must
 * authenticate within this many seconds. A peer address that fails `auth` waits 2^failures x
 * 100 ms (at most 30 s) before it may try again, and a connection is closed after this many failed
 * attempts.
 */
#define KNOOP_PREAUTH_CONNECTIONS 64
#define KNOOP_PREAUTH_PER_ADDRESS 8
#define KNOOP_PREAUTH_SECONDS     10
#define KNOOP_AUTH_MAX_FAILURES   3
#define KNOOP_AUTH_BACKOFF_MAX_MS 30000

/* Bytes of a property key, a node or edge type name, an external key. */
#define KNOOP_MAX_NAME_BYTES 256

/* Bytes of a normalised name used as an index key. Longer names are indexed by their prefix. */
#define KNOOP_MAX_INDEX_NAME_BYTES 512

/* Results a find or list returns when the caller gives no limit, and the most it may ask for. */
#define KNOOP_DEFAULT_RESULT_LIMIT 1000
#define KNOOP_MAX_RESULT_LIMIT     100000

/*
 * edge.list is tried on the event loop (when the server is otherwise idle: cmd_t.try_on_loop),
 * without a hand-off to a worker, when its node's adjacency is in the cache with at most this many
 * entries (so at most this many edge records to read, tens of microseconds from RocksDB's
 * caches); any other edge.list goes to a worker.
 */
#define KNOOP_INLINE_LIST_EDGES 64

/*
 * query.path and query.neighbourhood. A path search expands nodes (reads a person's or an
 * organisation's adjacency, or loads a hub's members) until it finds its paths; the cap bounds
 * the work of one request over all its searches (Yen's spur searches included), so that a
 * question between two far-apart persons in a dense period answers with bound_hit instead of
 * walking the whole national graph. 50 000 expansions take about a second on a laptop-class
 * machine with a warm cache; a request may ask for less (max_expanded) or up to the ceiling.
 */
#define KNOOP_PATH_DEFAULT_EXPANDED 50000
#define KNOOP_PATH_MAX_EXPANDED     1000000
/* Hops of one path: default and ceiling (six degrees; 12 covers any real chain of bodies). */
#define KNOOP_PATH_DEFAULT_HOPS 6
#define KNOOP_PATH_MAX_HOPS     12
/* Paths asked with k: each one beyond the first costs up to its length in spur searches. */
#define KNOOP_PATH_MAX_K 20
/* Nodes in `exclude`. */
#define KNOOP_PATH_MAX_EXCLUDE 256
/* Depth of query.neighbourhood: default and ceiling (depth 4 already reaches most of the
 * country through one koepel). */
#define KNOOP_NBH_DEFAULT_DEPTH 2
#define KNOOP_NBH_MAX_DEPTH     4

#endif
