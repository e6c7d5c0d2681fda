/* Runs cases through the C ABI and prints one verdict per line: `ok <secret_index>` or the code.
 * Input (from c_runner.py), one case per line, fields separated by spaces, byte strings base64:
 *   <scheme: b|o> <now> <tolerance or -> <header> <body> <secret>...
 * Used by conformance/differential.py. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qonto_webhooks.h"

static int b64value(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Decodes `in` (len bytes of base64, '=' padding allowed) into a new buffer. */
static uint8_t *b64decode(const char *in, size_t len, size_t *out_len) {
  uint8_t *out = malloc(len / 4 * 3 + 3);
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  if (!out) return NULL;
  for (size_t i = 0; i < len && in[i] != '='; i++) {
    int v = b64value((unsigned char)in[i]);
    if (v < 0) { free(out); return NULL; }
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[n++] = (uint8_t)(acc >> bits); }
  }
  *out_len = n;
  return out;
}

int main(void) {
  static char line[1 << 20];
  while (fgets(line, sizeof line, stdin)) {
    char *fields[64];
    size_t nf = 0;
    for (char *tok = strtok(line, " \n"); tok && nf < 64; tok = strtok(NULL, " \n")) fields[nf++] = tok;
    if (nf < 5) { puts("bad_case"); continue; }
    /* An empty base64 field is written as "-". */
    #define FIELD(i, out, outlen) \
      (strcmp(fields[i], "-") == 0 ? (*(outlen) = 0, (out) = malloc(1)) \
                                   : ((out) = b64decode(fields[i], strlen(fields[i]), (outlen))))
    int onboarding = fields[0][0] == 'o';
    uint64_t now = strtoull(fields[1], NULL, 10);
    /* "-" is no window: qw_verifier_disable_tolerance, as no tolerance value switches it off. */
    int no_window = strcmp(fields[2], "-") == 0;
    uint64_t tolerance = no_window ? QW_DEFAULT_TOLERANCE_SECS : strtoull(fields[2], NULL, 10);
    uint8_t *header, *body;
    size_t header_len, body_len;
    FIELD(3, header, &header_len);
    FIELD(4, body, &body_len);
    size_t nsecrets = nf - 5;
    qw_bytes secrets[64];
    uint8_t *owned[64];
    for (size_t i = 0; i < nsecrets; i++) {
      size_t len;
      FIELD(5 + i, owned[i], &len);
      secrets[i].data = owned[i];
      secrets[i].len = len;
    }
    qw_verifier *v = NULL;
    qw_verified out;
    qw_status s = qw_verifier_new(nsecrets ? secrets : NULL, nsecrets, tolerance, &v);
    if (s == QW_STATUS_OK && no_window) s = qw_verifier_disable_tolerance(v);
    if (s == QW_STATUS_OK) {
      s = onboarding ? qw_verify_onboarding(v, body, body_len, header, header_len, &out)
                     : qw_verify(v, body, body_len, header, header_len, now, &out);
    }
    if (s == QW_STATUS_OK) printf("ok %zu\n", out.secret_index);
    else printf("%s\n", qw_status_code(s));
    qw_verifier_free(v);
    for (size_t i = 0; i < nsecrets; i++) free(owned[i]);
    free(header);
    free(body);
  }
  return 0;
}
