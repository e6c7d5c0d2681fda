/*
 * The C suite of libqonto_webhooks: every shared vector (one-shot, incremental in several chunk
 * sizes, system clock), every request-level case (the endpoint's configured schemes pick the
 * header), the tolerance (never disabled by a value), every status, NULL and length misuse, signing into small buffers, the
 * detailed messages, and threads sharing one verifier. Run by bindings-c/test.sh against the
 * static and the shared library, under valgrind and under AddressSanitizer.
 *
 * test_vectors.h is generated at build time from testkit/vectors/vectors.json and requests.json.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qonto_webhooks.h"
#include "test_vectors.h"

static int checks = 0;
static int failures = 0;

#define CHECK(cond, ...)                                                   \
  do {                                                                     \
    checks++;                                                              \
    if (!(cond)) {                                                         \
      failures++;                                                          \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);      \
      fprintf(stderr, __VA_ARGS__);                                        \
      fputc('\n', stderr);                                                 \
    }                                                                      \
  } while (0)

#define U8(s) ((const uint8_t *)(s))

static const char *code(qw_status status) { return qw_status_code(status); }

static int same(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* One vector through one path. chunk == 0: one-shot; otherwise incremental in chunks. */
static const char *run_vector(const test_vector *v, size_t chunk, size_t *index_out) {
  qw_bytes secrets[16];
  for (size_t i = 0; i < v->secrets_len; i++) {
    secrets[i].data = U8(v->secrets[i].data);
    secrets[i].len = v->secrets[i].len;
  }
  uint64_t tolerance = v->has_tolerance ? v->tolerance : QW_DEFAULT_TOLERANCE_SECS;
  qw_verifier *verifier = NULL;
  qw_status status = qw_verifier_new(secrets, v->secrets_len, tolerance, &verifier);
  if (status != QW_STATUS_OK) {
    CHECK(verifier == NULL, "%s: verifier_out written on failure", v->name);
    return code(status);
  }
  if (!v->has_tolerance) {
    CHECK(qw_verifier_disable_tolerance(verifier) == QW_STATUS_OK, "%s: disable", v->name);
  }
  qw_verified out;
  memset(&out, 0xAA, sizeof out);
  const uint8_t *header = U8(v->header.data);
  const uint8_t *body = U8(v->body.data);
  if (chunk == 0) {
    status = v->onboarding
                 ? qw_verify_onboarding(verifier, body, v->body.len, header, v->header.len, &out)
                 : qw_verify(verifier, body, v->body.len, header, v->header.len, v->now, &out);
  } else {
    qw_incremental *state = NULL;
    status = v->onboarding
                 ? qw_verify_start_onboarding(verifier, header, v->header.len, &state)
                 : qw_verify_start(verifier, header, v->header.len, v->now, &state);
    /* The state owns what it needs: the verifier may go first. */
    qw_verifier_free(verifier);
    verifier = NULL;
    if (status == QW_STATUS_OK) {
      for (size_t at = 0; at < v->body.len; at += chunk) {
        size_t n = v->body.len - at < chunk ? v->body.len - at : chunk;
        CHECK(qw_verify_update(state, body + at, n) == QW_STATUS_OK, "%s: update", v->name);
      }
      status = qw_verify_finish(state, &out);
    } else {
      CHECK(state == NULL, "%s: state_out written on failure", v->name);
    }
  }
  qw_verifier_free(verifier);
  if (status == QW_STATUS_OK) {
    *index_out = out.secret_index;
    CHECK(out.has_timestamp == !v->onboarding, "%s: has_timestamp", v->name);
    CHECK(out.scheme == (v->onboarding ? QW_SCHEME_ONBOARDING : QW_SCHEME_BUSINESS), "%s: scheme",
          v->name);
  } else {
    unsigned char untouched[sizeof out];
    memset(untouched, 0xAA, sizeof untouched);
    CHECK(memcmp(&out, untouched, sizeof out) == 0, "%s: verified_out written on failure",
          v->name);
    char message[512];
    size_t len = qw_last_error_message(message, sizeof message);
    CHECK(len > 0 && strlen(message) == (len < sizeof message ? len : sizeof message - 1),
          "%s: no detailed message for %s", v->name, code(status));
    /* The core's exact words, pinned in the vectors. */
    CHECK(v->message != NULL && strcmp(message, v->message) == 0, "%s: message \"%s\", expected \"%s\"",
          v->name, message, v->message ? v->message : "(none)");
  }
  return code(status);
}

