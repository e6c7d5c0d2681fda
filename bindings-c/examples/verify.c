/*
 * Verifying Qonto webhooks from C: the official Qonto example, a freshly signed event, then the
 * usual ways a request gets rejected, each with its stable code and message.
 *
 *   cargo build --release -p qonto-webhooks-clib
 *   gcc -Iinclude bindings-c/examples/verify.c -Ltarget/release -l:libqonto_webhooks.a \
 *       -lpthread -ldl -lm -o verify && ./verify
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* snippet:start readme (the root README's C block: this include, then readme_example's body) */
/* snippet:start request */
#include "qonto_webhooks.h"
/* snippet:end request */
/* snippet:end readme */

static const char SECRET[] = "whsec_public_example_secret_0123456789abcdef";

/* Verifies one business webhook and prints the verdict. */
static void check(const qw_verifier *verifier, const char *label, const char *body,
                  const char *header, size_t header_len, uint64_t now) {
  qw_verified verified;
  qw_status status = qw_verify(verifier, (const uint8_t *)body, strlen(body),
                               (const uint8_t *)header, header_len, now, &verified);
  if (status == QW_STATUS_OK) {
    printf("  accept  %-22s secret #%zu, t=%llu\n", label, verified.secret_index,
           (unsigned long long)verified.timestamp);
  } else {
    char message[512];
    qw_last_error_message(message, sizeof message);
    printf("  reject  %-22s %s: %.90s...\n", label, qw_status_code(status), message);
  }
}

/* The root README's C block, as shown there: the status of a verification under "test-secret". */
static qw_status readme_example(const uint8_t *body, size_t body_len, const uint8_t *header,
                                size_t header_len) {
  /* snippet:start readme */

  qw_bytes secret = {(const uint8_t *)"test-secret", 11};
  qw_verifier *verifier = NULL;                             /* build once, share between threads */
  if (qw_verifier_new(&secret, 1, QW_DEFAULT_TOLERANCE_SECS, &verifier) != QW_STATUS_OK) abort();

  qw_verified ok;
  qw_status s = qw_verify_now(verifier, body, body_len, header, header_len, &ok);
  if (s != QW_STATUS_OK) {
    char message[512];
    qw_last_error_message(message, sizeof message);        /* "the timestamp is 301 s old, ..." */
    printf("400 %s: %s\n", qw_status_code(s), message);   /* "timestamp_too_old" */
  }
  qw_verifier_free(verifier);                               /* NULL-safe */
  /* snippet:end readme */
  return s;
}

/* bindings-c/README.md's C block, as shown there: a request's two possible headers, as the request
 * carries them (NULL with a 0 length when absent). */
static qw_status request_example(const uint8_t *body, size_t body_len, const uint8_t *business,
                                 size_t business_len, const uint8_t *onboarding,
                                 size_t onboarding_len) {
  /* snippet:start request */

  qw_bytes secret = {(const uint8_t *)"test-secret", 11};
  qw_verifier *verifier = NULL;   /* build once, configure, then share between threads */
  if (qw_verifier_new(&secret, 1, QW_DEFAULT_TOLERANCE_SECS, &verifier) != QW_STATUS_OK) abort();
  /* Business webhooks only by default; an onboarding endpoint says so:
     qw_verifier_set_schemes(verifier, QW_SCHEMES_ONBOARDING); */

  /* Both header values as the request carries them: NULL (with a 0 length) when absent. */
  qw_verified verified;
  qw_status status = qw_verify_request_now(verifier, body, body_len,
                                           business, business_len,      /* X-Qonto-Signature */
                                           onboarding, onboarding_len,  /* Qonto-SHA256-Signature */
                                           &verified);
  if (status == QW_STATUS_OK) {
    printf("secret #%zu, t=%llu\n", verified.secret_index, (unsigned long long)verified.timestamp);
  } else {
    char message[512];
    qw_last_error_message(message, sizeof message);   /* "the timestamp is 301 s old, ..." */
    printf("400 %s: %s\n", qw_status_code(status), message);
  }
  qw_verifier_free(verifier);
  /* snippet:end request */
  return status;
}

