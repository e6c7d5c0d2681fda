/* Soak of the C ABI: a million verifications (mixed good and bad), verifiers built and freed in a
 * loop, and failures with their detailed messages in a loop, while RSS is sampled. Fails if RSS
 * grows more than 1 MiB after warm-up. `--plant-leak` leaks 64 bytes a round: that run must fail.
 *
 *   bash conformance/soak/soak_c.sh [ITERATIONS] [--plant-leak]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qonto_webhooks.h"

#define ALLOWANCE_KIB 1024

static long rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0) kib = strtol(line + 6, NULL, 10);
  fclose(f);
  return kib;
}

static const char BODY[] =
    "{\"id\":\"0196\",\"type\":\"v1/transactions\",\"data\":{\"event\":\"created\",\"amount\":\"12.50\"}}";
static const uint64_t NOW = 1735689600;
static char headers[6][128];
static size_t header_lens[6];
static qw_verifier *verifier;
static int plant_leak;
static long accepted;

typedef void (*round_fn)(long i);

static int soak(const char *name, long n, round_fn round) {
  long warmup = n / 10, base, peak;
  for (long i = 0; i < warmup; i++) round(i);
  base = peak = rss_kib();
  for (long i = warmup; i < n; i++) {
    round(i);
    if (i % 10000 == 0) {
      long r = rss_kib();
      if (r > peak) peak = r;
    }
  }
  long r = rss_kib();
  if (r > peak) peak = r;
  int ok = peak - base <= ALLOWANCE_KIB;
  printf("  %-34s %9ld rounds  RSS %ld KiB after warm-up, peak %ld KiB (+%ld KiB)  %s\n", name, n, base,
         peak, peak - base, ok ? "ok" : "GREW");
  return ok;
}

static void verify_round(long i) {
  qw_verified out;
  size_t k = (size_t)(i % 6);
  if (qw_verify(verifier, (const uint8_t *)BODY, sizeof BODY - 1, (const uint8_t *)headers[k], header_lens[k], NOW,
                &out) == QW_STATUS_OK)
    accepted++;
  if (plant_leak) {
    volatile char *leak = malloc(64);
    if (leak) leak[0] = 1;
  }
}

static void build_round(long i) {
  char secret[32];
  int len = snprintf(secret, sizeof secret, "secret-%ld", i);
  qw_bytes secrets[2] = {{(const uint8_t *)secret, (size_t)len}, {(const uint8_t *)"whsec_soak", 10}};
  qw_verifier *v = NULL;
  if (qw_verifier_new(secrets, 2, QW_DEFAULT_TOLERANCE_SECS, &v) == QW_STATUS_OK) qw_verifier_free(v);
}

static void error_round(long i) {
  qw_verified out;
  char message[512];
  size_t k = 2 + (size_t)(i % 4);
  qw_status status;
  if (i % 2 == 0)
    status = qw_verify(verifier, (const uint8_t *)BODY, sizeof BODY - 1, (const uint8_t *)headers[k], header_lens[k],
                       NOW, &out);
  else /* a request carrying only the onboarding header: refused by the business-only verifier */
    status = qw_verify_request(verifier, (const uint8_t *)BODY, sizeof BODY - 1, NULL, 0, (const uint8_t *)headers[0],
                               header_lens[0], NOW, &out);
  if (status != QW_STATUS_OK) qw_last_error_message(message, sizeof message);
}

int main(int argc, char **argv) {
  long n = 1000000;
  for (int a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--plant-leak") == 0) plant_leak = 1;
    else n = strtol(argv[a], NULL, 10);
  }
  size_t len;
  qw_sign((const uint8_t *)"whsec_soak", 10, (const uint8_t *)BODY, sizeof BODY - 1, NOW, (uint8_t *)headers[0],
          sizeof headers[0], &len);
  header_lens[0] = len;
  snprintf(headers[1], sizeof headers[1], "t=0%.*s", (int)(len - 2), headers[0] + 2); /* same t, other text */
  snprintf(headers[2], sizeof headers[2], "t=%llu,v1=%064d", (unsigned long long)NOW, 0);
  snprintf(headers[3], sizeof headers[3], "t=1,v1=zz");
  headers[4][0] = '\0';
  qw_sign((const uint8_t *)"whsec_soak", 10, (const uint8_t *)BODY, sizeof BODY - 1, NOW - 1000,
          (uint8_t *)headers[5], sizeof headers[5], &len);
  header_lens[5] = len;
  for (int k = 1; k < 5; k++) header_lens[k] = strlen(headers[k]);

  qw_bytes secrets[2] = {{(const uint8_t *)"whsec_old", 9}, {(const uint8_t *)"whsec_soak", 10}};
  if (qw_verifier_new(secrets, 2, QW_DEFAULT_TOLERANCE_SECS, &verifier) != QW_STATUS_OK) return 2;
  printf("soak (C ABI), allowance %d KiB after warm-up:\n", ALLOWANCE_KIB);
  int all = 1;
  all &= soak("qw_verify, mixed good and bad", n, verify_round);
  all &= soak("qw_verifier_new and _free", n / 10, build_round);
  all &= soak("failures and messages (+request)", n, error_round);
  qw_verifier_free(verifier);
  long expected = (n + 5) / 6;
  int verdicts = accepted == expected;
  printf("  verdicts: %ld accepted of %ld (%s)\n", accepted, n, verdicts ? "as expected" : "WRONG");
  if (all && verdicts) {
    printf("soak: 4 passed, 0 failed\n");
    return 0;
  }
  printf("soak: failed\n");
  return 1;
}