static void test_vectors(void) {
  static const size_t chunks[] = {0, 1, 7, 64, 1 << 20};
  int seen[QW_STATUS_SIGNATURE_MISMATCH + 1] = {0};
  for (size_t i = 0; i < TEST_VECTORS_LEN; i++) {
    const test_vector *v = &TEST_VECTORS[i];
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
      size_t index = (size_t)-1;
      const char *got = run_vector(v, chunks[c], &index);
      CHECK(same(got, v->expect), "%s (chunk %zu): got %s, expected %s", v->name, chunks[c], got,
            v->expect);
      if (same(got, "ok") && same(v->expect, "ok")) {
        CHECK(index == v->secret_index, "%s: secret_index %zu, expected %zu", v->name, index,
              v->secret_index);
      }
    }
    for (uint32_t s = 0; s <= QW_STATUS_SIGNATURE_MISMATCH; s++) {
      if (same(v->expect, qw_status_code(s))) seen[s]++;
    }
  }
  /* The vector file exercises every contract status (and success). */
  for (uint32_t s = 0; s <= QW_STATUS_SIGNATURE_MISMATCH; s++) {
    CHECK(seen[s] > 0, "no vector expects %s", qw_status_code(s));
  }
  printf("  %zu vectors x 5 paths\n", TEST_VECTORS_LEN);
}

static uint32_t schemes_named(const char *name) {
  if (same(name, "onboarding")) return QW_SCHEMES_ONBOARDING;
  if (same(name, "both")) return QW_SCHEMES_BOTH;
  return QW_SCHEMES_BUSINESS;
}

/* One request-level case. chunk == 0: qw_verify_request; otherwise qw_verify_start_request and
 * the body in chunks. A NULL header pointer is an absent header. Business-only cases leave the
 * verifier's schemes at their default on the one-shot path: the default is business only. */
static const char *run_request(const request_case *c, size_t chunk, qw_verified *out) {
  qw_bytes secrets[16];
  for (size_t i = 0; i < c->secrets_len; i++) {
    secrets[i].data = U8(c->secrets[i].data);
    secrets[i].len = c->secrets[i].len;
  }
  qw_verifier *verifier = NULL;
  qw_status status = qw_verifier_new(
      secrets, c->secrets_len, c->has_tolerance ? c->tolerance : QW_DEFAULT_TOLERANCE_SECS,
      &verifier);
  CHECK(status == QW_STATUS_OK, "%s: new: %s", c->name, code(status));
  if (status != QW_STATUS_OK) return code(status);
  if (!c->has_tolerance) {
    CHECK(qw_verifier_disable_tolerance(verifier) == QW_STATUS_OK, "%s: disable", c->name);
  }
  if (chunk != 0 || !same(c->schemes, "business")) {
    CHECK(qw_verifier_set_schemes(verifier, schemes_named(c->schemes)) == QW_STATUS_OK,
          "%s: set_schemes", c->name);
  }
  const uint8_t *business = c->has_business ? U8(c->business.data) : NULL;
  const uint8_t *onboarding = c->has_onboarding ? U8(c->onboarding.data) : NULL;
  /* An empty present header gets a non-NULL pointer: NULL means absent. */
  if (c->has_business && c->business.len == 0) business = U8("");
  if (c->has_onboarding && c->onboarding.len == 0) onboarding = U8("");
  const uint8_t *body = U8(c->body.data);
  memset(out, 0xAA, sizeof *out);
  if (chunk == 0) {
    status = qw_verify_request(verifier, body, c->body.len, business, c->business.len, onboarding,
                               c->onboarding.len, c->now, out);
  } else {
    qw_incremental *state = NULL;
    status = qw_verify_start_request(verifier, business, c->business.len, onboarding,
                                     c->onboarding.len, c->now, &state);
    if (status == QW_STATUS_OK) {
      for (size_t at = 0; at < c->body.len; at += chunk) {
        size_t n = c->body.len - at < chunk ? c->body.len - at : chunk;
        CHECK(qw_verify_update(state, body + at, n) == QW_STATUS_OK, "%s: update", c->name);
      }
      status = qw_verify_finish(state, out);
    } else {
      CHECK(state == NULL, "%s: state_out written on failure", c->name);
    }
  }
  qw_verifier_free(verifier);
  if (status != QW_STATUS_OK && c->message_contains != NULL) {
    char message[512];
    qw_last_error_message(message, sizeof message);
    CHECK(strstr(message, c->message_contains) != NULL, "%s: message %s lacks %s", c->name,
          message, c->message_contains);
  }
  return code(status);
}