int main(void) {
  printf("C (libqonto_webhooks %s)\n", qw_version());
  uint64_t now = (uint64_t)time(NULL);

  /* The official example from Qonto's documentation. */
  qw_bytes official = {(const uint8_t *)"test-secret", 11};
  qw_verifier *verifier = NULL;
  if (qw_verifier_new(&official, 1, QW_DEFAULT_TOLERANCE_SECS, &verifier) != QW_STATUS_OK) return 1;
  const char *header =
      "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";
  check(verifier, "Qonto's own example", "{\"test\":\"data\"}", header, strlen(header), 1704110400);
  qw_verifier_free(verifier);

  /* The README's block: the same webhook signed now verifies, the example's own header (signed
   * in 2024) is refused as too old. */
  uint8_t fresh[QW_SIGN_MAX_LEN];
  size_t fresh_len = 0;
  const char *example_body = "{\"test\":\"data\"}";
  if (qw_sign((const uint8_t *)"test-secret", 11, (const uint8_t *)example_body,
              strlen(example_body), now, fresh, sizeof fresh, &fresh_len) != QW_STATUS_OK ||
      readme_example((const uint8_t *)example_body, strlen(example_body), fresh, fresh_len) !=
          QW_STATUS_OK ||
      readme_example((const uint8_t *)example_body, strlen(example_body), (const uint8_t *)header,
                     strlen(header)) != QW_STATUS_TIMESTAMP_TOO_OLD) {
    return 1;
  }
  /* The package README's request block: the business header verifies; the onboarding header alone
   * is refused (a business-only endpoint), and so is no header at all. */
  uint8_t onboarding_sig[QW_SIGN_MAX_LEN];
  size_t onboarding_len = 0;
  if (qw_sign_onboarding((const uint8_t *)"test-secret", 11, (const uint8_t *)example_body,
                         strlen(example_body), onboarding_sig, sizeof onboarding_sig,
                         &onboarding_len) != QW_STATUS_OK ||
      request_example((const uint8_t *)example_body, strlen(example_body), fresh, fresh_len,
                      onboarding_sig, onboarding_len) != QW_STATUS_OK ||
      request_example((const uint8_t *)example_body, strlen(example_body), NULL, 0,
                      onboarding_sig, onboarding_len) != QW_STATUS_MISSING_HEADER ||
      request_example((const uint8_t *)example_body, strlen(example_body), NULL, 0, NULL, 0) !=
          QW_STATUS_MISSING_HEADER) {
    return 1;
  }

  /* A webhook signed now, the way Qonto signs it. */
  qw_bytes secret = {(const uint8_t *)SECRET, strlen(SECRET)};
  if (qw_verifier_new(&secret, 1, QW_DEFAULT_TOLERANCE_SECS, &verifier) != QW_STATUS_OK) return 1;
  const char *body = "{\"id\":\"0196\",\"type\":\"v1/transactions\",\"data\":{\"event\":\"created\"}}";
  uint8_t signed_header[QW_SIGN_MAX_LEN];
  size_t len = 0;
  if (qw_sign(secret.data, secret.len, (const uint8_t *)body, strlen(body), now, signed_header,
              sizeof signed_header, &len) != QW_STATUS_OK) {
    return 1;
  }
  check(verifier, "signed event", body, (const char *)signed_header, len, now);

  /* The rejects. */
  check(verifier, "re-serialized body", "{\"id\": \"0196\"}", (const char *)signed_header, len,
        now);
  check(verifier, "replayed 10 min later", body, (const char *)signed_header, len, now + 600);
  check(verifier, "no header", body, "", 0, now);
  check(verifier, "base64 signature", body, "t=1,v1=q83vEjRWeJA=", 19, now);

  /* A request as it arrives, with both headers looked up (NULL: absent). This endpoint accepts
   * business webhooks only (the default; qw_verifier_set_schemes says otherwise), so the signed
   * event's v1 resent as an onboarding signature over "<t>.<body>" is refused. */
  char reframed[256];
  int n = snprintf(reframed, sizeof reframed, "%llu.%s", (unsigned long long)now, body);
  qw_verified verified;
  qw_status status = qw_verify_request(verifier, (const uint8_t *)reframed, (size_t)n, NULL, 0,
                                       signed_header + len - 64, 64, now, &verified);
  char message[512];
  qw_last_error_message(message, sizeof message);
  printf("  %s  %-22s %s: %.90s...\n", status == QW_STATUS_OK ? "accept" : "reject",
         "reframed as onboarding", qw_status_code(status), message);
  qw_verifier_free(verifier);
  if (status == QW_STATUS_OK) return 1;
  return 0;
}