static void test_requests(void) {
  static const size_t chunks[] = {0, 1, 7, 1 << 20};
  int reframed = 0;
  for (size_t i = 0; i < REQUEST_CASES_LEN; i++) {
    const request_case *c = &REQUEST_CASES[i];
    for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
      qw_verified out;
      const char *got = run_request(c, chunks[k], &out);
      CHECK(same(got, c->expect), "%s (chunk %zu): got %s, expected %s", c->name, chunks[k], got,
            c->expect);
      if (same(got, "ok") && same(c->expect, "ok")) {
        int onboarding = same(c->scheme, "onboarding");
        CHECK(out.secret_index == c->secret_index, "%s: secret_index %zu, expected %zu", c->name,
              out.secret_index, c->secret_index);
        CHECK(out.scheme == (onboarding ? QW_SCHEME_ONBOARDING : QW_SCHEME_BUSINESS),
              "%s: scheme %u, expected %s", c->name, (unsigned)out.scheme, c->scheme);
        CHECK(out.has_timestamp == !onboarding, "%s: has_timestamp", c->name);
      }
    }
    if (same(c->name, "reframed_business_replay_refused_by_default")) reframed++;
  }
  CHECK(reframed == 1, "the reframed replay case is missing from requests.json");
  printf("  %zu request cases x 4 paths\n", REQUEST_CASES_LEN);
}

/* The reframed replay, spelled out: a business webhook's v1 sent as an onboarding signature over
 * the body "<t>.<body>". Refused by a default verifier, accepted only where onboarding is
 * configured (and then only because the secret is shared, which the docs warn against). */
static void test_reframed_replay(void) {
  static const char secret[] = "test-secret";
  static const char body[] = "1704110400.{\"test\":\"data\"}";
  static const char sig[] = "56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";
  qw_bytes s = {U8(secret), strlen(secret)};
  qw_verifier *verifier = NULL;
  CHECK(qw_verifier_new(&s, 1, QW_DEFAULT_TOLERANCE_SECS, &verifier) == QW_STATUS_OK, "new");
  qw_verified out;
  const uint64_t later = 1704110400 + 1000000000ull;
  CHECK(qw_verify_request(verifier, U8(body), strlen(body), NULL, 0, U8(sig), strlen(sig), later,
                          &out) == QW_STATUS_MISSING_HEADER,
        "reframed replay refused by default");
  char message[512];
  qw_last_error_message(message, sizeof message);
  CHECK(strstr(message, "accepts business webhooks only") != NULL, "message: %s", message);
  qw_incremental *state = NULL;
  CHECK(qw_verify_start_request(verifier, NULL, 0, U8(sig), strlen(sig), later, &state) ==
            QW_STATUS_MISSING_HEADER && state == NULL,
        "reframed replay refused by default (incremental)");
  CHECK(qw_verifier_set_schemes(verifier, QW_SCHEMES_ONBOARDING) == QW_STATUS_OK, "onboarding");
  CHECK(qw_verify_request(verifier, U8(body), strlen(body), NULL, 0, U8(sig), strlen(sig), later,
                          &out) == QW_STATUS_OK && out.scheme == QW_SCHEME_ONBOARDING,
        "accepted only when onboarding is configured");
  qw_verifier_free(verifier);
}

/* The window is switched off only by qw_verifier_disable_tolerance: a tolerance that is negative
 * as a signed 64-bit value (a -1 read from configuration, UINT64_MAX) is INVALID_ARGUMENT. */
static void test_tolerance(void) {
  qw_bytes secret = {U8("test-secret"), 11};
  static const char body[] = "{\"test\":\"data\"}";
  static const char header[] =
      "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";
  const uint64_t stale = 1704110400 + 1000000000ull;
  static const uint64_t refused[] = {(uint64_t)-1, (uint64_t)INT64_MAX + 1, (uint64_t)-300};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    qw_verifier *sentinel = (qw_verifier *)&secret, *built = sentinel;
    CHECK(qw_verifier_new(&secret, 1, refused[i], &built) == QW_STATUS_INVALID_ARGUMENT,
          "tolerance %llu is an error, not \"off\"", (unsigned long long)refused[i]);
    CHECK(built == sentinel, "verifier_out written on failure");
    char message[512];
    qw_last_error_message(message, sizeof message);
    CHECK(strstr(message, "tolerance") != NULL &&
              strstr(message, "qw_verifier_disable_tolerance") != NULL,
          "message: %s", message);
  }
  qw_verified out;
  qw_verifier *verifier = NULL;
  CHECK(qw_verifier_new(&secret, 1, (uint64_t)INT64_MAX, &verifier) == QW_STATUS_OK,
        "INT64_MAX is a (very wide) window");
  CHECK(qw_verify(verifier, U8(body), strlen(body), U8(header), strlen(header), stale, &out) ==
            QW_STATUS_OK, "INT64_MAX window");
  qw_verifier_free(verifier);
  CHECK(qw_verifier_new(&secret, 1, QW_DEFAULT_TOLERANCE_SECS, &verifier) == QW_STATUS_OK, "new");
  CHECK(qw_verify(verifier, U8(body), strlen(body), U8(header), strlen(header), stale, &out) ==
            QW_STATUS_TIMESTAMP_TOO_OLD, "default window");
  CHECK(qw_verifier_disable_tolerance(verifier) == QW_STATUS_OK, "disable");
  CHECK(qw_verify(verifier, U8(body), strlen(body), U8(header), strlen(header), stale, &out) ==
            QW_STATUS_OK && out.timestamp == 1704110400, "window off");
  CHECK(qw_verify(verifier, U8(body), strlen(body), U8(header), strlen(header), 0, &out) ==
            QW_STATUS_OK, "window off, future");
  qw_verifier_free(verifier);
  CHECK(qw_verifier_disable_tolerance(NULL) == QW_STATUS_INVALID_ARGUMENT, "disable NULL");
}

static void test_statuses(void) {
  static const struct {
    uint32_t status;
    const char *code;
  } expected[] = {
      {QW_STATUS_OK, "ok"},
      {QW_STATUS_INVALID_SECRET, "invalid_secret"},
      {QW_STATUS_MISSING_HEADER, "missing_header"},
      {QW_STATUS_MALFORMED_HEADER, "malformed_header"},
      {QW_STATUS_MISSING_TIMESTAMP, "missing_timestamp"},
      {QW_STATUS_MISSING_SIGNATURE, "missing_signature"},
      {QW_STATUS_TIMESTAMP_TOO_OLD, "timestamp_too_old"},
      {QW_STATUS_TIMESTAMP_IN_FUTURE, "timestamp_in_future"},
      {QW_STATUS_SIGNATURE_MISMATCH, "signature_mismatch"},
      {QW_STATUS_INVALID_ARGUMENT, "invalid_argument"},
      {QW_STATUS_BUFFER_TOO_SMALL, "buffer_too_small"},
      {QW_STATUS_INTERNAL_ERROR, "internal_error"},
  };
  for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
    CHECK(expected[i].status == (i <= 8 ? i : 100 + (i - 9)), "status number of %s",
          expected[i].code);
    CHECK(same(qw_status_code(expected[i].status), expected[i].code), "code of %u: %s",
          expected[i].status, qw_status_code(expected[i].status));
    const char *message = qw_status_message(expected[i].status);
    CHECK(message != NULL && strlen(message) > 5 && !same(message, "unknown status"),
          "message of %s", expected[i].code);
  }
  static const uint32_t unknown[] = {9, 99, 103, 1000, UINT32_MAX};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    CHECK(same(qw_status_code(unknown[i]), "unknown"), "code of %u", unknown[i]);
    CHECK(same(qw_status_message(unknown[i]), "unknown status"), "message of %u", unknown[i]);
  }
  const char *version = qw_version();
  CHECK(version != NULL && strchr(version, '.') != NULL, "version %s", version);
}

/* The official business vector, for the misuse tests. */
static const char SECRET[] = "test-secret";
static const char BODY[] = "{\"test\":\"data\"}";
static const char HEADER[] =
    "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";
static const uint64_t NOW = 1704110400;

static qw_verifier *official_verifier(void) {
  qw_bytes secret = {U8(SECRET), strlen(SECRET)};
  qw_verifier *verifier = NULL;
  qw_status status = qw_verifier_new(&secret, 1, QW_DEFAULT_TOLERANCE_SECS, &verifier);
  CHECK(status == QW_STATUS_OK && verifier != NULL, "official verifier: %s", code(status));
  return verifier;
}

static void test_misuse(void) {
  const size_t huge = (size_t)PTRDIFF_MAX + 1;
  qw_bytes secret = {U8(SECRET), strlen(SECRET)};
  qw_verifier *verifier = official_verifier();
  qw_verifier *sentinel = (qw_verifier *)&secret; /* any non-NULL address, never dereferenced */
  qw_verifier *built = sentinel;
  qw_verified out;
  qw_incremental *state = NULL;

  /* Construction. */
  CHECK(qw_verifier_new(&secret, 1, 300, NULL) == QW_STATUS_INVALID_ARGUMENT, "NULL out");
  CHECK(qw_verifier_new(NULL, 1, 300, &built) == QW_STATUS_INVALID_ARGUMENT, "NULL secrets");
  qw_bytes null_data = {NULL, 3};
  CHECK(qw_verifier_new(&null_data, 1, 300, &built) == QW_STATUS_INVALID_ARGUMENT, "NULL data");
  qw_bytes huge_secret = {U8(SECRET), huge};
  CHECK(qw_verifier_new(&huge_secret, 1, 300, &built) == QW_STATUS_INVALID_ARGUMENT, "huge");
  CHECK(qw_verifier_new(NULL, 0, 300, &built) == QW_STATUS_INVALID_SECRET, "no secret");
  qw_bytes empty = {NULL, 0};
  CHECK(qw_verifier_new(&empty, 1, 300, &built) == QW_STATUS_INVALID_SECRET, "empty secret");
  qw_bytes many[QW_MAX_SECRETS + 1];
  for (size_t i = 0; i <= QW_MAX_SECRETS; i++) many[i] = secret;
  CHECK(qw_verifier_new(many, QW_MAX_SECRETS + 1, 300, &built) == QW_STATUS_INVALID_SECRET,
        "9 secrets");
  /* A count far beyond the array: only QW_MAX_SECRETS + 1 entries are ever read. */
  CHECK(qw_verifier_new(many, SIZE_MAX, 300, &built) == QW_STATUS_INVALID_SECRET, "SIZE_MAX");
  CHECK(built == sentinel, "verifier_out written on failure");
  qw_verifier *max = NULL;
  CHECK(qw_verifier_new(many, QW_MAX_SECRETS, 300, &max) == QW_STATUS_OK, "8 secrets");
  qw_verifier_free(max);
  qw_verifier_free(NULL);

  /* One-shot verification. */
  size_t blen = strlen(BODY), hlen = strlen(HEADER);
  CHECK(qw_verify(NULL, U8(BODY), blen, U8(HEADER), hlen, NOW, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "NULL verifier");
  CHECK(qw_verify(verifier, U8(BODY), blen, U8(HEADER), hlen, NOW, NULL) ==
            QW_STATUS_INVALID_ARGUMENT, "NULL verified_out");
  CHECK(qw_verify(verifier, NULL, blen, U8(HEADER), hlen, NOW, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "NULL body");
  CHECK(qw_verify(verifier, U8(BODY), blen, NULL, hlen, NOW, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "NULL header");
  CHECK(qw_verify(verifier, U8(BODY), huge, U8(HEADER), hlen, NOW, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "huge body");
  CHECK(qw_verify(verifier, U8(BODY), blen, U8(HEADER), huge, NOW, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "huge header");
  CHECK(qw_verify_onboarding(verifier, U8(BODY), blen, NULL, 64, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "onboarding NULL header");
  CHECK(qw_verify_now(verifier, NULL, 1, U8(HEADER), hlen, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "now NULL body");
  /* NULL with a zero length is an empty input, not misuse. */
  CHECK(qw_verify(verifier, NULL, 0, NULL, 0, NOW, &out) == QW_STATUS_MISSING_HEADER,
        "empty header");
  CHECK(qw_verify(verifier, NULL, 0, U8(HEADER), hlen, NOW, &out) ==
            QW_STATUS_SIGNATURE_MISMATCH, "empty body");
  CHECK(qw_verify(verifier, U8(BODY), blen, U8(HEADER), hlen, NOW, &out) == QW_STATUS_OK &&
            out.secret_index == 0 && out.has_timestamp && out.timestamp == NOW,
        "official vector");
  /* The last error message describes the last failure, not the success since. */
  CHECK(qw_verify(verifier, U8(BODY), blen, NULL, 1, NOW, &out) == QW_STATUS_INVALID_ARGUMENT,
        "NULL header again");
  char message[256];
  CHECK(qw_last_error_message(message, sizeof message) > 0 && strstr(message, "header") != NULL,
        "invalid argument message names the parameter: %s", message);

  /* Incremental. */
  CHECK(qw_verify_start(NULL, U8(HEADER), hlen, NOW, &state) == QW_STATUS_INVALID_ARGUMENT,
        "start NULL verifier");
  CHECK(qw_verify_start(verifier, U8(HEADER), hlen, NOW, NULL) == QW_STATUS_INVALID_ARGUMENT,
        "start NULL out");
  CHECK(qw_verify_start(verifier, NULL, 5, NOW, &state) == QW_STATUS_INVALID_ARGUMENT,
        "start NULL header");
  CHECK(qw_verify_start_onboarding(verifier, U8(HEADER), huge, &state) ==
            QW_STATUS_INVALID_ARGUMENT, "start huge header");
  CHECK(state == NULL, "state_out written on failure");
  CHECK(qw_verify_update(NULL, U8(BODY), blen) == QW_STATUS_INVALID_ARGUMENT, "update NULL");
  CHECK(qw_verify_finish(NULL, &out) == QW_STATUS_INVALID_ARGUMENT, "finish NULL");
  qw_incremental_free(NULL);
  CHECK(qw_verify_start(verifier, U8(HEADER), hlen, NOW, &state) == QW_STATUS_OK, "start");
  CHECK(qw_verify_update(state, NULL, 1) == QW_STATUS_INVALID_ARGUMENT, "update NULL chunk");
  CHECK(qw_verify_update(state, U8(BODY), huge) == QW_STATUS_INVALID_ARGUMENT, "update huge");
  CHECK(qw_verify_update(state, NULL, 0) == QW_STATUS_OK, "update empty");
  CHECK(qw_verify_update(state, U8(BODY), blen) == QW_STATUS_OK, "update");
  /* finish frees the state whatever it returns: valgrind and ASan check there is no leak. */
  CHECK(qw_verify_finish(state, NULL) == QW_STATUS_INVALID_ARGUMENT, "finish NULL out");
  state = NULL;
  CHECK(qw_verify_start(verifier, U8(HEADER), hlen, NOW, &state) == QW_STATUS_OK, "start 2");
  CHECK(qw_verify_update(state, U8(BODY), 4) == QW_STATUS_OK, "half a body");
  qw_incremental_free(state); /* abandoned */
  state = NULL;
  CHECK(qw_verify_start(verifier, U8(HEADER), hlen, NOW + 301, &state) ==
            QW_STATUS_TIMESTAMP_TOO_OLD, "start refuses a stale header");
  CHECK(state == NULL, "state_out written on failure");

  /* Schemes and request-level calls. */
  CHECK(qw_verifier_set_schemes(NULL, QW_SCHEMES_BOTH) == QW_STATUS_INVALID_ARGUMENT,
        "set_schemes NULL");
  CHECK(qw_verifier_set_schemes(verifier, 3) == QW_STATUS_INVALID_ARGUMENT, "schemes 3");
  CHECK(qw_verifier_set_schemes(verifier, UINT32_MAX) == QW_STATUS_INVALID_ARGUMENT,
        "schemes UINT32_MAX");
  CHECK(qw_verify_request(verifier, U8(BODY), blen, U8(HEADER), hlen, NULL, 0, NOW, &out) ==
            QW_STATUS_OK && out.scheme == QW_SCHEME_BUSINESS,
        "a failed set_schemes left the default");
  CHECK(qw_verify_request(NULL, U8(BODY), blen, U8(HEADER), hlen, NULL, 0, NOW, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "request NULL verifier");
  CHECK(qw_verify_request(verifier, U8(BODY), blen, U8(HEADER), hlen, NULL, 0, NOW, NULL) ==
            QW_STATUS_INVALID_ARGUMENT, "request NULL out");
  CHECK(qw_verify_request(verifier, NULL, blen, U8(HEADER), hlen, NULL, 0, NOW, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "request NULL body");
  CHECK(qw_verify_request(verifier, U8(BODY), blen, NULL, hlen, NULL, 0, NOW, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "request NULL business with a length");
  CHECK(qw_verify_request(verifier, U8(BODY), blen, U8(HEADER), hlen, NULL, 64, NOW, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "request NULL onboarding with a length");
  CHECK(qw_verify_request(verifier, U8(BODY), blen, U8(HEADER), huge, NULL, 0, NOW, &out) ==
            QW_STATUS_INVALID_ARGUMENT, "request huge business");
  CHECK(qw_verify_request(verifier, U8(BODY), blen, NULL, 0, NULL, 0, NOW, &out) ==
            QW_STATUS_MISSING_HEADER, "request without headers");
  CHECK(qw_verify_request_now(verifier, U8(BODY), blen, U8(HEADER), hlen, NULL, 0, &out) ==
            QW_STATUS_TIMESTAMP_TOO_OLD, "request_now: the 2024 header is stale");
  CHECK(qw_verify_start_request(NULL, U8(HEADER), hlen, NULL, 0, NOW, &state) ==
            QW_STATUS_INVALID_ARGUMENT, "start_request NULL verifier");
  CHECK(qw_verify_start_request(verifier, U8(HEADER), hlen, NULL, 0, NOW, NULL) ==
            QW_STATUS_INVALID_ARGUMENT, "start_request NULL out");
  CHECK(qw_verify_start_request(verifier, NULL, 3, NULL, 0, NOW, &state) ==
            QW_STATUS_INVALID_ARGUMENT, "start_request NULL business with a length");
  CHECK(qw_verify_start_request_now(verifier, U8(HEADER), hlen, NULL, 0, &state) ==
            QW_STATUS_TIMESTAMP_TOO_OLD, "start_request_now: stale");
  CHECK(state == NULL, "state_out written on failure");
  qw_verifier_free(verifier);
}

static void test_sign(void) {
  size_t slen = strlen(SECRET), blen = strlen(BODY), hlen = strlen(HEADER);
  uint8_t buf[QW_SIGN_MAX_LEN];
  size_t len = 0;

  CHECK(qw_sign(U8(SECRET), slen, U8(BODY), blen, NOW, buf, sizeof buf, &len) == QW_STATUS_OK &&
            len == hlen && memcmp(buf, HEADER, hlen) == 0,
        "sign gives the official header");
  /* Asking for the length. */
  len = 0;
  CHECK(qw_sign(U8(SECRET), slen, U8(BODY), blen, NOW, NULL, 0, &len) ==
            QW_STATUS_BUFFER_TOO_SMALL && len == hlen, "length query: %zu", len);
  /* One byte short: untouched buffer, needed length reported. */
  memset(buf, '#', sizeof buf);
  len = 0;
  CHECK(qw_sign(U8(SECRET), slen, U8(BODY), blen, NOW, buf, hlen - 1, &len) ==
            QW_STATUS_BUFFER_TOO_SMALL && len == hlen, "one byte short");
  int untouched = 1;
  for (size_t i = 0; i < sizeof buf; i++) untouched &= buf[i] == '#';
  CHECK(untouched, "buffer written although too small");
  /* Exactly the length (no NUL is written). */
  uint8_t *exact = malloc(hlen);
  CHECK(qw_sign(U8(SECRET), slen, U8(BODY), blen, NOW, exact, hlen, &len) == QW_STATUS_OK &&
            memcmp(exact, HEADER, hlen) == 0, "exact buffer");
  free(exact);
  /* The longest business header fits QW_SIGN_MAX_LEN. */
  CHECK(qw_sign(U8(SECRET), slen, NULL, 0, UINT64_MAX, buf, sizeof buf, &len) == QW_STATUS_OK &&
            len == QW_SIGN_MAX_LEN, "UINT64_MAX timestamp: %zu", len);
  /* Misuse. */
  CHECK(qw_sign(U8(SECRET), slen, U8(BODY), blen, NOW, buf, sizeof buf, NULL) ==
            QW_STATUS_INVALID_ARGUMENT, "NULL out_len");
  CHECK(qw_sign(NULL, 4, U8(BODY), blen, NOW, buf, sizeof buf, &len) ==
            QW_STATUS_INVALID_ARGUMENT, "NULL secret");
  CHECK(qw_sign(U8(SECRET), slen, NULL, 2, NOW, buf, sizeof buf, &len) ==
            QW_STATUS_INVALID_ARGUMENT, "NULL body");
  CHECK(qw_sign(U8(SECRET), 0, U8(BODY), blen, NOW, buf, sizeof buf, &len) ==
            QW_STATUS_INVALID_SECRET, "empty secret");
  CHECK(qw_sign_onboarding(NULL, 0, U8(BODY), blen, buf, sizeof buf, &len) ==
            QW_STATUS_INVALID_SECRET, "onboarding empty secret");

  /* Onboarding: the official vector. */
  static const char ob_body[] =
      "{\"id\":\"75341dcb-0376-474d-97d7-d2c03ff3973c\",\"event_type\":\"registrations.pending\","
      "\"resource_type\":\"registration\",\"resource_id\":\"525817f7-93e8-4f31-a83d-20319778b4b0\","
      "\"created_at\":\"2022-08-29T13:17:32Z\"}";
  static const char ob_sig[] = "b0d249e653f1310fa5b7f26d5682548afa1799353b92fcafd4cacbd90312023e";
  CHECK(qw_sign_onboarding(U8("secret_key"), 10, U8(ob_body), strlen(ob_body), buf, sizeof buf,
                           &len) == QW_STATUS_OK && len == 64 && memcmp(buf, ob_sig, 64) == 0,
        "onboarding official vector");
  CHECK(qw_sign_onboarding(U8("secret_key"), 10, U8(ob_body), strlen(ob_body), buf, 63, &len) ==
            QW_STATUS_BUFFER_TOO_SMALL && len == 64, "onboarding one byte short");
}

static void test_clock_and_messages(void) {
  qw_verifier *verifier = official_verifier();
  size_t blen = strlen(BODY);
  uint8_t header[QW_SIGN_MAX_LEN];
  size_t hlen = 0;
  uint64_t now = (uint64_t)time(NULL);
  qw_verified out;
  CHECK(qw_sign(U8(SECRET), strlen(SECRET), U8(BODY), blen, now, header, sizeof header, &hlen) ==
            QW_STATUS_OK, "sign now");
  CHECK(qw_verify_now(verifier, U8(BODY), blen, header, hlen, &out) == QW_STATUS_OK &&
            out.timestamp == now, "verify_now accepts a fresh signature");
  qw_incremental *state = NULL;
  CHECK(qw_verify_start_now(verifier, header, hlen, &state) == QW_STATUS_OK, "start_now");
  CHECK(qw_verify_update(state, U8(BODY), blen) == QW_STATUS_OK, "update");
  CHECK(qw_verify_finish(state, &out) == QW_STATUS_OK, "finish");
  CHECK(qw_verify_request_now(verifier, U8(BODY), blen, header, hlen, NULL, 0, &out) ==
            QW_STATUS_OK && out.timestamp == now && out.scheme == QW_SCHEME_BUSINESS,
        "verify_request_now accepts a fresh signature");
  state = NULL;
  CHECK(qw_verify_start_request_now(verifier, header, hlen, NULL, 0, &state) == QW_STATUS_OK,
        "start_request_now");
  CHECK(qw_verify_update(state, U8(BODY), blen) == QW_STATUS_OK, "update");
  CHECK(qw_verify_finish(state, &out) == QW_STATUS_OK && out.scheme == QW_SCHEME_BUSINESS,
        "finish");
  /* The official 2024 header is stale against the clock. */
  CHECK(qw_verify_now(verifier, U8(BODY), blen, U8(HEADER), strlen(HEADER), &out) ==
            QW_STATUS_TIMESTAMP_TOO_OLD, "verify_now refuses a 2024 header");

  /* Detailed messages: the age and the tolerance, truncation like snprintf. */
  CHECK(qw_verify(verifier, U8(BODY), blen, U8(HEADER), strlen(HEADER), NOW + 301, &out) ==
            QW_STATUS_TIMESTAMP_TOO_OLD, "301 s");
  char message[512];
  size_t len = qw_last_error_message(message, sizeof message);
  CHECK(strstr(message, "301 s old") != NULL && strstr(message, "300 s") != NULL,
        "message: %s", message);
  CHECK(len == strlen(message), "length %zu", len);
  CHECK(qw_last_error_message(NULL, 0) == len, "length query");
  char small[8];
  CHECK(qw_last_error_message(small, sizeof small) == len && strlen(small) == 7 &&
            strncmp(small, message, 7) == 0, "truncated: %s", small);
  CHECK(qw_verify(verifier, U8("{}"), 2, U8(HEADER), strlen(HEADER), NOW, &out) ==
            QW_STATUS_SIGNATURE_MISMATCH, "mismatch");
  qw_last_error_message(message, sizeof message);
  CHECK(strstr(message, "raw request body") != NULL && strstr(message, SECRET) == NULL &&
            strstr(message, "56aff06d") == NULL, "mismatch message: %s", message);
  qw_verifier_free(verifier);
}

/* Threads sharing one verifier. */
#define THREADS 4
#define ROUNDS 200
static qw_verifier *shared;

static void *worker(void *arg) {
  size_t id = (size_t)arg, bad = 0;
  char tampered[sizeof BODY];
  memcpy(tampered, BODY, sizeof BODY);
  tampered[2] = 'T';
  for (size_t i = 0; i < ROUNDS; i++) {
    qw_verified out;
    int valid = (i + id) % 2 == 0;
    qw_status status = qw_verify(shared, U8(valid ? BODY : tampered), strlen(BODY), U8(HEADER),
                                 strlen(HEADER), NOW, &out);
    if (status != (valid ? QW_STATUS_OK : QW_STATUS_SIGNATURE_MISMATCH)) bad++;
    if (!valid) {
      char message[64];
      qw_last_error_message(message, sizeof message);
      if (strncmp(message, "the signature does not match", 28) != 0) bad++;
    }
  }
  return (void *)bad;
}

/* The former names (qw_verify_state, qw_verify_state_free) still compile and work; the
 * function is marked deprecated, so the compiler warns where it is used. */
static void test_deprecated_names(void) {
  qw_verifier *verifier = official_verifier();
  qw_verify_state *state = NULL;
  size_t hlen = strlen(HEADER);
  CHECK(qw_verify_start(verifier, U8(HEADER), hlen, NOW, &state) == QW_STATUS_OK,
        "start through the former type name");
  CHECK(state != NULL, "state written");
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
  qw_verify_state_free(state); /* valgrind and ASan check that it freed the state */
  qw_verify_state_free(NULL);
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
  qw_verifier_free(verifier);
}

static void test_threads(void) {
  shared = official_verifier();
  pthread_t threads[THREADS];
  for (size_t i = 0; i < THREADS; i++) {
    CHECK(pthread_create(&threads[i], NULL, worker, (void *)i) == 0, "pthread_create");
  }
  for (size_t i = 0; i < THREADS; i++) {
    void *bad = NULL;
    pthread_join(threads[i], &bad);
    CHECK(bad == NULL, "thread %zu: %zu wrong results", i, (size_t)bad);
  }
  qw_verifier_free(shared);
}

int main(void) {
  printf("libqonto_webhooks %s\n", qw_version());
  test_vectors();
  test_requests();
  test_reframed_replay();
  test_tolerance();
  test_statuses();
  test_misuse();
  test_sign();
  test_clock_and_messages();
  test_deprecated_names();
  test_threads();
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
